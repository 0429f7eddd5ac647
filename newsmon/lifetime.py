"""Processes that die with the one that started them: the kernel's parent-death signal (Linux prctl); and a
process killed with every process under it.

Kept apart and light: a spawned pool process imports the module of its initializer, and this one imports
nothing of Faust or the stages (streams.runtime would cost each pool process ~20 MB more)."""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

LOGGER = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


def _on_parent_death(signum: signal.Signals) -> None:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signum) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


# The stop signals received while a start is under way (`stops_deferred`), or None when none is.
_deferred_stops: list[int] | None = None


def defer_stop(signum: int) -> bool:
    """Called first by a stop signal's handler: True when a start is under way, and the signal is then raised
    again as that start ends; the handler returns without stopping."""
    if _deferred_stops is None:
        return False
    _deferred_stops.append(signum)
    return True


@contextmanager
def stops_deferred() -> Iterator[None]:
    """A block that a stop must not cut in two, such as starting a child and recording it: a stop raised
    between the fork and the record left a child nobody stopped (seen: the supervisor's `_start`). A stop
    signal whose handler consults `defer_stop` is raised again, in this thread, when the block ends. Not a
    blocked signal mask: children inherit the mask, and a child started under it would ignore SIGTERM. Not
    re-entrant (the supervisor starts one child at a time)."""
    global _deferred_stops
    _deferred_stops = []
    try:
        yield
    finally:
        received, _deferred_stops = _deferred_stops, None
        for signum in dict.fromkeys(received):
            signal.raise_signal(signum)


def die_with_parent() -> None:
    """`preexec_fn` of a child process (the embedded broker, the connector and worker of `newsmon run`): the
    kernel sends it SIGTERM when our process dies, even by SIGKILL, so it is never orphaned."""
    _on_parent_death(signal.SIGTERM)


def die_with_worker(worker_pid: int) -> None:
    """Initializer of the worker's pool processes: the kernel kills each with SIGKILL when the worker dies,
    even by SIGKILL, so a killed worker leaves no pool behind."""
    _on_parent_death(signal.SIGKILL)
    # The worker may have died before prctl: the kernel only signals a death that happens after it.
    if os.getppid() != worker_pid:
        os._exit(1)


def start_pool_process(worker_pid: int, warm_ups: Sequence[Callable[[], object]]) -> None:
    """Initializer of the worker's pool processes: die with the worker (`die_with_worker`), then run each
    stage's warm-up, so that the imports, rule files and models a stage loads on its first record (~2 s of
    CPU for clean and extract) are loaded before the process takes one. A warm-up that fails is logged and
    skipped: its stage then loads on its first record, as without one."""
    die_with_worker(worker_pid)
    for warm_up in warm_ups:
        try:
            warm_up()
        except Exception:  # a warm-up is an optimisation; the stage's own call reports its errors
            LOGGER.exception("pool process warm-up failed", extra={"warm_up": repr(warm_up)})


def descendants(pid: int) -> list[int]:
    """Every live descendant of `pid`, read from /proc (children before grandchildren)."""
    found: list[int] = []
    frontier = [pid]
    while frontier:
        parent = frontier.pop(0)
        children: list[int] = []
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue  # the thread or the process ended meanwhile
        found += children
        frontier += children
    return found


def kill_tree(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL `process`, reap it, then SIGKILL every process that was under it: no shutdown, no final commit,
    nothing left behind, as a container runtime kills a container. The process goes first, so that it cannot
    react to the death of its children (a worker to that of its pool)."""
    orphans = descendants(process.pid)
    process.kill()
    process.wait()
    for pid in orphans:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
