"""Issue 17 on Apache Kafka: the broker is killed with SIGKILL while events and pages flow, then started
again on the same port and log dir. The worker and the connector ride the outage out (neither exits); every
page the site released reaches `raw-pages`, every expected alert reaches the alert topics, and the worker's
group ends with nothing left to process.

(The connector's own guarantee across a Kafka restart, nothing marked seen before Kafka acknowledged it, is
tests/connectors/test_connector_broker_outage.py.)"""

from __future__ import annotations

import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka.errors import KafkaError

from bench.loadgen import LoadServer, LoadSpec, loadgen_settings
from newsmon.broker import free_port
from newsmon.records import Event, RawPage
from newsmon.settings import Settings
from newsmon.shell.processes import spawn, stop_all, write_effective_settings
from newsmon.topics import RAW_PAGES, Topics
from tests.alerts.harness import EventProducer, start_worker, wait_for, wait_until_drained
from tests.alerts.test_delivery import expected_alerts, flowing_events
from tests.kafka.harness import AlertTap, TopicTap, create_topics, group_members, run_settings
from tests.kafka_server import KafkaServer

pytestmark = [pytest.mark.broker, pytest.mark.slow]

# 16 pages released at 2 per second on 2 feeds while the events flow: the connector is fetching and
# publishing when the broker dies.
SPEC = LoadSpec(pages=16, feeds=2, rate=2.0, event_share=0.0, duplicate_share=0.0, seed=17)
# The broker's restart (a JVM, the KRaft quorum, log recovery) takes 10-20 s on these 2 shared cores.
OUTAGE_DEADLINE = 120.0


@pytest.fixture
def kafka(kafka_jars: list[Path], tmp_path: Path) -> Iterator[KafkaServer]:
    """A broker of this test alone: it is killed and restarted, which the session's broker must never be."""
    with KafkaServer(kafka_jars, tmp_path / "kafka") as server:
        yield server


def start_connector(settings: Settings) -> subprocess.Popen[bytes]:
    return spawn(
        ["connect"],
        write_effective_settings(settings),
        settings.kafka.bootstrap_servers,
        free_port(),
        log_file=settings.state_dir / "connect.log",
    )


def send_through_outage(producer: EventProducer, event: Event) -> None:
    """Send `event`, again and again while the broker is away (as a producing service would)."""
    deadline = time.monotonic() + OUTAGE_DEADLINE
    while True:
        try:
            producer.send(event)
            return
        except KafkaError:
            if time.monotonic() > deadline:
                raise


def test_kill_9_of_kafka_mid_stream_loses_nothing_and_stops_no_process(kafka: KafkaServer, tmp_path: Path):
    with LoadServer(SPEC) as site:
        state = tmp_path / "state"
        settings = create_topics(loadgen_settings(run_settings(kafka.bootstrap_servers, state), site, state))
        bootstrap = settings.kafka.bootstrap_servers
        pages = {f"{site.base_url}/f{i % SPEC.feeds}/a/{i}.html" for i in range(SPEC.pages)}
        events = flowing_events()
        expected = expected_alerts(events, settings.alerts)
        producer = EventProducer(settings)
        feeder = threading.Thread(
            target=lambda: [(time.sleep(0.1), send_through_outage(producer, event)) for event in events[1:]]
        )
        processes = [start_worker(settings), start_connector(settings)]
        tap = AlertTap(settings)
        raw_pages = TopicTap(settings, [Topics(settings.kafka.topic_prefix).name(RAW_PAGES)])
        try:
            wait_for(lambda: raw_pages.values(), processes, "the connector's first page")
            wait_for(
                lambda: group_members(bootstrap, settings.worker.app_id) == ("Stable", 1),
                processes,
                "the worker in its group",
            )
            producer.send(events[0])
            wait_for(lambda: len(tap.values()) >= 1, processes, "the first alert")
            feeder.start()
            wait_for(lambda: len(tap.values()) >= 12, processes, "a dozen alerts")
            assert feeder.is_alive(), "the events ran out before the kill: it would not be mid-stream"
            kafka.kill()  # SIGKILL: no controlled shutdown, no flush of the log
            tap.close()
            raw_pages.close()
            kafka.start()  # same port, same log dir
            tap = AlertTap(settings)
            raw_pages = TopicTap(settings, [Topics(settings.kafka.topic_prefix).name(RAW_PAGES)])
            feeder.join()
            wait_for(lambda: set(tap.ids()) >= set(expected), processes, "every alert", OUTAGE_DEADLINE)
            wait_for(
                lambda: {RawPage.from_bytes(value).url for value in raw_pages.values()} >= pages,
                processes,
                "every page on raw-pages",
            )
            wait_until_drained(settings, processes)
            published = tap.ids()
        finally:
            stop_all(processes)
            producer.close()
            tap.close()
            raw_pages.close()

    assert Counter(kind for kind in expected.values()) == {"new": 30, "update": 30}
    assert set(published) == set(expected)
    print(f"alert records after a Kafka kill -9: {sum(published.values())} for {len(expected)} alerts")
    assert published == Counter(dict.fromkeys(expected, 1))
