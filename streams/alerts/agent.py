"""Alert agent: `events` → `alerts.commitments` / `alerts.sanctions`, novelty decided by streams.alerts.logic
over a table keyed like the events topic (by event key)."""

from __future__ import annotations

from datetime import UTC, datetime

import faust

from newsmon import metrics
from newsmon.records import Event
from newsmon.topics import ALERT_TOPIC_BY_EVENT_TYPE, EVENTS
from streams.alerts.logic import track
from streams.runtime import Origin, StageRuntime

STAGE = "alerts"


def install(runtime: StageRuntime) -> None:
    app = runtime.app
    settings = runtime.settings.alerts
    alert_statuses = frozenset(settings.statuses)
    alert_topics = {kind: runtime.topic(name) for kind, name in ALERT_TOPIC_BY_EVENT_TYPE.items()}
    tracked = app.Table("tracked-events", default=None, partitions=runtime.settings.kafka.partitions)

    @app.agent(runtime.topic(EVENTS), name="alerts")
    async def alerts(stream: faust.StreamT) -> None:
        async for event in stream.events():
            sighting = await runtime.decode(STAGE, Event, event)
            if sighting is None:
                continue
            now = datetime.now(UTC)
            with runtime.timed(STAGE):
                decision = track(tracked.get(sighting.event_key), sighting, Origin.of(event).as_list(), now,
                                 alert_statuses, settings.max_sources)
                tracked[sighting.event_key] = decision.state
            if decision.alert is None:
                continue
            await runtime.send(STAGE, alert_topics[sighting.type], sighting.event_key, decision.alert)
            metrics.ALERTS_EMITTED.labels(decision.alert.kind, sighting.type).inc()
            metrics.FETCH_TO_ALERT_SECONDS.observe((now - sighting.article.fetched_at).total_seconds())
