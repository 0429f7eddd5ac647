"""End-to-end helpers for the alert stage: settings for one isolated run, a worker process on the real broker,
Event records produced straight to `events` (no dependence on the extraction engine), topics read back."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from newsmon.broker import free_port
from newsmon.kafka_admin import ensure_topics
from newsmon.lag import LagReader
from newsmon.records import Alert, Event, event_key
from newsmon.settings import KafkaSettings, Settings, WorkerSettings
from newsmon.settings.alerts import AlertSettings
from newsmon.shell.processes import spawn, write_effective_settings
from newsmon.topics import EVENTS, Topics
from tests.factories import make_event
from tests.topic_reading import read_to_end

DEADLINE = 90.0


def alert_settings_run(bootstrap: str, tmp_path: Path, alerts: AlertSettings) -> Settings:
    run = uuid.uuid4().hex[:8]
    settings = Settings(
        kafka=KafkaSettings(bootstrap_servers=bootstrap, partitions=3, topic_prefix=f"t{run}."),
        # The events go straight to the alert stage: the pool is never used, so it is not warmed up either.
        worker=WorkerSettings(app_id=f"alerts-{run}", processes=1, warm_up_pool=False),
        alerts=alerts,
        state_dir=tmp_path,
    )
    ensure_topics(settings.kafka, bootstrap)
    topics = Topics(settings.kafka.topic_prefix)
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        for name in topics.rule_alert_names(rule.name for rule in alerts.rules):
            try:
                admin.create_topics([NewTopic(name, 3, 1)])
            except TopicAlreadyExistsError:
                pass
    finally:
        admin.close()
    return settings


def _start(command: str, settings: Settings, log_name: str) -> subprocess.Popen[bytes]:
    return spawn(
        [command],
        write_effective_settings(settings),
        settings.kafka.bootstrap_servers,
        free_port(),
        log_file=settings.state_dir / log_name,
    )


def start_worker(settings: Settings, log_name: str = "worker.log") -> subprocess.Popen[bytes]:
    return _start("worker", settings, log_name)


def start_deliver(settings: Settings, log_name: str = "deliver.log") -> subprocess.Popen[bytes]:
    """`newsmon deliver`: the one process of a deployment that runs the sinks (workers do not)."""
    return _start("deliver", settings, log_name)


def sighting(outlet: str, status: str = "announced", **changes: Any) -> Event:
    """An Event as the extract stage would publish it: event_key computed by newsmon.records.event_key."""
    event = make_event(outlet, status, **changes)
    key = event_key(event.type, event.category, event.targets, event.quantity)
    return event.model_copy(update={"event_key": key, "event_id": f"{key}-{outlet}-{status}"})


class EventProducer:
    def __init__(self, settings: Settings) -> None:
        self._producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all")
        self._topic = Topics(settings.kafka.topic_prefix).name(EVENTS)

    def send(self, event: Event) -> None:
        self._producer.send(self._topic, key=event.event_key.encode(), value=event.to_bytes()).get(timeout=10)

    def close(self) -> None:
        self._producer.close()


def read_values(settings: Settings, topic: str) -> list[bytes]:
    return [record.value for record in read_to_end(settings.kafka.bootstrap_servers, topic)]


def read_alerts(settings: Settings, topic: str) -> list[Alert]:
    return [Alert.from_bytes(value) for value in read_values(settings, topic)]


def wait_for(
    condition: Callable[[], bool],
    processes: subprocess.Popen[bytes] | Sequence[subprocess.Popen[bytes]],
    what: str,
    timeout: float = DEADLINE,
) -> None:
    """Poll `condition` with a deadline; fail early if one of the processes (workers, delivery) died."""
    watched = [processes] if isinstance(processes, subprocess.Popen) else list(processes)
    deadline = time.monotonic() + timeout
    while not condition():
        for process in watched:
            assert process.poll() is None, (
                f"{process.args[-1]} exited with {process.returncode} while waiting for {what}"
            )
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def wait_until_drained(
    settings: Settings,
    processes: subprocess.Popen[bytes] | Sequence[subprocess.Popen[bytes]],
    timeout: float = DEADLINE,
) -> None:
    """Poll with a deadline until the worker group has committed everything twice in a row; fail early if one
    of the processes died."""
    lag = LagReader(settings.kafka.bootstrap_servers)
    quiet_checks = 0
    behind: dict[str, int] = {}

    def drained_twice() -> bool:
        nonlocal quiet_checks, behind
        behind = {
            f"{tp.topic}[{tp.partition}]": count for tp, count in lag.worker_lag(settings).items() if count
        }
        quiet_checks = quiet_checks + 1 if not behind else 0
        return quiet_checks >= 2

    try:
        wait_for(drained_twice, processes, "the worker group to commit everything", timeout)
    except AssertionError as failure:
        # Which partitions were left uncommitted is what a failure needs to be diagnosed.
        raise AssertionError(f"{failure}; uncommitted records by partition at the end: {behind}") from None
    finally:
        lag.close()
