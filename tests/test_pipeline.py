"""End to end on a real broker: the demo site → connector → Faust worker process → alert topics, read back by
plain kafka-python consumers (not Faust)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.structs import TopicPartition

from newsmon.broker import free_port
from newsmon.kafka_admin import ensure_topics
from newsmon.lag import LagReader
from newsmon.records import Alert, DeadLetter
from newsmon.settings import KafkaSettings, Settings
from newsmon.settings.alerts import WatchRule
from newsmon.shell.connect import run_connector
from newsmon.shell.demo.run import demo_settings
from newsmon.shell.demo.site import DemoServer
from newsmon.shell.processes import spawn, stop_all, write_effective_settings
from newsmon.topics import DEAD_LETTER, EVENTS, RAW_PAGES, Topics

pytestmark = [pytest.mark.broker, pytest.mark.slow]

# What an analyst expects from the demo site: the EU package (carried by two outlets) once, Germany's air
# defence, Japan's grant (Arabic), Britain's sanctions (Arabic); nothing for Austria's refusal or the
# boilerplate "about us" page.
EXPECTED_ALERTS = {
    ("sanction", "EU", "announced"),
    ("commitment", "DEU", "announced"),
    ("commitment", "JPN", "announced"),
    ("sanction", "GBR", "announced"),
}
DRAIN_TIMEOUT = 90.0


def alert_signature(alert: Alert) -> tuple[str, str, str]:
    return alert.event.type, alert.event.actors[0].code, alert.event.status


def read_topic(bootstrap: str, topic: str) -> list[bytes]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, consumer_timeout_ms=1500, enable_auto_commit=False)
    consumer.assign([TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())])
    consumer.seek_to_beginning()
    values = [record.value for record in consumer]
    consumer.close()
    return values


def read_alerts(settings: Settings) -> list[Alert]:
    bootstrap = settings.kafka.bootstrap_servers
    return [
        Alert.from_bytes(value)
        for topic in Topics(settings.kafka.topic_prefix).alert_names()
        for value in read_topic(bootstrap, topic)
    ]


def wait_until_drained(settings: Settings, worker: subprocess.Popen[bytes]) -> None:
    """Poll with a deadline until the worker group has committed everything twice in a row."""
    lag = LagReader(settings.kafka.bootstrap_servers)
    deadline = time.monotonic() + DRAIN_TIMEOUT
    quiet_checks = 0
    try:
        while quiet_checks < 2:
            assert worker.poll() is None, f"worker exited with {worker.returncode}"
            assert time.monotonic() < deadline, f"not drained: {lag.worker_backlog(settings)} records left"
            quiet_checks = quiet_checks + 1 if lag.worker_backlog(settings) == 0 else 0
            time.sleep(0.3)
    finally:
        lag.close()


def wait_for_first_alert(settings: Settings) -> None:
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while not read_alerts(settings):
        assert time.monotonic() < deadline, "no alert arrived"


@pytest.fixture
def site() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


@pytest.fixture
def settings(broker, site: DemoServer, tmp_path: Path) -> Settings:
    base = Settings(kafka=KafkaSettings(bootstrap_servers=broker.bootstrap_servers, partitions=3))
    configured = demo_settings(base, site, tmp_path)
    # A watch rule that holds alerts until two outlets carry the event: only the EU package (a wire copy) gets there.
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


def start_worker(settings: Settings, log_name: str = "worker.log") -> subprocess.Popen[bytes]:
    return spawn(
        ["worker"],
        write_effective_settings(settings),
        settings.kafka.bootstrap_servers,
        free_port(),
        log_file=settings.state_dir / log_name,
    )


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
    finally:
        stop_all([worker])

    assert sorted(alert_signature(alert) for alert in alerts) == sorted(EXPECTED_ALERTS)
    eu_package = next(alert for alert in alerts if alert.event.actors[0].code == "EU")
    assert eu_package.kind == "new"
    assert eu_package.event.quantity is not None and eu_package.event.quantity.value == 20
    # The copy is not extracted again but counts as a second outlet.
    corroborated = [
        Alert.from_bytes(value)
        for value in read_topic(settings.kafka.bootstrap_servers, topics.rule_alert_topic("corroborated"))
    ]
    assert [(alert_signature(alert), alert.corroboration) for alert in corroborated] == [
        (("sanction", "EU", "announced"), 2)
    ]

    letters = [
        DeadLetter.from_bytes(value)
        for value in read_topic(settings.kafka.bootstrap_servers, topics.name(DEAD_LETTER))
    ]
    assert sorted((letter.stage, letter.reason) for letter in letters) == [
        ("alerts", "undecodable"),
        ("clean", "undecodable"),
    ]
    assert all(letter.source_offset is not None and letter.key == "poison" for letter in letters)


def test_killed_and_restarted_worker_publishes_no_duplicate_alert(settings: Settings):
    worker = start_worker(settings)
    try:
        asyncio.run(run_connector(settings, settings.kafka.bootstrap_servers))
        wait_for_first_alert(settings)
        worker.kill()  # SIGKILL mid-run: no shutdown, no final commit
        worker.wait()
        worker = start_worker(settings, "worker-restarted.log")
        wait_until_drained(settings, worker)

        # Upstream redelivery after the restart: every raw page again. The tables remember; nothing new.
        bootstrap = settings.kafka.bootstrap_servers
        raw_pages = Topics(settings.kafka.topic_prefix).name(RAW_PAGES)
        producer = KafkaProducer(bootstrap_servers=bootstrap)
        for value in read_topic(bootstrap, raw_pages):
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
