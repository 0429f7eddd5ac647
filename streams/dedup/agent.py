"""Dedup agents: `articles` → (by URL) → `articles.by-text` → (by text hash) → `dedup.bands` (by index
partition) ⇄ `dedup.candidates` (by article id) → `articles.deduped`. The decisions are in
streams.dedup.logic; each agent reads its table, calls one pure function, writes the table back and publishes
what the function returned."""

from __future__ import annotations

import logging
import time
from typing import get_args

import faust
from newsmon.streams.dedup.logic import (
    JoinMessage,
    Probe,
    Send,
    TextJudgement,
    UrlDecision,
    UrlJudgement,
    deadline_message,
    index_expired,
    index_probe,
    index_probes,
    join,
    join_expired,
    join_overdue,
    judge_by_text,
    judge_by_url,
    text_sends,
)
from newsmon.streams.runtime import Origin, StageRuntime

from newsmon import metrics
from newsmon.records import Article, DedupMethod, DedupVerdict
from newsmon.topics import ARTICLES, ARTICLES_BY_TEXT, ARTICLES_DEDUPED, DEDUP_BANDS, DEDUP_CANDIDATES

LOGGER = logging.getLogger(__name__)

STAGE_URL = "dedup_url"
STAGE_TEXT = "dedup_text"
STAGE_INDEX = "dedup_index"
STAGE_JOIN = "dedup_join"


