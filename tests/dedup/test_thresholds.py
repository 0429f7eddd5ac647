"""Where the near-duplicate threshold falls: copies with edits of growing size, English and Arabic.

Both texts go through the offline cleaner and the stage's logic, as `newsmon dedup --eval` does. Replacing a
fraction f of the sentences (by another outlet's rewording of them) leaves a Jaccard similarity of about
(1 - f) / (1 + f) between the 3-word shingle sets, which meets the 0.6 threshold at f = 1/4. The documented
edit sizes, with the eight-sentence articles of tests/dedup/events.py:

- a different headline, a trimmed last paragraph, three added boilerplate lines (of which the English
  cleaner strips two, not the outlet blurb), or one sentence in eight rewritten: still a near-duplicate
  (measured estimates 0.61–0.98);
- two sentences in eight (a quarter): the boundary, either way (measured 0.52–0.72), not asserted;
- three sentences in eight or more: not a copy any more (measured ≤ 0.55), but still the same story, since
  the rewording keeps the event's names, phrases and numbers (story score ≥ 0.69 against the 0.3 threshold).
"""

from __future__ import annotations

from itertools import pairwise

import pytest
from newsmon.streams.dedup.evaluation import PairVerdict, clean_pair, judge_pair
from newsmon.streams.dedup.logic import compare, fingerprint
from newsmon.streams.dedup.syndication import document

from newsmon.settings.clean import CleanSettings
from newsmon.settings.dedup import DedupSettings
from tests.dedup.events import EVENTS, Event, boilerplate_lines, original, paragraphs, rewritten

CLEAN = CleanSettings()
DEDUP = DedupSettings()
LAST_COPY = 1  # sentences in eight rewritten: the largest rewrite still asserted to be a copy
FIRST_NON_COPY = 3  # the smallest rewrite asserted not to be one
# A MinHash estimate of J from 64 permutations is a binomial proportion: its standard deviation
# sqrt(J(1-J)/64) is at most 1/16 (at J = 0.5). Consecutive edits are nested (each rewrites the previous
# sentences and one more), so their estimates share most minima and move together; one standard deviation
# is the noise we accept before calling a rise a violation of monotonicity.
MONOTONE_TOLERANCE = 1 / 16


def wire(event: Event) -> str:
    return document(event.headline, paragraphs(original(event)))


def small_edits(event: Event) -> dict[str, str]:
    body = paragraphs(original(event))
    return {
        "other headline": document(event.other_headline, body),
        "last paragraph trimmed": document(event.headline, body[:-1]),
        "boilerplate added": document(event.headline, [*body, *boilerplate_lines(event.lang)]),
        f"{LAST_COPY} sentence of 8 rewritten": document(
            event.headline, paragraphs(rewritten(event, LAST_COPY))
        ),
    }


def rewrite(event: Event, count: int) -> str:
    return document(event.headline, paragraphs(rewritten(event, count)))


def estimate(first_text: str, second_text: str) -> tuple[float, float]:
    """(estimated Jaccard similarity, story score) of two texts after cleaning."""
    first, second = clean_pair(first_text, second_text, CLEAN)
    return compare(fingerprint(first, DEDUP), fingerprint(second, DEDUP), DEDUP)


def verdict(first_text: str, second_text: str) -> PairVerdict:
    return judge_pair(first_text, second_text, CLEAN, DEDUP)


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_small_edits_stay_near_duplicates(name: str):
    event = EVENTS[name]
    for edit, copy in small_edits(event).items():
        similarity, _ = estimate(wire(event), copy)
        assert 1.0 > similarity >= DEDUP.near_duplicate_threshold, (name, edit, similarity)
        judged = verdict(wire(event), copy)
        assert judged.duplicate and judged.method == "near_duplicate", (name, edit, judged)
        assert judged.same_story, (name, edit)


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_larger_rewrites_are_no_longer_copies_but_the_same_story(name: str):
    event = EVENTS[name]
    for count in range(FIRST_NON_COPY, len(event.sentences) + 1):
        similarity, story = estimate(wire(event), rewrite(event, count))
        assert similarity < DEDUP.near_duplicate_threshold, (name, count, similarity)
        assert story >= DEDUP.story_threshold, (name, count, story)
        judged = verdict(wire(event), rewrite(event, count))
        assert not judged.duplicate and judged.method is None, (name, count, judged)
        assert judged.same_story, (name, count)


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_another_event_of_the_same_topic_is_neither_copy_nor_story(name: str):
    judged = verdict(wire(EVENTS[name]), "\n\n".join(EVENTS[name].other_event))
    assert not judged.duplicate and not judged.same_story, name


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_similarity_falls_monotonically_with_the_share_rewritten(name: str):
    event = EVENTS[name]
    similarities = [
        estimate(wire(event), rewrite(event, count))[0] for count in range(len(event.sentences) + 1)
    ]
    assert similarities[0] == 1.0
    for count, (before, after) in enumerate(pairwise(similarities), start=1):
        assert after <= before + MONOTONE_TOLERANCE, (name, count, similarities)
    # Beyond the noise: a full rewording keeps only the shingles of names and numbers.
    assert similarities[-1] <= 0.2, (name, similarities)
