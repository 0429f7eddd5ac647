"""End to end on a real broker: the demo site → connector → Faust worker process → alert topics, read back by
plain kafka-python consumers (not Faust)."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaProducer

from newsmon.kafka_admin import ensure_topics
from newsmon.lifetime import kill_tree
from newsmon.liveness import heartbeat_path, read_heartbeat
from newsmon.records import Alert, Article, DeadLetter, RawPage
from newsmon.settings import KafkaSettings, Settings
from newsmon.settings.alerts import WatchRule
from newsmon.settings.connector import FeedConfig
from newsmon.shell.connect import run_connector
from newsmon.shell.demo.run import demo_settings
from newsmon.shell.demo.site import DemoServer
from newsmon.shell.processes import stop_all
from newsmon.topics import ARTICLES, DEAD_LETTER, EVENTS, RAW_PAGES, Topics
from tests.alerts.harness import start_worker, wait_for, wait_until_drained
from tests.connectors.connector_testkit import FEED_HEADERS, HTML_HEADERS, LoopbackServer, Reply, rss
from tests.topic_reading import read_values

pytestmark = [pytest.mark.broker, pytest.mark.slow]

# What an analyst expects from the demo site: the EU package (carried by two outlets) once, Germany's air
# defence, Japan's grant (Arabic, raised in a later English article: an update, not a second event),
# Britain's sanctions (Arabic); nothing for Austria's refusal or the boilerplate "about us" page.
EXPECTED_ALERTS = {
    ("sanction", "EU", "announced"),
    ("commitment", "DEU", "announced"),
    ("commitment", "JPN", "announced"),
    ("sanction", "GBR", "announced"),
}
DRAIN_TIMEOUT = 90.0


def alert_signature(alert: Alert) -> tuple[str, str, str]:
    return alert.event.type, alert.event.actors[0].code, alert.event.status


def read_alerts(settings: Settings) -> list[Alert]:
    bootstrap = settings.kafka.bootstrap_servers
    return [
        Alert.from_bytes(value)
        for topic in Topics(settings.kafka.topic_prefix).alert_names()
        for value in read_values(bootstrap, topic)
    ]


def wait_for_first_alert(settings: Settings) -> None:
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while not read_alerts(settings):
        assert time.monotonic() < deadline, "no alert arrived"
        time.sleep(0.5)  # a read takes CPU from the worker on two cores: twice a second is often enough


@pytest.fixture
def site() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


@pytest.fixture
def settings(broker, site: DemoServer, tmp_path: Path) -> Settings:
    base = Settings(kafka=KafkaSettings(bootstrap_servers=broker.bootstrap_servers, partitions=3))
    configured = demo_settings(base, site, tmp_path)
    # A watch rule that holds alerts until two outlets carry the event: only the EU package (a wire copy) gets
    # there.
    configured = configured.model_copy(
        update={
            "worker": configured.worker.model_copy(update={"processes": 1}),
            "alerts": configured.alerts.model_copy(
                update={"rules": [WatchRule(name="corroborated", min_sources=2)]}
            ),
        }
    )
    ensure_topics(configured.kafka, broker.bootstrap_servers, configured.alerts.rule_names())
    return configured


def test_demo_site_alerts_each_story_once_and_dead_letters_poison(settings: Settings):
    topics = Topics(settings.kafka.topic_prefix)
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers)
    for topic in (RAW_PAGES, EVENTS):
        producer.send(topics.name(topic), key=b"poison", value=b"\xff not json").get(timeout=10)
    producer.close()

    worker = start_worker(settings)
    try:
        summary = asyncio.run(run_connector(settings, settings.kafka.bootstrap_servers))
        assert summary is not None
        wait_until_drained(settings, worker)
        alerts = read_alerts(settings)
        # A worker that works beats (newsmon.liveness; `newsmon run` restarts one that stops): its event loops
        # answer and its consumer is a member of its group.
        heartbeat = heartbeat_path(settings.state_dir)
        wait_for(lambda: read_heartbeat(heartbeat) is not None, worker, "the worker's heartbeat")
    finally:
        stop_all([worker])

    new = [alert for alert in alerts if alert.kind == "new"]
    assert sorted(alert_signature(alert) for alert in new) == sorted(EXPECTED_ALERTS)
    eu_package = next(alert for alert in new if alert.event.actors[0].code == "EU")
    assert eu_package.event.quantity is not None and eu_package.event.quantity.value == 20
    # Its second outlet reaches every reader as an update, not only the corroboration rule's topic; so does
    # Japan's raised grant, from a second outlet.
    updates = [alert for alert in alerts if alert.kind == "update"]
    assert sorted((alert_signature(alert), alert.corroboration) for alert in updates) == [
        (("commitment", "JPN", "announced"), 2),
        (("sanction", "EU", "announced"), 2),
    ]
    raised = next(alert for alert in updates if alert.event.actors[0].code == "JPN")
    assert raised.event.quantity is not None and raised.event.quantity.value == 700e6
    # The copy is not extracted again but counts as a second outlet (and the raise is Japan's second outlet).
    corroborated = [
        Alert.from_bytes(value)
        for value in read_values(settings.kafka.bootstrap_servers, topics.rule_alert_topic("corroborated"))
    ]
    assert sorted((alert_signature(alert), alert.corroboration) for alert in corroborated) == [
        (("commitment", "JPN", "announced"), 2),
        (("sanction", "EU", "announced"), 2),
    ]

    letters = [
        DeadLetter.from_bytes(value)
        for value in read_values(settings.kafka.bootstrap_servers, topics.name(DEAD_LETTER))
    ]
    assert sorted((letter.stage, letter.reason) for letter in letters) == [
        ("alerts", "undecodable"),
        ("clean", "undecodable"),
    ]
    assert all(letter.source_offset is not None and letter.key == "poison" for letter in letters)


# On Kafka only, the production path (suite time: 42 s on tansu): tansu's kill -9 of a worker while events
# flow is tests/alerts/test_delivery.py's, and its own restart is tests/newsmon/test_one_box.py's.
@pytest.mark.brokers("kafka")
def test_killed_and_restarted_worker_publishes_no_duplicate_alert(settings: Settings):
    worker = start_worker(settings)
    try:
        asyncio.run(run_connector(settings, settings.kafka.bootstrap_servers))
        wait_for_first_alert(settings)
        kill_tree(worker)  # SIGKILL mid-run: no shutdown, no final commit
        worker = start_worker(settings, "worker-restarted.log")
        wait_until_drained(settings, worker)

        # Upstream redelivery after the restart: every raw page again. The tables remember; nothing new.
        bootstrap = settings.kafka.bootstrap_servers
        raw_pages = Topics(settings.kafka.topic_prefix).name(RAW_PAGES)
        producer = KafkaProducer(bootstrap_servers=bootstrap)
        for value in read_values(bootstrap, raw_pages):
            producer.send(raw_pages, key=json.loads(value)["canonical_url"].encode(), value=value)
        producer.flush()
        producer.close()
        wait_until_drained(settings, worker)
        alerts = read_alerts(settings)
    finally:
        stop_all([worker])

    assert len({alert.alert_id for alert in alerts}) == len(alerts), "an alert was published twice"
    assert {alert_signature(alert) for alert in alerts} == EXPECTED_ALERTS


def test_readme_demo_command_prints_commitment_and_sanction_alerts(tmp_path: Path):
    env = {name: value for name, value in os.environ.items() if not name.startswith("NEWSMON_")}
    env["NEWSMON_STATE_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "newsmon", "demo", "--json"],
        env=env,
        capture_output=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    alerts = [Alert.model_validate_json(line) for line in result.stdout.decode().splitlines() if line.strip()]
    assert {alert_signature(alert) for alert in alerts} == EXPECTED_ALERTS
    assert b"in-memory" in result.stderr
    # The closing summary: the Harbor Wire copy of the EU story found by dedup, the alerts counted.
    summary = result.stderr.decode().split("demo drained:")[-1]
    assert "8 pages fetched, 8 articles (1 found to be copies)" in summary
    assert f"{len(alerts)} alert(s)" in summary


def long_read_page(paragraphs: int) -> bytes:
    """A valid article page of several MB (every paragraph distinct, so none is dropped as a repeat)."""
    words = " ".join(["Officials discussed the weather and the markets at length today."] * 12)
    body = "".join(f"<p>Paragraph {number}. {words}</p>" for number in range(paragraphs))
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>A very long read</title></head>"
        f"<body><article><h1>A very long read</h1>{body}</article></body></html>"
    ).encode()


def test_pages_of_several_mb_are_cut_and_the_pipeline_keeps_alerting(settings: Settings):
    """Before the size policy a 4.8 MB article page (a 5 MB Article) or 2 MB of binary served as text/html (a
    4.7 MB RawPage) crashed the worker at its commit, on every restart."""
    server = LoopbackServer()
    server.routes.update(
        {
            "/feed.xml": Reply(
                rss(
                    [
                        {"title": "A very long read", "link": server.url("/long"), "guid": "long"},
                        {"title": "Binary junk", "link": server.url("/binary"), "guid": "binary"},
                    ]
                ),
                headers=FEED_HEADERS,
            ),
            "/long": Reply(long_read_page(6000), headers=HTML_HEADERS),
            "/binary": Reply(random.Random(13).randbytes(2_000_000), headers=HTML_HEADERS),
        }
    )
    limits = settings.limits
    bootstrap = settings.kafka.bootstrap_servers
    topics = Topics(settings.kafka.topic_prefix)
    oversize = settings.model_copy(update={"feeds": [FeedConfig(url=server.url("/feed.xml"), name="Big")]})
    worker = start_worker(settings)
    try:
        big = asyncio.run(run_connector(oversize, bootstrap))
        assert big is not None and big.pages_published == 2
        asyncio.run(run_connector(settings, bootstrap))  # the demo site's pages, after the big ones
        wait_until_drained(settings, worker)
        alerts = read_alerts(settings)
    finally:
        stop_all([worker])
        server.close()

    assert {alert_signature(alert) for alert in alerts} == EXPECTED_ALERTS
    pages = {
        page.feed.title: page
        for page in map(RawPage.from_bytes, read_values(bootstrap, topics.name(RAW_PAGES)))
    }
    for title in ("A very long read", "Binary junk"):
        assert pages[title].truncated and len(pages[title].to_bytes()) <= limits.raw_page_bytes
    long_read = next(
        article
        for article in map(Article.from_bytes, read_values(bootstrap, topics.name(ARTICLES)))
        if article.title == "A very long read"
    )
    assert "truncated" in long_read.flags and len(long_read.to_bytes()) <= limits.article_bytes
    letters = [DeadLetter.from_bytes(value) for value in read_values(bootstrap, topics.name(DEAD_LETTER))]
    assert [(letter.stage, letter.reason) for letter in letters] == [("clean", "binary")]
    assert letters[0].payload_bytes > 1_000_000 and len(letters[0].to_bytes()) < 8 * 1024
