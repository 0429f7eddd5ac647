"""The extract agent's table steps, on a plain dict for its table: a copy that arrives before its original
waits, and becomes a sighting when the original is extracted; a later copy corroborates at once."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from newsmon.streams.extract.agent import ExtractAgent

from newsmon.records import DedupVerdict
from tests.factories import make_article, make_event


def agent() -> ExtractAgent:
    runtime = SimpleNamespace(topic=lambda name: name, table=lambda name: {})
    return ExtractAgent(runtime)


def copy_of(url: str, original_id: str):
    return make_article(url, dedup=DedupVerdict(duplicate_of=original_id, method="url", story_id="s1"))


def test_copy_before_its_original_waits_then_corroborates():
    extract = agent()
    original = make_article("http://a/1")
    early = copy_of("http://b/1", original.article_id)
    assert asyncio.run(extract.copy_step(early, original.article_id)) == []
    assert extract.originals[original.article_id]["copies"][0]["text"] == ""  # waits without its text

    found = make_event("a")
    sightings = asyncio.run(extract.original_step(original, [found]))
    assert [s.article.article_id for s in sightings] == [found.article.article_id, early.article_id]
    assert {s.event_key for s in sightings} == {found.event_key}


def test_copy_after_its_original_corroborates_at_once():
    extract = agent()
    original = make_article("http://a/1")
    asyncio.run(extract.original_step(original, [make_event("a")]))
    late = copy_of("http://c/1", original.article_id)
    sightings = asyncio.run(extract.copy_step(late, original.article_id))
    assert [s.article.article_id for s in sightings] == [late.article_id]
