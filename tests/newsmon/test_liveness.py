"""Liveness (issue 17): the heartbeat file, the probe across event loops, the rule that takes a silent child
for hung, and the supervisor that kills such a child with its processes and starts it again. No broker: the
worker's own heartbeat is checked by tests/test_pipeline.py (the demo site test)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from newsmon.lifetime import descendants
from newsmon.liveness import (
    Liveness,
    answer_within,
    heartbeat_age,
    is_unresponsive,
    read_heartbeat,
    write_heartbeat,
)
from newsmon.shell.cli import Shutdown, _raise_shutdown
from newsmon.shell.processes import Supervisor, stop_all
from tests.process_tree import alive, identity, kill_leftovers

DEADLINE_SECONDS = 30.0
LIVENESS = Liveness(Path("unused"), timeout=60.0, grace=300.0)


def wait_for(condition: Callable[[], bool], timeout: float = DEADLINE_SECONDS, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


# ------------------------------------------------------------------------------- the rule


def test_heartbeat_age_counts_only_a_heartbeat_of_this_life():
    assert heartbeat_age(now=100.0, started_at=50.0, heartbeat_at=90.0) == 10.0
    assert heartbeat_age(now=100.0, started_at=50.0, heartbeat_at=None) is None
    assert heartbeat_age(now=100.0, started_at=50.0, heartbeat_at=40.0) is None  # the previous life's
    assert heartbeat_age(now=100.0, started_at=50.0, heartbeat_at=5000.0) is None  # before a reboot


def test_a_starting_child_has_the_grace_then_each_heartbeat_the_timeout():
    assert not is_unresponsive(since_start=299.0, age=None, liveness=LIVENESS)  # restoring tables, joining
    assert is_unresponsive(since_start=301.0, age=None, liveness=LIVENESS)
    # Once it has beaten, the timeout counts, however recent the start.
    assert not is_unresponsive(since_start=30.0, age=59.0, liveness=LIVENESS)
    assert is_unresponsive(since_start=30.0, age=61.0, liveness=LIVENESS)
    assert not is_unresponsive(since_start=10_000.0, age=1.0, liveness=LIVENESS)


def test_heartbeat_file_round_trip(tmp_path: Path):
    path = tmp_path / "worker.heartbeat"
    assert read_heartbeat(path) is None
    write_heartbeat(path, now=123.5)
    assert read_heartbeat(path) == 123.5
    path.write_text("half a wri", encoding="ascii")
    assert read_heartbeat(path) is None


# ------------------------------------------------------------------------------- the probe across loops


@pytest.fixture
def thread_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop running in its own thread, as Faust's consumer thread runs its own."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(DEADLINE_SECONDS)
    loop.close()


async def answer(value: bool) -> bool:
    return value


def test_probe_returns_the_answer_of_the_other_loop(thread_loop: asyncio.AbstractEventLoop):
    assert asyncio.run(answer_within(thread_loop, answer(True), bound=DEADLINE_SECONDS)) is True
    assert asyncio.run(answer_within(thread_loop, answer(False), bound=DEADLINE_SECONDS)) is False


def test_probe_of_a_blocked_loop_has_no_answer_after_its_bound(thread_loop: asyncio.AbstractEventLoop):
    release = threading.Event()
    thread_loop.call_soon_threadsafe(release.wait, DEADLINE_SECONDS)  # blocks that loop's thread
    try:
        assert asyncio.run(answer_within(thread_loop, answer(True), bound=0.2)) is None
    finally:
        release.set()


def test_probe_of_a_closed_loop_has_no_answer():
    loop = asyncio.new_event_loop()
    loop.close()
    assert asyncio.run(answer_within(loop, answer(True), bound=DEADLINE_SECONDS)) is None


# ------------------------------------------------------------------------------- the supervisor

# A child that starts a grandchild (as the worker starts its pool), then beats every 50 ms until stopped.
BEATING_CHILD = """
import subprocess, sys, time
from pathlib import Path
from newsmon.liveness import write_heartbeat
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
while True:
    write_heartbeat(Path(sys.argv[1]))
    time.sleep(0.05)
