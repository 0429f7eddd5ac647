"""Feed health states (function, `feeds list`, metrics) and `feeds export`, the inverse of `feeds import`."""

from __future__ import annotations

import asyncio
import tomllib

import pytest
from click.testing import CliRunner
from connector_testkit import FEED_HEADERS, RecordingPublisher, Reply, make_settings, rss
from newsmon.connectors.commands import feeds_group
from newsmon.connectors.opml import import_opml
from newsmon.connectors.service import FeedConnector
from newsmon.connectors.state import FEED_HEALTH_STATES, ConnectorState, FeedState, feed_health
from prometheus_client import REGISTRY

from newsmon.redact import redact_url
from newsmon.settings import Settings
from newsmon.settings.connector import ConnectorSettings, FeedConfig

URL = "https://example.com/feed.xml"


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (FeedState(url=URL), "pending"),
        (FeedState(url=URL, last_poll=10, last_success=10), "healthy"),
        (FeedState(url=URL, last_poll=20, last_success=10, consecutive_failures=1), "failing"),
        (FeedState(url=URL, last_poll=20, last_success=10, consecutive_failures=4), "failing"),
        (FeedState(url=URL, last_poll=20, last_success=10, consecutive_failures=5), "unhealthy"),
        # Shown at the first failure, not after the threshold's five.
        (FeedState(url=URL, last_poll=20, consecutive_failures=1), "never_succeeded"),
        (FeedState(url=URL, last_poll=20, consecutive_failures=4), "never_succeeded"),
        (FeedState(url=URL, last_poll=20, consecutive_failures=5), "unhealthy"),
        # Only scheduled (its polls failed to publish, not the feed's fault): still never polled successfully.
        (FeedState(url=URL, next_poll=30), "pending"),
    ],
)
def test_feed_health(state: FeedState, expected: str):
    assert feed_health(state, unhealthy_after_failures=5) == expected
    assert expected in FEED_HEALTH_STATES


def test_feed_health_from_the_recorded_state(tmp_path):
    state = ConnectorState(tmp_path)
    try:
        assert feed_health(state.feed(URL), 2) == "pending"
        state.record_failure(URL, error="timeout: no answer", next_poll=0)
        assert feed_health(state.feed(URL), 2) == "never_succeeded"
        state.record_success(URL, etag=None, last_modified=None, next_poll=0, hint_seconds=None)
        assert feed_health(state.feed(URL), 2) == "healthy"
        state.record_failure(URL, error="timeout: no answer", next_poll=0)
        assert feed_health(state.feed(URL), 2) == "failing"
        state.record_failure(URL, error="timeout: no answer", next_poll=0)
        assert feed_health(state.feed(URL), 2) == "unhealthy"
    finally:
        state.close()


def test_feeds_list_shows_a_never_succeeded_feed_at_its_first_failure(tmp_path):
    feeds = [
        FeedConfig(url=f"https://example.com/{name}.xml", name=name) for name in ("broken", "flaky", "fresh")
    ]
    settings = Settings(
        feeds=feeds, connector=ConnectorSettings(unhealthy_after_failures=5), state_dir=tmp_path
    )
    state = ConnectorState(tmp_path)
    state.record_failure(feeds[0].url, error="http_status: HTTP 404", next_poll=0)
    state.record_success(feeds[1].url, etag=None, last_modified=None, next_poll=0, hint_seconds=None)
    state.record_failure(feeds[1].url, error="timeout: no complete response", next_poll=0)
    state.close()
    result = CliRunner().invoke(feeds_group, ["list"], obj=settings)
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split() for line in result.output.splitlines()[1:]}
    # NAME, URL, LAST POLL (date and time, or "never"), LAST SUCCESS (likewise), FAILURES, HEALTH, LAST ERROR
    assert lines["broken"][4:] == ["never", "1", "never_succeeded", "http_status:", "HTTP", "404"]
    assert lines["flaky"][6:9] == ["1", "failing", "timeout:"]
    assert lines["fresh"][2:] == ["never", "never", "0", "pending"]


def feed_states(url: str) -> dict[str, float | None]:
    return {
        state: REGISTRY.get_sample_value(
            "newsmon_connector_feed_state", {"feed": redact_url(url), "state": state}
        )
        for state in FEED_HEALTH_STATES
    }


def feeds_by_state() -> dict[str, float | None]:
    return {
        state: REGISTRY.get_sample_value("newsmon_connector_feeds_by_state", {"state": state})
        for state in FEED_HEALTH_STATES
    }


