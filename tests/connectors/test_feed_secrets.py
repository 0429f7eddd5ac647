"""A feed URL's credentials stay in the configuration: not on raw-pages, not in a metric label."""

from __future__ import annotations

import pytest
from connector_testkit import (
    FEED_HEADERS,
    HTML_HEADERS,
    Reply,
    create_topics,
    html_page,
    make_settings,
    poll_once,
    raw_pages,
    rss,
)
from newsmon.connectors import metrics
from newsmon.connectors.publisher import RawPagePublisher


@pytest.mark.brokers("tansu")
def test_credentials_in_a_feed_url_reach_neither_the_topic_nor_the_metrics(broker, http_server, tmp_path):
    topics = create_topics(broker.bootstrap_servers, "t-secret.")
    server = http_server
    server.routes["/a1"] = Reply(html_page("One", "first"), headers=HTML_HEADERS)
    server.routes["/feed.xml"] = Reply(
        rss([{"title": "One", "link": server.url("/a1")}]), headers=FEED_HEADERS
    )
    feed_url = server.url("/feed.xml?token=s3cr3t-t0ken-value").replace("http://", "http://reader:hunter2@")
    settings = make_settings(tmp_path, [feed_url], prefix="t-secret.")
    publisher = RawPagePublisher(broker.bootstrap_servers, topics)

    try:
        poll_once(settings, publisher)
        [page] = raw_pages(broker.bootstrap_servers, topics, expect=1)
    finally:
        publisher.close()
    assert "hunter2" not in page.feed.feed_url and "s3cr3t" not in page.feed.feed_url
    labels = [
        sample.labels.get("feed", "")
        for family in metrics.LAST_SUCCESS.collect()
        for sample in family.samples
    ]
    assert labels and not any("hunter2" in label or "s3cr3t" in label for label in labels)


def test_the_connector_state_directory_is_owner_only(tmp_path):
    from newsmon.connectors.state import ConnectorState

    state = ConnectorState(tmp_path)
    state.close()
    assert (tmp_path / "connector").stat().st_mode & 0o777 == 0o700
