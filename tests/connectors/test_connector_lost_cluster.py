"""A broker that comes back as a new cluster lost what it had acknowledged (issue 17): the connector publishes
again what the pipeline had not finished, whether its feed still lists it or not, and nothing the worker had
finished that the feed no longer lists."""

from __future__ import annotations

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
