"""Syndication variants: the copies outlets actually publish of a wire article, labelled by kind, plus the
hard negatives (other articles of the same story, other events) that bound the pair precision.

Sources are the project's own test texts (tests/dedup/events.py, tests/dedup/corpus.py) and, when the
directory exists, the real seeds in ../shared/seeds, read at run time and never written to the repository.
Every edit is deterministic (a random.Random seeded by source and kind). The kinds:

- `headline_boilerplate`: another headline, the outlet's boilerplate appended;
- `replaced_lead`: the first paragraph replaced by the outlet's own lead;
- `light_edits`: 4 % of the words replaced;
- `trimmed_tail`: only the first two thirds of the paragraphs (by words) kept;
- `heavy_edit`: 12 % of the words replaced and two paragraphs swapped;
- `brief`: the headline and the first half of the paragraphs (by words) only;
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

from newsmon.streams.dedup.evaluation import LabelledPair

from tests.dedup.corpus import OTHER_EVENT, RETOLD, STORIES, language, text
from tests.dedup.events import EVENTS, boilerplate_lines, document, original, paragraphs, rewritten

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
PAIRS_FILE = Path(__file__).with_name("syndication.jsonl")
COPY_KINDS = ("headline_boilerplate", "replaced_lead", "light_edits", "trimmed_tail", "heavy_edit", "brief")
LIGHT_SHARE = 0.04
HEAVY_SHARE = 0.12
TRIMMED_KEEP = 2 / 3
BRIEF_KEEP = 1 / 2
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


def substitute(body: list[str], share: float, rng: random.Random, pool: list[str]) -> list[str]:
    """`share` of the words replaced by words of `pool`, at random places; a replaced word keeps its trailing
    punctuation, as a copy-editor's substitution does."""
    words = [paragraph.split(" ") for paragraph in body]
    places = [(p, w) for p, paragraph in enumerate(words) for w in range(len(paragraph))]
    for p, w in rng.sample(places, round(share * len(places))):
        word = words[p][w]
        core = word.rstrip(".,;:!?؟،\"')")
        words[p][w] = rng.choice(pool) + word[len(core) :]
    return [" ".join(paragraph) for paragraph in words]


def _first_share(body: list[str], share: float) -> list[str]:
    """The leading paragraphs holding at most `share` of the words (at least one, never all)."""
    total = sum(len(paragraph.split()) for paragraph in body)
    kept, words = [], 0
    for paragraph in body[:-1]:
        words += len(paragraph.split())
        if kept and words > share * total:
            break
        kept.append(paragraph)
    return kept or body[:1]


def copy_of(source: Source, kind: str, all_sources: list[Source]) -> str:
    """The `kind` copy of a source (kinds: COPY_KINDS)."""
    rng, body = _rng(source, kind), source.body
    headline = source.headline
    if kind == "headline_boilerplate":
        return document(source.other_headline, [*body, *boilerplate_lines(source.lang)])
    if kind == "replaced_lead":
        lead = source.own_lead or substitute(body[:1], 0.5, rng, _pool(source, all_sources))[0]
        body = [lead, *body[1:]]
    elif kind == "light_edits":
        body = substitute(body, LIGHT_SHARE, rng, _pool(source, all_sources))
    elif kind == "trimmed_tail":
        body = _first_share(body, TRIMMED_KEEP)
    elif kind == "heavy_edit":
        body = substitute(body, HEAVY_SHARE, rng, _pool(source, all_sources))
        first, second = sorted(rng.sample(range(1, len(body)), 2)) if len(body) > 2 else (0, 1)
        body = [*body]
        body[first], body[second] = body[second], body[first]
    elif kind == "brief":
        body = _first_share(body, BRIEF_KEEP)
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return document(headline, body) if headline else text(body)


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
