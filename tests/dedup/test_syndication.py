"""Syndication variants (tests/dedup/syndication.py): containment and copy-editing are found, per kind,
without merging other articles of one story; and the sentence sketch's building blocks.

Measured (in-repo texts and the five seeds, 15 sources): 15/15 of every kind, replaced lead included since
a copy missing only its start (`replaced_lead_share`) counts (11/15 before); no false copy among the 153
other pairs; the whole after its brief is linked to the brief's story, not its copy.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from newsmon.streams.dedup import containment, logic
from newsmon.streams.dedup.command import dedup_command
from newsmon.streams.dedup.evaluation import (
    LabelledPair,
    PairVerdict,
    Scores,
    evaluate,
    evaluate_by_kind,
    judge_pair,
    parse_pairs,
)
from newsmon.streams.dedup.logic import InMemoryDedup
from newsmon.streams.dedup.syndication import document
from newsmon.streams.dedup.words import hashed_words

from newsmon.settings import Settings
from newsmon.settings.dedup import DedupSettings
from tests.dedup import syndication
from tests.dedup.events import EVENTS, original, paragraphs, rewritten
from tests.factories import make_article

# Copies found per kind, as a share of the kind's pairs (measured: 1.0 everywhere).
RECALL_FLOORS = {
    "brief": 1.0,
    "trimmed_tail": 1.0,
    "heavy_edit": 0.9,
    "light_edits": 1.0,
    "headline_boilerplate": 1.0,
    "replaced_lead": 0.9,
}
SETTINGS = Settings()


@pytest.fixture(scope="module")
def judged() -> list[tuple[LabelledPair, PairVerdict]]:
    return [
        (pair, judge_pair(pair.a, pair.b, SETTINGS.clean, SETTINGS.dedup)) for pair in syndication.pairs()
    ]


def test_every_copy_kind_and_negative_is_generated():
    counts = Counter(pair.kind for pair in syndication.pairs(seeds=None))
    for kind in (*syndication.COPY_KINDS, "full_after_brief"):
        assert counts[kind] == len(syndication.sources(seeds=None)) == 10, counts
    assert counts["rewritten"] >= 20 and counts["other_article"] >= 40, counts


@pytest.mark.parametrize("kind", sorted(RECALL_FLOORS))
def test_copies_of_each_kind_are_found(judged: list[tuple[LabelledPair, PairVerdict]], kind: str):
    scores = evaluate_by_kind(*zip(*judged, strict=True))[kind]
    assert scores.false_negatives + scores.true_positives == scores.support
    assert scores.recall >= RECALL_FLOORS[kind], scores


def test_no_other_article_is_taken_for_a_copy(judged: list[tuple[LabelledPair, PairVerdict]]):
    pairs, verdicts = zip(*judged, strict=True)
    results: dict[tuple[str, str], Scores] = evaluate(pairs, verdicts)
    assert results["duplicate", "all"].false_positives == 0, results["duplicate", "all"]
    assert results["story", "all"].precision == 1.0 and results["story", "all"].recall == 1.0


def test_the_whole_after_its_brief_joins_the_briefs_story_without_being_its_copy(
    judged: list[tuple[LabelledPair, PairVerdict]],
):
    reverse = [verdict for pair, verdict in judged if pair.kind == "full_after_brief"]
    assert reverse and all(v.same_story and not v.duplicate for v in reverse), reverse


def test_pair_file_is_what_the_generator_writes_and_scores_by_kind(tmp_path: Path):
    assert syndication.PAIRS_FILE.read_text(encoding="utf-8") == syndication.render(), (
        "regenerate it: .venv/bin/python -m tests.dedup.syndication"
    )
    sample = tmp_path / "pairs.jsonl"
    pairs = parse_pairs(syndication.PAIRS_FILE.read_text(encoding="utf-8").splitlines())
    assert {pair.kind for pair in pairs} >= set(syndication.COPY_KINDS)
    chosen = [pair for pair in pairs if pair.kind in ("brief", "heavy_edit")][:4]  # two sources' worth
    sample.write_text("".join(pair.model_dump_json() + "\n" for pair in chosen), encoding="utf-8")
    result = CliRunner().invoke(dedup_command, ["--eval", str(sample)], obj=SETTINGS)
    assert result.exit_code == 0, result.output
    tables = result.output.split("duplicate decision per kind\n")[1]
    copies, stories = tables.split("story decision per kind\n")
    rows = {line.split()[0]: line.split()[1:] for line in copies.splitlines()}
    assert rows["kind"] == ["pairs", "copies", "found", "false"]
    assert rows["brief"] == ["2", "2", "2", "0"] and rows["heavy_edit"] == ["2", "2", "2", "0"]
    assert stories.splitlines()[0].split() == ["kind", "pairs", "same", "found", "false"]


def test_cover_ignores_sentence_order_and_counts_only_mostly_copied_sentences():
    first = "Alpha beta gamma delta epsilon zeta.\nEta theta iota kappa lambda mu."
    swapped = "Eta theta iota kappa lambda mu. Alpha beta gamma delta epsilon zeta."
    half = "Alpha beta gamma delta epsilon zeta. Nu xi omicron pi rho sigma."
    sketches = {
        name: containment.sketch(hashed_words(text))
        for name, text in (("a", first), ("s", swapped), ("h", half))
    }
    assert containment.cover(sketches["s"], sketches["a"], 0.5, 1) == 1.0
    assert containment.cover(sketches["h"], sketches["a"], 0.5, 1) == 0.5
    assert containment.cover(sketches["h"], sketches["a"], 0.5, 11) == 0.0  # too short to prove a copy
    assert containment.cover("", sketches["a"], 0.5, 1) == 0.0


def test_the_lead_is_the_start_through_the_last_sentence_not_found():
    wire = "Alpha beta gamma delta. Epsilon zeta eta theta. Iota kappa lambda mu. Nu xi omicron pi."
    own_lead = "Rho sigma tau upsilon. Epsilon zeta eta theta. Iota kappa lambda mu. Nu xi omicron pi."
    retold = "Alpha beta gamma delta. Rho sigma tau upsilon. Iota kappa lambda mu. Phi chi psi omega."
    first, lead, last = (containment.sketch(hashed_words(text)) for text in (wire, own_lead, retold))
    assert containment.cover_and_lead(lead, first, 0.5, 1) == (0.75, 0.25)
    assert containment.cover_and_lead(last, first, 0.5, 1) == (0.5, 1.0)
    assert containment.cover_and_lead(first, first, 0.5, 1) == (1.0, 0.0)
    assert containment.cover_and_lead(first, first, 0.5, 13) == (0.0, 1.0)  # too short to tell


@pytest.mark.parametrize("min_bigrams", [1, 20, 60])
def test_covers_of_many_look_alikes_at_once_equal_the_pairwise_ones(min_bigrams: int):
    """The index probe computes every look-alike's covers together; the values must be the pairwise ones,
    both ways, with texts too short to tell and a look-alike without a sketch among them."""
    texts = [
        document(event.headline, paragraphs(variant))
        for event in EVENTS.values()
        for variant in (original(event), rewritten(event, 3))
    ]
    sketches = [containment.sketch(hashed_words(text)) for text in texts]
    brief = containment.sketch(hashed_words(texts[0].split(".")[0] + "."))
    others = [*sketches, brief, ""]
    seen = set()
    for first in (sketches[0], sketches[5], brief):
        for some in (others, others[-containment.BATCH_FROM :], others[:1]):  # together, and pair by pair
            forward, backward = containment.covers_and_leads(first, some, 0.5, min_bigrams)
            assert forward == [containment.cover_and_lead(first, other, 0.5, min_bigrams) for other in some]
            assert backward == [containment.cover_and_lead(other, first, 0.5, min_bigrams) for other in some]
            seen.update(forward + backward)
    assert len(seen) > 5  # covers and leads of many values: the comparison is not vacuous


def test_a_resemblance_the_sentence_cover_contradicts_is_an_estimation_error():
    """The whole arriving after its brief, with the 64-value estimate erring to 0.62 (seen on real text):
    it is not the brief's copy; the brief after the whole stays the whole's copy."""
    settings = DedupSettings()
    event = EVENTS["en_floods"]
    body = paragraphs(original(event))
    whole, brief = (
        logic.fingerprint(
            make_article(f"https://{name}.invalid/", name, text=document(event.headline, part)), settings
        )
        for name, part in (("whole", body), ("brief", body[:2]))
    )
    [(whole_as_copy, brief_as_copy)] = logic.copy_scores(whole, [brief], [0.62], settings)
    assert whole_as_copy < settings.near_duplicate_threshold <= brief_as_copy


def test_sketch_cuts_sentences_at_full_stops_and_line_ends():
    unpacked = containment._unpack(
        containment.sketch(hashed_words("One two three. Four five\nsix seven «eight.»"))
    )
    assert unpacked.lengths.tolist() == [2, 1, 2] and len(unpacked.hashes) == 5


def test_three_sentences_in_eight_rewritten_stay_no_copy_by_containment():
    dedup = DedupSettings()
    for name, event in EVENTS.items():
        wire = document(event.headline, paragraphs(original(event)))
        retold = document(event.headline, paragraphs(rewritten(event, 3)))
        first, second = (containment.sketch(hashed_words(text)) for text in (wire, retold))
        for x, y in ((first, second), (second, first)):
            cover = containment.cover(x, y, dedup.sentence_match, dedup.min_contained_bigrams)
            assert cover < dedup.containment_threshold, (name, cover)


def test_a_fingerprint_without_a_sketch_is_compared_by_resemblance_only():
    """Fingerprints indexed before sketches existed (sentences="") must neither fail nor find containment."""
    settings = DedupSettings()
    wire = EVENTS["en_floods"]
    body = paragraphs(original(wire))
    full = make_article(
        "https://a.invalid/full", "h-full", article_id="full", text=document(wire.headline, body)
    )
    brief = make_article(
        "https://b.invalid/brief", "h-brief", article_id="brief", text=document(wire.headline, body[:2])
    )
    stage = InMemoryDedup(settings)
    stage.add(full, now=0.0)
    for key, value in stage.tables["index"].items():
        if key.startswith("fp:"):
            value["fingerprint"]["sentences"] = ""
    stage.add(brief, now=0.0)
    verdicts = {article.article_id: article.dedup for article in stage.deduped}
    assert verdicts["brief"].duplicate_of is None and verdicts["brief"].story_id == "full"
