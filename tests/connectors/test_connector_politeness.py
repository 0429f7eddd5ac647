"""Per-host politeness (concurrency, minimum delay), robots.txt for article pages, the User-Agent."""

from __future__ import annotations

import asyncio
import time

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
from newsmon.connectors.politeness import HostPoliteness
from newsmon.connectors.publisher import RawPagePublisher
from newsmon.connectors.service import FeedConnector

# HTTP-side behaviour: the broker only receives what the publisher sends, the same on any broker (the Kafka
# tier keeps test_connector_core's publish test, the outage and the streaming restart).
pytestmark = pytest.mark.brokers("tansu")


def test_host_slots_limit_concurrency_and_space_starts():
    async def go() -> tuple[int, list[float]]:
        politeness = HostPoliteness(concurrency=2, min_delay_seconds=0.05)
        active = peak = 0
        starts: list[float] = []

        async def request() -> None:
            nonlocal active, peak
            async with politeness.slot("example.com"):
                starts.append(asyncio.get_running_loop().time())
                active += 1
                peak = max(peak, active)
                await asyncio.sleep(0.01)
                active -= 1

        await asyncio.gather(*(request() for _ in range(5)), politeness_other_host(politeness))
        return peak, sorted(starts)

    async def politeness_other_host(politeness: HostPoliteness) -> None:
        async with politeness.slot("other.example"):  # another host is not held back
            pass

    peak, starts = asyncio.run(go())
    assert peak <= 2
    # The spacing, measured over the whole run: one start's timestamp may be taken late on a loaded machine,
    # which shortens the next gap without any slot having been granted early.
    assert starts[-1] - starts[0] >= 0.045 * (len(starts) - 1), starts


def test_robots_txt_is_honoured_for_pages_and_cached(broker, http_server, tmp_path):
    prefix = "t-robots."
    topics = create_topics(broker.bootstrap_servers, prefix)
    http_server.routes.update(
        {
            "/robots.txt": Reply(
                b"User-agent: newsmon\nDisallow: /private/\n\nUser-agent: *\nDisallow: /\n",
                headers={"Content-Type": "text/plain"},
            ),
            "/feed.xml": Reply(
                rss(
                    [
                        {"title": "Open", "link": http_server.url("/news/1")},
                        {"title": "Closed", "link": http_server.url("/private/2")},
                        {"title": "Open too", "link": http_server.url("/news/3")},
                    ]
                ),
                headers=FEED_HEADERS,
            ),
            "/news/1": Reply(html_page("Open"), headers=HTML_HEADERS),
            "/news/3": Reply(html_page("Open too"), headers=HTML_HEADERS),
            "/private/2": Reply(html_page("Closed"), headers=HTML_HEADERS),
        }
    )
    settings = make_settings(
        tmp_path, [http_server.url("/feed.xml")], prefix=prefix, user_agent="newsmon-test/1.0"
    )
    publisher = RawPagePublisher(broker.bootstrap_servers, topics)

    try:
        poll_once(settings, publisher)
    finally:
        publisher.close()
    pages = {page.feed.title: page for page in raw_pages(broker.bootstrap_servers, topics, expect=3)}
    assert pages["Closed"].feed_only and pages["Closed"].fetch_error.startswith("robots_disallowed")
    assert not pages["Open"].feed_only and not pages["Open too"].feed_only
    assert http_server.hits("/private/2") == 0 and http_server.hits("/robots.txt") == 1
    assert {headers["user-agent"] for _, headers in http_server.requests} == {"newsmon-test/1.0"}


def test_min_delay_applies_to_one_host_across_feed_and_pages(broker, http_server, tmp_path):
    prefix = "t-delay."
    topics = create_topics(broker.bootstrap_servers, prefix)
    http_server.routes["/feed.xml"] = Reply(
        rss([{"title": str(i), "link": http_server.url(f"/p{i}")} for i in range(3)]), headers=FEED_HEADERS
    )
    for i in range(3):
        http_server.routes[f"/p{i}"] = Reply(html_page(str(i)), headers=HTML_HEADERS)
    settings = make_settings(
        tmp_path,
        [http_server.url("/feed.xml")],
        prefix=prefix,
        per_host_min_delay_seconds=0.2,
        obey_robots_txt=False,
    )
    publisher = RawPagePublisher(broker.bootstrap_servers, topics)

    async def go() -> float:
        connector = FeedConnector(settings, publisher)
        try:
            started = time.monotonic()
            await connector.poll_all_once()
            return time.monotonic() - started
        finally:
            await connector.aclose()

    try:
        elapsed = asyncio.run(go())
    finally:
        publisher.close()
    assert elapsed >= 0.6  # 4 requests to one host, starts 0.2 s apart
