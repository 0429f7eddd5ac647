"""The real-text sets (streams/dedup/realset.py): the committed pointers and recipes, the copies' edits, and —
where the corpora have been fetched — the sets read back and scored.

Measured on the whole syndication set (540 pairs, 30 Arabic and 30 English sources): every copy kind 60/60
found, no false copy among the 120 same-topic articles and the 60 wholes after their briefs (README, "Real
text"). On the cross-language set (383 judged Al Mayadeen / English feed pairs of 2023) the cross-language
rule links 29 of 60 same-event pairs and 98 of 323 other pairs (README, "Cross-language stories")."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from newsmon.streams.dedup import realset, syndication
from newsmon.streams.dedup.evaluation import evaluate, evaluate_by_kind, judge_pair
from newsmon.streams.dedup.realset import CROSS_LANGUAGE
from newsmon.streams.extract import realtext, sampling

from newsmon.settings import Settings

SETTINGS = Settings()


def test_every_recipe_points_at_committed_articles_with_every_kind_per_source():
    pointers = {pointer.id: pointer for pointer in realset.read_pointers()}
    recipes = realset.read_recipes()
    assert {side.article for recipe in recipes for side in (recipe.a, recipe.b)} == set(pointers)
    kinds = Counter(recipe.kind for recipe in recipes)
    sources = {recipe.a.article for recipe in recipes if recipe.kind == "brief"}
    assert len(sources) == 2 * realset.SOURCES_PER_LANGUAGE
    for kind in (*syndication.COPY_KINDS, "full_after_brief"):
        assert kinds[kind] == len(sources), kinds
    negatives = [recipe for recipe in recipes if recipe.kind == "same_topic"]
    assert negatives and all(r.label == "related" and r.a.article != r.b.article for r in negatives)
    assert len({recipe.id for recipe in recipes}) == len(recipes)


def test_light_edits_rewrite_numbers_as_another_desk_does():
    assert syndication.rewrite_digits("قتل 14 جنديا", "ar") == "قتل ١٤ جنديا"
    assert (
        syndication.rewrite_digits("7 killed, 1,500 fled in 2015", "en") == "seven killed, 1500 fled in 2015"
    )


def test_copies_are_deterministic_and_briefs_keep_at_most_half():
    original = syndication.Original(
        "en", "Head", [f"Paragraph {n} has some words in it." for n in range(8)], "Other", None, ["Share"]
    )
    pool = ["alpha", "beta", "gamma"]
    for kind in syndication.COPY_KINDS:
        made = [syndication.copy_of(original, kind, random.Random(7), pool) for _ in range(2)]
        assert made[0] == made[1] and made[0] != syndication.document(original.headline, original.body)
    brief = syndication.copy_of(original, "brief", random.Random(7), pool)
    assert brief.count("Paragraph") == 4


@pytest.fixture(scope="module")
def real_pairs():
    try:
        return realset.materialise()
    except realtext.MirrorMissing as missing:
        pytest.skip(
            f"corpora not fetched here ({missing}); CI cannot fetch them, it scores the project-written set"
        )


def test_the_real_set_reads_back_from_the_mirrors_and_every_kind_is_found(real_pairs):
    """A third of the sources (every pair of them), to keep the suite fast; the whole set is scored by
    `newsmon dedup --eval` on the materialised file."""
    sources = sorted({pair_id.split(":")[0] for pair_id in (r.id for r in realset.read_recipes())})[::3]
    chosen = [
        pair
        for pair, recipe in zip(real_pairs, realset.read_recipes(), strict=True)
        if recipe.a.article in sources
    ]
    verdicts = [judge_pair(pair.a, pair.b, SETTINGS.clean, SETTINGS.dedup) for pair in chosen]
    for kind, scores in evaluate_by_kind(chosen, verdicts).items():
        assert scores.false_positives == 0 and scores.false_negatives == 0, (kind, scores)
    assert evaluate(chosen, verdicts)["story", "all"].precision == 1.0


def test_cross_language_pairs_join_an_arabic_and_an_english_report_with_enough_of_each_judgement():
    pointers = {pointer.id: pointer for pointer in realset.read_pointers(realset.CROSS_ARTICLES_FILE)}
    recipes = realset.read_recipes(realset.CROSS_PAIRS_FILE)
    assert {side.article for recipe in recipes for side in (recipe.a, recipe.b)} == set(pointers)
    for recipe in recipes:
        arabic, english = pointers[recipe.a.article], pointers[recipe.b.article]
        assert (arabic.lang, arabic.repo, english.lang, english.repo) == (
            "ar",
            sampling.MAYADEEN_REPO,
            "en",
            sampling.RSS_2023[0],
        )
        assert recipe.lang == CROSS_LANGUAGE and recipe.a.copy is None and recipe.b.copy is None
        judgement = recipe.kind.split("/")[0]
        assert recipe.label == ("same_story" if judgement == "same_event" else "different"), recipe
    judged = Counter(recipe.kind.split("/")[0] for recipe in recipes)
    assert judged["same_event"] >= 60 and judged["same_topic"] >= 60, judged
    assert {realset.split_of(recipe) for recipe in recipes} == set(realset.SPLITS)


def test_the_cross_language_rule_links_real_reports_of_one_event_sharing_figures():
    """The held-out half's real pairs sharing two or more figures: every same-event pair is linked. (Most
    traps of this group are linked too — why the rule stays off; `newsmon dedup --eval` measures them.)"""
    recipes = [
        recipe
        for recipe in realset.read_recipes(realset.CROSS_PAIRS_FILE)
        if realset.split_of(recipe) == "test" and recipe.kind in ("same_event/2+num", "same_topic/2+num")
    ]
    try:
        pairs = realset.materialise_cross_language(recipes=recipes)
    except realtext.MirrorMissing as missing:
        pytest.skip(f"corpora not fetched here ({missing}); CI cannot fetch them")
    dedup = SETTINGS.dedup.model_copy(update={"cross_language_stories": True})
    verdicts = [judge_pair(pair.a, pair.b, SETTINGS.clean, dedup) for pair in pairs]
    by_kind = evaluate_by_kind(pairs, verdicts, "story")
    found = {kind: (scores.true_positives, scores.false_positives) for kind, scores in by_kind.items()}
    assert found["same_event/2+num"] == (16, 0), found
