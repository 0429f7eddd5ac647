"""Feed-level behaviour with a real broker: hostile feeds, dead letters, conditional GET, schedule, health."""

from __future__ import annotations

import asyncio
import time
from http.server import BaseHTTPRequestHandler

import pytest
from connector_testkit import (
    FEED_HEADERS,
    HTML_HEADERS,
    Reply,
    create_topics,
    dead_letters,
    html_page,
    make_settings,
    raw_pages,
    rss,
)
from newsmon.connectors import metrics
from newsmon.connectors.publisher import RawPagePublisher
from newsmon.connectors.service import FeedConnector, PollSummary
from newsmon.connectors.state import ConnectorState

# HTTP-side behaviour: the broker only receives what the publisher sends, the same on any broker (the Kafka
# tier keeps test_connector_core's publish test, the outage and the streaming restart).
pytestmark = pytest.mark.brokers("tansu")


def poll(settings, publisher, times: int = 1) -> list[PollSummary]:
    async def go() -> list[PollSummary]:
        connector = FeedConnector(settings, publisher)
        try:
            return [await connector.poll_all_once() for _ in range(times)]
        finally:
            await connector.aclose()

    return asyncio.run(go())


def feed_state(settings, url: str):
    state = ConnectorState(settings.state_dir)
    try:
        return state.feed(url)
    finally:
        state.close()


def test_hostile_feeds_are_survived_and_dead_lettered(broker, http_server, tmp_path):
    server, prefix = http_server, "t-hostile."
    topics = create_topics(broker.bootstrap_servers, prefix)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    server.routes.update(
        {
            "/broken.xml": Reply(
                rss([{"title": "Survivor", "link": server.url("/p1")}])[:-16] + b"<item><title>cut",
                headers=FEED_HEADERS,
            ),
            "/error-page.xml": Reply(
                b"<html><body><h1>Service Unavailable</h1></body></html>",
                headers={"Content-Type": "text/html"},
            ),
            "/wrong-charset.xml": Reply(
                '<?xml version="1.0"?><rss version="2.0">'
                "<channel><title>x</title><item><title>Café crème</title>"
                "</item></channel></rss>".encode("latin-1"),
                headers={"Content-Type": "text/xml; charset=utf-8"},
            ),
            "/xxe.xml": Reply(
                f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>'
                '<rss version="2.0">'
                "<channel><title>x</title><item><title>leak &xxe; here</title>"
                "</item></channel></rss>".encode(),
                headers=FEED_HEADERS,
            ),
            "/empty.xml": Reply(rss([]), headers=FEED_HEADERS),
            "/bare.xml": Reply(
                rss([{"title": "No link, no date"}, {"description": "Not even a title"}]),
                headers=FEED_HEADERS,
            ),
            "/pdf.xml": Reply(
                rss([{"title": "A PDF", "link": server.url("/doc.pdf")}]), headers=FEED_HEADERS
            ),
            "/doc.pdf": Reply(b"%PDF-1.4", headers={"Content-Type": "application/pdf"}),
            "/p1": Reply(html_page("Survivor"), headers=HTML_HEADERS),
        }
    )
    paths = [
        "/broken.xml",
        "/error-page.xml",
        "/wrong-charset.xml",
        "/xxe.xml",
        "/empty.xml",
        "/bare.xml",
        "/pdf.xml",
    ]
    settings = make_settings(tmp_path, [server.url(path) for path in paths], prefix=prefix)
    publisher = RawPagePublisher(broker.bootstrap_servers, topics)
    try:
        [summary] = poll(settings, publisher)
    finally:
        publisher.close()
    assert summary.feeds_polled == 7
    assert summary.errors == {"malformed_feed": 1, "unsupported_content_type": 1}, summary
    pages = raw_pages(broker.bootstrap_servers, topics, expect=6)
    by_feed = {}
    for page in pages:
        by_feed.setdefault(page.feed.feed_url.rsplit("/", 1)[1], []).append(page)
    assert [page.feed.title for page in by_feed["broken.xml"]] == ["Survivor"]
    assert by_feed["broken.xml"][0].html and "Survivor" in by_feed["broken.xml"][0].html
    assert by_feed["wrong-charset.xml"][0].feed.title.startswith("Caf")
    assert all("TOP-SECRET" not in page.to_bytes().decode() for page in pages)
    assert len(by_feed["xxe.xml"]) == 1
    assert "empty.xml" not in by_feed
    bare = by_feed["bare.xml"]
    assert len(bare) == 2 and all(page.feed_only and page.fetch_error.startswith("no_link") for page in bare)
    assert len({page.canonical_url for page in bare}) == 2  # linkless items still get distinct keys
    [pdf] = by_feed["pdf.xml"]
    assert pdf.feed_only and pdf.fetch_error.startswith("unsupported_content_type") and pdf.html is None

    [letter] = dead_letters(broker.bootstrap_servers, topics, expect=1)
    assert (letter.stage, letter.reason, letter.key) == (
        "connector",
        "malformed_feed",
        server.url("/error-page.xml"),
    )
    assert "Service Unavailable" in letter.payload
    assert feed_state(settings, server.url("/error-page.xml")).consecutive_failures == 1
    assert feed_state(settings, server.url("/empty.xml")).last_success is not None


