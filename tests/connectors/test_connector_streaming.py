"""Streaming connector: pages published as they are fetched, per-poll caps, resumption after a restart,
pruning of the seen table, items sharing a GUID."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import SimpleNamespace

import pytest
from connector_testkit import (
    FEED_HEADERS,
    HTML_HEADERS,
    Handler,
    LoopbackServer,
    Reply,
    create_topics,
    html_page,
    make_settings,
    raw_pages,
    rss,
)
from newsmon.connectors import metrics
from newsmon.connectors import state as state_module
from newsmon.connectors.publisher import RawPagePublisher
from newsmon.connectors.service import FeedConnector, PollSummary
from newsmon.connectors.state import ConnectorState

from newsmon.settings import Settings

DEADLINE = 20.0


class Gate:
    """Page routes that answer only once opened, counting how many requests wait at once."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.waiting = 0
        self.peak = 0
        self._lock = threading.Lock()

    def route(self, body: bytes) -> Handler:
        def handle(request: BaseHTTPRequestHandler) -> None:
            with self._lock:
                self.waiting += 1
                self.peak = max(self.peak, self.waiting)
            self.open.wait(DEADLINE)  # bounded, so a failing test cannot hang the server's threads
            with self._lock:
                self.waiting -= 1
            request.send_response(200)
            for name, value in {**HTML_HEADERS, "Content-Length": str(len(body))}.items():
                request.send_header(name, value)
            request.end_headers()
            request.wfile.write(body)

        return handle


def serve_feed(server: LoopbackServer, items: list[dict[str, str]], etag: str = '"v1"') -> str:
    server.routes["/feed.xml"] = Reply(rss(items), headers={**FEED_HEADERS, "ETag": etag})
    return server.url("/feed.xml")


def articles(server: LoopbackServer, count: int, gated_from: int | None = None, gate: Gate | None = None):
    """`count` items with pages /p1…; pages from `gated_from` on wait for `gate`."""
    items = []
    for number in range(1, count + 1):
        body = html_page(f"P{number}", "text")
        gated = gate is not None and gated_from is not None and number >= gated_from
        server.routes[f"/p{number}"] = gate.route(body) if gated else Reply(body, headers=HTML_HEADERS)
        items.append({"title": f"P{number}", "link": server.url(f"/p{number}"), "guid": f"g{number}"})
    return items


def poll(settings: Settings, publisher: RawPagePublisher, times: int = 1) -> list[PollSummary]:
    async def go() -> list[PollSummary]:
        connector = FeedConnector(settings, publisher)
        try:
            return [await connector.poll_all_once() for _ in range(times)]
        finally:
            await connector.aclose()

    return asyncio.run(go())


def feed_state(settings: Settings, url: str):
    state = ConnectorState(settings.state_dir)
    try:
        return state.feed(url)
    finally:
        state.close()


@pytest.mark.brokers("tansu")
def test_first_page_is_published_while_later_pages_are_still_pending(broker, http_server, tmp_path):
    prefix = "t-stream-first."
    topics = create_topics(broker.bootstrap_servers, prefix)
    gate = Gate()
    feed_url = serve_feed(http_server, articles(http_server, 8, gated_from=2, gate=gate))
    settings = make_settings(tmp_path, [feed_url], prefix=prefix, per_host_concurrency=2)
    publisher = RawPagePublisher(broker.bootstrap_servers, topics)

    async def go() -> tuple[list[str], int, PollSummary]:
        connector = FeedConnector(settings, publisher)
        polling = asyncio.create_task(connector.poll_all_once())
        try:
            deadline = time.monotonic() + DEADLINE
            early: list[str] = []
            while not early:
                assert time.monotonic() < deadline, "no page was published while the others were pending"
                assert not polling.done(), "the poll ended before its gated pages were served"
                pages = await asyncio.to_thread(
                    raw_pages, broker.bootstrap_servers, topics, expect=1, timeout=0.5
                )
                early = [page.feed.title for page in pages]
            pending = gate.waiting
            gate.open.set()
            return early, pending, await asyncio.wait_for(polling, DEADLINE)
        finally:
            gate.open.set()
            await connector.aclose()

    try:
        early, pending, summary = asyncio.run(go())
    finally:
        publisher.close()
    assert early == ["P1"] and pending >= 1  # on the topic while later pages were still being fetched
    assert gate.peak <= 2  # pages in flight stay within per_host_concurrency, not the whole feed
    assert (summary.new_items, summary.pages_published, summary.items_remaining) == (8, 8, 0)
    titles = sorted(page.feed.title for page in raw_pages(broker.bootstrap_servers, topics, expect=8))
    assert titles == sorted(f"P{number}" for number in range(1, 9))


