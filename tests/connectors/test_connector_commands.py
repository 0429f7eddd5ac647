"""OPML import and the `feeds` commands."""

from __future__ import annotations

import tomllib

from click.testing import CliRunner
from newsmon.connectors.commands import feeds_group
from newsmon.connectors.opml import import_opml
from newsmon.connectors.state import ConnectorState

from newsmon.settings import Settings
from newsmon.settings.connector import ConnectorSettings, FeedConfig

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Subscriptions</title></head><body>
  <outline text="World"><outline text="BBC World" type="rss" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml"/>
    <outline text="الجزيرة" type="rss" xmlUrl="https://www.aljazeera.net/aljazeerarss/all.xml"/></outline>
  <outline text="Duplicate" type="rss" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml"/>
  <outline text="Not a feed" type="link" url="https://example.com/"/>
</body></opml>
"""


def test_import_opml_reads_feeds_with_categories_as_tags(tmp_path):
    path = tmp_path / "subs.opml"
    path.write_text(OPML, encoding="utf-8")
    feeds = import_opml(path)
    assert [(feed.url, feed.name, feed.tags) for feed in feeds] == [
        ("https://feeds.bbci.co.uk/news/world/rss.xml", "BBC World", ["World"]),
        ("https://www.aljazeera.net/aljazeerarss/all.xml", "الجزيرة", ["World"]),
    ]


def test_feeds_import_writes_and_merges_toml(tmp_path):
    opml, config = tmp_path / "subs.opml", tmp_path / "newsmon.toml"
    opml.write_text(OPML, encoding="utf-8")
    config.write_text(
        'log_level = "INFO"\n\n[[feeds]]\nurl = "https://feeds.bbci.co.uk/news/world/rss.xml"\n'
    )
    runner = CliRunner()
    result = runner.invoke(feeds_group, ["import", str(opml), "--write", str(config)])
    assert result.exit_code == 0, result.output
    assert "1 feed(s) added" in result.output
    parsed = tomllib.loads(config.read_text(encoding="utf-8"))
    assert [feed["url"] for feed in parsed["feeds"]] == [
        "https://feeds.bbci.co.uk/news/world/rss.xml",
        "https://www.aljazeera.net/aljazeerarss/all.xml",
    ]
    Settings(feeds=parsed["feeds"])  # the written entries are valid FeedConfig
    printed = runner.invoke(feeds_group, ["import", str(opml)])
    assert tomllib.loads(printed.output)["feeds"][1]["name"] == "الجزيرة"


def test_feeds_list_shows_health_from_state(tmp_path):
    feeds = [FeedConfig(url=f"https://example.com/{name}.xml", name=name) for name in ("ok", "bad", "fresh")]
    settings = Settings(
        feeds=feeds, connector=ConnectorSettings(unhealthy_after_failures=2), state_dir=tmp_path
    )
    state = ConnectorState(tmp_path)
    state.record_success(feeds[0].url, etag=None, last_modified=None, next_poll=0, hint_seconds=None)
    for _ in range(2):
        state.record_failure(feeds[1].url, error="timeout: no complete response", next_poll=0)
    state.close()
    result = CliRunner().invoke(feeds_group, ["list"], obj=settings)
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[1:]}
    assert "healthy" in lines["ok"] and "unhealthy" not in lines["ok"]
    assert "unhealthy" in lines["bad"] and "timeout" in lines["bad"] and " 2 " in lines["bad"]
    assert "pending" in lines["fresh"] and "never" in lines["fresh"]
