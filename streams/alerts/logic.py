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
  resulting state, what changed and the rules, never from time or offsets.
- Retention: a tracked event not seen for `retention_days` is dropped (`expire`, on every read and by sweeps).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from newsmon.streams.alerts.identity import best_match, object_words
from newsmon.streams.alerts.rules import keyword_rules, rule_matches
from newsmon.streams.alerts.state import (
    AlertState,
    CausedAlerts,
    MessageOrigin,
    Shown,
    SightingSource,
    Snapshot,
    TrackedEvent,
)
from newsmon.streams.alerts.summary import party_name, quantity_phrase, summarize

from newsmon.records import Alert, Event, Quantity, Source, stable_id
from newsmon.settings.alerts import AlertSettings

STATUS_RANK = {"called_for": 0, "refused": 0, "proposed": 1, "threatened": 1, "announced": 2, "lifted": 3}
# Outlet counts worth an update: each is news to a reader (corroborated, widely, very widely carried) where a
# count moving from 6 to 7 is not. 50 is the default `max_sources`, beyond which outlets are not counted.
CORROBORATION_STEPS = (2, 3, 5, 10, 20, 50)
CORROBORATION_INTERVAL = timedelta(minutes=10)


@dataclass(frozen=True)
class Decision:
    state: AlertState | None  # None: the entry expired, delete it
    alerts: list[Alert]
    due_at: datetime | None  # when a debounced update becomes due (the agent schedules a flush)
    # The alerts are those of a redelivered message, published before the crash or not: the agent publishes
    # only the ones its alert topic does not hold yet.
    replayed: bool = False


def quantity_changed(before: Quantity | None, after: Quantity | None, tolerance: float) -> bool:
    """A quantity that appears or moves by more than `tolerance` (relative) changed; one that goes missing
    did not (an outlet that omits the number is not retracting it)."""
    if after is None:
        return False
    if before is None or before.unit != after.unit:
        return True
    return abs(after.value - before.value) > tolerance * max(abs(after.value), abs(before.value))


def _quantity_phrase(quantity: Quantity | None) -> str:
    return "none" if quantity is None else quantity_phrase(quantity.value, quantity.unit)


def describe_changes(before: Snapshot, after: Snapshot, tracked: TrackedEvent, tolerance: float) -> list[str]:
    """What materially changed between two snapshots, as short English phrases (empty: nothing material)."""
    changes = []
    if STATUS_RANK[after.status] > STATUS_RANK[before.status]:
        changes.append(f"status {before.status} → {after.status}")
    joined = [code for code in after.actors if code not in before.actors]
    if joined:
        changes.append("joined: " + ", ".join(party_name(tracked.parties[code]) for code in joined))
    if quantity_changed(before.quantity, after.quantity, tolerance):
        changes.append(f"quantity {_quantity_phrase(before.quantity)} → {_quantity_phrase(after.quantity)}")
    return changes


def corroboration_step(outlets: int) -> int:
    """The highest of `CORROBORATION_STEPS` that `outlets` reaches (1 below the first)."""
    return max((step for step in CORROBORATION_STEPS if step <= outlets), default=1)


def _new_tracked(event_key: str, event: Event, now: datetime) -> TrackedEvent:
    codes = [actor.code for actor in event.actors]
    return TrackedEvent(
        # Founding actors and object words make two events under one key distinct, in any process.
        id=stable_id(event_key, *sorted(codes), *sorted(object_words(event.object))),
        type=event.type,
        category=event.category,
        targets=list(event.targets),
        actors=codes,
        parties={actor.code: actor for actor in event.actors},
        object_words={},
        langs=[],
        keyword_rules=[],
        first_seen=now,
        last_seen=now,
    )


