"""Builds tests/dedup/pairs.jsonl, the labelled pair set of the dedup quality gate, from the synthetic texts
of tests/dedup/events.py and tests/dedup/corpus.py (format: streams/dedup/evaluation.py).

Labels follow one editorial rule: b is a `duplicate` of a when it is a's text with a syndicator's edits —
another headline, the last paragraph trimmed, boilerplate added, up to a quarter of the sentences (or a
twentieth of the words) rewritten; it is the `same_story` when half or more of it is rewritten or it is
another outlet's retelling; anything else — another event of the same conflict, or an unrelated article — is
`different`. tests/dedup/test_quality.py checks the file is what this script writes.
Run: .venv/bin/python -m tests.dedup.make_pairs
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from newsmon.streams.dedup.syndication import document

from tests.dedup.corpus import OTHER_EVENT, RETOLD, STORIES, reworded, syndicated_copy, text
from tests.dedup.events import EVENTS, Event, boilerplate_lines, original, paragraphs, rewritten

PAIRS_FILE = Path(__file__).with_name("pairs.jsonl")


def _event_pairs(name: str, event: Event) -> Iterator[tuple[str, str, str]]:
    wire = paragraphs(original(event))
    first = document(event.headline, wire)
    retold = document(event.other_headline, paragraphs(rewritten(event, len(event.sentences))))
    boilerplate = boilerplate_lines(event.lang)
    yield first, first, "duplicate"
    yield first, document(event.other_headline, wire), "duplicate"
    yield first, document(event.headline, wire[:-1]), "duplicate"
    yield first, document(event.headline, [*wire, *boilerplate]), "duplicate"
    yield first, document(event.other_headline, [*wire[:-1], *boilerplate]), "duplicate"
    for count in (1, 2):
        yield first, document(event.headline, paragraphs(rewritten(event, count))), "duplicate"
    yield first, document(event.other_headline, paragraphs(rewritten(event, 4))), "same_story"
    yield first, document(event.other_headline, paragraphs(rewritten(event, 6))[:-1]), "same_story"
    yield first, retold, "same_story"
    yield retold, first, "same_story"
    yield first, document(event.other_headline, paragraphs([r for _, r in event.sentences[:4]])), "same_story"
    other = text(list(event.other_event))
    yield first, other, "different"
    yield retold, other, "different"
    yield other, first, "different"
    neighbours = [key for key, candidate in EVENTS.items() if candidate.lang == event.lang and key != name]
    for neighbour in neighbours:
        yield (
            first,
            document(EVENTS[neighbour].headline, paragraphs(original(EVENTS[neighbour]))),
            "different",
        )


def _corpus_pairs(story: str) -> Iterator[tuple[str, str, str]]:
    first = text(STORIES[story])
    yield first, first, "duplicate"
    yield first, text(syndicated_copy(story)), "duplicate"
    yield first, text(reworded(STORIES[story], len(first.split()) // 20)), "duplicate"
    if story in RETOLD:
        yield first, text(RETOLD[story]), "same_story"
    if story in OTHER_EVENT:
        yield first, text(OTHER_EVENT[story]), "different"
        if story in RETOLD:
            yield text(RETOLD[story]), text(OTHER_EVENT[story]), "different"
    for neighbour in STORIES:
        if neighbour != story and neighbour.split("_")[0] == story.split("_")[0]:
            yield first, text(STORIES[neighbour]), "different"


def pairs() -> list[dict[str, str]]:
    """Every labelled pair, in a fixed order."""
    rows = [(event.lang, pair) for name, event in EVENTS.items() for pair in _event_pairs(name, event)]
    rows += [(story.split("_")[0], pair) for story in STORIES for pair in _corpus_pairs(story)]
    return [{"a": a, "b": b, "lang": lang, "label": label} for lang, (a, b, label) in rows]


def render() -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in pairs())


if __name__ == "__main__":
    PAIRS_FILE.write_text(render(), encoding="utf-8")
    print(f"{PAIRS_FILE}: {len(pairs())} pairs")
