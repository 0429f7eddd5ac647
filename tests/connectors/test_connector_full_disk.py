"""A full state disk is a fault of the environment, not of a feed: the connector logs one line, counts it,
keeps running and retries; once the disk has room the items are published and marked seen."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from typing import Any

from connector_testkit import (
    FEED_HEADERS,
    HTML_HEADERS,
    RecordingPublisher,
    Reply,
    html_page,
    make_settings,
    rss,
)
from newsmon.connectors.service import FeedConnector

from newsmon import metrics
from newsmon.faults import STATE_STORE

DEADLINE = 15.0


def faults() -> float:
    return metrics.ENVIRONMENT_FAULTS.labels("connector", STATE_STORE)._value.get()


def test_full_state_disk_is_logged_once_counted_and_retried_until_it_clears(http_server, tmp_path, caplog):
    items = [{"title": "First", "link": http_server.url("/1"), "guid": "1"}]
    http_server.routes.update(
        {
            "/feed.xml": Reply(rss(items), headers=FEED_HEADERS),
            "/1": Reply(html_page("First", "Body"), headers=HTML_HEADERS),
        }
    )
    feed_url = http_server.url("/feed.xml")
    settings = make_settings(tmp_path, [feed_url], backoff_initial_seconds=0.05, poll_interval_seconds=3600)
    publisher = RecordingPublisher()
    disk_full = True

    async def scenario() -> tuple[int, bool]:
        connector = FeedConnector(settings, publisher)  # type: ignore[arg-type]
        state = connector._state
        for name in ("mark_seen", "record_success", "record_failure", "set_next_poll"):
            write = getattr(state, name)

            def failing(*args: Any, _write: Any = write, **kwargs: Any) -> Any:
                if disk_full:
                    raise sqlite3.OperationalError("database or disk is full")
                return _write(*args, **kwargs)

            setattr(state, name, failing)
        stop = asyncio.Event()
        running = asyncio.create_task(connector.run(stop))
        before = faults()
        try:
            deadline = time.monotonic() + DEADLINE
            while faults() - before < 3:  # the feed is polled again and again, the connector keeps running
                assert time.monotonic() < deadline, "the connector did not retry"
                assert not running.done(), "the connector stopped on a full disk"
                await asyncio.sleep(0.01)
            nonlocal disk_full
            disk_full = False
            while state.feed(feed_url).last_success is None:
                assert time.monotonic() < deadline, "the connector did not recover"
                assert not running.done(), "the connector stopped"
                await asyncio.sleep(0.01)
            alive = not running.done()
            return int(faults() - before), alive
        finally:
            stop.set()
            await asyncio.wait_for(running, DEADLINE)
            await connector.aclose()

    with caplog.at_level(logging.INFO, logger="newsmon.connectors.service"):
        count, alive = asyncio.run(scenario())

    assert alive and count >= 3
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [record.getMessage() for record in errors] == ["state store unavailable; polls are retried"]
    assert all(record.exc_info is None for record in caplog.records)
    assert "environment fault cleared; polls succeed again" in caplog.messages
    assert {page.feed.title for page in publisher.pages} == {"First"}
    assert publisher.letters == []
    # Now marked seen: a new poll publishes nothing more.
    published = len(publisher.pages)

    async def poll_again() -> int:
        connector = FeedConnector(settings, publisher)  # type: ignore[arg-type]
        try:
            return (await connector.poll_all_once()).new_items
        finally:
            await connector.aclose()

    assert asyncio.run(poll_again()) == 0 and len(publisher.pages) == published