def test_unchanged_feed_costs_one_304_and_hints_stretch_the_interval(broker, http_server, tmp_path):
    prefix = "t-conditional."
    topics = create_topics(broker.bootstrap_servers, prefix)
    body = rss([{"title": "A", "link": http_server.url("/a"), "guid": "a"}], extra="<ttl>30</ttl>")

    def conditional(request: BaseHTTPRequestHandler) -> None:
        if request.headers.get("If-None-Match") == '"v1"':
            request.send_response(304)
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        request.send_response(200)
        for name, value in {**FEED_HEADERS, "ETag": '"v1"', "Content-Length": str(len(body))}.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(body)

    http_server.routes["/feed.xml"] = conditional
    http_server.routes["/a"] = Reply(html_page("A"), headers=HTML_HEADERS)
    http_server.routes["/cached.xml"] = Reply(
        rss([]), headers={**FEED_HEADERS, "Cache-Control": "max-age=600"}
    )
    settings = make_settings(
        tmp_path,
        [http_server.url("/feed.xml"), http_server.url("/cached.xml")],
        prefix=prefix,
        poll_interval_seconds=10,
        poll_jitter_fraction=0,
        max_poll_interval_seconds=1200,
    )
    publisher = RawPagePublisher(broker.bootstrap_servers, topics)
    try:
        first, second = poll(settings, publisher, times=2)
    finally:
        publisher.close()
    assert (first.new_items, first.not_modified, second.new_items, second.not_modified) == (1, 0, 0, 1)
    assert http_server.hits("/feed.xml") == 2 and http_server.hits("/a") == 1
    now = time.time()
    # <ttl>30</ttl> minutes, capped at max_poll_interval_seconds; max-age=600 beats the 10 s default.
    assert 1100 < feed_state(settings, http_server.url("/feed.xml")).next_poll - now <= 1200
    assert 500 < feed_state(settings, http_server.url("/cached.xml")).next_poll - now <= 600


def test_failing_feed_backs_off_turns_unhealthy_and_recovers(broker, http_server, tmp_path):
    prefix = "t-backoff."
    topics = create_topics(broker.bootstrap_servers, prefix)
    url = http_server.url("/flaky.xml")
    http_server.routes["/flaky.xml"] = Reply(b"oops", status=500)
    http_server.routes["/busy.xml"] = Reply(b"busy", status=429, headers={"Retry-After": "900"})
    settings = make_settings(
        tmp_path,
        [url, http_server.url("/busy.xml")],
        prefix=prefix,
        poll_jitter_fraction=0,
        backoff_initial_seconds=10,
        backoff_max_seconds=1000,
        unhealthy_after_failures=3,
    )
    publisher = RawPagePublisher(broker.bootstrap_servers, topics)
    try:
        summaries = poll(settings, publisher, times=3)
        assert [s.errors["http_status"] for s in summaries] == [2, 2, 2]  # polled again despite failures
        state = feed_state(settings, url)
        assert state.consecutive_failures == 3 and state.last_error.startswith("http_status")
        assert 39 < state.next_poll - time.time() <= 40  # 10, 20, 40: doubling per failure
        assert feed_state(settings, http_server.url("/busy.xml")).next_poll - time.time() > 890  # Retry-After
        assert metrics.FEEDS_UNHEALTHY._value.get() == 2

        http_server.routes["/flaky.xml"] = Reply(rss([]), headers=FEED_HEADERS)
        poll(settings, publisher)
    finally:
        publisher.close()
    assert feed_state(settings, url).consecutive_failures == 0
    assert metrics.FEEDS_UNHEALTHY._value.get() == 1
    assert len(dead_letters(broker.bootstrap_servers, topics, expect=7)) == 7


def test_run_polls_on_schedule_until_stopped(broker, http_server, tmp_path):
    prefix = "t-run."
    topics = create_topics(broker.bootstrap_servers, prefix)
    http_server.routes["/feed.xml"] = Reply(rss([]), headers=FEED_HEADERS)
    http_server.routes["/bad.xml"] = Reply(b"not a feed at all")
    settings = make_settings(
        tmp_path,
        [http_server.url("/feed.xml"), http_server.url("/bad.xml")],
        prefix=prefix,
        poll_interval_seconds=0.1,
        backoff_initial_seconds=0.1,
    )
    publisher = RawPagePublisher(broker.bootstrap_servers, topics)

    async def go() -> None:
        connector = FeedConnector(settings, publisher)
        stop = asyncio.Event()
        task = asyncio.create_task(connector.run(stop))
        deadline = time.monotonic() + 10
        while (
            http_server.hits("/feed.xml") < 3 or http_server.hits("/bad.xml") < 3
        ) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        stop.set()
        await asyncio.wait_for(task, timeout=5)
        await connector.aclose()

    try:
        asyncio.run(go())
    finally:
        publisher.close()
    assert http_server.hits("/feed.xml") >= 3 and http_server.hits("/bad.xml") >= 3
