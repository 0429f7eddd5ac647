"""Scoring extracted events against labelled texts: the evaluation contract of the extraction engine.

Owns the matching rule and the metrics. A predicted event matches a gold event of the same type in the
same text, one to one (pairs agreeing on status and actors are matched first, so that scoring never
depends on the order events are listed in). Type precision/recall/F1 count matches; status accuracy and
actor accuracy are measured on the matched pairs (actors: the set of codes must be equal).
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from newsmon import scoring

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class LabelledEvent:
    type: str
    status: str
    actors: frozenset[str]


@dataclass(frozen=True)
class Example:
    lang: str
    text: str
    gold: tuple[LabelledEvent, ...]
    predicted: tuple[LabelledEvent, ...]


@dataclass
class Counts(scoring.Counts):
    def as_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.true_positives,
            "fp": self.false_positives,
            "fn": self.false_negatives,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class Report:
    overall: Counts = field(default_factory=Counts)
    by_type: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_status: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_language: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    matched: int = 0
    status_correct: int = 0
    actors_correct: int = 0
    status_correct_by_language: Counter = field(default_factory=Counter)
    actors_correct_by_language: Counter = field(default_factory=Counter)
    matched_by_language: Counter = field(default_factory=Counter)
    misses: list[dict] = field(default_factory=list)
    false_alarms: list[dict] = field(default_factory=list)
    wrong_status: list[dict] = field(default_factory=list)
    wrong_actors: list[dict] = field(default_factory=list)
    # Each error by its likely cause (see `_false_alarm_cause`): what the error analysis of issue 15 counts.
    error_causes: Counter = field(default_factory=Counter)

    @property
    def status_accuracy(self) -> float:
        return self.status_correct / self.matched if self.matched else 1.0

    @property
    def actor_accuracy(self) -> float:
        return self.actors_correct / self.matched if self.matched else 1.0

    def language_accuracy(self, language: str) -> tuple[float, float]:
        matched = self.matched_by_language[language]
        if not matched:
            return 1.0, 1.0
        return (
            self.status_correct_by_language[language] / matched,
            self.actors_correct_by_language[language] / matched,
        )

    def as_dict(self) -> dict:
        return {
            "overall": self.overall.as_dict(),
            "by_type": {key: counts.as_dict() for key, counts in sorted(self.by_type.items())},
            "by_status": {key: counts.as_dict() for key, counts in sorted(self.by_status.items())},
            "by_language": {
                key: {
                    **counts.as_dict(),
                    "status_accuracy": round(self.language_accuracy(key)[0], 4),
                    "actor_accuracy": round(self.language_accuracy(key)[1], 4),
                }
                for key, counts in sorted(self.by_language.items())
            },
            "matched": self.matched,
            "status_accuracy": round(self.status_accuracy, 4),
            "actor_accuracy": round(self.actor_accuracy, 4),
            "misses": self.misses,
            "false_alarms": self.false_alarms,
            "wrong_status": self.wrong_status,
            "wrong_actors": self.wrong_actors,
            "error_causes": dict(self.error_causes.most_common()),
        }


def score(examples: Iterable[Example]) -> Report:
    """Precision/recall/F1 per type, status and language; status and actor accuracy on matched pairs."""
    report = Report()
    for example in examples:
        pairs, unmatched_gold, unmatched_predicted = _match(example.gold, example.predicted)
        for gold, predicted in pairs:
            _count(report, example.lang, gold.type, "tp")
            report.matched += 1
            report.matched_by_language[example.lang] += 1
            if gold.status == predicted.status:
                report.status_correct += 1
                report.status_correct_by_language[example.lang] += 1
                report.by_status[gold.status].true_positives += 1
            else:
                report.by_status[gold.status].false_negatives += 1
                report.by_status[predicted.status].false_positives += 1
                report.wrong_status.append(_describe(example, gold, predicted))
                report.error_causes["status"] += 1
            if gold.actors == predicted.actors:
                report.actors_correct += 1
                report.actors_correct_by_language[example.lang] += 1
            else:
                report.wrong_actors.append(_describe(example, gold, predicted))
                report.error_causes["role assignment"] += 1
        gold_types = {event.type for event in example.gold}
        predicted_types = {event.type for event in example.predicted}
        for gold in unmatched_gold:
            _count(report, example.lang, gold.type, "fn")
            report.error_causes["wrong type" if predicted_types - gold_types else "trigger missed"] += 1
            report.by_status[gold.status].false_negatives += 1
            report.misses.append(_describe(example, gold, None))
        for predicted in unmatched_predicted:
            _count(report, example.lang, predicted.type, "fp")
            report.by_status[predicted.status].false_positives += 1
            report.false_alarms.append(_describe(example, None, predicted))
            if not gold_types - predicted_types:  # else counted once, as a wrong type, on the gold side
                report.error_causes[_false_alarm_cause(example.text)] += 1
    return report


_OLD_YEAR = re.compile(r"\b(?:19\d\d|200\d|201[0-3])\b")
_BACKGROUND_WORDS = re.compile(
    r"\b(?:since|remain|already|previous|earlier|in place|were imposed|was imposed)\b"
    r"|منذ|سابق|لا تزال|المفروضة",
    re.IGNORECASE,
)


def _false_alarm_cause(text: str) -> str:
    """A false alarm in a sentence that recalls an old year or a standing measure is a background/history
    error; any other is a hard negative read as an event (another sense, a topic, rhetoric)."""
    return (
        "background/history" if _OLD_YEAR.search(text) or _BACKGROUND_WORDS.search(text) else "hard negative"
    )


def _match(gold: tuple[LabelledEvent, ...], predicted: tuple[LabelledEvent, ...]):
    remaining_gold = list(gold)
    remaining_predicted = list(predicted)
    pairs: list[tuple[LabelledEvent, LabelledEvent]] = []
    for agreement in (
        lambda g, p: g.status == p.status and g.actors == p.actors,
        lambda g, p: g.status == p.status or g.actors == p.actors,
        lambda g, p: True,
    ):
        for g in list(remaining_gold):
            partner = next((p for p in remaining_predicted if p.type == g.type and agreement(g, p)), None)
            if partner is not None:
                pairs.append((g, partner))
                remaining_gold.remove(g)
                remaining_predicted.remove(partner)
    return pairs, remaining_gold, remaining_predicted


def _count(report: Report, language: str, event_type: str, outcome: str) -> None:
    for counts in (report.overall, report.by_type[event_type], report.by_language[language]):
        if outcome == "tp":
            counts.true_positives += 1
        elif outcome == "fp":
            counts.false_positives += 1
        else:
            counts.false_negatives += 1


def _describe(example: Example, gold: LabelledEvent | None, predicted: LabelledEvent | None) -> dict:
    def event(labelled: LabelledEvent | None) -> dict | None:
        if labelled is None:
            return None
        return {"type": labelled.type, "status": labelled.status, "actors": sorted(labelled.actors)}

    return {"lang": example.lang, "text": example.text, "gold": event(gold), "predicted": event(predicted)}


def labelled_events(events: Iterable[dict]) -> tuple[LabelledEvent, ...]:
    """Gold (`actors` as codes) or predicted (`actors` as {"name", "code"}) events in scoring form."""
    return tuple(
        LabelledEvent(
            event["type"],
            event["status"],
            frozenset(
                actor["code"] if isinstance(actor, dict) else actor for actor in event.get("actors", [])
            ),
        )
        for event in events
    )
