"""Process orchestration: the broker to use (configured, or run by newsmon: tansu or a local Kafka), child
processes that inherit the parent's effective settings and die with it, and their supervision."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from newsmon.broker import EmbeddedBroker, wait_until_kafka_answers
from newsmon.kafka_admin import ensure_topics
from newsmon.kafka_local import (
    ONE_BOX,
    KafkaServer,
    KafkaUnavailable,
    kafka_classpath,
    missing_tools,
)
from newsmon.lifetime import die_with_parent, kill_tree, stops_deferred
from newsmon.liveness import Liveness, heartbeat_age, is_unresponsive, read_heartbeat
from newsmon.redact import redact_settings
from newsmon.settings import Settings

LOGGER = logging.getLogger(__name__)


class ManagedBroker:
    """The broker newsmon runs itself when no Kafka is configured (`kafka.embedded`): tansu in memory, or
    Apache Kafka from its jars with its data under state_dir/kafka. `start` (again after a crash) brings it up
    on the same port with every newsmon topic created (with its retention)."""

    def __init__(self, settings: Settings, port: int | None = None) -> None:
        self._settings = settings
        settings.state_dir.mkdir(parents=True, exist_ok=True)
        self.server: EmbeddedBroker | KafkaServer
        if settings.kafka.embedded == "tansu":
            self.server = EmbeddedBroker(port=port, log_file=settings.state_dir / "tansu.log")
            return
        missing = missing_tools()
        if missing is not None:
            raise KafkaUnavailable(f'kafka.embedded = "kafka" {missing}')
        self.server = KafkaServer(
            kafka_classpath(),
            settings.state_dir / "kafka",
            properties=ONE_BOX,
            port=port,
            heap_mb=settings.kafka.embedded_heap_mb,
        )

    @property
    def bootstrap_servers(self) -> str:
        return self.server.bootstrap_servers

    @property
    def process(self) -> subprocess.Popen[bytes]:
        return self.server.process

    def start(self) -> subprocess.Popen[bytes]:
        settings = self._settings
        self.server.start()
        try:
            ensure_topics(
                settings.kafka, self.bootstrap_servers, settings.alerts.rule_names(), settings.limits
            )
        except BaseException:
            self.server.stop()
            raise
        return self.server.process

    def stop(self) -> None:
        self.server.stop()


@contextmanager
def managed_broker(settings: Settings, port: int | None = None) -> Iterator[ManagedBroker]:
    broker = ManagedBroker(settings, port)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@contextmanager
def kafka_for(settings: Settings) -> Iterator[str]:
    """Bootstrap servers of the configured Kafka, or of a managed broker that lives as long as the context;
    either way with every newsmon topic created."""
    if settings.kafka.bootstrap_servers:
        wait_until_kafka_answers(settings.kafka.bootstrap_servers, timeout=60.0)
        ensure_topics(
            settings.kafka, settings.kafka.bootstrap_servers, settings.alerts.rule_names(), settings.limits
        )
        yield settings.kafka.bootstrap_servers
        return
    with managed_broker(settings) as broker:
        yield broker.bootstrap_servers


def _write_owner_only(path: Path, text: str) -> None:
    """Write `text` to `path` with mode 0600 from its creation (no window in which others may read it).
    Through a new file renamed over `path`: O_CREAT keeps the mode of a file that exists already."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(partial, path)


def write_effective_settings(settings: Settings) -> Path:
    """Write the settings in effect twice, both owner-only: `effective-settings.json` for operators, with sink
    secrets and URL tokens replaced by `***`, and `child-settings.json`, complete (child processes sign and
    post with its secrets). Returns the latter, for `spawn`."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    shown = redact_settings(settings.model_dump(mode="json"))
    _write_owner_only(settings.state_dir / "effective-settings.json", json.dumps(shown, indent=2))
    path = settings.state_dir / "child-settings.json"
    _write_owner_only(path, settings.model_dump_json(indent=2))
    return path


def spawn(
    command: list[str],
    settings_file: Path,
    bootstrap_servers: str,
    metrics_port: int,
    log_file: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start `newsmon <command>` with the parent's settings, the given broker and its own metrics port."""
    env = {
        **os.environ,
        "NEWSMON_CONFIG": str(settings_file),
        "NEWSMON_KAFKA__BOOTSTRAP_SERVERS": bootstrap_servers,
        "NEWSMON_METRICS__PORT": str(metrics_port),
    }
    output = open(log_file, "ab") if log_file else None  # noqa: SIM115 - owned by the child
    process = subprocess.Popen(
        [sys.executable, "-m", "newsmon", *command],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=output,
        preexec_fn=die_with_parent,
    )
    LOGGER.info(
        "started child process", extra={"command": command, "pid": process.pid, "metrics_port": metrics_port}
    )
    return process


def stop_all(processes: list[subprocess.Popen[bytes]], timeout: float = 15.0) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class _Child:
    """A supervised child: how to start it, how to tell that it still works (None: running is enough), its
    process (None while it waits out `restart_at`), and the backoff before its next restart."""

    start: Callable[[], subprocess.Popen[bytes]]
    liveness: Liveness | None = None
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float = 0.0
    delay: float = 0.0


