"""Issue 17 on Apache Kafka: two workers share 4 partitions while events flow; one is killed with SIGKILL. The
other takes over its partitions once Kafka's session timeout evicts it, the killed one is restarted, and the
alert topics end with every expected alert exactly once — counted in records, not only in distinct ids.

The worker runs at-least-once on Kafka too: Faust's exactly_once was measured and does not cover the alert
records (see README, "Idempotence without transactions"); the alert stage's read-back keeps them single."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from newsmon.lifetime import kill_tree
from newsmon.shell.processes import stop_all
from tests.alerts.harness import EventProducer, start_worker, wait_for, wait_until_drained
from tests.alerts.test_delivery import expected_alerts, flowing_events
from tests.kafka.harness import (
    REBALANCE_TIMEOUT_SECONDS,
    SESSION_TIMEOUT_SECONDS,
    AlertTap,
    create_topics,
    group_members,
    run_settings,
)
from tests.kafka_server import KafkaServer

pytestmark = [pytest.mark.broker, pytest.mark.slow]


def test_a_killed_worker_is_taken_over_and_no_alert_is_lost_or_repeated(
    kafka_broker: KafkaServer, tmp_path: Path, record_property: pytest.RecordProperty
):
    bootstrap = kafka_broker.bootstrap_servers
    settings = create_topics(run_settings(bootstrap, tmp_path))
    group = settings.worker.app_id
    # A state_dir each, as each replica has its container: two workers cannot share RocksDB tables.
    first, second = (settings.model_copy(update={"state_dir": tmp_path / name}) for name in ("w1", "w2"))
    events = flowing_events()
    expected = expected_alerts(events, settings.alerts)
    producer = EventProducer(settings)
    tap = AlertTap(settings)
    stop_producing = threading.Event()

    def produce() -> None:
        for event in events[1:]:  # a steady 10 events/s
            if stop_producing.wait(0.1):
                return
            producer.send(event)

    feeder = threading.Thread(target=produce)
    workers = [start_worker(first), start_worker(second)]
    try:
        wait_for(
            lambda: group_members(bootstrap, group) == ("Stable", 2), workers, "both workers in the group"
        )
        producer.send(events[0])
        wait_for(lambda: len(tap.values()) >= 1, workers, "the first alert")
        feeder.start()
        wait_for(lambda: len(tap.values()) >= 12, workers, "a dozen alerts")
        assert feeder.is_alive(), "the events ran out before the kill: it would not be mid-stream"
        kill_tree(workers[0])  # SIGKILL mid-stream: no shutdown, no LeaveGroup, no final commit
        killed_at = time.monotonic()
        wait_for(
            lambda: group_members(bootstrap, group) == ("Stable", 1),
            workers[1],
            "the surviving worker to own every partition",
            timeout=2 * (SESSION_TIMEOUT_SECONDS + REBALANCE_TIMEOUT_SECONDS),
        )
        takeover_seconds = time.monotonic() - killed_at
        record_property("takeover_seconds", round(takeover_seconds, 1))
        feeder.join()
        # The survivor alone finishes the stream, partitions of the killed worker included.
        # 45 s, not the harness's 90: a takeover finishes in about 10 s. (Records fetched while the survivor
        # sought its new partitions used to be cleared from the stream buffers, which stalled it here: the
        # first point of streams/consumer.py's "4. Seeks after a rebalance"; and sends held across the
        # rebalance repeated an alert in the assertion below: its point 6.)
        wait_for(lambda: set(tap.ids()) >= set(expected), workers[1], "every expected alert", timeout=45.0)
        complete_seconds = time.monotonic() - killed_at
        record_property("every_alert_seconds", round(complete_seconds, 1))

        workers[0] = start_worker(first, "worker-restarted.log")
        wait_for(
            lambda: group_members(bootstrap, group) == ("Stable", 2), workers, "the restarted worker back"
        )
        wait_until_drained(settings, workers)
        published = tap.ids()
    finally:
        stop_producing.set()
        stop_all(workers)
        producer.close()
        tap.close()

    print(
        f"kill -9 of one of two workers: the other owned every partition after {takeover_seconds:.1f} s "
        f"(session timeout {SESSION_TIMEOUT_SECONDS:.0f} s), all alerts out after {complete_seconds:.1f} s"
    )
    assert Counter(kind for kind in expected.values()) == {"new": 30, "update": 30}
    # Nothing lost, nothing repeated: each expected alert is exactly one record on the alert topics.
    assert published == Counter(dict.fromkeys(expected, 1))
