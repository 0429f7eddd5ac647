"""The words an article is compared by: the words of its matching form, each hashed to 64 bits, and where its
sentences end — computed once per article and shared by the MinHash signature (minhash.py) and the sentence
sketch (containment.py).

Everything goes through a cache per whitespace-separated chunk: matching_form never joins or splits across
whitespace, so a chunk's words, their hashes and whether it ends a sentence depend on the chunk alone, and a
news vocabulary repeats (the per-character translations of matching_form cost ~2 ms on a 9 kB article, a
cached chunk a dict look-up). Hashes are crc32-based: stable across processes, machines and Python versions
(Python's hash() is salted per process), which the idempotent Kafka hops and the stored signatures rely on.
"""

from __future__ import annotations

import re
import zlib
from functools import lru_cache
from itertools import chain
from typing import NamedTuple

import numpy as np

from newsmon.text.normalize import matching_form

_WORD = re.compile(r"\w+")
# A chunk ending with one of these (before closing quotes or brackets) ends a sentence; so does a line end.
_SENTENCE_END = frozenset(".!?؟…")
_CLOSERS = "\"')]»”’"
# One cached entry per matching word: its hash and whether it ends its sentence, packed (9 bytes) so that a
# text's entries are one bytes join of its chunks' entries, read back by numpy without a copy.
_ENTRY = np.dtype([("hash", "=u8"), ("ends", "?")])


@lru_cache(maxsize=262_144)
def chunk_words(chunk: str) -> tuple[str, ...]:
    """The matching words of one whitespace-separated chunk (cached: a news vocabulary repeats)."""
    return tuple(_WORD.findall(matching_form(chunk)))


def matching_words(text: str) -> list[str]:
    """The words of `matching_form(text)`, computed per whitespace-separated chunk through a cache (the same
    list: a test checks it)."""
    return list(chain.from_iterable(map(chunk_words, text.split())))


def word_hash(word: str) -> int:
    """A 64-bit hash of a matching word: two crc32 with different start values (C speed, stable)."""
    data = word.encode("utf-8")
    return zlib.crc32(data) | (zlib.crc32(data, 0x5BD1E995) << 32)


class HashedWords(NamedTuple):
    """The matching words of a text, in order: their hashes, and per word whether it ends its sentence."""

    hashes: np.ndarray  # uint64
    sentence_ends: np.ndarray  # bool


_CHUNK_CACHE_SIZE = 262_144
# chunk -> packed _ENTRY records of its matching words. A dict rather than lru_cache: a hit is then a C-level
# dict.get inside map, half the cost of lru_cache's bookkeeping; when full it is emptied, which a news
# vocabulary seldom reaches.
_chunk_cache: dict[str, bytes] = {}


def _pack_chunk(chunk: str) -> bytes:
    words = chunk_words(chunk)
    entries = np.zeros(len(words), dtype=_ENTRY)
    entries["hash"] = np.array([word_hash(word) for word in words], dtype=np.uint64)
    if words:
        entries["ends"][-1] = chunk.rstrip(_CLOSERS)[-1:] in _SENTENCE_END
    return entries.tobytes()


def _packed_line(chunks: list[str]) -> bytes:
    packed = list(map(_chunk_cache.get, chunks))
    if None in packed:
        if len(_chunk_cache) >= _CHUNK_CACHE_SIZE:
            _chunk_cache.clear()
        packed = [
            part if part is not None else _chunk_cache.setdefault(chunk, _pack_chunk(chunk))
            for chunk, part in zip(chunks, packed, strict=True)
        ]
    return b"".join(packed)


def hashed_words(text: str) -> HashedWords:
    """The hashes and sentence ends of `matching_words(text)`; a line end ends a sentence too (headlines,
    lists).

    Joining cached bytes keeps the per-word work in C: a Python pass over the words (hashes, or sentence
    marks) cost more than all the numpy work of the signature and the sketch together."""
    lines = [_packed_line(line.split()) for line in text.splitlines()]
    entries = np.frombuffer(b"".join(lines), dtype=_ENTRY)
    ends = entries["ends"].copy()
    line_ends = np.cumsum([len(line) // _ENTRY.itemsize for line in lines], dtype=np.int64) - 1
    ends[line_ends[line_ends >= 0]] = True
    return HashedWords(np.ascontiguousarray(entries["hash"]), ends)
