"""Cross-language stories (streams/dedup/crosslingual.py), off by default: the anchors, the rule, and the
project-written Arabic-English pairs (tests/dedup/crosslingual_pairs.py) through the stage.

Measured with dedup.cross_language_stories on: 9 of 10 same-event pairs share a story (the miss: an audience
reported without a figure), none of the 10 other-event pairs of one topic (precision 1.0, recall 0.9); off,
none is linked."""

from __future__ import annotations

import pytest
from newsmon.streams.dedup import crosslingual
from newsmon.streams.dedup.crosslingual import Anchors
from newsmon.streams.dedup.evaluation import evaluate, judge_pair, parse_pairs

from newsmon.settings import Settings
from tests.dedup import crosslingual_pairs

SETTINGS = Settings()


def test_numbers_are_read_alike_in_both_scripts_without_years_and_single_digits():
    found = crosslingual.anchors("قتل ١٤ شخصا و3 جرحى في عام 2015 وتبرعت بـ 2٫5 مليون و1,500 طن", "ar")
    assert found.numbers == ["14", "1500", "2.5"]
    assert crosslingual.anchors("Saudi Arabia and Yemen, the UN said.", "en").codes == ["SAU", "UN", "YEM"]


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (Anchors(lang="ar", codes=["YEM"], numbers=["23", "3500", "77"]), 2 / 3),
        (Anchors(lang="ar", codes=["YEM"], numbers=["23", "99"]), 0.0),  # one shared figure
        (Anchors(lang="ar", codes=["IRN"], numbers=["23", "3500"]), 0.0),  # no common party
        (Anchors(lang="en", codes=["YEM"], numbers=["23", "3500"]), 0.0),  # one language: lexical score
    ],
)
def test_one_event_needs_a_common_party_and_most_of_the_figures(second: Anchors, expected: float):
    first = Anchors(lang="en", codes=["SAU", "YEM"], numbers=["21", "23", "3500"])
    assert crosslingual.score(first, second) == pytest.approx(expected)
    assert crosslingual.score(second, first) == pytest.approx(expected)


def test_two_shared_figures_among_many_are_no_event():
    first = Anchors(lang="en", codes=["YEM"], numbers=["21", "23", "3500", "40", "41"])
    second = Anchors(lang="ar", codes=["YEM"], numbers=["23", "3500", "50", "51", "52"])
    assert crosslingual.score(first, second) == 0.0  # 2 of 5


def test_pair_file_is_what_the_generator_writes():
    written = parse_pairs(crosslingual_pairs.PAIRS_FILE.read_text(encoding="utf-8").splitlines())
    assert written == crosslingual_pairs.pairs(), (
        "regenerate: .venv/bin/python -m tests.dedup.crosslingual_pairs"
    )


@pytest.mark.parametrize("enabled", [True, False])
def test_reports_of_one_event_share_a_story_across_languages_and_other_events_stay_apart(enabled: bool):
    dedup = SETTINGS.dedup.model_copy(update={"cross_language_stories": enabled})
    pairs = crosslingual_pairs.pairs()
    verdicts = [judge_pair(pair.a, pair.b, SETTINGS.clean, dedup) for pair in pairs]
    story = evaluate(pairs, verdicts)["story", "all"]
    assert story.false_positives == 0, story
    assert story.true_positives == (9 if enabled else 0), story
    assert not any(verdict.duplicate for verdict in verdicts)
