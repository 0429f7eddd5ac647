"""Quality of the dedup stage on labelled article pairs: the pair format, judging a pair with the stage's own
logic, and precision/recall/F1 of its two decisions.

A pair file is JSON lines `{"a": text, "b": text, "lang": "en"|"ar"|…, "label": …, "kind": …}` where `label`
is `duplicate` (b is a copy of a, exact or edited), `same_story` (b reports a's event in its own words),
`different` (another event, possibly of the same conflict, or unrelated) or `related` (another article of the
same story or topic, no copy, whether it reports the same event not labelled: scored for the duplicate
decision only). Both texts go through the offline
cleaner and `InMemoryDedup`, a then b, and two decisions about b are scored:

- **duplicate**: b is marked `duplicate_of` a (exact or near-duplicate); positive for label `duplicate`;
- **story**: b gets a's `story_id`; positive for labels `duplicate` and `same_story`.

`kind` (optional) names how b was made from a (e.g. `brief`, `heavy_edit`: tests/dedup/syndication.py); the
report then adds the duplicate decision per kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from newsmon.streams.clean.logic import article_from_document
from newsmon.streams.dedup.logic import InMemoryDedup
from pydantic import BaseModel, ConfigDict

from newsmon.records import Article
from newsmon.scoring import Counts
from newsmon.settings.clean import CleanSettings
from newsmon.settings.dedup import DedupSettings

Label = Literal["duplicate", "same_story", "different", "related"]
ALL_LANGUAGES = "all"
# Which labels each scored decision should answer "yes" to.
POSITIVE_LABELS: dict[str, frozenset[str]] = {
    "duplicate": frozenset({"duplicate"}),
    "story": frozenset({"duplicate", "same_story"}),
}
# Labels a decision is not scored on (its right answer is not known).
UNSCORED_LABELS: dict[str, frozenset[str]] = {"duplicate": frozenset(), "story": frozenset({"related"})}


class LabelledPair(BaseModel):
    """One line of a pair file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    a: str
    b: str
    lang: str
    label: Label
    kind: str | None = None


def parse_pairs(lines: Iterable[str]) -> list[LabelledPair]:
    """The pairs of a JSON-lines pair file (blank lines skipped)."""
    return [LabelledPair.model_validate_json(line) for line in lines if line.strip()]


@dataclass(frozen=True)
class PairVerdict:
    """What the stage decided about b after seeing a."""

    duplicate: bool
    same_story: bool
    method: str | None  # how b was found a copy (url, text_hash, near_duplicate), None when it is not one

    def decides(self, decision: str) -> bool:
        """The answer to one of the POSITIVE_LABELS decisions (KeyError for any other)."""
        return {"duplicate": self.duplicate, "story": self.same_story}[decision]


def clean_pair(first: str, second: str, clean: CleanSettings) -> tuple[Article, Article]:
    """Two plain-text documents cleaned as articles of two sites (the same URL would make the second a
    refetch of the first, decided by the URL hop, not a second article)."""
    return (
        article_from_document(first, "https://first.invalid/article", clean),
        article_from_document(second, "https://second.invalid/article", clean),
    )


def judge_pair(first_text: str, second_text: str, clean: CleanSettings, dedup: DedupSettings) -> PairVerdict:
    """Clean both texts and run them through the stage, the first one first; the verdict on the second."""
    stage = InMemoryDedup(dedup)
    first, second = clean_pair(first_text, second_text, clean)
    stage.add(first, now=0.0)
    stage.add(second, now=0.0)
    verdicts = {article.article_id: article.dedup for article in stage.deduped}
    first_verdict, second_verdict = verdicts[first.article_id], verdicts[second.article_id]
    return PairVerdict(
        duplicate=second_verdict.duplicate_of == first.article_id,
        same_story=second_verdict.story_id == first_verdict.story_id,
        method=second_verdict.method,
    )


@dataclass
class Scores(Counts):
    """Counts of one yes/no decision over labelled pairs, with the true negatives too."""

    true_negatives: int = 0

    @property
    def support(self) -> int:
        return self.true_positives + self.false_positives + self.false_negatives + self.true_negatives


