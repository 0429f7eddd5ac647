"""What every agent shares: decoding with a dead-letter fallback, the process pool for CPU-bound work,
stage metrics, and the origin of a message (used to make table-backed stages idempotent under redelivery).

Agents stay thin: decode → pure function (in the pool when CPU-bound) → send. Bad input — anything that goes
wrong with one record — is logged with its topic/partition/offset, counted, and dead-lettered; the agent keeps
running. A fault of the environment (newsmon.faults: the state disk, the broker) is not the record's: the
stage holds the record and tries it again with backoff, so a full disk stalls the pipeline instead of
dead-lettering good records. Every record sent is first fitted to the size policy (newsmon.limits), so no
input, however large, makes a producer raise.

Agents whose work runs in the pool (clean, fingerprint, extract) run `pool_concurrency` instances, one per
pool process, so the pool stays busy while each instance awaits its record; their table reads and writes
happen before or after that await, never across it. The others run one instance: their table state is read,
changed and written per message in order. Several instances are safe only because streams.consumer never
commits past a message still in flight (faust-streaming 0.15 alone does, and lost records here under
at-least-once).
"""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, MutableMapping
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import faust
from faust.types import EventT
from pydantic import ValidationError

from newsmon import metrics
from newsmon.faults import SERIALIZATION, environment_fault
from newsmon.lifetime import start_pool_process
from newsmon.limits import fit_record, kind_of, payload_head
from newsmon.records import DeadLetter, MessageOrigin, Record
from newsmon.settings import Settings
from newsmon.topics import DEAD_LETTER, Topics

LOGGER = logging.getLogger(__name__)

R = TypeVar("R", bound=Record)
T = TypeVar("T")
TableT = TypeVar("TableT", bound=faust.Table)


class PoolCrash(Exception):
    reason = "pool_crash"


def origin_of(event: EventT) -> MessageOrigin:
    return MessageOrigin(event.message.topic, event.message.partition, event.message.offset)


SCAN_BATCH = 1000  # table entries a scan reads between two yields to the event loop (~5-50 ms of work)


def stored_items(table: faust.Table, partition: int | None = None) -> Iterator[tuple[Any, Any]]:
    """The (key, value) pairs `table` holds for this worker's active partitions (or for `partition` alone),
    read straight from its RocksDB stores: for scans of days of state, which yield to the event loop as they
    go (it must not stall for the consumer's session timeout). Faust's own iteration would break off when a
    rebalance changes the stores midway, reads every partition's store, and its decoding searches every value
    for Faust models to rebuild (~30 µs a join state, five times the JSON); the tables hold plain JSON (their
    default serializer), parsed here. An entry of a partition revoked midway may still come: read it again
    through the table before acting on it."""
    store = table.data
    if partition is None:
        dbs = list(store._dbs_for_actives())
    else:
        dbs = [db for number, db in list(store._dbs.items()) if number == partition]
    for db in dbs:
        for key, value in store._visible_items(db):
            yield store._decode_key(key), json.loads(value)


