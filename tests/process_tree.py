"""SIGKILL for a worker process in tests, its descendants included.

A `newsmon worker` killed by SIGKILL leaves its process pool behind: multiprocessing's forkserver hands every
pool process the write end of the forkserver's and the resource tracker's liveness pipes, and a pool process
holds both ends of its own call queue, so none of them ever reads EOF and all three outlive the worker. In a
container they die with it (the runtime kills the container's processes when its main process exits); a
test has to do the same, or each kill -9 test leaves a forkserver, a resource tracker and a pool process."""

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
