"""Consumer lag of the worker group per topic and partition, exposed as `newsmon_consumer_lag_records`.

Reading lag talks to Kafka (metadata, committed offsets, end offsets and LagReader's read-past probe), so a
background thread refreshes a snapshot every few seconds and a scrape only reads that snapshot: a slow or
absent broker can never stall /metrics. Every worker replica reports the same group's lag, so dashboards and
rules take `max by (topic, partition)` across instances.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

from kafka.structs import TopicPartition
from prometheus_client import REGISTRY, CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from newsmon.lag import LagReader, consumed_topics
from newsmon.settings import Settings

LOGGER = logging.getLogger(__name__)

REFRESH_SECONDS = 5.0
READ_ERRORS = Counter("newsmon_consumer_lag_read_errors_total", "Failed reads of the worker group's lag.")


class ConsumerLagCollector(Collector):
    """Serves the last lag snapshot of `group` on `topics`; `refresh` (run by `start`'s thread) renews it."""

    def __init__(
        self, bootstrap_servers: str, group: str, topics: list[str], refresh_seconds: float = REFRESH_SECONDS
    ) -> None:
        self._bootstrap_servers = bootstrap_servers
        self._group = group
        self._topics = topics
        self._refresh_seconds = refresh_seconds
        self._reader: LagReader | None = None
        self._snapshot: dict[TopicPartition, int] = {}
        self._stop = threading.Event()

    def refresh(self) -> None:
        """Read the lag now. On failure the snapshot is dropped (a stale lag would look healthy) and the
        reader rebuilt on the next refresh, since the broker may have moved or restarted."""
        try:
            if self._reader is None:
                self._reader = LagReader(self._bootstrap_servers)
            self._snapshot = self._reader.lag(self._group, self._topics)
        except Exception:  # any Kafka failure: count and log it, and keep the refresh thread alive
            LOGGER.warning("consumer lag read failed", exc_info=True, extra={"group": self._group})
            READ_ERRORS.inc()
            self._snapshot = {}
            self.close()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily(
            "newsmon_consumer_lag_records",
            "Records of a partition the worker group has not committed yet.",
            labels=["topic", "partition"],
        )
        for partition, lag in sorted(self._snapshot.items()):
            gauge.add_metric([partition.topic, str(partition.partition)], lag)
        yield gauge

    def start(self) -> None:
        threading.Thread(target=self._run, name="consumer-lag-metrics", daemon=True).start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.refresh()
            self._stop.wait(self._refresh_seconds)
        self.close()

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        if self._reader is not None:
            reader, self._reader = self._reader, None
            reader.close()


def start_lag_metrics(
    settings: Settings, bootstrap_servers: str, registry: CollectorRegistry = REGISTRY
) -> ConsumerLagCollector | None:
    """Register and start the worker group's lag collector (nothing when /metrics is disabled)."""
    if settings.metrics.port == 0:
        return None
    collector = ConsumerLagCollector(bootstrap_servers, settings.worker.app_id, consumed_topics(settings))
    registry.register(collector)
    collector.start()
    return collector
