"""What every agent shares: decoding with a dead-letter fallback, the process pool for CPU-bound work,
stage metrics, and the origin of a message (used to make table-backed stages idempotent under redelivery).

Agents stay thin: decode → pure function (in the pool when CPU-bound) → send. Anything that goes wrong with
one record is logged with its topic/partition/offset, counted, and dead-lettered; the agent keeps running.

Agents whose work runs in the pool (clean, fingerprint, extract) run `pool_concurrency` instances, one per pool
process, so the pool stays busy while each instance awaits its record; their table reads and writes happen
before or after that await, never across it. The others run one instance: their table state is read, changed
and written per message in order. Several instances are safe only because streams.consumer never commits past
a message still in flight (faust-streaming 0.15 alone does, and lost records here under at-least-once).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import faust
from faust.types import EventT
from pydantic import ValidationError

from newsmon import metrics
from newsmon.records import DeadLetter, Record
from newsmon.settings import Settings
from newsmon.topics import DEAD_LETTER, Topics

LOGGER = logging.getLogger(__name__)

R = TypeVar("R", bound=Record)
T = TypeVar("T")


class PoolCrash(Exception):
    reason = "pool_crash"


@dataclass(frozen=True)
class Origin:
    """Where a message sits in Kafka; a stage that claims a key remembers the origin of the claiming message so
    that a redelivery of that same message (after a crash before the offset commit) repeats its output."""

    topic: str
    partition: int
    offset: int

    @classmethod
    def of(cls, event: EventT) -> Origin:
        return cls(event.message.topic, event.message.partition, event.message.offset)

    def as_list(self) -> list[Any]:
        return [self.topic, self.partition, self.offset]


def _payload_text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="backslashreplace")
    return str(value)


class StageRuntime:
    """Built once per worker; handed to every stage's `install`."""

    def __init__(self, app: faust.App, settings: Settings, pool: Executor | None = None) -> None:
        self.app = app
        self.settings = settings
        self.topics = Topics(settings.kafka.topic_prefix)
        self._pool = pool
        self._dead_letter_topic = self.topic(DEAD_LETTER)

    def topic(self, name: str) -> faust.TopicT:
        """A Faust topic of raw bytes: records are (de)serialised by newsmon.records, not by Faust, so that a
        poison message reaches our dead-letter path instead of a codec error inside Faust."""
        return self.app.topic(
            self.topics.name(name),
            value_serializer="raw",
            key_serializer="raw",
            partitions=self.settings.kafka.partitions,
        )

    def table(self, name: str, **options: Any) -> faust.Table:
        """A RocksDB-backed table of this worker, one store per partition, with bounded memory: RocksDB's
        defaults (64 MB write buffers ×3, a 2 GB block cache) apply per partition store, and a worker holds
        tables × partitions of them."""
        worker = self.settings.worker
        store = {
            "write_buffer_size": worker.table_write_buffer_mb << 20,
            "block_cache_size": worker.table_block_cache_mb << 20,
        }
        return self.app.Table(
            name, default=None, partitions=self.settings.kafka.partitions, options=store, **options
        )

    @property
    def pool_concurrency(self) -> int:
        """Instances of an agent whose work runs in the pool: one per pool process."""
        return self.settings.worker.processes

    def _ensure_pool(self) -> Executor:
        if self._pool is None:
            # forkserver, not fork: the worker already runs aiokafka threads, and forking a threaded process
            # can copy a held lock into the child.
            self._pool = ProcessPoolExecutor(
                max_workers=self.settings.worker.processes,
                mp_context=multiprocessing.get_context("forkserver"),
            )
        return self._pool

    async def in_pool(self, function: Callable[..., T], *args: Any) -> T:
        """Run CPU-bound work off the event loop so consumers, heartbeats and commits keep flowing.

        A pool whose child died (killed, out of memory, a crash in a C extension) is replaced and the work tried
        once more; a second death on the same record makes it a poison record (`PoolCrash`)."""
        loop = asyncio.get_running_loop()
        pool = self._ensure_pool()
        try:
            return await loop.run_in_executor(pool, function, *args)
        except BrokenProcessPool:
            LOGGER.warning("process pool broke; replacing it and retrying the record once")
            self._replace_broken_pool(pool)
        pool = self._ensure_pool()
        try:
            return await loop.run_in_executor(pool, function, *args)
        except BrokenProcessPool as exc:
            self._replace_broken_pool(pool)
            raise PoolCrash(f"a pool process died twice on this record: {exc}") from exc

    def _replace_broken_pool(self, broken: Executor) -> None:
        # Several in-flight records see the same breakage; only the first replaces the pool.
        if self._pool is broken:
            self._pool = None
            broken.shutdown(wait=False, cancel_futures=True)

    async def attempt(self, stage: str, event: EventT, work: Awaitable[T]) -> T | None:
        """Await `work` for one record; on failure dead-letter the record and return None.

        Errors that carry a `reason` attribute (the stages' own error classes) are expected bad input; anything
        else is a bug on one record, logged with its traceback, and must not stop the stage either.
        """
        with self.timed(stage):
            try:
                return await work
            except Exception as exc:  # one bad record must never stop the stage
                reason = getattr(exc, "reason", None)
                if reason is None:
                    LOGGER.exception(
                        "unexpected error in stage", extra={"stage": stage, "offset": event.message.offset}
                    )
                await self.dead_letter(
                    stage, reason or "unexpected_error", f"{type(exc).__name__}: {exc}", event
                )
                return None

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    async def records(
        self, stage: str, model: type[R], stream: faust.StreamT, *, keyed: bool = False
    ) -> AsyncIterator[tuple[EventT, R]]:
        """The valid `model` records of `stream`, each with its event; an undecodable record (or, when `keyed`,
        a record without a key) is dead-lettered instead."""
        metrics.initialise_stage(stage)
        async for event in stream.events():
            record = await self.decode(stage, model, event)
            if record is None:
                continue
            if keyed and event.key is None:
                await self.dead_letter(stage, "missing_key", f"a {model.__name__} record needs a key", event)
                continue
            yield event, record

    async def decode(self, stage: str, model: type[R], event: EventT) -> R | None:
        """The record in `event`, or None after dead-lettering it when it is not a valid `model`."""
        metrics.RECORDS_IN.labels(stage).inc()
        try:
            return model.from_bytes(event.value)
        except (ValidationError, ValueError, TypeError) as exc:
            await self.dead_letter(stage, "undecodable", f"not a valid {model.__name__}: {exc}", event)
            return None

    async def dead_letter(self, stage: str, reason: str, error: str, event: EventT) -> None:
        origin = Origin.of(event)
        key = _payload_text(event.key) if event.key is not None else None
        LOGGER.error(
            "record dead-lettered",
            extra={
                "stage": stage,
                "reason": reason,
                "error": error,
                "topic": origin.topic,
                "partition": origin.partition,
                "offset": origin.offset,
                "key": key,
            },
        )
        metrics.STAGE_ERRORS.labels(stage, reason).inc()
        metrics.DEAD_LETTERS.labels(stage, reason).inc()
        letter = DeadLetter(
            stage=stage,
            reason=reason,
            error=error[:2000],
            source_topic=origin.topic,
            source_partition=origin.partition,
            source_offset=origin.offset,
            key=key,
            payload=_payload_text(event.value),
            failed_at=datetime.now(UTC),
        )
        await self._dead_letter_topic.send(key=key, value=letter.to_bytes())

    @contextmanager
    def timed(self, stage: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            metrics.PROCESSING_SECONDS.labels(stage).observe(time.perf_counter() - started)

    async def send(
        self, stage: str, topic: faust.TopicT, key: str, record: Record, partition: int | None = None
    ) -> None:
        await topic.send(key=key, value=record.to_bytes(), partition=partition)
        metrics.RECORDS_OUT.labels(stage).inc()