def _add_sighting(
    tracked: TrackedEvent, event: Event, now: datetime, settings: AlertSettings
) -> TrackedEvent:
    alertable = event.status in settings.statuses
    sources = list(tracked.sources)
    if len(sources) < settings.max_sources:
        sources.append(
            SightingSource(
                event_id=event.event_id,
                url=event.article.url,
                outlet=event.article.outlet,
                published_at=event.article.published_at,
                alertable=alertable,
            )
        )
    words = tracked.object_words
    tracked = tracked.model_copy(
        update={
            "sources": sources,
            "last_seen": now,
            "langs": sorted({*tracked.langs, event.lang}),
            "object_words": {
                **words,
                event.lang: sorted({*words.get(event.lang, []), *object_words(event.object)}),
            },
            "keyword_rules": sorted({*tracked.keyword_rules, *keyword_rules(settings.rules, event)}),
        }
    )
    if not alertable:
        return tracked
    status = tracked.status
    if status is None or STATUS_RANK[event.status] > STATUS_RANK[status]:
        status = event.status
    quantity, quantity_as_of = tracked.quantity, tracked.quantity_as_of
    published = event.article.published_at
    # An amount replaces the stored one only from an article published no earlier than the one that stated
    # it: a report of the first pledge that arrives after the raise is not a cut. A rounding difference
    # does not flap the stored amount either.
    if quantity_changed(quantity, event.quantity, settings.quantity_tolerance) and (
        quantity_as_of is None or published >= quantity_as_of
    ):
        quantity, quantity_as_of = event.quantity, published
    return tracked.model_copy(
        update={
            "status": status,
            "quantity": quantity,
            "quantity_as_of": quantity_as_of,
            "parties": {**tracked.parties, **{actor.code: actor for actor in event.actors}},
            "actors": list(dict.fromkeys([*tracked.actors, *(actor.code for actor in event.actors)])),
            "event": event,
        }
    )


def _alert(
    event_key: str,
    tracked: TrackedEvent,
    kind: str,
    changes: tuple[str, ...],
    corroborated: bool,
    rules: list[str],
    now: datetime,
    ordinal: int,
) -> Alert:
    assert tracked.event is not None and tracked.status is not None, "only an alertable event alerts"
    snapshot = tracked.snapshot()
    # The alert shows the event as tracked (merged actors, furthest status) with the latest sighting's words.
    event = tracked.event.model_copy(
        update={
            "event_key": event_key,
            "status": tracked.status,
            "quantity": tracked.quantity,
            "actors": [tracked.parties[code] for code in tracked.actors],
        }
    )
    said = (*changes, f"corroborated by {snapshot.outlets} outlets") if corroborated else changes
    summary = summarize(event) + (f" — changed: {'; '.join(said)}" if said else "")
    alertable = {source.url: source for source in tracked.sources if source.alertable}
    quantity = snapshot.quantity
    return Alert(
        alert_id=stable_id(
            "alert",
            event_key,
            tracked.id,
            kind,
            snapshot.status,
            ",".join(sorted(snapshot.actors)),
            (quantity.value, quantity.unit) if quantity is not None else None,
            # The step, not the count: two corroboration updates differ by their step, and one alert's id
            # does not depend on how many outlets within its step had arrived when it was decided.
            corroboration_step(snapshot.outlets),
            # What changed, and the event's how-many-th alert this is: a quantity back at a value alerted
            # before ("660 → 901" after "392 → 901", or "545 → 319" twice) is news again, not a repeat of that
            # alert. Deterministic under replay: a redelivered message repeats its remembered alerts, and a
            # re-run flush starts from the same stored count.
            *changes,
            ordinal,
            *sorted(rules),
        ),
        kind=kind,
        summary=summary,
        evidence=tracked.event.sentence,
        event=event,
        sources=[
            Source(url=source.url, outlet=source.outlet, published_at=source.published_at)
            for source in alertable.values()
        ],
        first_seen=tracked.first_seen,
        corroboration=snapshot.outlets,
        rules=sorted(rules),
        emitted_at=now,
    )


def _emit(
    event_key: str, tracked: TrackedEvent, now: datetime, settings: AlertSettings
) -> tuple[TrackedEvent, list[Alert], datetime | None]:
    """Alerts due for one tracked event, its new state, and when a debounced change becomes due."""
    if tracked.status is None:
        return tracked, [], None
    snapshot = tracked.snapshot()
    outlets = snapshot.outlets
    debounce = timedelta(seconds=settings.debounce_seconds)
    # (kind, material changes, corroborated) → the rules that alert so
    groups: dict[tuple[str, tuple[str, ...], bool], list[str]] = {}
    due_at = None
    for rule in settings.all_rules():
        if not rule_matches(rule, tracked) or outlets < rule.min_sources:
            continue
        before = tracked.alerted.get(rule.name)
        if before is None:
            groups.setdefault(("new", (), False), []).append(rule.name)
            continue
        changes = tuple(describe_changes(before, snapshot, tracked, settings.quantity_tolerance))
        corroborated = corroboration_step(outlets) > corroboration_step(before.outlets)
        if changes:
            ready_at = before.at + debounce
        elif corroborated and before.corroborated_at is not None:
            ready_at = before.corroborated_at + CORROBORATION_INTERVAL
        elif corroborated:
            ready_at = now
        else:
            continue
        if now < ready_at:
            due_at = min(due_at or ready_at, ready_at)
            continue
        groups.setdefault(("update", changes, corroborated), []).append(rule.name)
    alerts = [
        _alert(event_key, tracked, kind, changes, corroborated, rules, now, tracked.alerts_emitted + index)
        for index, ((kind, changes, corroborated), rules) in enumerate(groups.items())
    ]
    alerted = dict(tracked.alerted)
    for rules in groups.values():
        for rule in rules:
            before = alerted.get(rule)
            # When this rule last showed a higher outlet step (a `new` held until corroborated counts): the
            # start of its corroboration interval.
            shown_more = corroboration_step(outlets) > corroboration_step(before.outlets if before else 1)
            alerted[rule] = Shown(
                **dict(snapshot),
                at=now,
                corroborated_at=now if shown_more else (before.corroborated_at if before else None),
            )
    return (
        tracked.model_copy(
            update={"alerted": alerted, "alerts_emitted": tracked.alerts_emitted + len(alerts)}
        ),
        alerts,
        due_at,
    )