"""


def silenced(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    return [record for record in records if "has stopped working" in record.getMessage()]


def sleeper() -> subprocess.Popen[bytes]:
    """A child that never beats."""
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])


def test_supervisor_kills_a_stopped_child_with_its_processes_and_restarts_it(tmp_path: Path, caplog):
    heartbeat = tmp_path / "worker.heartbeat"
    started: list[subprocess.Popen[bytes]] = []
    seen: set[tuple[int, str]] = set()  # the grandchild, killed whatever the outcome

    def start() -> subprocess.Popen[bytes]:
        # The first life beats, the restarted one only sleeps (it is stopped at the end of the test).
        process = (
            subprocess.Popen([sys.executable, "-c", BEATING_CHILD, str(heartbeat)])
            if not started
            else sleeper()
        )
        started.append(process)
        return process

    supervisor = Supervisor(
        {"worker": start},
        first_delay=0.0,
        liveness={"worker": Liveness(heartbeat, timeout=1.0, grace=DEADLINE_SECONDS)},
    )
    caplog.set_level(logging.ERROR, logger="newsmon.shell.processes")
    try:
        supervisor.check()  # starts it
        [first] = started

        def beating_with_its_grandchild() -> bool:
            supervisor.check()
            return read_heartbeat(heartbeat) is not None and len(descendants(first.pid)) == 1

        assert wait_for(beating_with_its_grandchild), "the child did not beat"
        [grandchild] = [identity(pid) for pid in descendants(first.pid)]
        assert grandchild is not None
        seen.add(grandchild)
        os.kill(first.pid, signal.SIGSTOP)  # alive, and silent

        def restarted() -> bool:
            supervisor.check()
            return len(started) == 2

        assert wait_for(restarted), "the stopped child was not restarted"
        assert first.returncode == -signal.SIGKILL
        assert wait_for(lambda: not alive(seen)), "its grandchild was left behind"
        [record] = silenced(caplog.records)
        assert record.child == "worker" and record.pid == first.pid
        assert record.heartbeat_age_seconds >= 1.0 and record.limit_seconds == 1.0
    finally:
        for process in started:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGCONT)
        supervisor.stop(timeout=DEADLINE_SECONDS)
        stop_all(started)
        kill_leftovers(seen)


def test_supervisor_kills_a_child_that_never_beats_once_its_grace_is_over(tmp_path: Path, caplog):
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        started.append(sleeper())
        return started[-1]

    supervisor = Supervisor(
        {"worker": start},
        first_delay=0.0,
        liveness={"worker": Liveness(tmp_path / "worker.heartbeat", timeout=60.0, grace=0.3)},
    )
    caplog.set_level(logging.ERROR, logger="newsmon.shell.processes")
    try:
        supervisor.check()
        supervisor.check()
        assert len(started) == 1 and started[0].poll() is None  # within its grace

        def restarted() -> bool:
            supervisor.check()
            return len(started) == 2

        assert wait_for(restarted), "the silent child was not restarted"
        [record] = silenced(caplog.records)
        assert record.heartbeat_age_seconds is None and record.limit_seconds == 0.3
        assert record.since_start_seconds >= 0.3
    finally:
        supervisor.stop(timeout=DEADLINE_SECONDS)
        stop_all(started)


def test_a_beating_child_is_not_taken_for_silent_while_another_child_starts(tmp_path: Path, caplog):
    """Starting the broker holds the supervisor until the broker is ready (Kafka: 5-20 s); the worker beats
    meanwhile, so its heartbeat is newer than a clock reading taken before that start."""
    heartbeat = tmp_path / "worker.heartbeat"
    started: list[subprocess.Popen[bytes]] = []

    def start_broker() -> subprocess.Popen[bytes]:
        time.sleep(1.0)  # the slow start under test, not a synchronisation
        started.append(sleeper())
        return started[-1]

    def start_worker() -> subprocess.Popen[bytes]:
        started.append(subprocess.Popen([sys.executable, "-c", BEATING_CHILD, str(heartbeat)]))
        return started[-1]

    supervisor = Supervisor(
        {"broker": start_broker, "worker": start_worker},
        first_delay=0.0,
        liveness={"worker": Liveness(heartbeat, timeout=60.0, grace=0.5)},
    )
    caplog.set_level(logging.ERROR, logger="newsmon.shell.processes")
    seen: set[tuple[int, str]] = set()
    try:
        supervisor.check()  # starts both
        broker, worker = started
        assert wait_for(lambda: read_heartbeat(heartbeat) is not None), "the worker did not beat"
        seen.update(pid for pid in (identity(p) for p in descendants(worker.pid)) if pid is not None)
        time.sleep(0.5)  # past the worker's grace, so that only its heartbeat's age keeps it alive
        broker.kill()
        broker.wait()
        supervisor.check()  # notes the broker's exit
        supervisor.check()  # restarts it, 1 s, then checks the worker
        assert len(started) == 3, "the broker was not restarted"
        assert worker.poll() is None and not silenced(caplog.records)
    finally:
        supervisor.stop(timeout=DEADLINE_SECONDS)
        stop_all(started)
        kill_leftovers(seen)


def test_a_stop_during_a_start_takes_effect_once_the_child_is_recorded():
    """`newsmon run` got SIGTERM while Popen started a worker: the stop was raised inside the start, the
    supervisor never recorded the child, and that worker outlived the run holding the state's locks."""
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        started.append(sleeper())
        os.kill(os.getpid(), signal.SIGTERM)  # the stop arrives while the start is under way
        return started[-1]

    supervisor = Supervisor({"worker": start}, first_delay=0.0)
    previous = signal.signal(signal.SIGTERM, _raise_shutdown)  # what `newsmon` installs
    try:
        with pytest.raises(Shutdown):
            supervisor.check()
        [process] = started
        supervisor.stop(timeout=DEADLINE_SECONDS)
        assert process.returncode == -signal.SIGTERM  # recorded, so stopped by the supervisor
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop_all(started)
