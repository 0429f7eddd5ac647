"""Process hygiene (issue 13): a worker killed by SIGKILL takes its process pool with it, `newsmon run`
restarts a child that died, and a worker creates its state_dir."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaProducer

from newsmon.broker import free_port
from newsmon.records import FeedItem, RawPage
from newsmon.settings import KafkaSettings, Settings, WorkerSettings
from newsmon.shell.processes import spawn, stop_all, write_effective_settings
from newsmon.topics import RAW_PAGES, Topics
from tests.process_tree import NewsmonRun, assert_none_left, command_line, descendants, identity

pytestmark = [pytest.mark.broker, pytest.mark.brokers("tansu")]

DEADLINE_SECONDS = 60.0
POOL_PROCESSES = 2


def wait_for(condition: Callable[[], bool], timeout: float = DEADLINE_SECONDS) -> bool:
    """Poll `condition` until it holds (True) or the deadline passes (False)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture
def settings(broker, tmp_path: Path) -> Settings:
    """Settings of this test alone on the session's broker: its own topics, consumer group and changelogs."""
    tag = f"hygiene{time.monotonic_ns()}"
    return Settings(
        kafka=KafkaSettings(bootstrap_servers=broker.bootstrap_servers, partitions=1, topic_prefix=f"{tag}."),
        worker=WorkerSettings(app_id=tag, processes=POOL_PROCESSES),
        state_dir=tmp_path / "state",
    )


def start_worker(settings: Settings, log_file: Path) -> subprocess.Popen[bytes]:
    return spawn(
        ["worker"],
        write_effective_settings(settings),
        settings.kafka.bootstrap_servers,
        free_port(),
        log_file=log_file,
    )


def raw_page(n: int) -> RawPage:
    url = f"https://hygiene.example/{n}"
    published = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
    return RawPage(
        url=url,
        final_url=url,
        canonical_url=url,
        http_status=200,
        html=f"<html lang='en'><head><title>Story {n}</title></head><body><article><h1>Story {n}</h1>"
        f"<p>The council met on Tuesday and agreed on story number {n}.</p></article></body></html>",
        headers={"Content-Type": "text/html; charset=utf-8"},
        fetched_at=published,
        feed=FeedItem(
            feed_url="https://hygiene.example/feed",
            feed_name="hygiene.example",
            title=f"Story {n}",
            published=published,
            language_hint="en",
        ),
    )


def test_kill_9_of_a_worker_leaves_none_of_its_processes(settings: Settings, tmp_path: Path, tree_cleanup):
    worker = start_worker(settings, tmp_path / "worker.log")
    tree_cleanup.add((worker.pid, identity(worker.pid)[1]))  # type: ignore[index]
    try:
        # Pool processes start on demand: the clean stage runs each raw page in the pool.
        producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers)
        for n in range(2 * POOL_PROCESSES):
            producer.send(
                Topics(settings.kafka.topic_prefix).name(RAW_PAGES),
                key=b"%d" % n,
                value=raw_page(n).to_bytes(),
            )
        producer.flush()
        producer.close()

        def pool_started() -> bool:
            tree_cleanup.update(filter(None, map(identity, descendants(worker.pid))))
            return any("multiprocessing.spawn" in command_line(pid) for pid, _ in tree_cleanup)

        assert wait_for(pool_started), "no pool process started"
        assert worker.poll() is None, "the worker died before the test killed it"

        worker.kill()
        worker.wait()
        assert_none_left(tree_cleanup)
    finally:
        stop_all([worker])


def test_run_restarts_a_killed_worker_and_says_so(settings: Settings, tmp_path: Path, tree_cleanup):
    log_file = tmp_path / "run.log"
    run = NewsmonRun(settings, log_file, tree_cleanup)

    def worker_children() -> list[int]:
        return [pid for pid, command in run.children().items() if command == "worker"]

    def restart_lines() -> list[dict[str, object]]:
        lines = [json.loads(line) for line in log_file.read_text().splitlines() if line.startswith("{")]
        return [line for line in lines if line["msg"] == "child process exited; restarting it"]

    try:
        assert wait_for(lambda: len(worker_children()) == 1), "no worker child"
        [first] = worker_children()
        os.kill(first, signal.SIGKILL)

        assert wait_for(lambda: worker_children() not in ([], [first])), "the worker was not restarted"
        assert run.process.poll() is None
        [line] = restart_lines()
        assert (line["child"], line["exit_code"], line["signal"], line["restart_in_seconds"]) == (
            "worker",
            -signal.SIGKILL,
            "SIGKILL",
            1.0,
        )
        run.stop(timeout=DEADLINE_SECONDS)  # its children stop with it
    finally:
        stop_all([run.process])


def test_worker_creates_a_missing_state_dir_with_its_parents(
    settings: Settings, tmp_path: Path, tree_cleanup
):
    nested = settings.model_copy(update={"state_dir": tmp_path / "not" / "yet" / "there"})
    # The settings file lives elsewhere: writing it would create the state_dir.
    settings_file = tmp_path / "settings.json"
    settings_file.write_text(nested.model_dump_json(), encoding="utf-8")
    worker = spawn(
        ["worker"],
        settings_file,
        settings.kafka.bootstrap_servers,
        free_port(),
        log_file=tmp_path / "worker.log",
    )
    tree_cleanup.add((worker.pid, identity(worker.pid)[1]))  # type: ignore[index]
    tables = nested.state_dir / "worker" / "v1" / "tables"
    try:
        # Faust opens its table stores once it owns partitions, well past the start that failed.
        assert wait_for(lambda: worker.poll() is not None or any(tables.glob("*.db"))), (
            "no table store opened"
        )
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        tree_cleanup.update(filter(None, map(identity, descendants(worker.pid))))
        stop_all([worker])
