"""`newsmon demo`: the demo site, the broker, a worker process and the connector, with alerts printed as they
arrive; it returns once every stage has committed everything the connector published (the pipeline
drained)."""

from __future__ import annotations

import asyncio
import logging
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaConsumer
from kafka.structs import TopicPartition

from newsmon.broker import free_port
from newsmon.lag import LagReader
from newsmon.records import Article, Event
from newsmon.settings import Settings
from newsmon.settings.connector import FeedConfig
from newsmon.shell.alerts_tail import AlertReader, format_alert, format_alert_json
from newsmon.shell.connect import run_connector
from newsmon.shell.demo.site import DemoServer
from newsmon.shell.processes import kafka_for, spawn, stop_all, write_effective_settings
from newsmon.topics import ARTICLES_DEDUPED, EVENTS, RAW_PAGES, Topics

LOGGER = logging.getLogger(__name__)


def demo_settings(settings: Settings, site: DemoServer, state_dir: Path) -> Settings:
    run_id = uuid.uuid4().hex[:8]
    feeds = [
        FeedConfig(
            url=url, name=site.site.outlets[slug]["name"], language=site.site.outlets[slug]["language"]
        )
        for slug, url in site.feed_urls().items()
    ]
    return settings.model_copy(
        update={
            "feeds": feeds,
            "state_dir": state_dir,
            # A fresh prefix and group per run: a real Kafka keeps topics and tables between runs.
            "kafka": settings.kafka.model_copy(update={"topic_prefix": f"newsmon-demo-{run_id}."}),
            "worker": settings.worker.model_copy(update={"app_id": f"newsmon-demo-{run_id}"}),
            # Three days of news arrive within a second: an update merged for `debounce_seconds` would come
            # after the demo has drained and returned.
            "alerts": settings.alerts.model_copy(update={"debounce_seconds": 0.0}),
            "connector": settings.connector.model_copy(
                update={
                    "allowed_hosts": [*settings.connector.allowed_hosts, "127.0.0.1"],
                    "poll_interval_seconds": 5.0,
                    "per_host_min_delay_seconds": 0.0,
                }
            ),
        }
    )


@dataclass(frozen=True)
class DemoSummary:
    """What the pipeline did with the demo's news, beyond the alerts: a newcomer sees that copies were found
    and that requests and refusals were tracked without alerting."""

    pages: int = 0
    articles: int = 0
    copies: int = 0
    boilerplate_dropped: int = 0  # paragraphs (share bars, "read also" links) removed by clean
    events_by_status: Counter[str] = field(default_factory=Counter)
    alerts: int = 0

    def describe(self) -> str:
        statuses = ", ".join(f"{count} {status}" for status, count in self.events_by_status.most_common())
        return "\n".join(
            [
                "demo drained:",
                f"  {self.pages} pages fetched, {self.articles} articles ({self.copies} found to be copies), "
                f"{self.boilerplate_dropped} boilerplate paragraphs dropped",
                f"  {self.events_by_status.total()} event sightings: {statuses or 'none'}",
                f"  {self.alerts} alert(s)",
            ]
        )


def _values(bootstrap_servers: str, lag: LagReader, topic: str) -> Iterator[bytes]:
    """Every record value of `topic`, from the beginning to its end as it stands now."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        ends = lag.end_offsets(partitions)
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            for partition, records in consumer.poll(timeout_ms=500).items():
                yield from (record.value for record in records if record.offset < ends[partition])
    finally:
        consumer.close()


def summarise(bootstrap_servers: str, lag: LagReader, topics: Topics, alerts: int) -> DemoSummary:
    articles = [
        Article.from_bytes(value) for value in _values(bootstrap_servers, lag, topics.name(ARTICLES_DEDUPED))
    ]
    return DemoSummary(
        pages=sum(1 for _ in _values(bootstrap_servers, lag, topics.name(RAW_PAGES))),
        articles=len(articles),
        copies=sum(1 for article in articles if article.dedup and article.dedup.duplicate_of),
        boilerplate_dropped=sum(len(article.removed_boilerplate) for article in articles),
        events_by_status=Counter(
            Event.from_bytes(value).status for value in _values(bootstrap_servers, lag, topics.name(EVENTS))
        ),
        alerts=alerts,
    )


def _run_connector(
    settings: Settings,
    bootstrap_servers: str,
    forever: bool,
    done: threading.Event,
    failure: list[BaseException],
) -> None:
    try:
        asyncio.run(run_connector(settings, bootstrap_servers, asyncio.Event() if forever else None))
    except BaseException as exc:  # noqa: BLE001 - reported to the main thread
        failure.append(exc)
    finally:
        done.set()


def run_demo(settings: Settings, *, forever: bool, timeout: float, as_json: bool) -> DemoSummary:
    """Run the demo; return what it did. Raises TimeoutError if it does not drain in time."""
    render = format_alert_json if as_json else format_alert
    printed = 0
    with tempfile.TemporaryDirectory(prefix="newsmon-demo-") as state, DemoServer() as site:
        demo = demo_settings(settings, site, Path(state))
        with kafka_for(demo) as bootstrap_servers:
            worker = spawn(
                ["worker"],
                write_effective_settings(demo),
                bootstrap_servers,
                free_port(),
                log_file=Path(state) / "worker.log",
            )
            reader = AlertReader(
                bootstrap_servers, Topics(demo.kafka.topic_prefix).alert_names(), from_beginning=True
            )
            lag = LagReader(bootstrap_servers)
            connector_done, failure = threading.Event(), []
            threading.Thread(
                target=_run_connector,
                name="demo-connector",
                daemon=True,
                args=(demo, bootstrap_servers, forever, connector_done, failure),
            ).start()
            deadline = time.monotonic() + timeout
            drained_checks = 0
            try:
                while forever or drained_checks < 2:
                    for alert in reader.poll(timeout_ms=250):
                        print(render(alert), flush=True)
                        printed += 1
                    if failure:
                        raise RuntimeError(f"demo connector failed: {failure[0]!r}") from failure[0]
                    if worker.poll() is not None:
                        raise RuntimeError(f"demo worker exited with {worker.returncode}; see its log")
                    if not forever and time.monotonic() > deadline:
                        raise TimeoutError(
                            f"demo did not drain within {timeout:.0f}s "
                            f"({lag.worker_backlog(demo)} records left)"
                        )
                    drained = connector_done.is_set() and reader.at_end() and lag.worker_backlog(demo) == 0
                    drained_checks = drained_checks + 1 if drained else 0
                return summarise(bootstrap_servers, lag, Topics(demo.kafka.topic_prefix), printed)
            finally:
                reader.close()
                lag.close()
                stop_all([worker])
