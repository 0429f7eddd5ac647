"""Quality gate: precision/recall/F1 of the duplicate and story decisions on tests/dedup/pairs.jsonl stay
above floors set slightly under what the stage measures (duplicate: en 1.000/1.000/1.000, ar 1.000/0.852/0.920
— the four Arabic misses are a quarter of the sentences reworded, the boundary of
tests/dedup/test_thresholds.py, and all syndication edits at once on a short text; story: 1.000
everywhere)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from newsmon.streams.dedup.command import dedup_command
from newsmon.streams.dedup.evaluation import (
    LabelledPair,
    PairVerdict,
    Scores,
    confusion,
    evaluate,
    judge_pair,
    parse_pairs,
)

from newsmon.settings import Settings
from tests.dedup import make_pairs

PAIRS_FILE = make_pairs.PAIRS_FILE
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
# (decision, language): (precision, recall, f1) floors.
FLOORS = {
    ("duplicate", "en"): (0.97, 0.95, 0.97),
    ("duplicate", "ar"): (0.97, 0.82, 0.89),
    ("duplicate", "all"): (0.97, 0.90, 0.94),
    ("story", "en"): (0.97, 0.97, 0.97),
    ("story", "ar"): (0.97, 0.97, 0.97),
    ("story", "all"): (0.97, 0.97, 0.97),
}


@pytest.fixture(scope="module")
def pairs() -> list[LabelledPair]:
    return parse_pairs(PAIRS_FILE.read_text(encoding="utf-8").splitlines())


@pytest.fixture(scope="module")
def results(pairs: list[LabelledPair]) -> dict[tuple[str, str], Scores]:
    settings = Settings()
    return evaluate(pairs, [judge_pair(pair.a, pair.b, settings.clean, settings.dedup) for pair in pairs])


@pytest.mark.parametrize("decision, language", sorted(FLOORS))
def test_quality_floors(results: dict[tuple[str, str], Scores], decision: str, language: str):
    scores = results[decision, language]
    precision, recall, f1 = FLOORS[decision, language]
    assert scores.precision >= precision, scores
    assert scores.recall >= recall, scores
    assert scores.f1 >= f1, scores


def test_pair_file_is_what_the_generator_writes():
    assert PAIRS_FILE.read_text(encoding="utf-8") == make_pairs.render(), (
        "regenerate it: .venv/bin/python -m tests.dedup.make_pairs"
    )


def test_pair_set_is_large_and_covers_both_languages_and_every_label(pairs: list[LabelledPair]):
    assert len(pairs) >= 120
    counts = Counter((pair.lang, pair.label) for pair in pairs)
    for language in ("en", "ar"):
        for label in ("duplicate", "same_story", "different"):
            assert counts[language, label] >= 15, counts


def test_pair_set_quotes_no_seed_text(pairs: list[LabelledPair]):
    if not SEEDS.is_dir():
        pytest.skip(f"the seeds directory {SEEDS} is absent")

    def eight_word_runs(text: str) -> set[str]:
        words = text.split()
        return {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}

    seeded = set().union(*(eight_word_runs(path.read_text(encoding="utf-8")) for path in SEEDS.glob("*.txt")))
    assert not any(eight_word_runs(pair.a) & seeded or eight_word_runs(pair.b) & seeded for pair in pairs)


def test_scores_count_each_outcome_and_define_empty_ratios():
    scores = confusion([True, True, False, False, True], [True, False, True, False, True])
    assert (scores.true_positives, scores.false_positives, scores.false_negatives, scores.true_negatives) == (
        2,
        1,
        1,
        1,
    )
    assert scores.precision == pytest.approx(2 / 3) and scores.recall == pytest.approx(2 / 3)
    assert scores.f1 == pytest.approx(2 / 3)
    nothing = confusion([False, False], [False, False])
    assert (nothing.precision, nothing.recall, nothing.f1) == (1.0, 1.0, 1.0)
    with pytest.raises(ValueError):
        confusion([True], [])


def test_evaluate_scores_a_duplicate_as_a_story_too():
    pairs = [
        LabelledPair(a="x", b="x", lang="en", label="duplicate"),
        LabelledPair(a="x", b="y", lang="ar", label="same_story"),
        LabelledPair(a="x", b="z", lang="ar", label="different"),
    ]
    verdicts = [
        PairVerdict(duplicate=True, same_story=True, method="text_hash"),
        PairVerdict(duplicate=True, same_story=True, method="near_duplicate"),
        PairVerdict(duplicate=False, same_story=False, method=None),
    ]
    results = evaluate(pairs, verdicts)
    assert results["duplicate", "ar"] == Scores(
        true_positives=0, false_positives=1, false_negatives=0, true_negatives=1
    )
    assert results["story", "all"] == Scores(
        true_positives=2, false_positives=0, false_negatives=0, true_negatives=1
    )
    assert results["duplicate", "en"].f1 == 1.0


def test_eval_option_prints_a_row_per_decision_and_language(tmp_path: Path):
    sample = tmp_path / "pairs.jsonl"
    rows = [json.loads(line) for line in PAIRS_FILE.read_text(encoding="utf-8").splitlines()]
    sample.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows[::10]), encoding="utf-8"
    )
    result = CliRunner().invoke(dedup_command, ["--eval", str(sample)], obj=Settings())
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["decision", "lang", "pairs", "tp", "fp", "fn", "precision", "recall", "f1"]
    assert [line.split()[:2] for line in lines[1:]] == [
        [decision, language] for decision in ("duplicate", "story") for language in ("all", "ar", "en")
    ]
