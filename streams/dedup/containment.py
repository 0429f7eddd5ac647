"""Sentence sketches: is most of one article's text, sentence by sentence, in another one?

MinHash estimates the resemblance (Jaccard) of two whole shingle sets. Two kinds of syndicated copies defeat
it:

- a *brief* or a *trimmed* copy (headline and first half, a tail cut off) is contained in its original, but a
  half-length text can never resemble it more than 0.5;
- a *copy-edited* copy (a word in eight replaced, paragraphs swapped) keeps every sentence recognisable, but a
  changed word breaks every shingle through it, so resemblance falls to that of a text with three sentences
  in eight rewritten by another outlet — which is the same story, not a copy.

What tells a copy from a retelling is *where* the differences are: copy-editing spreads small edits over every
sentence, a retelling rewrites whole sentences. So a sketch keeps, per sentence, the 16-bit hashes of its word
bigrams (matching form), and `cover(x, y)` is the share of x's bigrams that lie in sentences of x most of
whose bigrams (`sentence_match`) occur anywhere in y. Looking the bigrams up in the whole of y, not in one
sentence of it, makes the measure blind to sentence order, to paragraphs swapped and to a sentence split or
merged by an edited full stop. A word in eight replaced keeps about 0.77 of a sentence's bigrams; a sentence
rewritten by another outlet keeps its names and little else (≈ 0.1–0.3).

Sizes: 2 bytes per bigram plus 2 per sentence (~1 kB for a 500-word article); 16-bit hashes collide with one
of y's ~500 bigrams with probability ~1 %, noise far under the 0.5 a sentence needs.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from newsmon.streams.dedup.minhash import shingle_hashes
from newsmon.streams.dedup.words import HashedWords

_HASH_SHIFT = np.uint64(48)
BATCH_FROM = 4  # look-alikes from which `covers_and_leads` goes through numpy together


def sketch(words: HashedWords) -> str:
    """The sentence sketch of a text's words (`words.hashed_words`), packed as base64 of little-endian uint16:
    [sentences, bigrams of each sentence…, bigram hashes…], zero-padded to whole uint32s (the packing every
    fingerprint field shares, see minhash.check_packed). One-word sentences have no bigram: left out."""
    hashes, ends = words
    if len(hashes) < 2:
        return _pack(np.zeros(0, dtype=np.uint16), np.zeros(0, dtype=np.uint16))
    bigrams = shingle_hashes(hashes, 2)  # bigram i joins words i and i+1
    inside = ~ends[:-1]  # a bigram across a sentence end belongs to no sentence
    sentence_of = np.concatenate(([0], np.cumsum(ends[:-1])))[:-1]
    lengths = np.bincount(sentence_of[inside])
    return _pack(lengths[lengths > 0].astype(np.uint16), (bigrams[inside] >> _HASH_SHIFT).astype(np.uint16))


def _pack(lengths: np.ndarray, hashes: np.ndarray) -> str:
    values = np.concatenate((np.array([len(lengths)], dtype=np.uint16), lengths, hashes)).astype("<u2")
    if len(values) % 2:
        values = np.append(values, np.uint16(0))
    return base64.b64encode(values.tobytes()).decode("ascii")


class _Sketch(NamedTuple):
    lengths: np.ndarray  # bigrams per sentence
    starts: np.ndarray  # index of each sentence's first bigram in `hashes`
    hashes: np.ndarray  # bigram hashes in text order


@lru_cache(maxsize=16_384)  # the index compares each entry's sketch again for every later look-alike
def _unpack(packed: str) -> _Sketch:
    values = np.frombuffer(base64.b64decode(packed), dtype="<u2") if packed else np.zeros(1, dtype="<u2")
    count = int(values[0]) if len(values) else 0
    lengths = values[1 : 1 + count].astype(np.int64)
    hashes = values[1 + count : 1 + count + int(lengths.sum())]
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    return _Sketch(lengths, starts, hashes)


@lru_cache(maxsize=2048)  # 8 kB each; the prober's is used against every look-alike of a probe
def _presence(packed: str) -> np.ndarray:
    """A bitmap over the 16-bit hash range of the bigrams in `packed`: one lookup per bigram of the other text
    instead of a set operation per pair (np.isin was most of a cover)."""
    present = np.zeros(1 << 16, dtype=bool)
    present[_unpack(packed).hashes] = True
    return np.packbits(present, bitorder="little")


def cover(first: str, second: str, sentence_match: float, min_bigrams: int) -> float:
    """Share of `first`'s bigrams in sentences that are mostly (≥ `sentence_match` of their bigrams) found in
    `second`; 0 when `first` has fewer than `min_bigrams` bigrams (a line or two proves no copy)."""
    return cover_and_lead(first, second, sentence_match, min_bigrams)[0]


def cover_and_lead(first: str, second: str, sentence_match: float, min_bigrams: int) -> tuple[float, float]:
    """(`cover`, lead): the lead is the share of `first`'s bigrams from its start through its last sentence
    not found in `second` (0 when every sentence is found, 1 when the text is too short to tell). An
    outlet's own headline and lead over a wire text are missing sentences at the start only; a retelling
    misses sentences all through."""
    sketch_ = _unpack(first)
    lengths = sketch_.lengths
    total = int(lengths.sum())
    if total < min_bigrams:
        return 0.0, 1.0
    hashes = sketch_.hashes
    found = (_presence(second)[hashes >> 3] >> (hashes & 7).astype(np.uint8)) & 1
    per_sentence = np.add.reduceat(found, sketch_.starts, dtype=np.int64)
    matched = per_sentence >= sentence_match * lengths
    missing = np.flatnonzero(~matched)
    lead = float(lengths[: missing[-1] + 1].sum()) / total if missing.size else 0.0
    return float(lengths[matched].sum()) / total, lead


def covers_and_leads(
    first: str, others: Sequence[str], sentence_match: float, min_bigrams: int
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """`cover_and_lead` of `first` in each of `others` and of each of `others` in `first`, the same values as
    pair by pair. For the index probe, which compares the prober with every look-alike under its keys (80 a
    probe after ten minutes of the bench's load): numpy's cost per call, not the arithmetic, was most of a
    cover, so the look-alikes go through each step together. Below `BATCH_FROM` look-alikes the batch's own
    steps cost more than pair by pair (one look-alike: 42 µs against 20; four: 54 against 91)."""
    if len(others) < BATCH_FROM:
        return (
            [cover_and_lead(first, other, sentence_match, min_bigrams) for other in others],
            [cover_and_lead(other, first, sentence_match, min_bigrams) for other in others],
        )
    return _first_in_each(first, others, sentence_match, min_bigrams), _each_in_first(
        first, others, sentence_match, min_bigrams
    )


def _first_in_each(
    first: str, others: Sequence[str], sentence_match: float, min_bigrams: int
) -> list[tuple[float, float]]:
    sketch_ = _unpack(first)
    lengths = sketch_.lengths
    total = int(lengths.sum())
    if total < min_bigrams:
        return [(0.0, 1.0)] * len(others)
    hashes = sketch_.hashes
    presence = np.stack([_presence(other) for other in others])  # look-alikes × 8 kB
    found = (presence[:, hashes >> 3] >> (hashes & 7).astype(np.uint8)) & 1
    per_sentence = np.add.reduceat(found, sketch_.starts, axis=1, dtype=np.int64)
    matched = per_sentence >= sentence_match * lengths
    covered = (matched * lengths).sum(axis=1)
    # The lead runs from the text's start through its last missing sentence, in each look-alike.
    missing = ~matched
    last_missing = missing.shape[1] - 1 - np.argmax(missing[:, ::-1], axis=1)
    leads = np.where(missing.any(axis=1), np.cumsum(lengths)[last_missing], 0)
    return [(float(c) / total, float(lead) / total) for c, lead in zip(covered, leads, strict=True)]


def _each_in_first(
    first: str, others: Sequence[str], sentence_match: float, min_bigrams: int
) -> list[tuple[float, float]]:
    results = [(0.0, 1.0)] * len(others)
    sketches = [_unpack(other) for other in others]
    totals = [int(sketch_.lengths.sum()) for sketch_ in sketches]
    long_enough = [index for index, total in enumerate(totals) if total >= min_bigrams]
    if not long_enough:
        return results
    lengths = np.concatenate([sketches[index].lengths for index in long_enough])
    hashes = np.concatenate([sketches[index].hashes for index in long_enough])
    found = (_presence(first)[hashes >> 3] >> (hashes & 7).astype(np.uint8)) & 1
    ends = np.cumsum(lengths)
    per_sentence = np.add.reduceat(found, ends - lengths, dtype=np.int64)
    matched = per_sentence >= sentence_match * lengths
    # Each look-alike's sentences are one run of `lengths`, none empty (long enough means a bigram at least).
    counts = np.array([len(sketches[index].lengths) for index in long_enough])
    first_sentence = np.cumsum(counts) - counts
    covered = np.add.reduceat(np.where(matched, lengths, 0), first_sentence)
    before = ends[first_sentence] - lengths[first_sentence]  # bigrams of the earlier look-alikes
    # The last missing sentence of each run, as a global sentence index (−1: none missing).
    last_missing = np.maximum.reduceat(np.where(matched, -1, np.arange(len(lengths))), first_sentence)
    leads = np.where(last_missing >= 0, ends[last_missing] - before, 0)
    for position, index in enumerate(long_enough):
        results[index] = (float(covered[position]) / totals[index], float(leads[position]) / totals[index])
    return results