def poll_once(settings: Settings, before_poll: list[dict[str, float | None]] | None = None) -> None:
    async def scenario() -> None:
        connector = FeedConnector(settings, RecordingPublisher())  # type: ignore[arg-type]
        try:
            if before_poll is not None:
                before_poll.extend(feed_states(feed.url) for feed in settings.feeds)
            await connector.poll_all_once()
        finally:
            await connector.aclose()

    asyncio.run(scenario())


def test_a_never_succeeded_feed_has_a_state_series_from_its_first_failure(http_server, tmp_path):
    http_server.routes["/ok.xml"] = Reply(rss([]), headers=FEED_HEADERS)
    broken = http_server.url("/missing.xml?token=s3cr3t")  # answered 404
    ok = http_server.url("/ok.xml")
    settings = make_settings(tmp_path, [broken, ok], unhealthy_after_failures=5)
    before: list[dict[str, float | None]] = []
    poll_once(settings, before)
    # Before any poll both feeds are listed, as pending.
    assert [states["pending"] for states in before] == [1, 1]
    assert feed_states(broken) == {
        "pending": 0,
        "healthy": 0,
        "failing": 0,
        "never_succeeded": 1,
        "unhealthy": 0,
    }
    assert feed_states(ok)["healthy"] == 1 and feed_states(ok)["never_succeeded"] == 0
    # The last-success gauge, which the feed table used to be built on alone, has no series for it.
    assert (
        REGISTRY.get_sample_value(
            "newsmon_connector_last_success_timestamp_seconds", {"feed": redact_url(broken)}
        )
        is None
    )
    assert feeds_by_state() == {
        "pending": 0,
        "healthy": 1,
        "failing": 0,
        "never_succeeded": 1,
        "unhealthy": 0,
    }


def test_past_the_label_limit_only_the_counts_per_state_are_exported(http_server, tmp_path):
    broken = http_server.url("/gone.xml")  # answered 404
    settings = make_settings(tmp_path, [broken], metrics_feed_label_limit=1)
    poll_once(settings)
    assert set(feed_states(broken).values()) == {None}
    assert feeds_by_state() == {
        "pending": 0,
        "healthy": 0,
        "failing": 0,
        "never_succeeded": 1,
        "unhealthy": 0,
    }


ROUND_TRIP = [
    FeedConfig(
        url="https://feeds.bbci.co.uk/news/world/rss.xml",
        name="BBC World",
        language="en",
        tags=["world", "uk news"],
    ),
    FeedConfig(
        url="https://www.aljazeera.net/aljazeerarss/all.xml", name="الجزيرة", language="ar", tags=["عربي"]
    ),
    # No name: exported with its URL as the required `text`, imported back without a name.
    FeedConfig(url="https://example.org/feed?a=1&b=<2>", tags=["x"]),
    FeedConfig(url="https://example.net/atom.xml", name='Quotes " & <angles>', language="fr"),
]


def carried(feeds: list[FeedConfig]) -> list[tuple[str, str | None, str | None, list[str]]]:
    return [(feed.url, feed.name, feed.language, feed.tags) for feed in feeds]


def test_export_then_import_gives_the_feeds_back(tmp_path):
    settings = Settings(
        feeds=[*ROUND_TRIP, FeedConfig(url="https://example.com/slow.xml", interval_seconds=900)]
    )
    runner = CliRunner()
    path = tmp_path / "feeds.opml"
    written = runner.invoke(feeds_group, ["export", str(path)], obj=settings)
    assert written.exit_code == 0, written.output
    assert carried(import_opml(path)) == carried(settings.feeds)
    # What OPML cannot carry is said, on stderr.
    assert "https://example.com/slow.xml: interval_seconds" in written.stderr
    assert "5 feed(s) written" in written.stderr

    printed = runner.invoke(feeds_group, ["export"], obj=settings)
    assert printed.exit_code == 0
    assert printed.stdout == path.read_text(encoding="utf-8")
    assert printed.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')

    # And `feeds import` reads it back to the same [[feeds]] entries, interval aside.
    imported = runner.invoke(feeds_group, ["import", str(path)])
    assert imported.exit_code == 0, imported.output
    again = Settings(feeds=tomllib.loads(imported.stdout)["feeds"])
    assert carried(again.feeds) == carried(settings.feeds)


def test_export_of_no_feeds_is_an_empty_subscription_list(tmp_path):
    path = tmp_path / "empty.opml"
    result = CliRunner().invoke(feeds_group, ["export", str(path)], obj=Settings(feeds=[]))
    assert result.exit_code == 0, result.output
    assert import_opml(path) == []
