"""Process trees in tests: `newsmon run` started on a test's settings; no process left behind.

A worker's pool processes die with it (newsmon.lifetime.die_with_worker: the kernel's parent-death signal),
but the kill -9 tests also start a broker child and must leave nothing behind whatever the code under test
does: they kill the whole tree (newsmon.lifetime.kill_tree), the way a container runtime kills a container's
processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from newsmon.lifetime import descendants
from newsmon.settings import Settings


def identity(pid: int) -> tuple[int, str] | None:
    """The pid with its start time (so that a reused pid is not taken for the process), or None once the
    process has ended: a zombie has ended too, it only waits for a reaper."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    state, start_time = fields[0], fields[19]
    return None if state == "Z" else (pid, start_time)


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(processes: set[tuple[int, str]]) -> set[tuple[int, str]]:
    return {process for process in processes if identity(process[0]) == process}


def kill_leftovers(processes: set[tuple[int, str]]) -> None:
    for pid, _ in alive(processes):
        os.kill(pid, signal.SIGKILL)


def assert_none_left(processes: set[tuple[int, str]], timeout: float = 10.0) -> None:
    """Every process of `processes` ends within `timeout` seconds (children exit after their parent)."""
    deadline = time.monotonic() + timeout
    while alive(processes):
        assert time.monotonic() < deadline, "left behind: " + ", ".join(
            f"{pid} {command_line(pid)[:100]}" for pid, _ in alive(processes)
        )
        time.sleep(0.1)


class NewsmonRun:
    """`python -m newsmon run` on a test's settings (the environment carries them, as in production), with
    every process of its tree recorded in `seen` as it appears, for `kill_leftovers` whatever the outcome."""

    def __init__(
        self, settings: Settings, log_file: Path, seen: set[tuple[int, str]], **extra_env: str
    ) -> None:
        env = {name: value for name, value in os.environ.items() if not name.startswith("NEWSMON_")}
        env |= {
            "NEWSMON_KAFKA__BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
            "NEWSMON_KAFKA__PARTITIONS": str(settings.kafka.partitions),
            "NEWSMON_KAFKA__TOPIC_PREFIX": settings.kafka.topic_prefix,
            "NEWSMON_WORKER__APP_ID": settings.worker.app_id,
            "NEWSMON_WORKER__PROCESSES": str(settings.worker.processes),
            "NEWSMON_STATE_DIR": str(settings.state_dir),
            "NEWSMON_METRICS__PORT": "0",
            **extra_env,
        }
        self.log_file = log_file
        self.seen = seen
        with open(log_file, "wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "newsmon", "run"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
            )
        seen.add((self.process.pid, identity(self.process.pid)[1]))  # type: ignore[index]

    def children(self) -> dict[int, str]:
        """The newsmon processes under `run` by pid, each as its subcommand ("worker", "connect" …)."""
        pids = descendants(self.process.pid)
        self.seen.update(filter(None, map(identity, pids)))
        lines = {pid: command_line(pid) for pid in pids}
        return {
            pid: line.split("-m newsmon ", 1)[1].strip()
            for pid, line in lines.items()
            if "-m newsmon " in line
        }

    def stop(self, timeout: float) -> None:
        """SIGTERM `run`: it exits 0 within `timeout` seconds, and every process of its tree ends with it."""
        self.process.terminate()
        assert self.process.wait(timeout=timeout) == 0
        assert_none_left(self.seen)
