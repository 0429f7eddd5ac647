"""feedparser's own malformed and encoding test feeds (../shared/feeds, BSD) through the connector's parser:
every one is either read or refused as MalformedFeed, and the charset cases decode as feedparser expects."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from newsmon.connectors.errors import MalformedFeed
from newsmon.connectors.feeds import ParsedFeed, parse_feed

FEEDS = Path(__file__).resolve().parents[3] / "shared" / "feeds" / "feedparser"
HEADER = re.compile(r"^Header:\s*Content-type:\s*(.+)$", re.MULTILINE | re.IGNORECASE)
EXPECTED_DESCRIPTION = re.compile(r"^Expect:.*entries\[0\]\['description'\] == ('.*')\s*$", re.MULTILINE)


def shared_feeds() -> list[Path]:
    return sorted(FEEDS.rglob("*.xml")) if FEEDS.is_dir() else []


pytestmark = pytest.mark.skipif(
    not FEEDS.is_dir(),
    reason=f"feedparser's test feeds are absent ({FEEDS}): third-party data in ../shared, not fixtures",
)


def content_type(body: bytes) -> str | None:
    header = HEADER.search(body.decode("latin-1"))
    return header.group(1).strip() if header else None


@pytest.mark.parametrize("path", shared_feeds(), ids=lambda path: str(path.relative_to(FEEDS)))
def test_every_feed_is_read_or_refused_cleanly(path: Path):
    body = path.read_bytes()
    try:
        parsed = parse_feed(body, f"https://feeds.example/{path.name}", content_type(body))
    except MalformedFeed:
        return
    assert isinstance(parsed, ParsedFeed)
    expected = EXPECTED_DESCRIPTION.search(body.decode("latin-1"))
    if expected:
        assert parsed.items[0].summary == ast.literal_eval(expected.group(1))