class Supervisor:
    """Keeps named child processes running: a child that exits, whatever its exit code, is started again after
    a backoff that doubles from `first_delay` to `max_delay` while it keeps crashing, and starts over at
    `first_delay` once it has run for `stable_after` seconds. Each restart is logged in one line; a start that
    fails (raises) counts as a crash.

    A child with a `liveness` check that runs but has fallen silent past its limits (newsmon.liveness: the
    worker whose loop, consumer thread or group membership stopped, or a stopped process) is killed with every
    process under it and restarted the same way, in one log line with its heartbeat's age.

    `running` are children started already (the managed broker), supervised from then on. The first starter
    is what the others need (the broker): it is stopped after them."""

    def __init__(
        self,
        starters: dict[str, Callable[[], subprocess.Popen[bytes]]],
        first_delay: float = 1.0,
        max_delay: float = 30.0,
        stable_after: float = 60.0,
        running: dict[str, subprocess.Popen[bytes]] | None = None,
        liveness: dict[str, Liveness] | None = None,
    ) -> None:
        checks = liveness or {}
        self._children = {
            name: _Child(start, checks.get(name), delay=first_delay) for name, start in starters.items()
        }
        for name, process in (running or {}).items():
            self._children[name].process = process
            self._children[name].started_at = time.monotonic()
        self._first_delay = first_delay
        self._max_delay = max_delay
        self._stable_after = stable_after

    def run(self, poll_seconds: float = 0.5) -> None:
        """Start every child, then supervise them until interrupted (KeyboardInterrupt, or the caller's
        SIGTERM exception); the caller stops the children with `stop`."""
        for name, child in self._children.items():
            if child.process is None:
                self._start(name, child)
        while True:
            self.check()
            time.sleep(poll_seconds)

    def check(self) -> None:
        """One round: note the children that exited, kill those that fell silent, and start those whose
        backoff has passed."""
        for name, child in self._children.items():
            # A clock reading per child: starting one (the broker waits until it is ready, for many seconds)
            # must not age the next one's reading.
            now = time.monotonic()
            if child.process is None:
                if now >= child.restart_at:
                    self._start(name, child)
                continue
            code = child.process.poll()
            if code is None:
                if child.liveness is not None:
                    self._kill_if_silent(name, child)
                continue
            LOGGER.error(
                "child process exited; restarting it",
                extra={
                    "child": name,
                    "pid": child.process.pid,
                    "exit_code": code,
                    # Popen reports death by a signal as minus its number.
                    "signal": signal.Signals(-code).name if code < 0 else None,
                    "restart_in_seconds": self._back_off(child, now),
                },
            )
            child.process = None

    def _kill_if_silent(self, name: str, child: _Child) -> None:
        assert child.process is not None and child.liveness is not None
        liveness = child.liveness
        heartbeat_at = read_heartbeat(liveness.heartbeat)
        # The clock read after the heartbeat: a heartbeat newer than `now` counts as a previous boot's, and a
        # reading taken before the file was read made a beating worker look silent (seen: the worker killed
        # for silence while the restarted broker's start held the supervisor for 20 s).
        now = time.monotonic()
        age = heartbeat_age(now, child.started_at, heartbeat_at)
        since_start = now - child.started_at
        if not is_unresponsive(since_start, age, liveness):
            return
        kill_tree(child.process)
        LOGGER.error(
            "child process runs but has stopped working (no heartbeat); killed it and its processes, "
            "restarting it",
            extra={
                "child": name,
                "pid": child.process.pid,
                "heartbeat_age_seconds": None if age is None else round(age, 1),
                "since_start_seconds": round(since_start, 1),
                "limit_seconds": liveness.grace if age is None else liveness.timeout,
                "heartbeat": str(liveness.heartbeat),
                "restart_in_seconds": self._back_off(child, now),
            },
        )
        child.process = None

    def _back_off(self, child: _Child, now: float) -> float:
        """Schedule the crashed child's restart; returns the delay."""
        if now - child.started_at >= self._stable_after:
            child.delay = self._first_delay
        delay = child.delay
        child.restart_at = now + delay
        child.delay = min(child.delay * 2, self._max_delay)
        return delay

    def _start(self, name: str, child: _Child) -> None:
        child.started_at = time.monotonic()
        try:
            # A stop (SIGTERM) waits until the child is recorded, for `stop` to stop it: raised inside Popen,
            # it left a worker that held the state's locks against the next one. Deferred through the broker's
            # readiness wait as well, which delays a stop by at most that wait.
            with stops_deferred():
                child.process = child.start()
        except Exception as exc:
            LOGGER.error(
                "child process failed to start; trying again",
                extra={
                    "child": name,
                    "error": f"{type(exc).__name__}: {exc}",
                    "restart_in_seconds": self._back_off(child, time.monotonic()),
                },
            )

    def stop(self, timeout: float = 15.0) -> None:
        processes = [child.process for child in self._children.values()]
        stop_all([process for process in processes[1:] if process is not None], timeout)
        if processes and processes[0] is not None:
            stop_all([processes[0]], timeout)
