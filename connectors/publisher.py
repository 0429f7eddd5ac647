"""Kafka publishing of RawPage and DeadLetter records: the only Kafka code in the connector (kafka-python).

The producer is created lazily and re-created after a failure, so a broker that is down at start or goes
away mid-run costs failed publishes (which the connector retries on its next poll), never a dead connector.
A producer replaced after a failure is closed only once no publish uses it any more: feeds publish from
several threads at once, and kafka-python's send on a producer closed under it while it waits for the
topic's metadata waits out `max_block_ms` (30 s) — a feed not polled for 30 s after a broker restart, and a
feed listing less than that lost the items it listed meanwhile (bench_soak, 5 items per feed) — or raises
RuntimeError ("NetworkSelector closed!"), which failed the feed's poll as a crash.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from kafka import KafkaAdminClient, KafkaProducer
from kafka.errors import KafkaError
from kafka.producer.future import FutureRecordMetadata, RecordMetadata
from newsmon.connectors.errors import PublishError

from newsmon.broker_identity import accepts_connections, cluster_id
from newsmon.records import DeadLetter, RawPage
from newsmon.settings.limits import LimitsSettings
from newsmon.topics import DEAD_LETTER, RAW_PAGES, Topics

LOGGER = logging.getLogger(__name__)


class RawPagePublisher:
    """Publishes RawPages (key: canonical URL) and dead letters (key: the feed or page URL)."""

    def __init__(
        self,
        bootstrap_servers: str,
        topics: Topics,
        *,
        client_id: str = "newsmon-connector",
        timeout_seconds: float = 30.0,
        limits: LimitsSettings | None = None,
    ) -> None:
        """`limits`: the size policy the records were fitted to (default: the default one); the producer
        accepts any record within it."""
        self._bootstrap_servers = bootstrap_servers
        self._client_id = client_id
        self._timeout = timeout_seconds
        self._max_request_bytes = (limits or LimitsSettings()).max_message_bytes
        self._raw_pages = topics.name(RAW_PAGES)
        self._dead_letter = topics.name(DEAD_LETTER)
        self._producer: KafkaProducer | None = None
        self._users: Counter[KafkaProducer] = Counter()  # publishes using each producer now
        self._lock = threading.RLock()
        self._pending: list[tuple[KafkaProducer, FutureRecordMetadata]] = []

    def _ensure_producer(self) -> KafkaProducer:
        """The current producer, created if there is none."""
        with self._lock:
            if self._producer is None:
                timeout_ms = int(self._timeout * 1000)
                try:
                    self._producer = KafkaProducer(
                        bootstrap_servers=self._bootstrap_servers,
                        client_id=self._client_id,
                        acks="all",
                        enable_idempotence=True,
                        linger_ms=5,
                        max_request_size=self._max_request_bytes,
                        max_block_ms=timeout_ms,
                        delivery_timeout_ms=timeout_ms,
                        bootstrap_timeout_ms=timeout_ms,
                        request_timeout_ms=min(
                            timeout_ms // 2, 30_000
                        ),  # must stay below delivery_timeout_ms
                        reconnect_backoff_ms=100,
                        reconnect_backoff_max_ms=5_000,
                        retry_backoff_ms=200,
                    )
                except (KafkaError, OSError) as exc:
                    raise PublishError(
                        f"cannot connect to Kafka at {self._bootstrap_servers}: {exc}"
                    ) from exc
            return self._producer

    @contextmanager
    def _lease(self) -> Iterator[KafkaProducer]:
        """The current producer, kept open until the caller is done with it (see the module docstring)."""
        with self._lock:
            producer = self._ensure_producer()
            self._users[producer] += 1
        try:
            yield producer
        finally:
            with self._lock:
                self._users[producer] -= 1
                unused = self._users[producer] == 0
                if unused:
                    del self._users[producer]
                retired = unused and producer is not self._producer
            if retired:
                _close_now(producer)

    def _retire(self, producer: KafkaProducer) -> None:
        """After a failed delivery on `producer`: the next publish gets a new one (the idempotent producer's
        sequence state may be stale, e.g. an in-memory broker restarted). `producer` is closed now if no
        publish uses it, else when the last one is done with it."""
        with self._lock:
            if self._producer is producer:
                self._producer = None
            unused = self._users[producer] == 0
        if unused:
            _close_now(producer)

    def _send(
        self, producer: KafkaProducer, topic: str, key: str | None, value: bytes
    ) -> FutureRecordMetadata:
        try:
            return producer.send(topic, key=key.encode("utf-8") if key else None, value=value)
        except KafkaError as exc:
            self._retire(producer)
            raise PublishError(f"send to {topic} failed: {exc}") from exc

    def _wait(
        self, sent: Iterable[tuple[KafkaProducer, FutureRecordMetadata]], timeout: float | None
    ) -> list[RecordMetadata]:
        deadline = time.monotonic() + (self._timeout if timeout is None else timeout)
        failures, acknowledged = [], []
        for producer, future in sent:
            try:
                acknowledged.append(future.get(timeout=max(0.0, deadline - time.monotonic())))
            except KafkaError as exc:
                failures.append(exc)
                self._retire(producer)
        if failures:
            raise PublishError(f"{len(failures)} record(s) not acknowledged: {failures[0]}")
        return acknowledged

    def cluster_id(self) -> str | None:
        """The id of the cluster this publisher publishes to, None when no broker answers now."""
        return cluster_id(self._bootstrap_servers)

    def publish(self, page: RawPage) -> None:
        """Send without waiting; `flush` waits for the acknowledgements."""
        with self._lease() as producer:
            future = self._send(producer, self._raw_pages, page.canonical_url, page.to_bytes())
        with self._lock:
            self._pending.append((producer, future))

    def publish_confirmed(self, pages: list[RawPage], timeout: float | None = None) -> list[RecordMetadata]:
        """Send `pages` and wait until Kafka acknowledged every one; raises `PublishError` otherwise.
        Only these pages are waited for, so concurrent feeds don't wait on (or fail for) each other.
        Returns where each page went (partition, offset), in order."""
        with self._lease() as producer:
            futures = [
                self._send(producer, self._raw_pages, page.canonical_url, page.to_bytes()) for page in pages
            ]
            return self._wait([(producer, future) for future in futures], timeout)

    def committed(self, group: str) -> dict[int, int] | None:
        """`group`'s committed offset per partition of `raw-pages` (what the worker has finished: a stage's
        outputs are published before its input's offset is committed); None when the broker does not
        answer."""
        if not accepts_connections(self._bootstrap_servers, self._timeout):
            return None
        try:
            admin = KafkaAdminClient(
                bootstrap_servers=self._bootstrap_servers,
                client_id=self._client_id,
                request_timeout_ms=int(self._timeout * 1000),
            )
        except (KafkaError, OSError, ValueError):
            return None
        try:
            offsets = admin.list_group_offsets({group: None}).get(group, {})
        except (KafkaError, OSError, ValueError):
            return None
        finally:
            admin.close()
        return {
            tp.partition: found.offset
            for tp, found in offsets.items()
            if tp.topic == self._raw_pages and found.offset >= 0
        }

    def dead_letter(self, letter: DeadLetter) -> None:
        """Best effort and not waited for: a dead letter that cannot be delivered is logged, never raised."""

        def lost(exc: Exception) -> None:
            LOGGER.warning(
                "dead letter not delivered",
                extra={"feed": letter.key, "reason": letter.reason, "error": str(exc)},
            )

        try:
            with self._lease() as producer:
                self._send(producer, self._dead_letter, letter.key, letter.to_bytes()).add_errback(lost)
        except PublishError as exc:
            lost(exc)

    def flush(self, timeout: float | None = None) -> None:
        """Wait for every record sent with `publish`; raises `PublishError` if any was lost."""
        with self._lock:
            pending, self._pending = self._pending, []
        self._wait(pending, timeout)

    def close(self) -> None:
        with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            producer.close(timeout=self._timeout)


def _close_now(producer: KafkaProducer) -> None:
    try:
        producer.close(timeout=0)
    except KafkaError:
        pass  # records still queued are the failed ones, already reported by the caller
