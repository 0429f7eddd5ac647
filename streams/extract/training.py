"""Training the sentence model (`model.py`) on the labelled real-news corpus, and choosing how the engine
combines it with the rules.

Owns the one reproducible recipe: the dev part of `streams/extract/labelled/*.jsonl` (pointers and labels,
materialised from the fetched mirrors), regularisation chosen by cross-validation grouped by article, the
thresholds of the combination chosen on out-of-fold scores (so they are not tuned on sentences the model
has memorised), then one final fit on the whole dev part. The test part is never read here.
Needs the `train` extra (scikit-learn); the worker needs only numpy.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from newsmon.text.normalize import normalise

from .engine import EventMention, extract_events
from .evaluation import Example, Report, labelled_events, score
from .model import COLUMNS, FEATURE_BITS, TYPES, Combination, SentenceModel, sentence_features

LOGGER = logging.getLogger(__name__)

REGULARISATION_GRID = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
FOLDS = 5


@dataclass(frozen=True)
class TrainingItem:
    lang: str
    text: str
    events: tuple[dict, ...]
    group: str  # the article: folds never split one article's sentences

    def has(self, event_type: str) -> bool:
        return any(event["type"] == event_type for event in self.events)


def feature_matrix(texts: Sequence[str]):
    """Sparse (sentences × hashed features): feature counts scaled as `model.py` scores them."""
    from scipy.sparse import csr_matrix

    rows = [sentence_features(normalise(text).text) for text in texts]
    indptr = np.cumsum([0, *(len(row) for row in rows)])
    indices = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    data = np.concatenate([np.full(len(row), 1 / np.sqrt(len(row))) for row in rows if len(row)])
    return csr_matrix((data, indices, indptr), shape=(len(rows), 1 << FEATURE_BITS))


def fit(items: Sequence[TrainingItem], regularisation: dict[str, float]) -> SentenceModel:
    """One model from `items`: a binary logistic regression per type."""
    from sklearn.linear_model import LogisticRegression

    matrix = feature_matrix([item.text for item in items])
    weights = np.zeros((1 << FEATURE_BITS, len(COLUMNS)), dtype=np.float32)
    bias = np.zeros(len(COLUMNS), dtype=np.float32)
    for column, event_type in enumerate(TYPES):
        labels = np.array([item.has(event_type) for item in items])
        classifier = LogisticRegression(C=regularisation[event_type], max_iter=2000, class_weight="balanced")
        classifier.fit(matrix, labels)
        weights[:, column], bias[column] = classifier.coef_[0], classifier.intercept_[0]
    return SentenceModel(weights, bias)


def folds(items: Sequence[TrainingItem], count: int = FOLDS) -> list[np.ndarray]:
    """Fold number of each item: by a stable hash of its article, so an article's sentences stay together."""
    import zlib

    return [
        np.array([zlib.crc32(item.group.encode()) % count == fold for item in items]) for fold in range(count)
    ]


def out_of_fold(
    items: Sequence[TrainingItem],
    regularisation: dict[str, float],
    count: int = FOLDS,
    extra: Sequence[TrainingItem] = (),
) -> list[SentenceModel | None]:
    """For each item, the model trained without its fold (and with `extra`): scores on unseen sentences."""
    models: list[SentenceModel | None] = [None] * len(items)
    for held_out in folds(items, count):
        kept = [item for item, out in zip(items, held_out, strict=True) if not out]
        model = fit([*kept, *extra], regularisation)
        for index in np.flatnonzero(held_out):
            models[index] = model
    return models


def choose_regularisation(items: Sequence[TrainingItem], log: Callable[[str], None]) -> dict[str, float]:
    """C per type by grouped cross-validation, for F1."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    matrix = feature_matrix([item.text for item in items])
    masks = folds(items)
    chosen: dict[str, float] = {}
    for event_type in TYPES:
        labels = np.array([item.has(event_type) for item in items])
        scores = {}
        for strength in REGULARISATION_GRID:
            predicted = np.zeros(len(items), dtype=bool)
            for held_out in masks:
                classifier = LogisticRegression(C=strength, max_iter=2000, class_weight="balanced")
                classifier.fit(matrix[~held_out], labels[~held_out])
                predicted[held_out] = classifier.predict(matrix[held_out])
            scores[strength] = f1_score(labels, predicted)
        chosen[event_type] = max(scores, key=scores.__getitem__)
        log(f"{event_type}: C={chosen[event_type]} (cross-validated F1 {scores[chosen[event_type]]:.3f})")
    return chosen


@dataclass(frozen=True)
class Readings:
    """One dev sentence as the combination search sees it: its gold events, what the rules alone say, and
    what the out-of-fold model would add for each type, with that model's type probabilities."""

    item: TrainingItem
    by_rules: tuple[EventMention, ...]
    learned: tuple[EventMention, ...]
    probability: dict[str, float]


def read_twice(item: TrainingItem, model: SentenceModel) -> Readings:
    by_rules = extract_events(item.text, item.lang, combination=Combination.rules_only(), model=model)
    learned = extract_events(
        item.text, item.lang, combination=Combination(veto=2.0, protect=2.0, add=0.0), model=model
    )
    scores = model.score(normalise(item.text).text)
    return Readings(item, tuple(by_rules), tuple(learned), {t: scores.of_type(t) for t in TYPES})