class WriteBehindTable(MutableMapping[Any, Any]):
    """A Faust table (keys placed by the partitioner) whose writes reach its local store at once and its
    changelog once per offset commit: the last value of each key written since the previous commit, sent just
    before the offsets of the messages that wrote it are committed (Faust flushes the producer before it
    commits). A worker that dies before that commit loses the writes, but not the messages that made them:
    those were not committed either and come again — the guarantee of a table written through. A state that
    several messages rewrite between two commits (the dedup join's) costs one changelog record, not one
    each."""

    def __init__(self, table: faust.Table) -> None:
        if not table.use_partitioner:
            raise ValueError(f"table {table.name}: a write-behind table needs use_partitioner=True")
        self.table = table
        self._pending: dict[Any, Any] = {}

    def __getitem__(self, key: Any) -> Any:
        return self.table[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self.table.data[key] = value
        self._pending[key] = value

    def __delitem__(self, key: Any) -> None:
        self._pending.pop(key, None)
        del self.table[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)

    def send_pending(self) -> None:
        """Send each key written since the last call to the changelog, once, with its last value."""
        pending, self._pending = self._pending, {}
        for key, value in pending.items():
            self.table.send_changelog(None, key, value)


class _SendPendingWrites(faust.Sensor):
    """Faust calls `on_commit_initiated` on the event loop right before it takes the offsets to commit, with
    no await in between: every write of a message whose offset is committed has been sent by then."""

    def __init__(self, tables: list[WriteBehindTable]) -> None:
        super().__init__()
        self.tables = tables

    def on_commit_initiated(self, consumer: Any) -> None:
        for table in self.tables:
            table.send_pending()


class PartitionSweeper:
    """Deletes the expired entries of a table keyed like its topic (an entry lives on the partition of the
    message that wrote it) from within its stream: there a deletion goes to the changelog partition of the
    message being processed, so only that partition's entries are swept (its own store: `stored_items`), at
    most once per `interval_seconds` each, yielding to the event loop as it reads. `expired(stored value,
    partition, now)` says which. `date(stored value, partition, now)`, if given, returns an entry written
    before entries said when they expire dated as if written now on `partition` (None for one that says it):
    the sweep stores it so, and it expires in its turn. A fault of the state store skips the sweep (the next
    comes an interval later); the record's own step then holds until it clears. A plain dict stands for the
    table in unit tests: its entries are all read, and `expired` tells their partition."""

    def __init__(
        self,
        name: str,
        table: faust.Table,
        expired: Callable[[Any, int, float], bool],
        interval_seconds: float,
        date: Callable[[Any, int, float], Any | None] | None = None,
    ) -> None:
        self.name = name
        self.table = table
        self.expired = expired
        self.interval_seconds = interval_seconds
        self.date = date
        self._swept_at: dict[int, float] = {}

    async def __call__(self, partition: int) -> None:
        now = time.time()
        if now < self._swept_at.get(partition, float("-inf")) + self.interval_seconds:
            return
        self._swept_at[partition] = now
        try:
            await self._sweep(partition, now)
        except Exception as exc:
            if environment_fault(exc) is None:
                raise
            LOGGER.warning(
                "table sweep skipped", extra={"table": self.name, "partition": partition, "error": str(exc)}
            )

    def _entries(self, partition: int) -> Iterable[tuple[Any, Any]]:
        if isinstance(self.table, faust.Table):
            return stored_items(self.table, partition)
        return list(self.table.items())

    async def _sweep(self, partition: int, now: float) -> None:
        for count, (key, stored) in enumerate(self._entries(partition), 1):
            if count % SCAN_BATCH == 0:
                await asyncio.sleep(0)
            if not (self._undated(stored, partition, now) or self.expired(stored, partition, now)):
                continue
            # Read again and changed in one step: the stream's other agent instances may have written it
            # while this scan yielded. Within the stream a read sees the store of the message's partition
            # only: found there, the entry lives on this partition.
            current = self.table.get(key)
            if current is None:
                continue
            dated = self.date(current, partition, now) if self.date is not None else None
            if dated is not None:
                self.table[key] = dated
            elif self.expired(current, partition, now):
                del self.table[key]

    def _undated(self, stored: Any, partition: int, now: float) -> bool:
        return self.date is not None and self.date(stored, partition, now) is not None


class StageRuntime:
    """Built once per worker; handed to every stage's `install`."""

    def __init__(self, app: faust.App, settings: Settings, pool: Executor | None = None) -> None:
        self.app = app
        self.settings = settings
        self.topics = Topics(settings.kafka.topic_prefix)
        self._pool = pool
        self._dead_letter_topic = self.topic(DEAD_LETTER)
        self._write_behind: list[WriteBehindTable] = []
        self._pool_warm_ups: list[Callable[[], object]] = []
        self._idle_commit: asyncio.Future[None] | None = None
        self._commit_again = False
        metrics.initialise_size_policy()

    def topic(self, name: str) -> faust.TopicT:
        """A Faust topic of raw bytes: records are (de)serialised by newsmon.records, not by Faust, so that a
        poison message reaches our dead-letter path instead of a codec error inside Faust."""
        return self.app.topic(
            self.topics.name(name),
            value_serializer="raw",
            key_serializer="raw",
            partitions=self.settings.kafka.partitions,
            config=self.settings.limits.topic_config(),
        )

    def table(self, name: str, kind: type[TableT] = faust.Table, **options: Any) -> TableT:
        """A RocksDB-backed table of this worker (of class `kind`), one store per partition, with bounded
        memory: RocksDB's defaults (64 MB write buffers ×3, a 2 GB block cache) apply per partition store, and
        a worker holds tables × partitions of them."""
        worker = self.settings.worker
        store = {
            "write_buffer_size": worker.table_write_buffer_mb << 20,
            "block_cache_size": worker.table_block_cache_mb << 20,
        }
        table = kind(
            self.app,
            name=name,
            default=None,
            beacon=self.app.tables.beacon,
            partitions=self.settings.kafka.partitions,
            options=store,
            extra_topic_configs=self.settings.limits.topic_config(),
            **options,
        )
        return self.app.tables.add(table)

    def write_behind_table(self, name: str, **options: Any) -> WriteBehindTable:
        """`table(name, **options)`, its changelog written once per commit (`WriteBehindTable`)."""
        if not self._write_behind:
            self.app.sensors.add(_SendPendingWrites(self._write_behind))
        table = WriteBehindTable(self.table(name, **options))
        self._write_behind.append(table)
        return table

    @property
    def pool_concurrency(self) -> int:
        """Instances of an agent whose work runs in the pool: one per pool process."""
        return self.settings.worker.processes

    def agent(
        self,
        source: faust.ChannelT,
        name: str,
        process: Callable[[faust.StreamT], Awaitable[None]],
        *,
        in_pool: bool = False,
    ) -> faust.types.AgentT:
        """Attach `process` (a stage agent's method that consumes the stream) to the app as agent `name`:
        `pool_concurrency` instances when its work runs in the pool (`in_pool`), else one."""
        concurrency = self.pool_concurrency if in_pool else 1
        return self.app.agent(source, name=name, concurrency=concurrency)(process)

    def warm_pool_with(self, warm_up: Callable[[], object]) -> None:
        """Run `warm_up` (picklable: a module-level function or a partial of one, from a Faust-free module) in
        each pool process as it starts (`lifetime.start_pool_process`). Stages register theirs at install,
        before the pool exists."""
        self._pool_warm_ups.append(warm_up)

    def start_pool(self) -> None:
        """Start every pool process now, without waiting for them: each runs the stages' warm-ups before it
        takes work, while Faust joins the group and recovers the tables, so the first pages after a start
        cost what later ones do (without it, ~2 s of imports and rule files in each of the first records'
        latency). The executor starts a process per call submitted while none is idle: `processes` calls
        submitted at once start them all. Called on the thread that runs the event loop, which lives as long
        as the worker (see `_ensure_pool`); a pool that breaks meanwhile is replaced by the first record."""
        pool = self._ensure_pool()
        for _ in range(self.pool_concurrency):
            pool.submit(os.getpid)

    def _ensure_pool(self) -> Executor:
        if self._pool is None:
            # spawn, not fork: the worker already runs aiokafka threads, and forking a threaded process can
            # copy a held lock into the child. Not forkserver either: its pool processes are the forkserver's
            # children and hold the write ends of the forkserver's and the resource tracker's liveness pipes,
            # so after a kill -9 of the worker all of them lived on (4 processes, ~215 MB, with two pool
            # processes). Spawned pool processes are the worker's own children and have the kernel kill them
            # when it dies (die_with_worker); the resource tracker then reads EOF and exits. The kernel ties
            # that signal to the thread that started the process: ProcessPoolExecutor starts them in `submit`,
            # on the event loop's thread, which lives as long as the worker. Measured against forkserver: the
            # same ~0.7 s to the first results of two processes, and about the same memory (~100 MB RSS each).
            self._pool = ProcessPoolExecutor(
                max_workers=self.settings.worker.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=start_pool_process,
                initargs=(os.getpid(), tuple(self._pool_warm_ups)),
            )
        return self._pool

    async def in_pool(self, function: Callable[..., T], *args: Any) -> T:
        """Run CPU-bound work off the event loop so consumers, heartbeats and commits keep flowing.

        A pool whose child died (killed, out of memory, a crash in a C extension) is replaced and the work
        tried once more; a second death on the same record makes it a poison record (`PoolCrash`)."""
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

    async def attempt(
        self, stage: str, event: EventT, work: Callable[..., Awaitable[T]], *args: Any
    ) -> T | None:
        """Await `work(*args)` for one record until it is done with it; on bad input dead-letter the record
        and return None.

        A fault of the environment (newsmon.faults) is not the record's: `work` is run again after a backoff
        (doubling, capped), for as long as the fault lasts, and each failure is counted and logged in one
        line; the stage makes no progress meanwhile. Any other error is bad input: errors that carry a
        `reason` (the stages' own error classes) are expected; anything else is a bug on one record, logged
        with its traceback, and must not stop the stage either.
        """
        worker = self.settings.worker
        delay = worker.fault_backoff_initial_seconds
        while True:
            with self.timed(stage):
                try:
                    return await work(*args)
                except Exception as exc:  # one bad record must never stop the stage
                    fault = environment_fault(exc)
                    if fault is None:
                        await self._bad_input(stage, event, exc)
                        return None
                    error = f"{type(exc).__name__}: {exc}"
            metrics.ENVIRONMENT_FAULTS.labels(stage, fault).inc()
            LOGGER.warning(
                "environment fault; the record is held and tried again",
                extra={
                    "stage": stage,
                    "fault": fault,
                    "error": error,
                    "offset": event.message.offset,
                    "retry_in_seconds": delay,
                },
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, worker.fault_backoff_max_seconds)

    async def _bad_input(self, stage: str, event: EventT, exc: Exception) -> None:
        reason = getattr(exc, "reason", None)
        if reason is None:
            LOGGER.exception(
                "unexpected error in stage", extra={"stage": stage, "offset": event.message.offset}
            )
        await self.dead_letter(stage, reason or "unexpected_error", f"{type(exc).__name__}: {exc}", event)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    async def records(
        self, stage: str, model: type[R], stream: faust.StreamT, *, keyed: bool = False
    ) -> AsyncIterator[tuple[EventT, R]]:
        """The valid `model` records of `stream`, each with its event; an undecodable record (or, when
        `keyed`, a record without a key) is dead-lettered instead."""
        metrics.initialise_stage(stage)
        async for event in self.events(stream):
            record = await self.decode(stage, model, event)
            if record is None:
                continue
            if keyed and event.key is None:
                await self.dead_letter(stage, "missing_key", f"a {model.__name__} record needs a key", event)
                continue
            yield event, record

    async def events(self, stream: faust.StreamT) -> AsyncIterator[EventT]:
        """The events of `stream`, as Faust's `stream.events()`; when the agent is done with one and nothing
        else waits in its buffer, a commit is requested (`commit_soon`, `worker.commit_when_idle`)."""
        async for event in stream.events():
            yield event
            if self.settings.worker.commit_when_idle and stream.channel.queue.empty():
                self.commit_soon()

    def commit_soon(self) -> None:
        """Commit once the current task yields to the event loop (by then the stream has acknowledged the
        record just processed), publishing the sends held for it (`stream_publish_on_commit`) without
        waiting for the commit interval: each hop then costs the broker's round trips, not half an interval
        more (`worker.commit_when_idle`). Requests made while a commit runs make one more commit after it:
        commits never overlap and none is lost."""
        if self._idle_commit is not None and not self._idle_commit.done():
            self._commit_again = True
            return
        self._idle_commit = asyncio.ensure_future(self._commit_until_caught_up())

    async def _commit_until_caught_up(self) -> None:
        again = True
        while again:
            self._commit_again = False
            try:
                await self.app.consumer.commit()
            except Exception as exc:  # the interval's commit comes next and meets the same fault
                LOGGER.warning("commit on idle failed", extra={"error": f"{type(exc).__name__}: {exc}"})
                return
            again = self._commit_again

    async def decode(self, stage: str, model: type[R], event: EventT) -> R | None:
        """The record in `event`, or None after dead-lettering it when it is not a valid `model`."""
        metrics.RECORDS_IN.labels(stage).inc()
        try:
            return model.from_bytes(event.value)
        except (ValidationError, ValueError, TypeError) as exc:
            await self.dead_letter(stage, "undecodable", f"not a valid {model.__name__}: {exc}", event)
            return None

    async def dead_letter(self, stage: str, reason: str, error: str, event: EventT) -> None:
        """Dead-letter the record of `event`: a reference to it and the head of its payload."""
        await self._dead_letter(stage, reason, error, origin_of(event), event.key, event.value)

    async def _dead_letter(
        self,
        stage: str,
        reason: str,
        error: str,
        origin: MessageOrigin | None,
        key: bytes | str | None,
        payload: bytes | None,
    ) -> None:
        limits = self.settings.limits
        key_text = payload_head(key, limits) if key is not None else None
        LOGGER.error(
            "record dead-lettered",
            extra={
                "stage": stage,
                "reason": reason,
                "error": error,
                "topic": origin and origin.topic,
                "partition": origin and origin.partition,
                "offset": origin and origin.offset,
                "key": key_text,
            },
        )
        metrics.STAGE_ERRORS.labels(stage, reason).inc()
        metrics.DEAD_LETTERS.labels(stage, reason).inc()
        letter = DeadLetter(
            stage=stage,
            reason=reason,
            error=error[:2000],
            source_topic=origin and origin.topic,
            source_partition=origin and origin.partition,
            source_offset=origin and origin.offset,
            key=key_text,
            payload=payload_head(payload, limits),
            payload_bytes=None if payload is None else len(payload),
            failed_at=datetime.now(UTC),
        )
        await self._dead_letter_topic.send(key=key_text, value=letter.to_bytes())

    @contextmanager
    def timed(self, stage: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            metrics.PROCESSING_SECONDS.labels(stage).observe(time.perf_counter() - started)

    async def encode(self, stage: str, key: str, record: Record) -> bytes | None:
        """`record` fitted to the size policy and serialised, or None when it must not be produced: too
        large even when cut (a reference to the record being processed is dead-lettered, with the head of
        the output) or not serialisable (our own fault: counted and logged as a health failure)."""
        try:
            fitted = fit_record(record, self.settings.limits)
        except Exception:  # a bug in our own output must not stop the stage
            metrics.ENVIRONMENT_FAULTS.labels(stage, SERIALIZATION).inc()
            LOGGER.exception("output not serialisable", extra={"stage": stage, "key": key[:200]})
            return None
        kind = kind_of(record)
        limit = self.settings.limits.record_bytes
        if fitted is not None and len(fitted[1]) + len(key.encode("utf-8")) <= limit:
            if fitted[0] is not record:
                metrics.OVERSIZE_RECORDS.labels(kind, "truncated").inc()
            return fitted[1]
        metrics.OVERSIZE_RECORDS.labels(kind, "dead_lettered").inc()
        event = faust.current_event()
        await self._dead_letter(
            stage,
            "too_large",
            f"a {type(record).__name__} above limits.record_bytes={limit}",
            origin_of(event) if event is not None else None,
            key,
            fitted[1] if fitted is not None else record.to_bytes(),
        )
        return None

    async def send(
        self, stage: str, topic: faust.TopicT, key: str, record: Record, partition: int | None = None
    ) -> None:
        value = await self.encode(stage, key, record)
        if value is None:
            return
        await topic.send(key=key, value=value, partition=partition)
        metrics.RECORDS_OUT.labels(stage).inc()
