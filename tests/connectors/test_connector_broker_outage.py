"""Broker down at start and going away mid-run: nothing is marked seen before Kafka acknowledged it, and what
a lost broker acknowledged is published again. On tansu (in memory: it comes back as a new, empty cluster)
and on Apache Kafka (restarted on the same port with its data, as a real outage leaves it)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from connector_testkit import (
    FEED_HEADERS,
    HTML_HEADERS,
    Reply,
    create_topics,
    html_page,
    make_settings,
    raw_pages,
    rss,
)
from newsmon.connectors.publisher import RawPagePublisher
from newsmon.connectors.service import FeedConnector, PollSummary

from newsmon.broker import EmbeddedBroker, free_port
from newsmon.topics import Topics
from tests.kafka_server import KafkaServer


def test_items_survive_a_broker_outage(
    http_server,
    tmp_path: Path,
    broker_kind: str,
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
):
    prefix = "t-outage."
    items = [{"title": "First", "link": http_server.url("/1"), "guid": "1"}]
    http_server.routes.update(
        {
            "/feed.xml": Reply(rss(items), headers=FEED_HEADERS),
            "/1": Reply(html_page("First"), headers=HTML_HEADERS),
            "/2": Reply(html_page("Second"), headers=HTML_HEADERS),
        }
    )
    settings = make_settings(
        tmp_path, [http_server.url("/feed.xml")], prefix=prefix, publish_timeout_seconds=3
    )
    broker: EmbeddedBroker | KafkaServer
    if broker_kind == "kafka":
        broker = KafkaServer(request.getfixturevalue("kafka_jars"), tmp_path / "kafka")
    else:
        broker = EmbeddedBroker(port=free_port(), log_file=tmp_path / "tansu.log")
    publisher = RawPagePublisher(broker.bootstrap_servers, Topics(prefix), timeout_seconds=3)

    async def poll() -> PollSummary:
        connector = FeedConnector(settings, publisher)
        try:
            return await connector.poll_all_once()
        finally:
            await connector.aclose()

    try:
        down = asyncio.run(poll())  # no broker yet
        assert (down.new_items, down.pages_published, down.errors["publish_failed"]) == (1, 0, 1)

        broker.start()
        topics = create_topics(broker.bootstrap_servers, prefix)
        up = asyncio.run(poll())
        assert (up.new_items, up.pages_published) == (1, 1)
        assert [page.feed.title for page in raw_pages(broker.bootstrap_servers, topics, expect=1)] == [
            "First"
        ]

        broker.stop()  # tansu, in memory, comes back empty; Kafka with what it had
        items.append({"title": "Second", "link": http_server.url("/2"), "guid": "2"})
        http_server.routes["/feed.xml"] = Reply(rss(items), headers=FEED_HEADERS)
        lost = asyncio.run(poll())
        assert (lost.new_items, lost.pages_published, lost.errors["publish_failed"]) == (1, 0, 1)

        broker.start()
        topics = create_topics(broker.bootstrap_servers, prefix)
        back = asyncio.run(poll())
        again = 1 if broker_kind == "kafka" else 2  # tansu lost "First": it is new again
        assert (back.new_items, back.pages_published) == (again, again)
        # Kafka kept "First"; tansu lost it, and the connector, seeing a new cluster, published it again.
        titles = [page.feed.title for page in raw_pages(broker.bootstrap_servers, topics, expect=2)]
        assert sorted(titles) == ["First", "Second"]  # two partitions: no order between them
        republished = [record for record in caplog.records if "is a new cluster" in record.getMessage()]
        assert len(republished) == (1 if broker_kind == "tansu" else 0)
    finally:
        publisher.close()
        broker.stop()