def combined(readings: Readings, combination: Combination) -> list[EventMention]:
    """What `engine._combine` keeps under `combination`, from the two precomputed readings."""
    kept: list[EventMention] = []
    for event_type in TYPES:
        of_type = [mention for mention in readings.by_rules if mention.type == event_type]
        if of_type:
            kept.extend(combination.kept(of_type, readings.probability[event_type]))
        elif combination.adds(readings.probability[event_type]):
            kept.extend(mention for mention in readings.learned if mention.type == event_type)
    return kept


def score_readings(readings: Sequence[Readings], combination: Combination) -> Report:
    return score(
        Example(
            r.item.lang,
            r.item.text,
            labelled_events(r.item.events),
            labelled_events(mention_json(m) for m in combined(r, combination)),
        )
        for r in readings
    )


def mention_json(mention: EventMention) -> dict:
    return {
        "type": mention.type,
        "status": mention.status,
        "actors": [party.code for party in mention.actors],
    }


# The floors tests/extract/test_quality.py holds the project's own written set to (devset.jsonl): the model
# may add recall on real text, never at the cost of what the rules already do right.
WRITTEN_FLOORS = {"type_f1": 0.95, "precision": 0.97, "status": 0.97, "actors": 0.97}


def keeps_written_floors(report: Report) -> bool:
    return (
        all(counts.f1 >= WRITTEN_FLOORS["type_f1"] for counts in report.by_type.values())
        and report.overall.precision >= WRITTEN_FLOORS["precision"]
        and report.status_accuracy >= WRITTEN_FLOORS["status"]
        and report.actor_accuracy >= WRITTEN_FLOORS["actors"]
    )


VETOES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
ADDS = (0.5, 0.6, 0.7, 0.8, 0.9, 2.0)
# Rule events this confident (a governing verb or status cue, a named actor and target) are vetoed only
# below the floor. Fixed, not tuned: the model has seen news from 2004-05 and 2015 only, and on 2025
# articles it vetoed plain events the rules read right ("Trump called on Europe to stop buying Russian oil",
# P 0.2). On the real dev part, out of fold, this costs about 0.03 F1 against vetoing everything, in
# precision, on a set with far fewer events than the ~45 % the guidelines' evaluation sets hold.
PROTECTED = 0.9
# The floor is tuned, and low: where the model is all but sure there is no event, a confident rule reading
# is more often a history, a call to reform or a plan than an event ("Can Washington still function to
# provide military aid to allies …?"); out of fold a floor of 0.1-0.15 gained 0.008 F1 on the real dev part,
# all in precision.
FLOORS = (0.0, 0.05, 0.1, 0.15, 0.2)


def choose_combinations(
    readings: Sequence[Readings], written: Sequence[Readings], log: Callable[[str], None]
) -> dict[str, Combination]:
    """Per language: the combination chosen on that language's readings and written sentences. Chosen
    apart because the languages need different ones: Arabic, whose rules miss more, gains from the model
    adding events at a lower probability (out of fold on the dev part, add 0.5 against 0.7: +0.008 F1),
    where English loses."""
    return {
        language: choose_combination(
            [r for r in readings if r.item.lang == language],
            [r for r in written if r.item.lang == language],
            lambda line, language=language: log(f"{language} {line}"),
        )
        for language in sorted({r.item.lang for r in readings})
    }


def choose_combination(
    readings: Sequence[Readings], written: Sequence[Readings], log: Callable[[str], None]
) -> Combination:
    """The thresholds that maximise type F1 plus a quarter of status accuracy on out-of-fold readings of real
    text, among those that keep the written set above its floors."""
    best: tuple[float, Combination] = (-1.0, Combination.rules_only())
    for veto, protect, add, floor in itertools.product(VETOES, (PROTECTED,), ADDS, FLOORS):
        combination = Combination(veto, protect, add, floor)
        if not keeps_written_floors(score_readings(written, combination)):
            continue
        report = score_readings(readings, combination)
        objective = report.overall.f1 + 0.25 * report.status_accuracy
        if objective > best[0]:
            best = (objective, combination)
    log(f"combination: {best[1]} (objective {best[0]:.3f})")
    return best[1]


def train(
    items: Sequence[TrainingItem], log: Callable[[str], None], written: Sequence[TrainingItem] = ()
) -> SentenceModel:
    """The whole recipe on the real dev items: C by cross-validation, thresholds on out-of-fold readings, then
    the final fit on everything, carrying those thresholds. `written` (the project's own labelled sentences,
    in the rules' phrasing) joins every fit so the model knows what the rules know, and bounds the
    thresholds (see `WRITTEN_FLOORS`); the objective is measured on real text only."""
    regularisation = choose_regularisation(items, log)
    models = out_of_fold(items, regularisation, extra=written)
    readings = [
        read_twice(item, model) for item, model in zip(items, models, strict=True) if model is not None
    ]
    report = score_readings(readings, Combination.rules_only())
    log(
        f"rules only (real dev): F1 {report.overall.f1:.3f}, status {report.status_accuracy:.3f}, "
        f"actors {report.actor_accuracy:.3f}"
    )
    final = fit([*items, *written], regularisation)
    combinations = choose_combinations(readings, [read_twice(item, final) for item in written], log)
    for language, combination in combinations.items():
        report = score_readings([r for r in readings if r.item.lang == language], combination)
        log(
            f"{language} combined (real dev, out of fold): F1 {report.overall.f1:.3f}, "
            f"status {report.status_accuracy:.3f}, actors {report.actor_accuracy:.3f}"
        )
    return SentenceModel(final.weights, final.bias, combinations)
