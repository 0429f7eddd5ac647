"""The sentence model: features shared by training and scoring, batch scoring, and the shipped file."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from newsmon.streams.extract.model import (
    COLUMNS,
    FEATURE_BITS,
    Combination,
    SentenceModel,
    load_sentence_model,
    sentence_features,
)


def test_features_fold_digits_and_count_repeats():
    assert np.array_equal(sentence_features("sent 500 troops"), sentence_features("sent 700 troops"))
    once, twice = sentence_features("aid"), sentence_features("aid aid")
    assert len(twice) == 2 * len(once) + 1  # the word twice, and the bigram "aid aid"
    assert len(sentence_features("")) == 0


def test_batch_scores_equal_single_scores():
    model = load_sentence_model()
    sentences = [
        "فرضت الولايات المتحدة عقوبات جديدة على ايران",
        "",
        "the weather was mild",
        "japan lent indonesia $2bn",
    ]
    for batch, single in zip(model.score_many(sentences), [model.score(s) for s in sentences], strict=True):
        assert batch.commitment == pytest.approx(single.commitment)
        assert batch.sanction == pytest.approx(single.sanction)


def test_save_and_load_keep_weights_and_each_languages_combination(tmp_path):
    rng = np.random.default_rng(0)
    weights = np.zeros((1 << FEATURE_BITS, len(COLUMNS)), dtype=np.float32)
    rows = rng.choice(1 << FEATURE_BITS, 50, replace=False)
    weights[rows] = rng.normal(size=(50, len(COLUMNS))).astype(np.float16)
    combinations = {
        "ar": Combination(veto=0.4, protect=0.9, add=0.5, floor=0.15),
        "en": Combination(veto=0.2, protect=0.9, add=0.7, floor=0.1),
    }
    model = SentenceModel(weights, np.arange(len(COLUMNS), dtype=np.float32), combinations)
    model.save(tmp_path / "m.npz")
    loaded = SentenceModel.load(tmp_path / "m.npz")
    assert np.array_equal(loaded.weights, weights) and np.array_equal(loaded.bias, model.bias)
    assert loaded.combinations == combinations
    assert loaded.combination_for("ar") == combinations["ar"]
    assert loaded.combination_for("fr") == Combination.rules_only()


def test_shipped_model_separates_an_event_from_a_non_event():
    model = load_sentence_model()
    assert (
        model.score("the eu imposed new sanctions on russia").sanction
        > model.score("the match ended 2-1").sanction
    )


@dataclass(frozen=True)
class Reading:
    confidence: float
    category: str = "weapons"


def test_a_protected_rule_event_is_vetoed_only_below_the_floor_and_never_an_energy_ban():
    combination = Combination(veto=0.4, protect=0.9, add=0.7, floor=0.1)
    protected, plain, energy_ban = Reading(0.95), Reading(0.6), Reading(0.95, "energy_ban")
    assert combination.kept([protected, plain], 0.5) == [protected, plain]
    assert combination.kept([protected, plain], 0.2) == [protected]
    assert combination.kept([protected, plain, energy_ban], 0.05) == [energy_ban]
