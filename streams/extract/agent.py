"""Extract agent: `articles.deduped` → `events`, the engine running in the process pool."""

from __future__ import annotations

import faust

from newsmon import metrics
from newsmon.records import Article
from newsmon.topics import ARTICLES_DEDUPED, EVENTS
from streams.extract.events import article_events
from streams.runtime import StageRuntime

STAGE = "extract"


def install(runtime: StageRuntime) -> None:
    events_topic = runtime.topic(EVENTS)

    @runtime.app.agent(runtime.topic(ARTICLES_DEDUPED), name="extract")
    async def extract(stream: faust.StreamT) -> None:
        async for event, article in runtime.records(STAGE, Article, stream):
            found = await runtime.attempt(STAGE, event, runtime.in_pool(article_events, article))
            for extracted in found or ():
                metrics.EVENTS_EXTRACTED.labels(extracted.type, extracted.status, extracted.lang).inc()
                await runtime.send(STAGE, events_topic, extracted.event_key, extracted)
