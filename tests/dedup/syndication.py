"""Syndication variants: the copies outlets actually publish of a wire article, labelled by kind, plus the
hard negatives (other articles of the same story, other events) that bound the pair precision.

Sources are the project's own test texts (tests/dedup/events.py, tests/dedup/corpus.py) and, when the
directory exists, the real seeds in ../shared/seeds, read at run time and never written to the repository.
Every edit is deterministic (a random.Random seeded by source and kind). The copy kinds are those of
streams/dedup/syndication.py, plus

- `full_after_brief` (label `same_story`): the brief first, then the whole article — by design the longer
  article is linked to the brief's story, not marked its copy (streams/dedup/README.md, "Containment").

Run `.venv/bin/python -m tests.dedup.syndication` to write tests/dedup/syndication.jsonl (in-repo sources
only) for `newsmon dedup --eval`.
"""

from __future__ import annotations

import json
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsmon.streams.dedup import syndication
from newsmon.streams.dedup.evaluation import LabelledPair
from newsmon.streams.dedup.syndication import COPY_KINDS, Original, document

from tests.dedup.corpus import OTHER_EVENT, RETOLD, STORIES, language, text
from tests.dedup.events import EVENTS, boilerplate_lines, original, paragraphs, rewritten

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
PAIRS_FILE = Path(__file__).with_name("syndication.jsonl")
HEADLINE_WORDS = 9


@dataclass(frozen=True)
class Source:
    name: str
    lang: str
    headline: str | None
    body: list[str]  # paragraphs
    other_headline: str  # what a copying outlet titles it
    own_lead: str | None  # the copying outlet's own lead, when the corpus has one (else reworded from ours)

    def document(self) -> str:
        return document(self.headline, self.body) if self.headline else text(self.body)


def sources(seeds: Path | None = SEEDS) -> list[Source]:
    """The in-repo texts, then the seeds when `seeds` is an existing directory."""
    found = [
        Source(
            name,
            event.lang,
            event.headline,
            paragraphs(original(event)),
            event.other_headline,
            paragraphs(rewritten(event, len(event.sentences)))[0],
        )
        for name, event in EVENTS.items()
    ]
    found += [
        Source(
            name,
            language(name),
            None,
            body,
            " ".join(body[0].split()[:HEADLINE_WORDS]),
            RETOLD[name][0] if name in RETOLD else None,
        )
        for name, body in STORIES.items()
    ]
    if seeds is not None and seeds.is_dir():
        for path in sorted(seeds.glob("*.txt")):
            body = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            found.append(
                Source(path.name[:3], "ar", None, body, " ".join(body[0].split()[:HEADLINE_WORDS]), None)
            )
    return found


def _rng(source: Source, kind: str) -> random.Random:
    return random.Random(zlib.crc32(f"{source.name}:{kind}".encode()))


def _pool(source: Source, all_sources: list[Source]) -> list[str]:
    """Replacement words: the words of the other texts of the same language (what an editor's synonyms are
    to a shingle: other words)."""
    return sorted(
        {
            word.strip(".,;:\"'()")
            for other in all_sources
            if other.lang == source.lang and other.name != source.name
            for paragraph in other.body
            for word in paragraph.split()
            if len(word.strip(".,;:\"'()")) > 2
        }
    )


def copy_of(source: Source, kind: str, all_sources: list[Source]) -> str:
    """The `kind` copy of a source (kinds: COPY_KINDS)."""
    original = Original(
        source.lang,
        source.headline,
        source.body,
        source.other_headline,
        source.own_lead,
        boilerplate_lines(source.lang),
    )
    return syndication.copy_of(original, kind, _rng(source, kind), _pool(source, all_sources))


def _negatives(source: Source, all_sources: list[Source]) -> Iterator[tuple[str, str, str]]:
    """(kind, b, label) against the source: other articles of its story, other events."""
    if source.name in EVENTS:
        event = EVENTS[source.name]
        for count in (3, 4, len(event.sentences)):
            yield (
                "rewritten",
                document(event.other_headline, paragraphs(rewritten(event, count))),
                "same_story",
            )
        yield "other_event", text(list(event.other_event)), "different"
    if source.name in RETOLD:
        yield "rewritten", text(RETOLD[source.name]), "same_story"
    if source.name in OTHER_EVENT:
        yield "other_event", text(OTHER_EVENT[source.name]), "different"
    for other in all_sources:
        if other.lang == source.lang and other.name != source.name:
            # The seeds 000-002 report one Paris meeting (same story), 003 previews it, 004 is another summit.
            same = {source.name, other.name} <= {"000", "001", "002"}
            yield "other_article", other.document(), "same_story" if same else "different"


def pairs(seeds: Path | None = SEEDS) -> list[LabelledPair]:
    """Every labelled pair: each copy kind after its source, the brief before the whole, the negatives."""
    all_sources = sources(seeds)
    found: list[LabelledPair] = []
    for source in all_sources:
        original_text = source.document()
        rows = [(kind, original_text, copy_of(source, kind, all_sources), "duplicate") for kind in COPY_KINDS]
        rows.append(("full_after_brief", copy_of(source, "brief", all_sources), original_text, "same_story"))
        rows += [(kind, original_text, b, label) for kind, b, label in _negatives(source, all_sources)]
        found += [
            LabelledPair(a=a, b=b, lang=source.lang, label=label, kind=kind) for kind, a, b, label in rows
        ]
    return found


def render() -> str:
    """The pair file of the in-repo sources (no seed text: it must not enter the repository)."""
    return "".join(json.dumps(pair.model_dump(), ensure_ascii=False) + "\n" for pair in pairs(seeds=None))


if __name__ == "__main__":
    PAIRS_FILE.write_text(render(), encoding="utf-8")
    print(f"{PAIRS_FILE}: {len(pairs(seeds=None))} pairs")
