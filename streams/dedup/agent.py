"""Dedup agents: `articles` → (by URL) → `articles.by-text` → (by text hash) → `dedup.bands` (by index
partition) ⇄ `dedup.candidates` (by article id) → `articles.deduped`. The decisions are in
streams.dedup.logic; each agent calls the hop function InMemoryDedup calls too (it reads its table, decides,
writes the table back) and publishes what the function returned. `DedupStage` holds the tables and the
agents; `install` attaches them to the app."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from typing import Any, get_args

import faust
from newsmon.streams.dedup.logic import (
    DedupTables,
    JoinMessage,
    JoinState,
    Probe,
    Send,
    TextClaim,
    TextJudgement,
    TypedTable,
    UrlClaim,
    UrlJudgement,
    awaiting_decision,
    claim_expired,
    deadline_message,
    index_expired,
    index_hop,
    index_probes,
    is_fingerprint_copy,
    join_expired,
    join_hop,
    join_overdue,
    replayed_index_keys,
    text_hop,
    text_sends,
    url_hop,
    url_sends,
)
from newsmon.streams.runtime import SCAN_BATCH, PartitionSweeper, StageRuntime, origin_of, stored_items

from newsmon import metrics
from newsmon.records import Article, DedupMethod
from newsmon.settings.dedup import DedupSettings
from newsmon.topics import ARTICLES, ARTICLES_BY_TEXT, ARTICLES_DEDUPED, DEDUP_BANDS, DEDUP_CANDIDATES

LOGGER = logging.getLogger(__name__)

STAGE_URL = "dedup_url"
STAGE_TEXT = "dedup_text"
STAGE_INDEX = "dedup_index"
STAGE_JOIN = "dedup_join"


class IndexTable(faust.Table):
    """The dedup index table. Its changelog holds the fingerprint copies (and the index keys written before
    copies listed theirs); restoring a batch of it also rebuilds, in the local store, the index keys each copy
    lists (streams.dedup.logic.replayed_index_keys)."""

    def __init__(self, app: faust.App, *, dedup: DedupSettings, **options: Any) -> None:
        super().__init__(app, **options)
        self.dedup_settings = dedup

    def apply_changelog_batch(self, batch: Iterable[faust.EventT]) -> None:
        events = list(batch)
        super().apply_changelog_batch(events)
        now = time.time()
        for event in events:
            message = event.message
            if message.value is not None:
                self._restore_index_keys(
                    message.key, self.data._decode_value(message.value), message.partition, now
                )

    def _restore_index_keys(self, raw_key: bytes, copy: Any, partition: int, now: float) -> None:
        if not (isinstance(copy, dict) and is_fingerprint_copy(copy)):
            return
        store = self.data
        db = store._db_for_partition(partition)  # where the changelog partition's records are restored

        def read(key: str) -> dict[str, Any] | None:
            stored = db.get(store._encode_key(key))
            return None if stored is None else store._decode_value(stored)

        copy_key = store._decode_key(raw_key)
        copy_key = copy_key.decode("utf-8") if isinstance(copy_key, bytes) else copy_key
        for key, state in replayed_index_keys(copy_key, copy, read, now, self.dedup_settings).items():
            db.put(store._encode_key(key), store._encode_value(state))


class DedupStage:
    """The stage's tables and agents on one worker. Every table step is awaited by runtime.attempt: a fault
    of the state store holds the record until it clears, an error on the record's content dead-letters it."""

    def __init__(self, runtime: StageRuntime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings.dedup
        self.partitions = runtime.settings.kafka.partitions
        self.topics = {
            name: runtime.topic(name)
            for name in (ARTICLES_BY_TEXT, ARTICLES_DEDUPED, DEDUP_BANDS, DEDUP_CANDIDATES)
        }
        # use_partitioner: the changelog partition comes from the key, so the expiry timer can delete
        # keys outside stream iteration. key_type=bytes keeps the key raw (not JSON-quoted), so the
        # partitioner puts it on the partition of the topic these tables are keyed like — the partition
        # whose worker owns and restores it. The index holds index keys and fingerprint copies
        # (streams.dedup.logic.fingerprint_key), each on the partition its probes are sent to. Each
        # article's body is kept apart from its join state (rewritten on every join message; written to its
        # changelog once per commit: runtime.WriteBehindTable), keyed alike.
        # The index table's changelog carries one record per probe — the fingerprint copy, listing the keys
        # the probe wrote — and the keys themselves go to the local store only: IndexTable rebuilds them from
        # the copies when it restores the table.
        # The claim tables are keyed like their topics (the key's partition is the message's): they are swept
        # from within their streams, where a deletion goes to the message's partition.
        urls, texts = runtime.table("dedup-urls"), runtime.table("dedup-texts")
        self.sweep_claims = {
            stage: PartitionSweeper(
                name,
                table,
                lambda stored, partition, now: claim_expired(stored, partition, now, self.settings),
                self.settings.sweep_interval_seconds,
            )
            for stage, name, table in ((STAGE_URL, "dedup-urls", urls), (STAGE_TEXT, "dedup-texts", texts))
        }
        index = runtime.table(
            "dedup-index", IndexTable, dedup=self.settings, use_partitioner=True, key_type=bytes
        )
        joins = runtime.write_behind_table("dedup-joins", use_partitioner=True, key_type=bytes)
        self.tables = DedupTables(
            urls=TypedTable(urls, UrlClaim),
            texts=TypedTable(texts, TextClaim),
            index=index,
            index_keys=index.data,
            joins=TypedTable(joins, JoinState),
            articles=runtime.table("dedup-articles", use_partitioner=True, key_type=bytes),
        )
        # The articles awaiting their decision are known from the states the join writes; a worker that is
        # assigned partitions (at its start too) learns theirs from the restored table.
        self.joins_table = joins.table
        self.joins_table.on_recover(self.find_undecided_articles)
        for method in get_args(DedupMethod):
            metrics.DUPLICATES.labels(method)  # at zero from the start, like the stage series

    async def publish(self, stage: str, sends: list[Send]) -> None:
        for send in sends:
            if send.topic == ARTICLES_DEDUPED and send.record.dedup.duplicate_of is not None:
                metrics.DUPLICATES.labels(send.record.dedup.method).inc()
            await self.runtime.send(
                stage, self.topics[send.topic], send.key, send.record, partition=send.partition
            )

    async def _url_step(self, article: Article, event: faust.EventT) -> UrlJudgement:
        return url_hop(self.tables, article, origin_of(event))

    async def by_url(self, stream: faust.StreamT) -> None:
        async for event, article in self.runtime.records(STAGE_URL, Article, stream):
            await self.sweep_claims[STAGE_URL](event.message.partition)
            judgement = await self.runtime.attempt(STAGE_URL, event, self._url_step, article, event)
            if judgement is None:
                continue
            sends = url_sends(article, judgement)
            if not sends:
                metrics.DUPLICATES.labels("url").inc()
            await self.publish(STAGE_URL, sends)

    async def _text_step(self, article: Article, event: faust.EventT) -> TextJudgement:
        return text_hop(self.tables, article, origin_of(event))

    async def by_text(self, stream: faust.StreamT) -> None:
        runtime = self.runtime
        async for event, article in runtime.records(STAGE_TEXT, Article, stream):
            await self.sweep_claims[STAGE_TEXT](event.message.partition)
            judgement = await runtime.attempt(STAGE_TEXT, event, self._text_step, article, event)
            judged = judgement.article if judgement is not None else None
            if judged is None:
                continue
            article_probes = None
            if judged.dedup.duplicate_of is None:
                article_probes = await runtime.attempt(
                    STAGE_TEXT, event, runtime.in_pool, index_probes, judged, self.settings, self.partitions
                )
                if article_probes is None:
                    # Dead-lettered for analysis, but the article must not be lost to extraction: it goes on
                    # unindexed, as its own story.
                    await runtime.send(STAGE_TEXT, self.topics[ARTICLES_DEDUPED], judged.article_id, judged)
                    continue
            await self.publish(STAGE_TEXT, text_sends(judged, article_probes))

    async def _index_step(self, probe: Probe) -> list[Send]:
        return index_hop(self.tables, probe, time.time(), self.settings)

    async def index(self, stream: faust.StreamT) -> None:
        async for event, probe in self.runtime.records(STAGE_INDEX, Probe, stream):
            sends = await self.runtime.attempt(STAGE_INDEX, event, self._index_step, probe)
            await self.publish(STAGE_INDEX, sends or [])

    async def _join_step(self, key: str, message: JoinMessage, event: faust.EventT) -> list[Send]:
        return join_hop(self.tables, key, message, origin_of(event), time.time(), self.settings)

    async def join(self, stream: faust.StreamT) -> None:
        async for event, message in self.runtime.records(STAGE_JOIN, JoinMessage, stream, keyed=True):
            sends = await self.runtime.attempt(
                STAGE_JOIN, event, self._join_step, event.key.decode("utf-8"), message, event
            )
            await self.publish(STAGE_JOIN, sends or [])

    async def find_undecided_articles(self) -> None:
        """Rebuild the articles awaiting their decision from the join states of this worker's partitions. 8
        days of states take seconds to read: the scan lets the event loop run (heartbeats, the join, the
        timers) every `SCAN_BATCH` states."""
        started, undecided = time.monotonic(), self.tables.undecided
        undecided.begin_rebuild()
        awaiting, count = [], 0
        for count, (_key, stored) in enumerate(stored_items(self.joins_table), 1):
            state = JoinState.decode(stored)
            if awaiting_decision(state):
                awaiting.append(state)
            if count % SCAN_BATCH == 0:
                await asyncio.sleep(0)
        undecided.rebuild(awaiting)
        LOGGER.info(
            "dedup join states read after a rebalance",
            extra={
                "states": count,
                "undecided": len(undecided),
                "seconds": round(time.monotonic() - started, 3),
            },
        )

    async def decide_overdue_articles(self) -> None:
        """Liveness: an article waiting past its deadline (an answer lost or not coming) is told to decide."""
        now = time.time()
        for article_id in self.tables.undecided.overdue(now, self.settings):
            state = self.tables.joins.get(article_id)  # None: its partition went to another worker meanwhile
            if state is None or not join_overdue(state, now, self.settings):
                continue
            LOGGER.warning(
                "dedup decision overdue; deciding with the answers in hand",
                extra={
                    "article_id": state.article_id,
                    "answers": len(state.answers),
                    "asked": len(state.asked or []),
                },
            )
            await self.publish(STAGE_JOIN, [deadline_message(state.article_id)])

    async def sweep_dedup_state(self) -> None:
        """Expire index entries and article states on this worker's partitions: state stays bounded. 8 days of
        them at 1 page/s are ~16M index entries and ~700k join states, a minute or two of CPU to read: the
        scan yields to the event loop every `SCAN_BATCH` entries, and an entry found expired is read again
        and deleted in one step (the index or the join may have written it meanwhile)."""
        now = time.time()
        index, joins = self.tables.index, self.tables.joins
        for count, (key, stored) in enumerate(stored_items(index), 1):
            if index_expired(stored, now, self.settings):
                state = index.get(key)
                if state is not None and index_expired(state, now, self.settings):
                    # A copy is deleted through the changelog; an index key was only ever written locally.
                    del (index if is_fingerprint_copy(state) else self.tables.index_keys)[key]
            if count % SCAN_BATCH == 0:
                await asyncio.sleep(0)
        for count, (key, stored) in enumerate(stored_items(self.joins_table), 1):
            if join_expired(JoinState.decode(stored), now, self.settings):
                state = joins.get(key)
                if state is not None and join_expired(state, now, self.settings):
                    article_id = state.article_id  # the key as the join writes it (the scan's is raw)
                    del joins[article_id]
                    self.tables.articles.pop(article_id, None)
                    self.tables.undecided.forget(article_id)
            if count % SCAN_BATCH == 0:
                await asyncio.sleep(0)


def install(runtime: StageRuntime) -> DedupStage:
    """Attach the dedup stage's agents and timers to the runtime's app."""
    app, stage = runtime.app, DedupStage(runtime)
    app.agent(runtime.topic(ARTICLES), name="dedup-by-url")(stage.by_url)
    app.agent(stage.topics[ARTICLES_BY_TEXT], name="dedup-by-text", concurrency=runtime.pool_concurrency)(
        stage.by_text
    )
    app.agent(stage.topics[DEDUP_BANDS], name="dedup-index")(stage.index)
    app.agent(stage.topics[DEDUP_CANDIDATES], name="dedup-join")(stage.join)
    app.timer(interval=min(5.0, stage.settings.decision_deadline_seconds / 2))(stage.decide_overdue_articles)
    app.timer(interval=stage.settings.sweep_interval_seconds)(stage.sweep_dedup_state)
    return stage
