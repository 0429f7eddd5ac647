"""Alert agent: `events` → `alerts.commitments` / `alerts.sanctions` / `alerts.<rule>`, decided by
streams.alerts.logic over a table keyed like the events topic (the coarse event key), plus the sink delivery
threads (streams.alerts.delivery) when `alerts.deliver_in_worker` is set.

Debounced updates and retention need to act when no event arrives. Tables may only be changed while a message
of their partition is processed, so timers do not touch them: they send small tick messages to the internal
`alert-ticks` topic, which this same agent consumes, co-partitioned with `events`. A tick on partition p
flushes the keys the `alert-due` table lists for p (and, for sweep ticks, expires old entries of p).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import UTC, datetime

import faust
from faust.types import TP
from kafka.errors import KafkaError
from newsmon.streams.alerts.delivery import start_sinks
from newsmon.streams.alerts.logic import Decision, expire, flush, track
from newsmon.streams.alerts.readback import published_alert_ids
from newsmon.streams.alerts.rules import rule_topic
from newsmon.streams.alerts.state import AlertState
from newsmon.streams.runtime import StageRuntime, origin_of
from pydantic import StrictBool, ValidationError

from newsmon import metrics
from newsmon.records import Alert, Event, MessageOrigin, Record
from newsmon.topics import ALERT_TICKS, ALERT_TOPIC_BY_EVENT_TYPE, EVENTS, rule_alert_topic

LOGGER = logging.getLogger(__name__)

STAGE = "alerts"
# How far back a replayed alert is looked for on its partition: the records a crash can leave unconfirmed.
READBACK_RECORDS = 1000
READBACK_SECONDS = 10.0


class Tick(Record):
    """A message of the internal tick topic. Anyone who can produce to the topic can put anything there, so
    ticks are validated like any record: strict, so that `{"sweep": "no"}` is refused rather than read as a
    sweep."""

    sweep: StrictBool


FLUSH_TICK = Tick(sweep=False).to_bytes()
SWEEP_TICK = Tick(sweep=True).to_bytes()


def _bootstrap_servers(app: faust.App) -> str:
    return ",".join(f"{url.host}:{url.port}" for url in app.conf.broker)


class AlertAgent:
    """The alert stage of one worker: its topics and tables, the decision on each sighting and tick (by
    streams.alerts.logic), and the publication of the alerts. `install` wires it into the Faust app."""

    def __init__(self, runtime: StageRuntime) -> None:
        self.runtime = runtime
        self.app = runtime.app
        self.settings = runtime.settings.alerts
        self.partitions = runtime.settings.kafka.partitions
        self.outputs = {
            name: runtime.topic(name)
            for name in [
                *ALERT_TOPIC_BY_EVENT_TYPE.values(),
                *(rule_alert_topic(rule.name) for rule in self.settings.rules),
            ]
        }
        self.ticks = runtime.topic(ALERT_TICKS)
        self.bootstrap_servers = _bootstrap_servers(self.app)
        self.tracked = runtime.table("alert-state")  # event key → AlertState (encoded)
        self.due = runtime.table("alert-due")  # partition → {event key: when its debounced update is due}
        # internal=True: Faust declares (creates) the tick topic with `partitions` before subscribing; left to
        # the broker's auto-creation it could get another partition count than `events` and break
        # co-partitioning.
        self.source = self.app.topic(
            runtime.topics.name(EVENTS),
            runtime.topics.name(ALERT_TICKS),
            value_serializer="raw",
            key_serializer="raw",
            partitions=self.partitions,
            internal=True,
            config=runtime.settings.limits.topic_config(),
        )
        # Timers wait for the declarations too: a send to a missing topic would have the broker auto-create
        # it.
        self.declared = asyncio.Event()

    def state_of(self, key: str) -> AlertState | None:
        return AlertState.decode(self.tracked.get(key))

    def store(self, key: str, decision: Decision, partition: int) -> None:
        if decision.state is None:
            self.tracked.pop(key, None)
        else:
            self.tracked[key] = decision.state.encode()
        pending: dict[str, str] = dict(self.due.get(str(partition)) or {})
        if decision.due_at is not None:
            pending[key] = decision.due_at.isoformat()
        elif pending.pop(key, None) is None:
            return
        self.due[str(partition)] = pending

    async def already_published(self, topic_name: str, key: str, alert_id: str) -> bool:
        """Whether the topic holds the alert. A read-back that cannot finish in time counts as "no": the alert
        is published again (a repeated record with the same id), never lost, and the agent never stalls."""
        try:
            found = await asyncio.wait_for(
                asyncio.to_thread(
                    published_alert_ids, self.bootstrap_servers, topic_name, key, READBACK_RECORDS
                ),
                READBACK_SECONDS,
            )
        except (TimeoutError, KafkaError) as exc:
            LOGGER.warning(
                "alert read-back failed; publishing the replay",
                extra={"alert_id": alert_id, "topic": topic_name, "error": f"{type(exc).__name__}: {exc}"},
            )
            return False
        return alert_id in found

    async def publish(self, key: str, alert: Alert, *, acknowledged: bool, replay: bool) -> None:
        """To every topic of the alert's rules. Alerts caused by an event ride on its offset commit; alerts
        of a tick are sent at once and acknowledged before the state that records them is stored. A replay
        (the same alert again after a crash) skips the topics that already hold it."""
        for rule in alert.rules:
            topic = self.outputs[rule_topic(rule, alert.event.type)]
            if replay and await self.already_published(topic.get_topic_name(), key, alert.alert_id):
                LOGGER.info(
                    "replayed alert already on its topic; not published again",
                    extra={"alert_id": alert.alert_id, "topic": topic.get_topic_name()},
                )
                continue
            if acknowledged:
                value = await self.runtime.encode(STAGE, key, alert)
                if value is None:
                    continue
                await (await topic.send(key=key, value=value, force=True))
                metrics.RECORDS_OUT.labels(STAGE).inc()
            else:
                await self.runtime.send(STAGE, topic, key, alert)
        metrics.ALERTS_EMITTED.labels(alert.kind, alert.event.type).inc()
        # The line an operator greps for: what was alerted, in one INFO line (issue 20).
        LOGGER.info(
            "alert emitted",
            extra={
                "kind": alert.kind,
                "type": alert.event.type,
                "status": alert.event.status,
                "actors": [party.name for party in alert.event.actors],
                "targets": [party.name for party in alert.event.targets],
                "summary": alert.summary[:200],
                "alert_id": alert.alert_id,
                "outlets": list(dict.fromkeys(source.outlet for source in alert.sources)),
            },
        )

    async def track_step(self, sighting: Event, origin: MessageOrigin, now: datetime) -> Decision:
        """Decide on one sighting and store the decision (awaited by runtime.attempt, like on_tick: a fault of
        the state store holds the message until it clears, an error on its content dead-letters it)."""
        committed = self.app.consumer.confirmed_offset(TP(origin.topic, origin.partition))
        decision = track(
            self.state_of(sighting.event_key),
            sighting,
            origin,
            now,
            self.settings,
            committed,
        )
        self.store(sighting.event_key, decision, origin.partition)
        return decision

    async def on_event(self, event: faust.types.EventT, origin: MessageOrigin) -> None:
        sighting = await self.runtime.decode(STAGE, Event, event)
        if sighting is None:
            return
        now = datetime.now(UTC)
        decision = await self.runtime.attempt(STAGE, event, self.track_step, sighting, origin, now)
        if decision is None:
            return
        for alert in decision.alerts:
            await self.publish(sighting.event_key, alert, acknowledged=False, replay=decision.replayed)
            metrics.FETCH_TO_ALERT_SECONDS.observe((now - sighting.article.fetched_at).total_seconds())

    async def on_tick(self, tick: Tick, partition: int) -> None:
        now = datetime.now(UTC)
        pending: dict[str, str] = self.due.get(str(partition)) or {}
        for key, at in sorted(pending.items()):
            if datetime.fromisoformat(at) > now:
                continue
            state = self.state_of(key)
            decision = flush(state, now, self.settings) if state is not None else Decision(None, [], None)
            for alert in decision.alerts:
                # A tick after a crash re-runs a flush whose alert may already be out: always check.
                await self.publish(key, alert, acknowledged=True, replay=True)
            self.store(key, decision, partition)
        if tick.sweep:
            for key, stored in list(self.tracked.items()):
                state = AlertState.decode(stored)
                if state is not None and state.partition == partition:
                    live = expire(state, now, self.settings)
                    if live != state:
                        self.store(key, Decision(live, [], None), partition)

    async def decode_tick(self, event: faust.types.EventT) -> Tick | None:
        """The tick in `event`, or None after dead-lettering what is not one (runtime.decode would also count
        it in the stage's records_in, which counts sightings, not the agent's own timer messages)."""
        try:
            return Tick.from_bytes(event.value)
        except (ValidationError, ValueError, TypeError) as exc:
            await self.runtime.dead_letter(STAGE, "undecodable", f"not a valid Tick: {exc}", event)
            return None

    async def process(self, stream: faust.StreamT) -> None:
        """The agent: sightings from `events`, ticks from `alert-ticks`, one partition's messages in order."""
        metrics.initialise_stage(STAGE)
        async for event in self.runtime.events(stream):
            origin = origin_of(event)
            if origin.topic == self.ticks.get_topic_name():
                tick = await self.decode_tick(event)
                if tick is not None:
                    await self.runtime.attempt(STAGE, event, self.on_tick, tick, origin.partition)
            else:
                await self.on_event(event, origin)

    async def declare_topics(self) -> None:
        """The tick topic and the rule topics (the agent only sends to those) exist before the first send."""
        for topic in [self.ticks, *self.outputs.values()]:
            await topic.maybe_declare()
        self.declared.set()

    async def flush_ticks(self) -> None:
        """A tick to each local partition holding a debounced update that is due."""
        if not self.declared.is_set():
            return
        now = datetime.now(UTC)
        for partition, pending in list(self.due.items()):
            if pending and min(map(datetime.fromisoformat, pending.values())) <= now:
                await self.ticks.send(value=FLUSH_TICK, partition=int(partition))

    async def sweep_ticks(self) -> None:
        """A sweep tick to every partition: expired entries are dropped where their partition is owned."""
        await self.declared.wait()
        for partition in range(self.partitions):
            await self.ticks.send(value=SWEEP_TICK, partition=partition)


