"""SIGKILL for a worker process in tests, its descendants included.

A worker's pool processes die with it (newsmon.lifetime.die_with_worker: the kernel's parent-death signal),
but the kill -9 tests also start a broker child and must leave nothing behind whatever the code under test
does: they kill the whole tree, the way a container runtime kills a container's processes."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path


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


def kill_9(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL `process` (no shutdown, no final commit), then the descendants it leaves orphaned."""
    orphans = descendants(process.pid)
    process.kill()
    process.wait()
    for pid in orphans:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
