"""Alert-stage latency: Event produced to `events` → alert produced, p50/p95/p99, at a steady rate on the
embedded broker with a real worker process. (Events are produced directly: this measures the alert hop, not
the extraction engine.) Run: `.venv/bin/python bench/bench_alerts.py [--rate 20] [--seconds 30]`."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer
from kafka.structs import TopicPartition

from newsmon.broker import EmbeddedBroker, free_port
from newsmon.kafka_admin import ensure_topics
from newsmon.records import Alert, Party, event_key
from newsmon.settings import KafkaSettings, Settings, WorkerSettings
from newsmon.shell.processes import spawn, stop_all, write_effective_settings
from newsmon.topics import EVENTS, Topics

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the test factories build valid Events
from tests.factories import make_event  # noqa: E402


def events(count: int) -> list:
    """Distinct events (each one `new` alert): one sanctions package number per event."""
    result = []
    for number in range(1, count + 1):
        event = make_event(
            "bench",
            quantity={"value": number, "unit": "package", "text": f"package {number}"},
            actors=[Party(name="EU", code="EU")],
        )
        key = event_key(event.type, event.category, event.targets, event.quantity)
        result.append(event.model_copy(update={"event_key": key, "event_id": key}))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=20.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    count = int(args.rate * args.seconds)
    with tempfile.TemporaryDirectory() as state, EmbeddedBroker(log_file=Path(state) / "tansu.log") as broker:
        run = uuid.uuid4().hex[:8]
        settings = Settings(
            kafka=KafkaSettings(
                bootstrap_servers=broker.bootstrap_servers, partitions=4, topic_prefix=f"bench{run}."
            ),
            worker=WorkerSettings(app_id=f"bench-{run}", processes=1),
            state_dir=Path(state),
        )
        ensure_topics(settings.kafka, broker.bootstrap_servers)
        topics = Topics(settings.kafka.topic_prefix)
        worker = spawn(
            ["worker"],
            write_effective_settings(settings),
            broker.bootstrap_servers,
            free_port(),
            log_file=Path(state) / "worker.log",
        )
        consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap_servers, enable_auto_commit=False)
        consumer.assign(
            [
                TopicPartition(topic, p)
                for topic in topics.alert_names()
                for p in sorted(consumer.partitions_for_topic(topic) or ())
            ]
        )
        producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers, linger_ms=0)
        try:
            warm = events(1)[0].model_copy(update={"event_key": "warm-up", "event_id": "warm-up"})
            producer.send(topics.name(EVENTS), key=b"warm-up", value=warm.to_bytes()).get(30)
            while not consumer.poll(timeout_ms=500):  # the worker has joined and alerts
                assert worker.poll() is None, "worker exited"
            sent: dict[str, float] = {}
            start = time.monotonic()
            for index, event in enumerate(events(count)):
                time.sleep(
                    max(0.0, start + index / args.rate - time.monotonic())
                )  # pacing, not synchronisation
                sent[event.event_key] = time.time()
                producer.send(topics.name(EVENTS), key=event.event_key.encode(), value=event.to_bytes())
            producer.flush()
            latencies: dict[str, float] = {}
            deadline = time.monotonic() + 60
            while len(latencies) < count and time.monotonic() < deadline:
                for records in consumer.poll(timeout_ms=500).values():
                    for record in records:
                        alert = Alert.from_bytes(record.value)
                        if alert.event.event_key in sent:
                            latencies.setdefault(
                                alert.event.event_key, record.timestamp / 1000 - sent[alert.event.event_key]
                            )
        finally:
            stop_all([worker])
            consumer.close()
            producer.close()
    values = sorted(latencies.values())
    quantiles = statistics.quantiles(values, n=100, method="inclusive")
    print(
        f"alert stage, Event produced → alert produced, {args.rate:g} events/s for {args.seconds:g}s "
        f"(commit interval {settings.worker.commit_interval_seconds}s)"
    )
    print(f"{'alerts':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    print(
        f"{len(values):>8} {quantiles[49] * 1000:>8.0f} {quantiles[94] * 1000:>8.0f} "
        f"{quantiles[98] * 1000:>8.0f} {values[-1] * 1000:>8.0f}"
    )
    if len(values) < count:
        print(f"missing: {count - len(values)} alert(s) did not arrive within 60 s")


if __name__ == "__main__":
    main()
