"""Liveness of a process that runs but may no longer work: its heartbeat file, the probe that decides whether
to write it, and the rule by which `newsmon run` takes a silent child for hung.

The worker writes the heartbeat only when its main event loop runs a timer, its consumer thread's own event
loop answers within a bound and its consumer is a member of its group (streams.worker). Its absence therefore
covers a blocked main loop, a hung consumer thread, a consumer that left its group and a stopped process
(SIGSTOP) alike, and the supervisor needs no knowledge of which it was.

The heartbeat is a CLOCK_MONOTONIC reading (`time.monotonic()`, one clock for every process of the machine,
unmoved by changes of the wall clock), and the supervisor runs its children on the same machine."""

from __future__ import annotations

import asyncio
import enum
import os
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

Answer = TypeVar("Answer")

# How often a worker probes itself, and how long its consumer thread may take to answer a probe: less than the
# interval, or a silent thread makes every round of the timer overlap the next (one warning each).
HEARTBEAT_INTERVAL_SECONDS = 5.0
ANSWER_BOUND_SECONDS = 4.0


def heartbeat_path(state_dir: Path) -> Path:
    """The worker's heartbeat file."""
    return state_dir / "worker.heartbeat"


def write_heartbeat(path: Path, now: float | None = None) -> None:
    """Record `now` (default: the monotonic clock) as the latest heartbeat, atomically: a reader sees the
    previous heartbeat or this one, never a partial write (the partial file is the writer's own, should two
    workers share a state_dir)."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_text(f"{time.monotonic() if now is None else now:.3f}\n", encoding="ascii")
    os.replace(partial, path)


def read_heartbeat(path: Path) -> float | None:
    """The latest heartbeat, None when there is none (not yet written, or unreadable)."""
    try:
        return float(path.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class Liveness:
    """How a supervisor checks a running child: the child writes `heartbeat`; the first heartbeat is due
    within `grace` seconds of the child's start (starting includes restoring tables and joining the group),
    each next one within `timeout` seconds of the previous one."""

    heartbeat: Path
    timeout: float
    grace: float


def heartbeat_age(now: float, started_at: float, heartbeat_at: float | None) -> float | None:
    """Seconds since the child's latest heartbeat, None when it has written none since `started_at`: a
    heartbeat from before the start is a previous life's, one from after `now` a previous boot's (the
    monotonic clock starts over at a reboot)."""
    if heartbeat_at is None or not started_at <= heartbeat_at <= now:
        return None
    return now - heartbeat_at


def is_unresponsive(since_start: float, age: float | None, liveness: Liveness) -> bool:
    """Whether a child that runs has been silent past its limit: with no heartbeat yet (`age` None), past
    the start's grace; else with its heartbeat older than the timeout."""
    if age is None:
        return since_start > liveness.grace
    return age > liveness.timeout


class Fault(enum.Enum):
    """Why a worker writes no heartbeat (its log says so when it changes)."""

    CONSUMER_THREAD_SILENT = "its consumer thread's event loop does not answer"
    OUT_OF_GROUP = "its consumer is not a member of its group"


async def answer_within(
    loop: asyncio.AbstractEventLoop, probe: Coroutine[Any, Any, Answer], bound: float
) -> Answer | None:
    """Run `probe` on `loop` (another thread's event loop) and return its answer, or None when it does not
    answer within `bound` seconds or the loop is closed. A probe that times out is cancelled: it does not
    pile up on a loop that is only slow."""
    try:
        answer = asyncio.run_coroutine_threadsafe(probe, loop)
    except RuntimeError:  # the loop is closed: its thread has stopped
        probe.close()
        return None
    try:
        return await asyncio.wait_for(asyncio.wrap_future(answer), bound)
    except TimeoutError:
        return None