def install(runtime: StageRuntime) -> None:
    app = runtime.app
    settings = runtime.settings.dedup
    partitions = runtime.settings.kafka.partitions
    topics = {
        name: runtime.topic(name)
        for name in (ARTICLES_BY_TEXT, ARTICLES_DEDUPED, DEDUP_BANDS, DEDUP_CANDIDATES)
    }
    seen_urls = runtime.table("dedup-urls")
    seen_texts = runtime.table("dedup-texts")
    # use_partitioner: the changelog partition comes from the key, so the expiry timer can delete keys outside
    # stream iteration. key_type=bytes keeps the key raw (not JSON-quoted), so the partitioner puts it on the
    # partition of the topic these tables are keyed like — the partition whose worker owns and restores it.
    # The index holds index keys and fingerprint copies (streams.dedup.logic.fingerprint_key), each on the
    # partition its probes are sent to.
    index = runtime.table("dedup-index", use_partitioner=True, key_type=bytes)
    joins = runtime.table("dedup-joins", use_partitioner=True, key_type=bytes)
    # Each article's body, kept apart from its join state (rewritten on every join message), keyed alike.
    bodies = runtime.table("dedup-articles", use_partitioner=True, key_type=bytes)

    for method in get_args(DedupMethod):
        metrics.DUPLICATES.labels(method)  # at zero from the start, like the stage series

    async def publish(stage: str, sends: list[Send]) -> None:
        for send in sends:
            if send.topic == ARTICLES_DEDUPED and send.record.dedup.duplicate_of is not None:
                metrics.DUPLICATES.labels(send.record.dedup.method).inc()
            await runtime.send(stage, topics[send.topic], send.key, send.record, partition=send.partition)

    # Every table step is awaited by runtime.attempt: a fault of the state store holds the record until it
    # clears, an error on the record's content dead-letters it.
    async def url_step(article: Article, event: faust.EventT) -> UrlJudgement:
        judgement = judge_by_url(article, seen_urls.get(article.canonical_url), Origin.of(event).as_list())
        seen_urls[article.canonical_url] = judgement.state
        return judgement

    @app.agent(runtime.topic(ARTICLES), name="dedup-by-url")
    async def dedup_by_url(stream: faust.StreamT) -> None:
        async for event, article in runtime.records(STAGE_URL, Article, stream):
            judgement = await runtime.attempt(STAGE_URL, event, url_step, article, event)
            if judgement is None:
                continue
            if judgement.decision is not UrlDecision.FORWARD:
                metrics.DUPLICATES.labels("url").inc()
            elif article.text:
                await runtime.send(STAGE_URL, topics[ARTICLES_BY_TEXT], article.text_hash, article)
            else:
                # Every empty text has the same hash: an article without text is its own story, not a copy.
                original = article.model_copy(update={"dedup": DedupVerdict(story_id=article.article_id)})
                await runtime.send(STAGE_URL, topics[ARTICLES_DEDUPED], article.article_id, original)

    async def text_step(article: Article, event: faust.EventT) -> TextJudgement:
        judgement = judge_by_text(article, seen_texts.get(article.text_hash), Origin.of(event).as_list())
        seen_texts[article.text_hash] = judgement.state
        return judgement

    @app.agent(topics[ARTICLES_BY_TEXT], name="dedup-by-text", concurrency=runtime.pool_concurrency)
    async def dedup_by_text(stream: faust.StreamT) -> None:
        async for event, article in runtime.records(STAGE_TEXT, Article, stream):
            judgement = await runtime.attempt(STAGE_TEXT, event, text_step, article, event)
            judged = judgement.article if judgement is not None else None
            if judged is None:
                continue
            article_probes = None
            if judged.dedup.duplicate_of is None:
                article_probes = await runtime.attempt(
                    STAGE_TEXT, event, runtime.in_pool, index_probes, judged, settings, partitions
                )
                if article_probes is None:
                    # Dead-lettered for analysis, but the article must not be lost to extraction: it goes on
                    # unindexed, as its own story.
                    await runtime.send(STAGE_TEXT, topics[ARTICLES_DEDUPED], judged.article_id, judged)
                    continue
            await publish(STAGE_TEXT, text_sends(judged, article_probes))

    async def index_step(probe: Probe) -> list[Send]:
        """One probe on this partition's index: insert, compare, write back (awaited by runtime.attempt, so a
        failure on its content dead-letters the probe)."""
        result = index_probe(probe, index.get, time.time(), settings)
        result.store(index)
        return [result.reply]

    @app.agent(topics[DEDUP_BANDS], name="dedup-index")
    async def dedup_index(stream: faust.StreamT) -> None:
        async for event, probe in runtime.records(STAGE_INDEX, Probe, stream):
            await publish(STAGE_INDEX, await runtime.attempt(STAGE_INDEX, event, index_step, probe) or [])

    async def join_step(key: str, message: JoinMessage, event: faust.EventT) -> list[Send]:
        """One join step on the article `key`: read its state, decide, write it back (awaited by
        runtime.attempt, so a failure on its content dead-letters the message)."""
        result = join(
            joins.get(key),
            key,
            message,
            Origin.of(event).as_list(),
            time.time(),
            settings,
            lambda: bodies.get(key),
        )
        result.store(key, joins, bodies)
        return result.sends

    @app.agent(topics[DEDUP_CANDIDATES], name="dedup-join")
    async def dedup_join(stream: faust.StreamT) -> None:
        async for event, message in runtime.records(STAGE_JOIN, JoinMessage, stream, keyed=True):
            sends = await runtime.attempt(
                STAGE_JOIN, event, join_step, event.key.decode("utf-8"), message, event
            )
            await publish(STAGE_JOIN, sends or [])

    nudged: set[bytes] = set()  # overdue articles already sent their deadline message by this process

    @app.timer(interval=min(5.0, settings.decision_deadline_seconds / 2))
    async def decide_overdue_articles() -> None:
        """Liveness: an article waiting past its deadline (an answer lost or not coming) is told to decide."""
        now = time.time()
        for key, state in list(joins.items()):
            if key not in nudged and join_overdue(state, now, settings):
                nudged.add(key)
                LOGGER.warning(
                    "dedup decision overdue; deciding with the answers in hand",
                    extra={
                        "article_id": state["article_id"],
                        "answers": len(state["answers"]),
                        "asked": len(state.get("asked", [])),
                    },
                )
                await publish(STAGE_JOIN, [deadline_message(state["article_id"])])

    @app.timer(interval=settings.sweep_interval_seconds)
    async def sweep_dedup_state() -> None:
        """Expire index entries and article states on this worker's partitions: state stays bounded."""
        now = time.time()
        for key in [key for key, state in index.items() if index_expired(state, now, settings)]:
            del index[key]
        for key in [key for key, state in joins.items() if join_expired(state, now, settings)]:
            del joins[key]
            bodies.pop(key, None)
