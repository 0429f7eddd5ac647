"""The learned half of extraction: a linear model that reads one sentence and says how likely it reports a
commitment or a sanction.

Owns the sentence features (shared by training and inference, so the two cannot drift) and the scoring.
Features are hashed word unigrams and bigrams and character 3–5-grams of each word, on the engine's
normalised form (digits folded to 0), counted and scaled by the square root of their number. The weights are
data (`data/sentence_model.npz`), made by `newsmon train` from the labelled real-news corpus
(`streams/extract/training.py`, README "Real-text corpus"); the rules in `engine.py` decide who and what,
this model decides whether a sentence is an event at all.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np

from .lexicon import DATA_DIR

LOGGER = logging.getLogger(__name__)

MODEL_FILE = DATA_DIR / "sentence_model.npz"
FEATURE_BITS = 18
TYPES = ("commitment", "sanction")
# Output columns: one logit per type (is there such an event?). A status column was tried and dropped: on real
# text its reading of "will send" was `proposed` where the guidelines say `announced`, and the rules' status
# cues measured better.
COLUMNS = TYPES
CHAR_GRAMS = (3, 4, 5)
_WORD_RE = re.compile(r"\w+")
_DIGITS_RE = re.compile(r"\d")


def _hash(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) & ((1 << FEATURE_BITS) - 1)


@lru_cache(maxsize=262_144)
def _word_features(word: str) -> np.ndarray:
    """A word's own features: news vocabulary repeats, so each word is hashed once per process."""
    padded = f"<{word}>"
    grams = [padded[i : i + n] for n in CHAR_GRAMS for i in range(len(padded) - n + 1)]
    return np.array([_hash("w|" + word), *(_hash("c|" + gram) for gram in grams)], dtype=np.int64)


@lru_cache(maxsize=262_144)
def _pair_feature(left: str, right: str) -> int:
    return _hash(f"b|{left} {right}")


def sentence_features(normalised: str) -> np.ndarray:
    """Feature indices of a sentence in the engine's normalised form, repeated as often as they occur (the
    model reads counts, scaled to unit length)."""
    words = _WORD_RE.findall(_DIGITS_RE.sub("0", normalised))
    if not words:
        return np.zeros(0, dtype=np.int64)
    pairs = np.fromiter(
        (_pair_feature(left, right) for left, right in zip(words, words[1:], strict=False)),
        dtype=np.int64,
        count=len(words) - 1,
    )
    return np.concatenate([*(_word_features(word) for word in words), pairs])


@dataclass(frozen=True)
class SentenceScores:
    """P(a commitment) and P(a sanction) in the sentence."""

    commitment: float
    sanction: float

    def of_type(self, event_type: str) -> float:
        return self.commitment if event_type == "commitment" else self.sanction


class Confident(Protocol):
    confidence: float
    category: str


# Categories the floor never applies to: the model has seen too few of them to be sure there is none. Energy
# import bans: 14 in the real dev part; it gives the 2025 seed "the Commission proposed legislation to end
# imports of Russian oil and gas" P 0.002, and no energy ban of the dev part lies below the floor.
UNFLOORED_CATEGORIES = frozenset({"energy_ban"})


M = TypeVar("M", bound=Confident)


@dataclass(frozen=True)
class Combination:
    """How the engine weighs the model against the rules (thresholds on the model's probabilities), chosen
    with the model on out-of-fold scores of the dev part."""

    veto: float  # a rule event whose type the model gives less than this is dropped …
    protect: float  # … unless the rules are at least this confident of it (a governing verb or cue, a target)
    add: float  # a type the rules missed and the model gives at least this becomes an event
    floor: float = 0.0  # below this even a protected rule event is dropped: the model all but sure of none

    @classmethod
    def rules_only(cls) -> Combination:
        return cls(veto=0.0, protect=0.0, add=2.0)

    def kept(self, by_rules: Sequence[M], probability: float) -> list[M]:
        """The rule events of one type in one sentence that the model's `probability` of that type keeps."""
        return [
            mention
            for mention in by_rules
            if probability >= self.veto
            or (
                mention.confidence >= self.protect
                and (probability >= self.floor or mention.category in UNFLOORED_CATEGORIES)
            )
        ]

    def adds(self, probability: float) -> bool:
        """Whether a type the rules found nothing of becomes an event."""
        return probability >= self.add


class SentenceModel:
    """Dense weights (features × columns), a bias per column, and the combination chosen with them for each
    language (a language without one: the rules alone)."""

    def __init__(
        self, weights: np.ndarray, bias: np.ndarray, combinations: Mapping[str, Combination] | None = None
    ) -> None:
        if weights.shape != (1 << FEATURE_BITS, len(COLUMNS)) or bias.shape != (len(COLUMNS),):
            raise ValueError(f"sentence model shapes {weights.shape}, {bias.shape} do not fit {COLUMNS}")
        self.weights = weights
        self.bias = bias
        self.combinations = dict(combinations or {})

    def combination_for(self, language: str) -> Combination:
        return self.combinations.get(language) or Combination.rules_only()

    def score(self, normalised: str) -> SentenceScores:
        return self.score_many([normalised])[0]

    def score_many(self, normalised: Sequence[str]) -> list[SentenceScores]:
        """All sentences of an article in one pass: one gather and one segmented sum, whatever their
        number."""
        features = [sentence_features(text) for text in normalised]
        lengths = np.array([len(indices) for indices in features])
        logits = np.tile(self.bias, (len(features), 1))
        present = np.flatnonzero(lengths)
        if len(present):
            gathered = self.weights[np.concatenate([features[row] for row in present])]
            offsets = np.concatenate(([0], np.cumsum(lengths[present])[:-1]))
            logits[present] += np.add.reduceat(gathered, offsets, axis=0) / np.sqrt(lengths[present])[:, None]
        kinds = 1.0 / (1.0 + np.exp(-logits))
        return [SentenceScores(float(kind[0]), float(kind[1])) for kind in kinds]

    def save(self, path: Path) -> None:
        """Only the rows training touched are stored (a few per cent of the hash space), as float16."""
        rows = np.flatnonzero(np.any(self.weights != 0, axis=1)).astype(np.int32)
        languages = sorted(self.combinations)
        np.savez_compressed(
            path,
            rows=rows,
            weights=self.weights[rows].astype(np.float16),
            bias=self.bias.astype(np.float32),
            languages=np.array(languages),
            combinations=np.array([astuple(self.combinations[language]) for language in languages]),
        )

    @classmethod
    def load(cls, path: Path) -> SentenceModel:
        with np.load(path) as data:
            weights = np.zeros((1 << FEATURE_BITS, len(COLUMNS)), dtype=np.float32)
            weights[data["rows"]] = data["weights"].astype(np.float32)
            combinations = {
                str(language): Combination(*(float(value) for value in row))
                for language, row in zip(data["languages"], data["combinations"], strict=True)
            }
            return cls(weights, data["bias"].astype(np.float32), combinations)


@lru_cache(maxsize=1)
def load_sentence_model() -> SentenceModel:
    return SentenceModel.load(MODEL_FILE)
