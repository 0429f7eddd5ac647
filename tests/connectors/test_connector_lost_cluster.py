"""A broker that comes back as a new cluster lost what it had acknowledged (issue 17): the connector publishes
again what the pipeline had not finished, whether its feed still lists it or not, and nothing the worker had
finished that the feed no longer lists; and a feed whose publishing failed while the broker restarted is
polled again within seconds, and publishes then what it could not publish, listed still or not."""

from __future__ import annotations

import asyncio
import time

from connector_testkit import (
    FEED_HEADERS,
    HTML_HEADERS,
    RecordingPublisher,
    Reply,
    html_page,
    make_settings,
    poll_once,
    rss,
)
from newsmon.connectors import service
from newsmon.connectors.errors import PublishError
from newsmon.connectors.service import FeedConnector


def test_unfinished_items_of_a_lost_cluster_are_published_again_listed_or_not(
    http_server, tmp_path, monkeypatch
):
    monkeypatch.setattr(service, "CLUSTER_CHECK_SECONDS", 0.0)  # every poll checks the cluster

    def list_items(*numbers: int) -> None:
        items = [{"title": f"Item {n}", "link": http_server.url(f"/{n}"), "guid": str(n)} for n in numbers]
        http_server.routes["/feed.xml"] = Reply(rss(items), headers=FEED_HEADERS)

    for n in range(1, 7):
        http_server.routes[f"/{n}"] = Reply(html_page(f"Item {n}", "Body"), headers=HTML_HEADERS)
    # One page at a time: item n is published at offset n - 1.
    settings = make_settings(tmp_path, [http_server.url("/feed.xml")], per_host_concurrency=1)
    publisher = RecordingPublisher()

    def published_by_a_poll() -> set[str]:
        before = len(publisher.pages)
        poll_once(settings, publisher)  # type: ignore[arg-type]
        return {page.url.rsplit("/", 1)[1] for page in publisher.pages[before:]}

    list_items(1, 2, 3)
    assert published_by_a_poll() == {"1", "2", "3"}  # at offsets 0, 1, 2
    publisher.finished_up_to = 1  # the worker committed past item 1: its article is out
    assert published_by_a_poll() == set()  # items 2 and 3 unfinished, but the cluster is the same
    # The broker comes back empty, and the feed has moved on: items 1–3 are no longer listed.
    publisher.cluster = "new"
    list_items(4, 5, 6)
    assert published_by_a_poll() == {"2", "3", "4", "5", "6"}
    assert published_by_a_poll() == set()  # published again once, not at every poll


class _RestartingBroker(RecordingPublisher):
    """Fails to publish `failures` times (the broker restarting), then acknowledges."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def publish_confirmed(self, pages, timeout=None):
        if self.failures:
            self.failures -= 1
            raise PublishError("1 record(s) not acknowledged: broker restarting")
        return super().publish_confirmed(pages, timeout)


def test_a_feed_whose_publish_failed_is_polled_again_within_seconds_then_less_often(http_server, tmp_path):
    http_server.routes["/1"] = Reply(html_page("Item 1", "Body"), headers=HTML_HEADERS)
    items = [{"title": "Item 1", "link": http_server.url("/1"), "guid": "1"}]
    http_server.routes["/feed.xml"] = Reply(rss(items), headers=FEED_HEADERS)
    feed_url = http_server.url("/feed.xml")
    settings = make_settings(
        tmp_path, [feed_url], backlog_poll_delay_seconds=5.0, backoff_initial_seconds=60.0
    )
    publisher = _RestartingBroker(failures=5)

    async def retry_delays() -> list[float]:
        connector = FeedConnector(settings, publisher)  # type: ignore[arg-type]
        delays = []
        try:
            for _ in range(6):
                before = time.time()
                await connector.poll_all_once()
                delays.append(round(connector._state.feed(feed_url).next_poll - before))
        finally:
            await connector.aclose()
        return delays

    delays = asyncio.run(retry_delays())
    # A broker restart costs seconds, not backoff_initial_seconds (60) of the feed's items; a broker that
    # stays away is asked less and less often. The sixth poll published: the feed's own interval follows.
    assert delays[:5] == [5, 10, 20, 40, 60]
    assert len(publisher.pages) == 1


def test_an_item_a_poll_could_not_publish_is_published_by_the_next_one_though_no_longer_listed(
    http_server, tmp_path
):
    def list_item(number: int) -> None:
        item = {"title": f"Item {number}", "link": http_server.url(f"/{number}"), "guid": str(number)}
        http_server.routes["/feed.xml"] = Reply(rss([item]), headers=FEED_HEADERS)

    for n in (1, 2):
        http_server.routes[f"/{n}"] = Reply(html_page(f"Item {n}", "Body"), headers=HTML_HEADERS)
    settings = make_settings(tmp_path, [http_server.url("/feed.xml")])
    publisher = _RestartingBroker(failures=1)

    list_item(1)
    poll_once(settings, publisher)  # type: ignore[arg-type]
    assert publisher.pages == []  # the broker was restarting
    list_item(2)  # a feed listing few items moved on before the next poll (bench_soak, 5 items per feed)
    poll_once(settings, publisher)  # type: ignore[arg-type]
    assert sorted(page.url.rsplit("/", 1)[1] for page in publisher.pages) == ["1", "2"]
    poll_once(settings, publisher)  # type: ignore[arg-type]
    assert len(publisher.pages) == 2  # published once
