"""Novelty as a pure function: given what the table knows about an event key and a new sighting, the new
table state and the alert to publish, if any.

- First alertable sighting → `new`. Later sightings add sources (corroboration = distinct outlets) silently.
- A status that moves forward (proposed/threatened → announced → lifted) → one `update`.
- Idempotence without transactions: the state keeps the last alert and the origin of the message that caused
  it. When that very message is redelivered (the worker died before committing its offset) the same alert —
  same `alert_id`, same content — is published again, so it is never lost; a sighting redelivered from
  upstream has another origin and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from newsmon.records import Alert, Event, Source, stable_id
from streams.alerts.summary import summarize

STATUS_RANK = {"called_for": 0, "refused": 0, "proposed": 1, "threatened": 1, "announced": 2, "lifted": 3}


@dataclass(frozen=True)
class Decision:
    state: dict[str, Any]
    alert: Alert | None


def _source(event: Event) -> dict[str, Any]:
    return Source(url=event.article.url, outlet=event.article.outlet,
                  published_at=event.article.published_at).model_dump(mode="json")


def track(state: dict[str, Any] | None, event: Event, origin: list[Any], now: datetime,
          alert_statuses: frozenset[str], max_sources: int = 20) -> Decision:
    if state is not None and state["last_alert_origin"] == origin:
        return Decision(state, Alert.model_validate(state["last_alert"]))

    if state is None:
        state = {"event_key": event.event_key, "first_seen": now.isoformat(), "sources": [],
                 "alerted_status": None, "last_alert": None, "last_alert_origin": None}
    sources = list(state["sources"])
    if all(source["url"] != event.article.url for source in sources) and len(sources) < max_sources:
        sources.append(_source(event))
    state = {**state, "sources": sources}

    if event.status not in alert_statuses:
        return Decision(state, None)
    alerted = state["alerted_status"]
    if alerted is None:
        kind = "new"
    elif STATUS_RANK[event.status] > STATUS_RANK[alerted]:
        kind = "update"
    else:
        return Decision(state, None)

    alert = Alert(
        alert_id=stable_id(event.event_key, kind, "" if kind == "new" else event.status),
        kind=kind, summary=summarize(event), evidence=event.sentence, event=event,
        sources=[Source.model_validate(source) for source in sources],
        first_seen=datetime.fromisoformat(state["first_seen"]),
        corroboration=len({source["outlet"] for source in sources}),
        rules=["default"], emitted_at=now,
    )
    state = {**state, "alerted_status": event.status, "last_alert": alert.model_dump(mode="json"),
             "last_alert_origin": origin}
    return Decision(state, alert)