@pytest.mark.brokers("tansu")
def test_item_cap_leaves_items_for_a_poll_that_follows_soon(broker, http_server, tmp_path):
    prefix = "t-stream-cap."
    topics = create_topics(broker.bootstrap_servers, prefix)
    feed_url = serve_feed(http_server, articles(http_server, 5))
    settings = make_settings(
        tmp_path,
        [feed_url],
        prefix=prefix,
        max_items_per_poll=2,
        poll_interval_seconds=3600,
        backlog_poll_delay_seconds=30,
    )
    publisher = RawPagePublisher(broker.bootstrap_servers, topics)
    deferred = metrics.ITEMS_DEFERRED._value.get()
    try:
        first = poll(settings, publisher)[0]
        assert (first.new_items, first.pages_published, first.items_remaining) == (5, 2, 3)
        assert metrics.ITEMS_DEFERRED._value.get() - deferred == 3
        assert metrics.FEED_ITEMS_REMAINING.labels(feed_url)._value.get() == 3
        state = feed_state(settings, feed_url)
        assert state.etag is None  # not done: the next poll must get the feed again, not a 304
        assert 25 < state.next_poll - time.time() <= 30  # soon, not after the hour's interval

        second, third = poll(settings, publisher, times=2)
        assert (second.new_items, second.pages_published, second.items_remaining) == (3, 2, 1)
        assert (third.new_items, third.pages_published, third.items_remaining) == (1, 1, 0)
        state = feed_state(settings, feed_url)
        assert state.etag == '"v1"' and state.next_poll - time.time() > 3000  # done: validators, interval
        assert metrics.FEED_ITEMS_REMAINING.labels(feed_url)._value.get() == 0
    finally:
        publisher.close()
    titles = [page.feed.title for page in raw_pages(broker.bootstrap_servers, topics, expect=5)]
    assert sorted(titles) == ["P1", "P2", "P3", "P4", "P5"]


@pytest.mark.brokers("tansu")
def test_byte_cap_and_running_connector_publish_the_rest_on_the_next_polls(broker, http_server, tmp_path):
    prefix = "t-stream-bytes."
    topics = create_topics(broker.bootstrap_servers, prefix)
    feed_url = serve_feed(http_server, articles(http_server, 4))
    settings = make_settings(
        tmp_path,
        [feed_url],
        prefix=prefix,
        per_host_concurrency=1,
        max_bytes_per_poll=1,  # every poll stops after its first page
        poll_interval_seconds=3600,
        backlog_poll_delay_seconds=0.05,
    )
    publisher = RawPagePublisher(broker.bootstrap_servers, topics)

    async def go() -> None:
        connector = FeedConnector(settings, publisher)
        stop = asyncio.Event()
        running = asyncio.create_task(connector.run(stop))
        try:
            deadline = time.monotonic() + DEADLINE
            while http_server.hits("/p4") == 0 or feed_state(settings, feed_url).etag is None:
                assert time.monotonic() < deadline, "the backlog was not polled again soon"
                assert not running.done()
                await asyncio.sleep(0.02)
        finally:
            stop.set()
            await asyncio.wait_for(running, DEADLINE)
            await connector.aclose()

    try:
        asyncio.run(go())
    finally:
        publisher.close()
    assert http_server.hits("/feed.xml") == 4  # one page per poll, the next poll right after
    titles = [page.feed.title for page in raw_pages(broker.bootstrap_servers, topics, expect=4)]
    assert sorted(titles) == ["P1", "P2", "P3", "P4"]


def test_restart_mid_poll_publishes_the_rest_and_nothing_twice(broker, http_server, tmp_path):
    prefix = "t-stream-restart."
    topics = create_topics(broker.bootstrap_servers, prefix)
    gate = Gate()
    feed_url = serve_feed(http_server, articles(http_server, 5, gated_from=3, gate=gate))
    settings = make_settings(tmp_path, [feed_url], prefix=prefix, per_host_concurrency=1)
    publisher = RawPagePublisher(broker.bootstrap_servers, topics)

    async def interrupted() -> None:
        connector = FeedConnector(settings, publisher)
        polling = asyncio.create_task(connector.poll_all_once())
        try:
            deadline = time.monotonic() + DEADLINE
            while gate.waiting == 0:  # P1 and P2 are done, P3 is being fetched
                assert time.monotonic() < deadline and not polling.done(), "the poll did not reach P3"
                await asyncio.sleep(0.01)
            polling.cancel()  # the process stops mid-poll
            with pytest.raises(asyncio.CancelledError):
                await polling
        finally:
            await connector.aclose()

    try:
        asyncio.run(interrupted())
        gate.open.set()
        assert feed_state(settings, feed_url).etag is None  # the poll was not done
        early = sorted(page.feed.title for page in raw_pages(broker.bootstrap_servers, topics, expect=2))
        assert early == ["P1", "P2"]

        resumed = poll(settings, publisher)[0]
        assert (resumed.new_items, resumed.pages_published, resumed.items_remaining) == (3, 3, 0)
        assert feed_state(settings, feed_url).etag == '"v1"'
    finally:
        gate.open.set()
        publisher.close()
    titles = sorted(page.feed.title for page in raw_pages(broker.bootstrap_servers, topics, expect=5))
    assert titles == ["P1", "P2", "P3", "P4", "P5"]  # each once


