"""Story features: does this article report the same story as that one, in other words?

Near-duplicates share most word shingles; two outlets covering the same meeting share almost none. What they
do share are the story's names and phrases ("coalition of the willing", "reassurance force", "26 countries"),
while an article about another summit of the same conflict shares the conflict's vocabulary but few of its
phrases. A profile therefore keeps, per article, three small sets of hashed features of the matching form:

- **terms**: the most frequent content words (stop words dropped, Arabic clitics و ف ب ل ال stripped);
- **phrases**: the most frequent pairs of adjacent content words — names ("Emmanuel Macron", "جورجيا ميلوني")
  and coined phrases are bigrams, so this is the gazetteer-free stand-in for named entities;
- **numbers**: the numbers written in the text (counts, package numbers, years).

`score` is a weighted containment of those sets (containment, not Jaccard, so a short wire piece is not
penalised against a long feature). `features` also gives the index keys — the top phrases — through which
candidates are found; the time window is applied by the caller (published dates).
"""

from __future__ import annotations

import base64
import zlib
from collections import Counter
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import numpy as np
from newsmon.streams.dedup.minhash import check_packed
from pydantic import BaseModel, ConfigDict, field_validator

_DATA = Path(__file__).with_name("data")
_ARABIC_PREFIXES = ("وبال", "وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ف")
_MIN_STEM = 3
# Weights of the three containments; phrases are the strongest evidence, a shared number the weakest.
_WEIGHTS = {"terms": 0.4, "phrases": 1.0, "numbers": 0.2}


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Function words and reporting verbs of every language in data/stopwords_*.txt (matching form)."""
    words: set[str] = set()
    for path in sorted(_DATA.glob("stopwords_*.txt")):
        words.update(
            line.strip()
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        )
    return frozenset(words)


@lru_cache(maxsize=262_144)
def _content_stem(word: str) -> str | None:
    """The word reduced for story matching, or None when it carries no story (stop word, short, number)."""
    stops = stop_words()
    if word.isdigit() or word in stops or len(word) < _MIN_STEM:
        return None
    for prefix in _ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= _MIN_STEM:
            word = word[len(prefix) :]
            break
    return None if word in stops else word


class StoryProfile(BaseModel):
    """Hashed story features of one article (base64 of little-endian uint32 crc32 hashes)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    terms: str
    phrases: str
    numbers: str

    _packed = field_validator("terms", "phrases", "numbers")(check_packed)


def _top(counts: Counter[str], limit: int) -> list[str]:
    # Counter.most_common keeps first-seen order among equal counts, so the choice is deterministic.
    return [item for item, _ in counts.most_common(limit)]


def _pack(items: list[str]) -> str:
    hashes = np.array(sorted({zlib.crc32(item.encode("utf-8")) for item in items}), dtype="<u4")
    return base64.b64encode(hashes.tobytes()).decode("ascii")


@lru_cache(
    maxsize=16_384
)  # ~3 kB each; the index compares each entry's profile again for every later look-alike
def _unpack(packed: str) -> frozenset[int]:
    return frozenset(np.frombuffer(base64.b64decode(packed), dtype="<u4").tolist())


def _stems(words: list[str]) -> list[str | None]:
    return [_content_stem(word) for word in words]


def _phrase_counts(stems: list[str | None]) -> Counter[str]:
    # A stop word between two content words breaks the phrase: "Macron of France" is not a bigram.
    return Counter(f"{first} {second}" for first, second in pairwise(stems) if first and second)


def features(words: list[str], size: int, key_count: int) -> tuple[StoryProfile, list[str]]:
    """An article's story profile (its `size` most frequent terms and phrases, its numbers) and its index keys
    for story candidates (its `key_count` most frequent phrases), from one pass over its matching words."""
    stems = _stems(words)
    phrases = _phrase_counts(stems)
    profile = StoryProfile(
        terms=_pack(_top(Counter(stem for stem in stems if stem), size)),
        phrases=_pack(_top(phrases, size)),
        numbers=_pack(sorted({word for word in words if word.isdigit()})),
    )
    return profile, [f"st:{zlib.crc32(phrase.encode('utf-8')):08x}" for phrase in _top(phrases, key_count)]


def _containment(first: frozenset[int], second: frozenset[int]) -> float:
    smaller = min(len(first), len(second))
    return len(first & second) / smaller if smaller else 0.0


def score(first: StoryProfile, second: StoryProfile) -> float:
    """How strongly two profiles look like one story: 0 (nothing shared) to 1.6 (all three sets contained)."""
    return sum(
        weight * _containment(_unpack(getattr(first, field)), _unpack(getattr(second, field)))
        for field, weight in _WEIGHTS.items()
    )