def confusion(truth: Sequence[bool], predicted: Sequence[bool]) -> Scores:
    """Scores of predictions against the truth, item by item."""
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} labels but {len(predicted)} predictions")
    pairs = list(zip(truth, predicted, strict=True))
    return Scores(
        true_positives=pairs.count((True, True)),
        false_positives=pairs.count((False, True)),
        false_negatives=pairs.count((True, False)),
        true_negatives=pairs.count((False, False)),
    )


def evaluate(pairs: Sequence[LabelledPair], verdicts: Sequence[PairVerdict]) -> dict[tuple[str, str], Scores]:
    """Scores per (decision, language), with every language together under "all"."""
    if len(pairs) != len(verdicts):
        raise ValueError(f"{len(pairs)} pairs but {len(verdicts)} verdicts")
    languages = [ALL_LANGUAGES, *sorted({pair.lang for pair in pairs})]
    results: dict[tuple[str, str], Scores] = {}
    for decision, positive in POSITIVE_LABELS.items():
        for language in languages:
            chosen = [
                (pair, verdict)
                for pair, verdict in zip(pairs, verdicts, strict=True)
                if language in (ALL_LANGUAGES, pair.lang) and pair.label not in UNSCORED_LABELS[decision]
            ]
            results[decision, language] = confusion(
                [pair.label in positive for pair, _ in chosen],
                [verdict.decides(decision) for _, verdict in chosen],
            )
    return results


def evaluate_by_kind(
    pairs: Sequence[LabelledPair], verdicts: Sequence[PairVerdict], decision: str = "duplicate"
) -> dict[str, Scores]:
    """Scores of one decision per pair kind (pairs without a kind, and pairs the decision is not scored
    on, left out), kinds sorted."""
    if len(pairs) != len(verdicts):
        raise ValueError(f"{len(pairs)} pairs but {len(verdicts)} verdicts")
    positive = POSITIVE_LABELS[decision]
    scored = [
        (pair, verdict)
        for pair, verdict in zip(pairs, verdicts, strict=True)
        if pair.kind is not None and pair.label not in UNSCORED_LABELS[decision]
    ]
    results: dict[str, Scores] = {}
    for kind in sorted({pair.kind for pair, _ in scored}):
        chosen = [(pair, verdict) for pair, verdict in scored if pair.kind == kind]
        truth = [pair.label in positive for pair, _ in chosen]
        results[kind] = confusion(truth, [verdict.decides(decision) for _, verdict in chosen])
    return results


# What a positive pair is, in the per-kind tables' column.
POSITIVES_NAMED = {"duplicate": "copies", "story": "same"}


def format_kinds(results: dict[str, Scores], decision: str = "duplicate") -> str:
    """One decision per kind, under a title line: pairs, how many are positive by their label (copies; of
    one story), how many of those were found, how many others were taken for one."""
    width = max([22, *map(len, results)])
    lines = [
        f"{decision} decision per kind",
        f"{'kind':<{width}} {'pairs':>5} {POSITIVES_NAMED[decision]:>6} {'found':>5} {'false':>5}",
    ]
    for kind, scores in results.items():
        positives = scores.true_positives + scores.false_negatives
        found, false = scores.true_positives, scores.false_positives
        lines.append(f"{kind:<{width}} {scores.support:>5} {positives:>6} {found:>5} {false:>5}")
    return "\n".join(lines)


def format_report(results: dict[tuple[str, str], Scores]) -> str:
    """The scores as a fixed-width table, one row per decision and language."""
    lines = [
        (
            f"{'decision':<10} {'lang':<5} {'pairs':>5} {'tp':>4} {'fp':>4} {'fn':>4} "
            f"{'precision':>9} {'recall':>6} {'f1':>6}"
        )
    ]
    for (decision, language), scores in results.items():
        lines.append(
            f"{decision:<10} {language:<5} {scores.support:>5} {scores.true_positives:>4} "
            f"{scores.false_positives:>4} {scores.false_negatives:>4} {scores.precision:>9.3f} "
            f"{scores.recall:>6.3f} {scores.f1:>6.3f}"
        )
    return "\n".join(lines)
