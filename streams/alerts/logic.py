"""Novelty as pure functions over one table entry (everything tracked under one coarse event key).

- A sighting joins the tracked event it matches (`identity.best_match`) or starts a new one. Sources,
  corroboration (distinct outlets of alertable sightings), actors, status and quantity accumulate.
- Per rule (the default rule and each watch rule): once the event matches the rule and has `min_sources`
  outlets → `new` (an event held until corroborated alerts when the next outlet arrives). Afterwards a
  material change against what that rule last alerted — status moving forward, a new actor, a changed quantity
  — gives one `update` whose summary says what changed. Changes within `debounce_seconds` of the last alert
  wait and are merged; `flush` (run by the agent's ticks) emits them once due. Rules emitting the same change
  at the same moment share one alert (its `rules` lists them).
- Corroboration is shown, rate-limited so that a syndicated story does not make a burst: an update
  `corroborated by N outlets` when the outlet count reaches the next of `CORROBORATION_STEPS` (2, 3, 5, 10,
  20, 50) above the count that rule last alerted, at most one per `CORROBORATION_INTERVAL` (the first at once:
  from one outlet to two is what a reader acts on; later steps reached within the interval are merged and
  flushed when it ends, with the count of that moment). A material update that goes out anyway carries the new
  count at no extra alert; the debounce of material changes is not shortened by a corroboration.
- Requests (called_for) and refusals are tracked — a later announcement of the same event is still `new` —
  but never alert, never corroborate and never add actors.
- Idempotence without transactions: the entry keeps the alerts caused by each input message the broker may
  still deliver again (at or after the committed offset of its partition), by origin. A redelivery of such a
  message (the worker died before committing its offset) republishes exactly those alerts; a sighting
  redelivered from upstream (a known event_id) changes nothing. A count limit would not do: one busy key can
  take dozens of messages between two commits (measured: 46 after a restart), and a crash then would lose the
  alerts of all but the last few. `alert_id` is derived from the key, the tracked event, the kind, the
  resulting state and the rules, never from time or offsets.
- Retention: a tracked event not seen for `retention_days` is dropped (`expire`, on every read and by sweeps).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from newsmon.streams.alerts.identity import best_match, object_words
from newsmon.streams.alerts.rules import keyword_rules, rule_matches
from newsmon.streams.alerts.summary import party_name, quantity_phrase, summarize

from newsmon.records import Alert, Event, Party, Quantity, Source, stable_id
from newsmon.settings.alerts import AlertSettings

STATUS_RANK = {"called_for": 0, "refused": 0, "proposed": 1, "threatened": 1, "announced": 2, "lifted": 3}
# Outlet counts worth an update: each is news to a reader (corroborated, widely, very widely carried) where a
# count moving from 6 to 7 is not. 50 is the default `max_sources`, beyond which outlets are not counted.
CORROBORATION_STEPS = (2, 3, 5, 10, 20, 50)
CORROBORATION_INTERVAL = timedelta(minutes=10)


@dataclass(frozen=True)
class Decision:
    state: dict[str, Any] | None  # None: the entry expired, delete it
    alerts: list[Alert]
    due_at: datetime | None  # when a debounced update becomes due (the agent schedules a flush)
    # The alerts are those of a redelivered message, published before the crash or not: the agent publishes
    # only the ones its alert topic does not hold yet.
    replayed: bool = False


def _due(state: dict[str, Any]) -> datetime | None:
    return datetime.fromisoformat(state["due_at"]) if state.get("due_at") else None


def quantity_changed(before: dict[str, Any] | None, after: dict[str, Any] | None, tolerance: float) -> bool:
    """A quantity that appears or moves by more than `tolerance` (relative) changed; one that goes missing
    did not (an outlet that omits the number is not retracting it)."""
    if after is None:
        return False
    if before is None or before["unit"] != after["unit"]:
        return True
    return abs(after["value"] - before["value"]) > tolerance * max(abs(after["value"]), abs(before["value"]))


def _quantity_phrase(quantity: dict[str, Any] | None) -> str:
    return "none" if quantity is None else quantity_phrase(quantity["value"], quantity["unit"])


def describe_changes(
    before: dict[str, Any], after: dict[str, Any], parties: dict[str, Any], tolerance: float
) -> list[str]:
    """What materially changed between two snapshots, as short English phrases (empty: nothing material)."""
    changes = []
    if STATUS_RANK[after["status"]] > STATUS_RANK[before["status"]]:
        changes.append(f"status {before['status']} → {after['status']}")
    joined = [code for code in after["actors"] if code not in before["actors"]]
    if joined:
        changes.append(
            "joined: " + ", ".join(party_name(Party.model_validate(parties[code])) for code in joined)
        )
    if quantity_changed(before["quantity"], after["quantity"], tolerance):
        changes.append(
            f"quantity {_quantity_phrase(before['quantity'])} → {_quantity_phrase(after['quantity'])}"
        )
    return changes


def _snapshot(tracked: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": tracked["status"],
        "actors": list(tracked["actors"]),
        "quantity": tracked["quantity"],
        "outlets": _corroboration(tracked),
    }


def _corroboration(tracked: dict[str, Any]) -> int:
    return len({source["outlet"] for source in tracked["sources"] if source["alertable"]})


def corroboration_step(outlets: int) -> int:
    """The highest of `CORROBORATION_STEPS` that `outlets` reaches (1 below the first)."""
    return max((step for step in CORROBORATION_STEPS if step <= outlets), default=1)


def _new_tracked(event_key: str, event: Event, now: datetime) -> dict[str, Any]:
    codes = [actor.code for actor in event.actors]
    return {
        # Founding actors and object words make two events under one key distinct, in any process.
        "id": stable_id(event_key, *sorted(codes), *sorted(object_words(event.object))),
        "type": event.type,
        "category": event.category,
        "targets": [target.model_dump(mode="json") for target in event.targets],
        "actors": codes,
        "parties": {actor.code: actor.model_dump(mode="json") for actor in event.actors},
        "object_words": {},
        "langs": [],
        "keyword_rules": [],
        "status": None,
        "quantity": None,
        "event": None,
        "first_seen": now.isoformat(),
        "last_seen": now.isoformat(),
        "sources": [],
        "alerted": {},
    }


def _add_sighting(
    tracked: dict[str, Any], event: Event, now: datetime, settings: AlertSettings
) -> dict[str, Any]:
    alertable = event.status in settings.statuses
    sources = list(tracked["sources"])
    if len(sources) < settings.max_sources:
        sources.append(
            {
                "event_id": event.event_id,
                "url": event.article.url,
                "outlet": event.article.outlet,
                "published_at": event.article.published_at.isoformat(),
                "alertable": alertable,
            }
        )
    words = tracked["object_words"]
    tracked = {
        **tracked,
        "sources": sources,
        "last_seen": now.isoformat(),
        "langs": sorted({*tracked["langs"], event.lang}),
        "object_words": {
            **words,
            event.lang: sorted({*words.get(event.lang, []), *object_words(event.object)}),
        },
        "keyword_rules": sorted({*tracked["keyword_rules"], *keyword_rules(settings.rules, event)}),
    }
    if not alertable:
        return tracked
    status = tracked["status"]
    if status is None or STATUS_RANK[event.status] > STATUS_RANK[status]:
        status = event.status
    quantity = event.quantity.model_dump(mode="json") if event.quantity is not None else None
    if not quantity_changed(tracked["quantity"], quantity, settings.quantity_tolerance):
        quantity = tracked["quantity"]  # a rounding difference must not flap the stored amount
    parties = {**tracked["parties"], **{actor.code: actor.model_dump(mode="json") for actor in event.actors}}
    actors = list(dict.fromkeys([*tracked["actors"], *(actor.code for actor in event.actors)]))
    return {
        **tracked,
        "status": status,
        "quantity": quantity,
        "parties": parties,
        "actors": actors,
        "event": event.model_dump(mode="json"),
    }


def _alert(
    event_key: str,
    tracked: dict[str, Any],
    kind: str,
    changes: tuple[str, ...],
    rules: list[str],
    now: datetime,
) -> Alert:
    latest = Event.model_validate(tracked["event"])
    quantity = Quantity.model_validate(tracked["quantity"]) if tracked["quantity"] is not None else None
    # The alert shows the event as tracked (merged actors, furthest status) with the latest sighting's words.
    event = latest.model_copy(
        update={
            "event_key": event_key,
            "status": tracked["status"],
            "quantity": quantity,
            "actors": [Party.model_validate(tracked["parties"][code]) for code in tracked["actors"]],
        }
    )
    summary = summarize(event) + (f" — changed: {'; '.join(changes)}" if changes else "")
    alertable = {source["url"]: source for source in tracked["sources"] if source["alertable"]}
    snapshot = _snapshot(tracked)
    quantity_id = (snapshot["quantity"]["value"], snapshot["quantity"]["unit"]) if quantity else None
    return Alert(
        alert_id=stable_id(
            "alert",
            event_key,
            tracked["id"],
            kind,
            snapshot["status"],
            ",".join(sorted(snapshot["actors"])),
            quantity_id,
            # The step, not the count: two corroboration updates differ by their step, and one alert's id
            # does not depend on how many outlets within its step had arrived when it was decided.
            corroboration_step(snapshot["outlets"]),
            *sorted(rules),
        ),
        kind=kind,
        summary=summary,
        evidence=latest.sentence,
        event=event,
        sources=[
            Source(url=s["url"], outlet=s["outlet"], published_at=s["published_at"])
            for s in alertable.values()
        ],
        first_seen=datetime.fromisoformat(tracked["first_seen"]),
        corroboration=_corroboration(tracked),
        rules=sorted(rules),
        emitted_at=now,
    )


def _emit(
    event_key: str, tracked: dict[str, Any], now: datetime, settings: AlertSettings
) -> tuple[dict[str, Any], list[Alert], datetime | None]:
    """Alerts due for one tracked event, its new state, and when a debounced change becomes due."""
    if tracked["status"] is None:
        return tracked, [], None
    snapshot = _snapshot(tracked)
    outlets = snapshot["outlets"]
    debounce = timedelta(seconds=settings.debounce_seconds)
    groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    due_at = None
    for rule in settings.all_rules():
        if not rule_matches(rule, tracked) or outlets < rule.min_sources:
            continue
        before = tracked["alerted"].get(rule.name)
        if before is None:
            groups.setdefault(("new", ()), []).append(rule.name)
            continue
        changes = tuple(describe_changes(before, snapshot, tracked["parties"], settings.quantity_tolerance))
        # Entries stored before corroboration was alerted do not say what count they showed: one outlet.
        corroborated = corroboration_step(outlets) > corroboration_step(before.get("outlets", 1))
        if changes:
            ready_at = datetime.fromisoformat(before["at"]) + debounce
        elif corroborated and before.get("corroborated_at"):
            ready_at = datetime.fromisoformat(before["corroborated_at"]) + CORROBORATION_INTERVAL
        elif corroborated:
            ready_at = now
        else:
            continue
        if now < ready_at:
            due_at = min(due_at or ready_at, ready_at)
            continue
        if corroborated:
            changes = (*changes, f"corroborated by {outlets} outlets")
        groups.setdefault(("update", changes), []).append(rule.name)
    alerts = [
        _alert(event_key, tracked, kind, changes, rules, now) for (kind, changes), rules in groups.items()
    ]
    alerted = dict(tracked["alerted"])
    for rules in groups.values():
        for rule in rules:
            before = alerted.get(rule, {})
            # When this rule last showed a higher outlet step (a `new` held until corroborated counts): the
            # start of its corroboration interval.
            shown_more = corroboration_step(outlets) > corroboration_step(before.get("outlets", 1))
            alerted[rule] = {
                **snapshot,
                "at": now.isoformat(),
                "corroborated_at": now.isoformat() if shown_more else before.get("corroborated_at"),
            }
    return {**tracked, "alerted": alerted}, alerts, due_at


def _emit_all(
    state: dict[str, Any], now: datetime, settings: AlertSettings, origin: list[Any] | None
) -> Decision:
    tracked_events, alerts, dues = [], [], []
    for tracked in state["tracked"]:
        tracked, emitted, due_at = _emit(state["event_key"], tracked, now, settings)
        tracked_events.append(tracked)
        alerts += emitted
        dues += [due_at] if due_at is not None else []
    due_at = min(dues) if dues else None
    state = {**state, "tracked": tracked_events, "due_at": due_at.isoformat() if due_at else None}
    if origin is not None and alerts:
        caused = {"origin": origin, "alerts": [alert.model_dump(mode="json") for alert in alerts]}
        state["recent"] = [*state["recent"], caused]
    return Decision(state, alerts, due_at)


def _redeliverable(
    recent: list[dict[str, Any]], origin: list[Any], committed: int | None
) -> list[dict[str, Any]]:
    """The remembered messages of `origin`'s partition at or after its committed offset (None: nothing
    confirmed committed yet, all may come again). A key's messages all come from one partition; entries of
    another (from before a repartitioning) are kept, they cannot accumulate."""
    if committed is None:
        return recent
    return [entry for entry in recent if entry["origin"][:2] != origin[:2] or entry["origin"][2] >= committed]


def expire(state: dict[str, Any] | None, now: datetime, settings: AlertSettings) -> dict[str, Any] | None:
    """The entry without tracked events unseen for `retention_days`; None when nothing is left."""
    if state is None:
        return None
    horizon = now - timedelta(days=settings.retention_days)
    kept = [
        tracked for tracked in state["tracked"] if datetime.fromisoformat(tracked["last_seen"]) >= horizon
    ]
    return {**state, "tracked": kept} if kept else None


def track(
    state: dict[str, Any] | None,
    event: Event,
    origin: list[Any],
    now: datetime,
    settings: AlertSettings,
    committed: int | None = None,
) -> Decision:
    """Fold one sighting (read from `origin` = [topic, partition, offset]) into the entry of its key.
    `committed`: the offset the broker has confirmed as committed for that partition, below which no message
    comes again (None: none confirmed yet)."""
    for remembered in (state or {}).get("recent", []):
        if remembered["origin"] == origin:
            return Decision(
                state,
                [Alert.model_validate(alert) for alert in remembered["alerts"]],
                _due(state),
                replayed=True,
            )
    state = expire(state, now, settings) or {
        "event_key": event.event_key,
        "partition": origin[1],
        "tracked": [],
        "recent": [],
        "due_at": None,
    }
    state = {**state, "recent": _redeliverable(state["recent"], origin, committed)}
    tracked_events = list(state["tracked"])
    index = best_match(tracked_events, event)
    if index is None:
        tracked_events.append(_add_sighting(_new_tracked(event.event_key, event, now), event, now, settings))
    elif any(source["event_id"] == event.event_id for source in tracked_events[index]["sources"]):
        return Decision(state, [], _due(state))
    else:
        tracked_events[index] = _add_sighting(tracked_events[index], event, now, settings)
    return _emit_all({**state, "tracked": tracked_events}, now, settings, origin)


def flush(state: dict[str, Any], now: datetime, settings: AlertSettings) -> Decision:
    """Emit the debounced updates that are due (and drop what expired). Not tied to an input message: the
    agent publishes these alerts and waits for the broker's acknowledgement before it stores the new state."""
    live = expire(state, now, settings)
    if live is None:
        return Decision(None, [], None)
    return _emit_all(live, now, settings, None)