class WorkerSinks:
    """The sink delivery threads in the worker, for a deployment of one worker (`alerts.deliver_in_worker`);
    otherwise `newsmon deliver` runs them: in every worker, each alert would be sent once per worker."""

    def __init__(self, runtime: StageRuntime, bootstrap_servers: str) -> None:
        self.settings = runtime.settings
        self.bootstrap_servers = bootstrap_servers
        self.stop = threading.Event()

    async def run(self) -> None:
        start_sinks(self.settings, self.bootstrap_servers, self.stop)

    async def stop_on_shutdown(self, _app: faust.App, **_kwargs: object) -> None:
        self.stop.set()


def install(runtime: StageRuntime) -> AlertAgent:
    """Register the alert agent, its timers and (if configured) the worker's sinks with the Faust app."""
    stage = AlertAgent(runtime)
    app, settings = runtime.app, runtime.settings.alerts
    app.agent(stage.source, name="alerts")(stage.process)
    app.task(stage.declare_topics)
    app.timer(interval=settings.tick_seconds)(stage.flush_ticks)
    app.timer(interval=settings.sweep_seconds)(stage.sweep_ticks)
    if settings.sinks and settings.deliver_in_worker:
        sinks = WorkerSinks(runtime, stage.bootstrap_servers)
        app.task(sinks.run)
        app.on_before_shutdown.connect(sinks.stop_on_shutdown)
    return stage
