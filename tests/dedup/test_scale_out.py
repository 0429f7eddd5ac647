"""Two worker processes on one 4-partition topic set: syndicated copies whose articles land on partitions
owned by different workers are still found, because the index lives in Kafka-partitioned tables, not in one
process's memory."""

from __future__ import annotations

import html
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaProducer
from kafka.partitioner.default import murmur2

from newsmon.broker import free_port
from newsmon.kafka_admin import ensure_topics
from newsmon.records import Article, FeedItem, RawPage, stable_id
from newsmon.settings import KafkaSettings, Settings, WorkerSettings
from newsmon.shell.processes import spawn, stop_all, write_effective_settings
from newsmon.topics import ARTICLES_DEDUPED, RAW_PAGES, Topics
from tests.dedup.corpus import RETOLD, STORIES, syndicated_copy
from tests.topic_reading import read_to_end

pytestmark = [pytest.mark.broker, pytest.mark.slow]

PARTITIONS = 4
DEADLINE_SECONDS = 75.0
# A read of the topic takes CPU from the workers on two cores: twice a second is often enough.
POLL_SECONDS = 0.5
PUBLISHED = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)


def page(url: str, title: str, paragraphs: list[str], lang: str) -> RawPage:
    body = "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs)
    document = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}'
        f"</title></head><body><article><h1>{html.escape(title)}</h1>{body}</article></body></html>"
    )
    return RawPage(
        url=url,
        final_url=url,
        canonical_url=url,
        http_status=200,
        html=document,
        headers={"Content-Type": "text/html; charset=utf-8"},
        fetched_at=PUBLISHED,
        feed=FeedItem(
            feed_url=f"{url.rsplit('/', 1)[0]}/feed",
            feed_name=url.split("/")[2],
            title=title,
            published=PUBLISHED,
            language_hint=lang,
        ),
    )


def corpus() -> dict[str, RawPage]:
    pages = {}
    for story, paragraphs in STORIES.items():
        lang = story.split("_")[0]
        pages[f"https://origin.example/{story}"] = page(
            f"https://origin.example/{story}", f"{story} first", paragraphs, lang
        )
        pages[f"https://mirror.example/{story}"] = page(
            f"https://mirror.example/{story}", "Another headline", syndicated_copy(story), lang
        )
    for story, paragraphs in RETOLD.items():
        url = f"https://rival.example/{story}"
        pages[url] = page(url, f"{story} retold", paragraphs, story.split("_")[0])
    return pages


def partition_of(key: str) -> int:
    # The producer's default partitioner, which Faust and kafka-python share.
    return (murmur2(key.encode()) & 0x7FFFFFFF) % PARTITIONS


def read_deduped(bootstrap: str, topic: str) -> dict[str, Article]:
    articles = {}
    for record in read_to_end(bootstrap, topic):
        article = Article.from_bytes(record.value)
        articles.setdefault(article.article_id, article)
    return articles


def start_worker(settings: Settings, name: str, tmp_path: Path) -> subprocess.Popen[bytes]:
    own = settings.model_copy(update={"state_dir": tmp_path / name})
    return spawn(
        ["worker"],
        write_effective_settings(own),
        settings.kafka.bootstrap_servers,
        free_port(),
        log_file=tmp_path / f"{name}.log",
    )


def test_copies_on_partitions_of_different_workers_are_found(broker, tmp_path: Path):
    settings = Settings(
        kafka=KafkaSettings(
            bootstrap_servers=broker.bootstrap_servers,
            partitions=PARTITIONS,
            topic_prefix=f"scale{time.monotonic_ns()}.",
        ),
        worker=WorkerSettings(processes=1),
        state_dir=tmp_path,
    )
    ensure_topics(settings.kafka, broker.bootstrap_servers)
    topics = Topics(settings.kafka.topic_prefix)
    pages = corpus()
    ids = {url: stable_id(url) for url in pages}
    # The premise: the join of a copy and the join of its original sit on different partitions.
    assert any(
        partition_of(ids[f"https://origin.example/{s}"]) != partition_of(ids[f"https://mirror.example/{s}"])
        for s in STORIES
    )

    workers = [start_worker(settings, "worker-a", tmp_path), start_worker(settings, "worker-b", tmp_path)]
    try:
        producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers)
        for url, raw in pages.items():
            producer.send(topics.name(RAW_PAGES), key=url.encode(), value=raw.to_bytes())
        producer.flush()
        producer.close()

        deadline = time.monotonic() + DEADLINE_SECONDS
        deduped: dict[str, Article] = {}
        while len(deduped) < len(pages):
            assert all(worker.poll() is None for worker in workers), [w.returncode for w in workers]
            assert time.monotonic() < deadline, f"only {len(deduped)} of {len(pages)} articles deduplicated"
            deduped = read_deduped(broker.bootstrap_servers, topics.name(ARTICLES_DEDUPED))
            time.sleep(POLL_SECONDS)
    finally:
        stop_all(workers)

    for story in STORIES:
        original = deduped[ids[f"https://origin.example/{story}"]]
        copy = deduped[ids[f"https://mirror.example/{story}"]]
        # Whichever of the two was decided first is the original; the other is its near-duplicate.
        first, second = sorted([original, copy], key=lambda article: article.dedup.duplicate_of is not None)
        assert first.dedup.duplicate_of is None, story
        assert second.dedup.duplicate_of == first.article_id, story
        assert second.dedup.method == "near_duplicate" and second.dedup.similarity >= 0.6
        assert second.dedup.story_id == first.dedup.story_id
    for story in RETOLD:
        retold = deduped[ids[f"https://rival.example/{story}"]]
        assert retold.dedup.duplicate_of is None
        assert retold.dedup.story_id == deduped[ids[f"https://origin.example/{story}"]].dedup.story_id, story
