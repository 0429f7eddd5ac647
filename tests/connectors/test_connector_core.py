"""Core path: poll a loopback feed, fetch pages, publish RawPages to the broker, never re-emit."""

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
from newsmon.connectors.publisher import RawPagePublisher


def test_new_items_are_published_once_with_page_and_feed_metadata(broker, http_server, tmp_path):
    topics = create_topics(broker.bootstrap_servers, "t-core.")
    server = http_server
    arabic = "<html><head><title>خبر</title></head><body><p>فرض عقوبات جديدة</p></body></html>"
    server.routes.update(
        {
            "/a1": Reply(
                html_page("One", "first", head=f'<link rel="canonical" href="{server.url("/story/1")}">'),
                headers={**HTML_HEADERS, "ETag": '"p1"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"},
            ),
            "/old-a2": Reply(status=301, headers={"Location": "/a2"}),
            "/a2": Reply(
                arabic.encode("cp1256"), headers={"Content-Type": "text/html; charset=windows-1256"}
            ),
            "/gone": Reply(b"nope", status=404, headers=HTML_HEADERS),
        }
    )
    items = [
        {
            "title": "One",
            "link": server.url("/a1?utm_source=rss"),
            "guid": "g-1",
            "pubDate": "Mon, 01 Jan 2024 10:00:00 GMT",
            "description": "first summary",
            "category": "politics",
        },
        {"title": "Two", "link": server.url("/old-a2")},
        {"title": "Three", "link": server.url("/gone")},
        {"title": "Linkless", "description": "feed text only", "pubDate": "Mon, 01 Jan 2024 11:00:00 GMT"},
    ]
    server.routes["/feed.xml"] = Reply(rss(items), headers=FEED_HEADERS)
    settings = make_settings(tmp_path, [server.url("/feed.xml")], prefix="t-core.")
    publisher = RawPagePublisher(broker.bootstrap_servers, topics)
    try:
        summary = poll_once(settings, publisher)
        assert (summary.feeds_polled, summary.new_items, summary.pages_published, summary.feed_only) == (
            1,
            4,
            4,
            2,
        ), summary
        assert summary.errors == {"http_status": 1}

        pages = {page.feed.title: page for page in raw_pages(broker.bootstrap_servers, topics, expect=4)}
        assert sorted(pages) == ["Linkless", "One", "Three", "Two"]
        one = pages["One"]
        assert one.canonical_url == server.url("/story/1")  # the page's own rel=canonical, same site
        assert one.url.endswith("/a1?utm_source=rss") and one.http_status == 200 and not one.feed_only
        assert one.headers["etag"] == '"p1"' and one.headers["content-type"].startswith("text/html")
        assert "first" in one.html
        assert (one.feed.guid, one.feed.feed_name, one.feed.summary) == ("g-1", "Test", "first summary")
        assert one.feed.tags == ["politics"] and one.feed.language_hint == "en"
        assert one.feed.published.isoformat() == "2024-01-01T10:00:00+00:00"
        two = pages["Two"]
        assert two.final_url == server.url("/a2") and two.canonical_url == server.url("/a2")
        assert "فرض عقوبات جديدة" in two.html
        three = pages["Three"]
        assert three.feed_only and three.html is None and three.http_status == 404
        assert three.fetch_error.startswith("http_status")
        assert pages["Linkless"].feed_only and pages["Linkless"].feed.summary == "feed text only"

        # Same feed again, then a restarted connector: nothing new, nothing re-emitted.
        assert poll_once(settings, publisher).new_items == 0
        # Edited headline, tracking parameter changed, plus one genuinely new item.
        items[0] = {
            **items[0],
            "title": "One (updated)",
            "link": server.url("/a1?utm_source=twitter&fbclid=x"),
        }
        items[1] = {**items[1], "title": "Two, edited", "link": server.url("/old-a2?utm_medium=email")}
        items.append({"title": "Four", "link": server.url("/a4")})
        server.routes["/a4"] = Reply(html_page("Four"), headers=HTML_HEADERS)
        server.routes["/feed.xml"] = Reply(rss(items), headers=FEED_HEADERS)
        summary = poll_once(settings, publisher)
        assert (summary.new_items, summary.pages_published) == (1, 1)
        titles = [page.feed.title for page in raw_pages(broker.bootstrap_servers, topics, expect=5)]
        assert sorted(titles) == ["Four", "Linkless", "One", "Three", "Two"]
    finally:
        publisher.close()


# The key is chosen by the publisher, before any broker sees it.
@pytest.mark.brokers("tansu")
def test_records_are_keyed_by_canonical_url(broker, http_server, tmp_path):
    from connector_testkit import read_topic

    from newsmon.topics import RAW_PAGES

    topics = create_topics(broker.bootstrap_servers, "t-core-key.")
    http_server.routes["/p"] = Reply(html_page("P"), headers=HTML_HEADERS)
    http_server.routes["/feed.xml"] = Reply(
        rss([{"title": "P", "link": http_server.url("/p/?utm_campaign=z#top")}]), headers=FEED_HEADERS
    )
    settings = make_settings(tmp_path, [http_server.url("/feed.xml")], prefix="t-core-key.")
    publisher = RawPagePublisher(broker.bootstrap_servers, topics)
    try:
        poll_once(settings, publisher)
    finally:
        publisher.close()
    [(key, _value)] = read_topic(broker.bootstrap_servers, topics.name(RAW_PAGES), expect=1)
    assert key == http_server.url("/p").encode()
