"""The one-box service (issue 17): `newsmon run` outlives a restart of the broker it runs.

On tansu a restart is a new, empty cluster: `newsmon run` starts it again on its port, the connector publishes
again what the lost broker had acknowledged, the worker rebuilds its tables once instead of crash-looping, and
new pages keep reaching `articles`. The state kept against a cluster is unit-tested beside it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from kafka import KafkaConsumer
from kafka.structs import TopicPartition
from newsmon.connectors.state import ConnectorState
from newsmon.streams.worker import rebuild_tables_for, tables_dir

from newsmon.broker_identity import lost_cluster, record_cluster, recorded_cluster
from newsmon.kafka_local import KAFKA_VERSION, new_cluster_id
from newsmon.records import Article
from newsmon.settings import Settings
from newsmon.shell.processes import Supervisor
from newsmon.topics import ARTICLES, Topics
from tests.connectors.connector_testkit import FEED_HEADERS, HTML_HEADERS, LoopbackServer, Reply, rss
from tests.kafka_server import compose_kafka_version
from tests.process_tree import descendants

DEADLINE_SECONDS = 90.0
BODY = (
    "The council of the city met on Tuesday evening and agreed on a new plan for the harbour district. "
    "The plan, which was debated for more than three hours, includes new housing and a ferry terminal. "
    "Members of the opposition said the costs had not been explained and asked for an independent review."
)


def wait_for(condition: Callable[[], bool], timeout: float = DEADLINE_SECONDS) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def article_urls(bootstrap_servers: str, topic: str) -> set[str]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not partitions:
            return set()
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        end = consumer.end_offsets(partitions)
        urls: set[str] = set()
        deadline = time.monotonic() + 10
        while any(consumer.position(p) < end[p] for p in partitions) and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200).values():
                urls.update(Article.from_bytes(record.value).url for record in batch)
        return urls
    finally:
        consumer.close()


def log_lines(log_file: Path) -> list[dict[str, object]]:
    lines = []
    for line in log_file.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue  # a line cut short by a killed writer
    return lines


@pytest.mark.broker
@pytest.mark.slow
def test_run_survives_a_tansu_restart(tmp_path: Path):
    site = LoopbackServer()
    items = [{"title": f"Story {n}", "link": site.url(f"/{n}"), "guid": str(n)} for n in range(2)]
    for n in range(3):
        page = (
            f"<head><title>Story {n}</title></head><body><article><h1>Story {n}</h1><p>{BODY}</p></article>"
        )
        site.routes[f"/{n}"] = Reply(f"<html lang='en'>{page}</body></html>".encode(), headers=HTML_HEADERS)
    site.routes["/feed.xml"] = Reply(rss(items), headers=FEED_HEADERS)
    config = tmp_path / "newsmon.toml"
    config.write_text(
        f'state_dir = "{tmp_path / "state"}"\n'
        "[kafka]\npartitions = 1\n[worker]\nprocesses = 1\n[metrics]\nport = 0\n"
        '[connector]\nallowed_hosts = ["127.0.0.1"]\npoll_interval_seconds = 1\npoll_jitter_fraction = 0\n'
        "per_host_min_delay_seconds = 0\nobey_robots_txt = false\nbackoff_initial_seconds = 1\n"
        f'[[feeds]]\nurl = "{site.url("/feed.xml")}"\nname = "Loopback"\n',
        encoding="utf-8",
    )
    env = {name: value for name, value in os.environ.items() if not name.startswith("NEWSMON_")}
    log_file = tmp_path / "run.log"
    with open(log_file, "wb") as output:
        run = subprocess.Popen(
            [sys.executable, "-m", "newsmon", "--config", str(config), "run"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
        )
    topic = Topics("newsmon.").name(ARTICLES)

    def tansu() -> list[int]:
        return [pid for pid in descendants(run.pid) if "--listener-url" in _command(pid)]

    try:
        assert wait_for(lambda: len(tansu()) == 1), "no broker"
        [first] = tansu()

        def announced() -> set[str]:
            return {
                str(line["bootstrap_servers"])
                for line in log_lines(log_file)
                if line["logger"] == "newsmon.broker"
            }

        assert wait_for(lambda: len(announced()) == 1), "the broker did not say where it listens"
        [bootstrap] = announced()
        assert wait_for(lambda: article_urls(str(bootstrap), topic) == {site.url("/0"), site.url("/1")}), (
            "the first articles did not arrive"
        )

        os.kill(first, signal.SIGKILL)
        assert wait_for(lambda: tansu() not in ([], [first])), "the broker was not started again"
        items.append({"title": "Story 2", "link": site.url("/2"), "guid": "2"})
        site.routes["/feed.xml"] = Reply(rss(items), headers=FEED_HEADERS)
        # The new broker is empty: the connector publishes the lost pages again, and the new one flows.
        every = {site.url(f"/{n}") for n in range(3)}
        assert wait_for(lambda: article_urls(str(bootstrap), topic) == every), "pages stopped flowing"

        lines = log_lines(log_file)
        exits = [line["child"] for line in lines if line["msg"] == "child process exited; restarting it"]
        assert exits.count("broker") == 1
        # At most two worker exits: one on the new cluster (its tables were built on the lost one), and one
        # more when the restarted tansu refuses a partition's first batches, on which the worker stops
        # without committing (streams/consumer.py, 8.) and reads them anew (seen once in seven runs). A
        # crash loop is many more.
        assert exits.count("worker") <= 2, "the worker crash-loops"
        assert run.poll() is None
        noticed = sorted(str(line["logger"]) for line in lines if "is a new cluster" in str(line["msg"]))
        assert noticed == ["newsmon.connectors.service", "newsmon.streams.worker"]
    finally:
        run.terminate()  # its children, broker last, stop with it
        try:
            run.wait(timeout=DEADLINE_SECONDS)
        except subprocess.TimeoutExpired:
            run.kill()
        site.close()


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


# ------------------------------------------------------------------------------- state kept against a cluster


def test_cluster_record_tells_a_lost_cluster_from_the_same_or_a_first_one(tmp_path: Path):
    marker = tmp_path / "cluster-id"
    assert recorded_cluster(marker) is None
    assert lost_cluster(marker, "one") is None  # nothing recorded: the state is the current cluster's
    record_cluster(marker, "one")
    assert lost_cluster(marker, "one") is None
    assert lost_cluster(marker, "two") == "one"


def test_worker_removes_its_tables_when_the_cluster_is_new(tmp_path: Path):
    settings = Settings(state_dir=tmp_path)
    store = tables_dir(settings) / "store"
    store.mkdir(parents=True)
    forgotten: list[str] = []

    def rebuild(cluster: str) -> bool:
        return rebuild_tables_for(settings, cluster, lambda: forgotten.append(cluster))

    assert rebuild("one") is False and store.exists()  # first run: kept
    assert rebuild("one") is False and store.exists()
    assert forgotten == []
    assert rebuild("two") is True and not tables_dir(settings).exists()
    assert forgotten == ["two"]  # the stale worker's topics and offsets on the new cluster
    assert rebuild("two") is False and forgotten == ["two"]


def test_connector_forgets_what_a_lost_broker_acknowledged(tmp_path: Path):
    state = ConnectorState(tmp_path)
    try:
        state.mark_seen("https://a.example/feed", [("k1",), ("k2",)])
        state.record_success(
            "https://a.example/feed", etag='"v1"', last_modified="yesterday", next_poll=5.0, hint_seconds=None
        )
        assert state.forget_published() == 2
        assert state.unseen("https://a.example/feed", [("k1",)]) == [True]
        feed = state.feed("https://a.example/feed")
        # The next poll must get the feed whole (no 304), and keeps its schedule.
        assert (feed.etag, feed.last_modified, feed.next_poll) == (None, None, 5.0)
    finally:
        state.close()


# ------------------------------------------------------------------------------- supervision of a broker


class _Exited:
    """A process that already ended, for the supervisor to restart."""

    pid = 1
    returncode = -signal.SIGKILL

    def poll(self) -> int:
        return self.returncode


def test_supervisor_adopts_a_running_broker_and_retries_a_failed_start():
    starts: list[str] = []

    def failing_start() -> subprocess.Popen[bytes]:
        starts.append("broker")
        raise RuntimeError("port taken")

    supervisor = Supervisor(
        {"broker": failing_start},
        first_delay=0.0,
        running={"broker": _Exited()},  # type: ignore[dict-item]
    )
    supervisor.check()  # the adopted broker exited: a restart is due at once
    supervisor.check()  # the restart fails: counted as a crash, not raised
    supervisor.check()
    assert starts == ["broker", "broker"]


# ------------------------------------------------------------------------------- the local Kafka


def test_local_kafka_is_the_version_production_runs():
    assert compose_kafka_version() == KAFKA_VERSION


def test_cluster_id_never_starts_with_a_dash(monkeypatch: pytest.MonkeyPatch):
    # kafka-storage takes an id starting with "-" for an option and refuses to format (seen in a soak run).
    draws = iter([uuid.UUID(bytes=bytes([0xF8]) + bytes(15)), uuid.UUID(bytes=bytes(16))])
    monkeypatch.setattr(uuid, "uuid4", lambda: next(draws))
    assert new_cluster_id() == "AAAAAAAAAAAAAAAAAAAAAA"
