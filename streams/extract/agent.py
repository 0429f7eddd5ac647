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
    # article id of an original → {"events": [...]} once extracted, or {"copies": [...]} of copies that came first
    originals = runtime.table("extract-originals")

    @runtime.app.agent(runtime.topic(ARTICLES_DEDUPED), name="extract", concurrency=runtime.pool_concurrency)
    async def extract(stream: faust.StreamT) -> None:
        async for event, article in runtime.records(STAGE, Article, stream):
            original_id = article.dedup.duplicate_of if article.dedup is not None else None
            if original_id is not None:
                entry = originals.get(original_id) or {}
                if "events" not in entry:
                    originals[original_id] = {
                        "copies": [*entry.get("copies", []), article.model_dump(mode="json")]
                    }
                    continue
                sightings = corroborating_events([Event.model_validate(e) for e in entry["events"]], article)
            else:
                extracted = (
                    await runtime.attempt(STAGE, event, runtime.in_pool(article_events, article)) or []
                )
                for found in extracted:
                    metrics.EVENTS_EXTRACTED.labels(found.type, found.status, found.lang).inc()
                waiting = (originals.get(article.article_id) or {}).get("copies", [])
                originals[article.article_id] = {
                    "events": [found.model_dump(mode="json") for found in extracted]
                }
                sightings = extracted + [
                    sighting
                    for copy in waiting
                    for sighting in corroborating_events(extracted, Article.model_validate(copy))
                ]
            for sighting in sightings:
                await runtime.send(STAGE, events_topic, sighting.event_key, sighting)
