"""The size policy (newsmon.limits, Settings.limits): oversize records are cut with a flag or refused, dead
letters carry a bounded payload, and the caps agree with every producer and topic configuration."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import newsmon.streams.app
import pytest
from newsmon.connectors import publisher as publisher_module
from newsmon.connectors.publisher import RawPagePublisher
from newsmon.streams.runtime import StageRuntime
from pydantic import ValidationError

from newsmon import kafka_admin
from newsmon.limits import fit_article, fit_raw_page, fit_record, payload_head
from newsmon.records import FeedItem, RawPage, Sentence
from newsmon.settings import KafkaSettings, Settings
from newsmon.settings.limits import LimitsSettings
from newsmon.topics import ALL, Topics
from tests.factories import make_article, make_event

TOPICS_TSV = Path(__file__).resolve().parents[2] / "deploy/kafka/topics.tsv"
LIMITS = LimitsSettings()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in [name for name in os.environ if name.startswith("NEWSMON_")]:
        monkeypatch.delenv(name)


def raw_page(html: str, url: str = "http://site.example/a") -> RawPage:
    return RawPage(
        url=url,
        final_url=url,
        canonical_url=url,
        html=html,
        fetched_at=datetime.now(UTC),
        feed=FeedItem(feed_url="http://site.example/feed", summary="A summary."),
    )


def long_article(paragraphs: int, words: int) -> Any:
    texts = [f"Paragraph {i}: " + " ".join(["sanctions"] * words) + "." for i in range(paragraphs)]
    text = "\n\n".join(texts)
    sentences, start = [], 0
    for paragraph in texts:
        sentences.append(Sentence(start=start, end=start + len(paragraph)))
        start += len(paragraph) + 2
    return make_article(
        "http://site.example/long", paragraphs=texts, text=text, sentences=sentences, word_count=123
    )


def test_binary_page_that_escapes_to_several_mb_is_cut_to_its_cap_and_flagged():
    page = raw_page("\x01\x02" * 1_000_000)  # 2 MB of control characters: 12 MB as JSON
    assert len(page.to_bytes()) > 4 * LIMITS.raw_page_bytes

    fitted, encoded = fit_raw_page(page, LIMITS)

    assert len(encoded) <= LIMITS.raw_page_bytes
    assert encoded == fitted.to_bytes()
    assert fitted.truncated and page.html.startswith(fitted.html) and fitted.html
    assert RawPage.from_bytes(encoded) == fitted


def test_page_within_its_cap_is_left_alone():
    page = raw_page("<html><p>short</p></html>")
    fitted, encoded = fit_raw_page(page, LIMITS)
    assert fitted is page and not fitted.truncated and encoded == page.to_bytes()


def test_oversize_article_is_cut_with_text_paragraphs_and_sentences_consistent():
    article = long_article(paragraphs=400, words=400)  # ~1.6 MB of text, twice in the record
    assert len(article.to_bytes()) > 3 * LIMITS.article_bytes

    fitted, encoded = fit_article(article, LIMITS)

    assert len(encoded) <= LIMITS.article_bytes
    assert "truncated" in fitted.flags
    assert fitted.text == "\n\n".join(fitted.paragraphs) and article.text.startswith(fitted.text)
    assert fitted.sentences and all(sentence.end <= len(fitted.text) for sentence in fitted.sentences)
    assert set(fitted.sentences) <= set(article.sentences)
    # The whole text's identity is kept, so an exact copy of the page is still one.
    assert (fitted.text_hash, fitted.word_count) == (article.text_hash, article.word_count)


def test_record_that_cannot_be_cut_to_fit_is_refused():
    huge_url = "http://site.example/" + "a" * LIMITS.record_bytes
    assert fit_record(raw_page("<p>x</p>", url=huge_url), LIMITS) is None
    assert fit_record(make_event("x", sentence="word " * LIMITS.record_bytes), LIMITS) is None
    event = make_event("x")
    assert fit_record(event, LIMITS) == (event, event.to_bytes())


def test_dead_letter_payload_is_the_head_of_the_original_only():
    payload = b"\xff\xfe" + b"x" * 5_000_000
    head = payload_head(payload, LIMITS)
    assert (
        head.startswith("\\xff\\xfexxx") and len(head.encode("utf-8")) <= 4 * LIMITS.dead_letter_payload_bytes
    )
    assert len(payload_head("é" * 10_000, LIMITS).encode("utf-8")) <= LIMITS.dead_letter_payload_bytes


@pytest.mark.parametrize(
    "caps",
    [
        {"raw_page_bytes": 8 * 1024 * 1024},  # above record_bytes
        {"article_bytes": 3 * 1024 * 1024},  # above half of record_bytes
    ],
)
def test_caps_that_do_not_fit_a_record_are_refused(caps):
    with pytest.raises(ValidationError):
        LimitsSettings(**caps)


def test_every_topic_in_topics_tsv_accepts_the_largest_record():
    rows = [line.split("\t") for line in TOPICS_TSV.read_text().splitlines() if not line.startswith("#")]
    assert {row[0] for row in rows} == set(ALL)
    assert {int(row[2]) for row in rows} == {LIMITS.max_message_bytes}
    assert LIMITS.max_message_bytes > LIMITS.record_bytes


def test_topics_created_by_newsmon_and_by_faust_accept_the_largest_record(monkeypatch, tmp_path):
    created: list[Any] = []

    class FakeAdmin:
        def __init__(self, **_kwargs: Any) -> None:
            pass

        def list_topics(self) -> list[str]:
            return []

        def create_topics(self, topics: list[Any]) -> None:
            created.extend(topics)

        def close(self) -> None:
            pass

    monkeypatch.setattr(kafka_admin, "KafkaAdminClient", FakeAdmin)
    limits = LimitsSettings(record_bytes=8 * 1024 * 1024)
    kafka_admin.ensure_topics(KafkaSettings(), "127.0.0.1:9", limits=limits)
    assert len(created) == len(ALL)
    assert {topic.topic_configs["max.message.bytes"] for topic in created} == {str(limits.max_message_bytes)}

    settings = Settings(limits=limits, state_dir=tmp_path)
    monkeypatch.setattr(newsmon.streams.app, "is_embedded_broker", lambda _bootstrap: True)
    app = newsmon.streams.app.create_app(settings, "127.0.0.1:9")
    runtime = StageRuntime(app, settings)
    expected = {"max.message.bytes": str(limits.max_message_bytes)}
    assert runtime.topic("events").config == expected
    assert runtime.table("size-policy-test").changelog_topic.config == expected


def test_producers_accept_the_largest_record(monkeypatch, tmp_path):
    limits = LimitsSettings(record_bytes=8 * 1024 * 1024)
    settings = Settings(limits=limits, state_dir=tmp_path)
    monkeypatch.setattr(newsmon.streams.app, "is_embedded_broker", lambda _bootstrap: True)
    app = newsmon.streams.app.create_app(settings, "127.0.0.1:9")
    assert app.conf.producer_max_request_size == limits.max_message_bytes
    assert app.producer.max_request_size == limits.max_message_bytes

    configs: list[dict[str, Any]] = []
    monkeypatch.setattr(publisher_module, "KafkaProducer", lambda **config: configs.append(config))
    RawPagePublisher("127.0.0.1:9", Topics("t."), limits=limits)._ensure_producer()
    assert configs[0]["max_request_size"] == limits.max_message_bytes