@pytest.mark.brokers("tansu")
def test_items_sharing_a_guid_with_other_links_are_each_published(broker, http_server, tmp_path):
    prefix = "t-stream-guid."
    topics = create_topics(broker.bootstrap_servers, prefix)
    for path in ("/c1", "/c2", "/c3", "/c4", "/d", "/m1", "/m2"):
        http_server.routes[path] = Reply(html_page(path), headers=HTML_HEADERS)
    items = [
        {"title": "C1", "link": http_server.url("/c1"), "guid": "section"},
        {"title": "C2", "link": http_server.url("/c2"), "guid": "section"},
        {"title": "C3", "link": http_server.url("/c3?utm_source=rss"), "guid": "section"},
        {"title": "D", "link": http_server.url("/d"), "guid": "d"},
        {"title": "D again", "link": http_server.url("/d?utm_source=rss"), "guid": "d"},  # one article twice
        {"title": "Moved", "link": http_server.url("/m1"), "guid": "moved"},
    ]
    feed_url = serve_feed(http_server, items)
    settings = make_settings(tmp_path, [feed_url], prefix=prefix)
    publisher = RawPagePublisher(broker.bootstrap_servers, topics)
    collisions = metrics.GUID_COLLISIONS._value.get()
    try:
        first = poll(settings, publisher)[0]
        assert (first.new_items, first.pages_published) == (5, 5)
        assert metrics.GUID_COLLISIONS._value.get() - collisions == 3

        again = poll(settings, publisher)[0]
        assert again.new_items == 0  # told apart by link, they stay seen

        # One more item under the shared GUID is new; an article whose link moved under its GUID is not.
        items.append({"title": "C4", "link": http_server.url("/c4"), "guid": "section"})
        items[5] = {"title": "Moved", "link": http_server.url("/m2"), "guid": "moved"}
        serve_feed(http_server, items, etag='"v2"')
        later = poll(settings, publisher)[0]
        assert (later.new_items, later.pages_published) == (1, 1)
    finally:
        publisher.close()
    titles = [page.feed.title for page in raw_pages(broker.bootstrap_servers, topics, expect=6)]
    assert sorted(titles) == ["C1", "C2", "C3", "C4", "D", "Moved"]


def test_pruning_forgets_old_keys_but_keeps_listed_and_newest_ones(tmp_path: Path, monkeypatch):
    clock = SimpleNamespace(now=1000.0)
    monkeypatch.setattr(state_module, "time", SimpleNamespace(time=lambda: clock.now))
    state = ConnectorState(tmp_path, retention_seconds=100, keep_per_feed=2, prune_interval_seconds=3600)
    try:
        state.mark_seen("A", [("guid:old", "link:old"), ("guid:pinned",)])
        state.mark_seen("B", [("guid:b",)])
        clock.now = 1010.0
        state.mark_seen("A", [("guid:n1",)])
        clock.now = 1020.0
        state.mark_seen("A", [("guid:n2",)])
        clock.now = 1060.0
        assert state.unseen("A", [("guid:pinned",)]) == [False]  # still listed: its age starts again

        # Cut-off 1050: A keeps pinned (listed at 1060) and n2 (its newest two); B its only key, though old.
        assert state.prune(now=1150.0) == 3
        assert state.unseen("A", [("guid:old",), ("link:old",), ("guid:n1",)]) == [True, True, True]
        assert state.unseen("A", [("guid:pinned",), ("guid:n2",)]) == [False, False]
        assert state.unseen("B", [("guid:b",)]) == [False]

        # mark_seen prunes at most once per interval.
        clock.now = 2000.0
        assert state.mark_seen("A", [("guid:n3",)]) == 0
        clock.now = 1150.0 + 3600
        assert state.mark_seen("A", [("guid:n4",)]) == 2  # pinned and n2; n3 and n4 are the newest
        assert state.unseen("A", [("guid:pinned",), ("guid:n3",), ("guid:n4",)]) == [True, False, False]
    finally:
        state.close()


def test_a_seen_table_from_before_pruning_is_upgraded(tmp_path: Path):
    directory = tmp_path / "connector"
    directory.mkdir()
    old = sqlite3.connect(directory / "state.sqlite3")
    old.execute(
        "CREATE TABLE seen (feed_url TEXT NOT NULL, key TEXT NOT NULL, first_seen REAL NOT NULL, "
        "PRIMARY KEY (feed_url, key)) WITHOUT ROWID"
    )
    old.execute("INSERT INTO seen VALUES ('A', 'guid:1', 1.0)")
    old.commit()
    old.close()
    state = ConnectorState(tmp_path, retention_seconds=100, keep_per_feed=0)
    try:
        assert state.unseen("A", [("guid:1",), ("guid:2",)]) == [False, True]  # refreshed: listed now
        state.mark_seen("A", [("guid:2",)])
        assert state.prune() == 0
    finally:
        state.close()
