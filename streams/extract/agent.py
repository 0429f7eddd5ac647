"""Extract agent: `articles.deduped` → `events`, the engine running in the process pool.

A copy is not extracted again: it re-sends its original's events as its own sightings, so the alert stage
counts it as corroboration. `articles.deduped` is keyed by story id, so a copy reaches the partition of its
original — before or after it: a copy that comes first waits in the table until the original is extracted.
"""

from __future__ import annotations

import faust
from newsmon.streams.extract.events import article_events, corroborating_events
from newsmon.streams.runtime import StageRuntime

from newsmon import metrics
from newsmon.records import Article, Event
from newsmon.topics import ARTICLES_DEDUPED, EVENTS

STAGE = "extract"


def install(runtime: StageRuntime) -> None:
    events_topic = runtime.topic(EVENTS)
    # article id of an original → {"events": [...]} once extracted,
    # or {"copies": [...]} of copies that came first
    originals = runtime.table("extract-originals")

    # The table steps are awaited by runtime.attempt: a fault of the state store holds the record until it
    # clears, an error on the record's content dead-letters it.
    async def copy_step(copy: Article, original_id: str) -> list[Event]:
        """A copy's sightings: its original's events, or none until the original is extracted (the copy waits
        in the table without its text, which its sightings never use: the entry stays small however many
        copies wait)."""
        entry = originals.get(original_id) or {}
        if "events" not in entry:
            reference = copy.model_copy(
                update={"paragraphs": [], "text": "", "sentences": [], "removed_boilerplate": []}
            )
            originals[original_id] = {"copies": [*entry.get("copies", []), reference.model_dump(mode="json")]}
            return []
        return corroborating_events([Event.model_validate(e) for e in entry["events"]], copy)

    async def original_step(original: Article, extracted: list[Event]) -> list[Event]:
        """An original's sightings: its events, and theirs in the copies that came first."""
        waiting = (originals.get(original.article_id) or {}).get("copies", [])
        originals[original.article_id] = {"events": [found.model_dump(mode="json") for found in extracted]}
        return extracted + [
            sighting
            for copy in waiting
            for sighting in corroborating_events(extracted, Article.model_validate(copy))
        ]

    @runtime.app.agent(runtime.topic(ARTICLES_DEDUPED), name="extract", concurrency=runtime.pool_concurrency)
    async def extract(stream: faust.StreamT) -> None:
        async for event, article in runtime.records(STAGE, Article, stream):
            original_id = article.dedup.duplicate_of if article.dedup is not None else None
            if original_id is not None:
                sightings = await runtime.attempt(STAGE, event, copy_step, article, original_id) or []
            else:
                extracted = (
                    await runtime.attempt(STAGE, event, runtime.in_pool, article_events, article) or []
                )
                for found in extracted:
                    metrics.EVENTS_EXTRACTED.labels(found.type, found.status, found.lang).inc()
                sightings = await runtime.attempt(STAGE, event, original_step, article, extracted) or []
            for sighting in sightings:
                await runtime.send(STAGE, events_topic, sighting.event_key, sighting)
