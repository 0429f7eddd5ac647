"""Dedup agents: `articles` → (by URL) → `articles.by-text` → (by text hash) → `articles.deduped`."""

from __future__ import annotations

import faust

from newsmon import metrics
from newsmon.records import Article, DedupVerdict
from newsmon.topics import ARTICLES, ARTICLES_BY_TEXT, ARTICLES_DEDUPED
from streams.dedup.logic import UrlDecision, judge_by_text, judge_by_url
from streams.runtime import Origin, StageRuntime

STAGE_URL = "dedup_url"
STAGE_TEXT = "dedup_text"


def install(runtime: StageRuntime) -> None:
    app = runtime.app
    by_url_topic = runtime.topic(ARTICLES_BY_TEXT)
    deduped_topic = runtime.topic(ARTICLES_DEDUPED)
    seen_urls = app.Table("dedup-urls", default=None, partitions=runtime.settings.kafka.partitions)
    seen_texts = app.Table("dedup-texts", default=None, partitions=runtime.settings.kafka.partitions)

    @app.agent(runtime.topic(ARTICLES), name="dedup-by-url")
    async def dedup_by_url(stream: faust.StreamT) -> None:
        async for event in stream.events():
            article = await runtime.decode(STAGE_URL, Article, event)
            if article is None:
                continue
            with runtime.timed(STAGE_URL):
                judgement = judge_by_url(article, seen_urls.get(article.canonical_url), Origin.of(event).as_list())
                seen_urls[article.canonical_url] = judgement.state
            if judgement.decision is not UrlDecision.FORWARD:
                metrics.DUPLICATES.labels("url").inc()
            elif article.text:
                await runtime.send(STAGE_URL, by_url_topic, article.text_hash, article)
            else:
                # Every empty text has the same hash: an article without text is its own story, not a copy.
                original = article.model_copy(update={"dedup": DedupVerdict(story_id=article.article_id)})
                await runtime.send(STAGE_URL, deduped_topic, article.article_id, original)

    @app.agent(by_url_topic, name="dedup-by-text")
    async def dedup_by_text(stream: faust.StreamT) -> None:
        async for event in stream.events():
            article = await runtime.decode(STAGE_TEXT, Article, event)
            if article is None:
                continue
            with runtime.timed(STAGE_TEXT):
                judgement = judge_by_text(article, seen_texts.get(article.text_hash), Origin.of(event).as_list())
                seen_texts[article.text_hash] = judgement.state
            if judgement.article is None:
                continue
            if judgement.article.dedup.duplicate_of is not None:
                metrics.DUPLICATES.labels("text_hash").inc()
            await runtime.send(STAGE_TEXT, deduped_topic, judgement.article.dedup.story_id, judgement.article)