def _emit_all(
    state: AlertState, now: datetime, settings: AlertSettings, origin: MessageOrigin | None
) -> Decision:
    tracked_events, alerts, dues = [], [], []
    for tracked in state.tracked:
        tracked, emitted, due_at = _emit(state.event_key, tracked, now, settings)
        tracked_events.append(tracked)
        alerts += emitted
        dues += [due_at] if due_at is not None else []
    due_at = min(dues) if dues else None
    recent = state.recent
    if origin is not None and alerts:
        recent = [*recent, CausedAlerts(origin=origin, alerts=alerts)]
    return Decision(
        state.model_copy(update={"tracked": tracked_events, "due_at": due_at, "recent": recent}),
        alerts,
        due_at,
    )


def _redeliverable(
    recent: list[CausedAlerts], origin: MessageOrigin, committed: int | None
) -> list[CausedAlerts]:
    """The remembered messages of `origin`'s partition at or after its committed offset (None: nothing
    confirmed committed yet, all may come again). A key's messages all come from one partition; entries of
    another (from before a repartitioning) are kept, they cannot accumulate."""
    if committed is None:
        return recent
    return [
        entry
        for entry in recent
        if (entry.origin.topic, entry.origin.partition) != (origin.topic, origin.partition)
        or entry.origin.offset >= committed
    ]


def expire(state: AlertState | None, now: datetime, settings: AlertSettings) -> AlertState | None:
    """The entry without tracked events unseen for `retention_days`; None when nothing is left."""
    if state is None:
        return None
    horizon = now - timedelta(days=settings.retention_days)
    kept = [tracked for tracked in state.tracked if tracked.last_seen >= horizon]
    return state.model_copy(update={"tracked": kept}) if kept else None


def track(
    state: AlertState | None,
    event: Event,
    origin: MessageOrigin,
    now: datetime,
    settings: AlertSettings,
    committed: int | None = None,
) -> Decision:
    """Fold one sighting (read from `origin`) into the entry of its key. `committed`: the offset the broker
    has confirmed as committed for that partition, below which no message comes again (None: none confirmed
    yet)."""
    for remembered in state.recent if state is not None else []:
        if remembered.origin == origin:
            return Decision(state, list(remembered.alerts), state.due_at, replayed=True)
    state = expire(state, now, settings) or AlertState(event_key=event.event_key, partition=origin.partition)
    state = state.model_copy(update={"recent": _redeliverable(state.recent, origin, committed)})
    tracked_events = list(state.tracked)
    index = best_match(tracked_events, event)
    if index is None:
        tracked_events.append(_add_sighting(_new_tracked(event.event_key, event, now), event, now, settings))
    elif any(source.event_id == event.event_id for source in tracked_events[index].sources):
        return Decision(state, [], state.due_at)
    else:
        tracked_events[index] = _add_sighting(tracked_events[index], event, now, settings)
    return _emit_all(state.model_copy(update={"tracked": tracked_events}), now, settings, origin)


def flush(state: AlertState, now: datetime, settings: AlertSettings) -> Decision:
    """Emit the debounced updates that are due (and drop what expired). Not tied to an input message: the
    agent publishes these alerts and waits for the broker's acknowledgement before it stores the new state."""
    live = expire(state, now, settings)
    if live is None:
        return Decision(None, [], None)
    return _emit_all(live, now, settings, None)
