"""Feed parsing (feedparser on the bytes we fetched) and item identity.

feedparser is only ever handed a byte stream: given a string it would fetch URLs or open local files itself.
"""

from __future__ import annotations

import calendar
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
from newsmon.connectors.errors import MalformedFeed
from newsmon.connectors.urls import canonical_url


@dataclass(frozen=True)
class ParsedItem:
    keys: tuple[str, ...]  # identity keys, strongest first; an item is new when none of them was seen
    guid: str | None
    link: str | None
    title: str | None
    summary: str | None
    published: datetime | None
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    language: str | None
    ttl_seconds: float | None
    items: list[ParsedItem]


def item_keys(
    guid: str | None, link: str | None, title: str | None, published: datetime | None
) -> tuple[str, ...]:
    """Identity of an item: its GUID and its canonical link (both, so a feed that regenerates GUIDs or moves
    tracking parameters still matches), else title+date. Headlines are only used when nothing else exists,
    so an edited headline is not a new item."""
    keys = []
    if guid:
        keys.append(f"guid:{guid.strip()}")
    if link:
        keys.append(f"link:{canonical_url(link)}")
    if not keys:
        stamp = published.isoformat() if published else ""
        keys.append(f"title:{' '.join((title or '').split()).casefold()}|{stamp}")
    return tuple(keys)


def _datetime(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _text(value: Any) -> str | None:
    text = value.strip() if isinstance(value, str) else None
    return text or None


def _ttl_seconds(feed: Any) -> float | None:
    try:
        minutes = float(feed.get("ttl", ""))
    except ValueError:
        return None
    return minutes * 60 if minutes > 0 else None


def parse_feed(body: bytes, feed_url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse an RSS/Atom body. Raises `MalformedFeed` when it is not a feed at all (an HTML error page, junk);
    a merely sloppy feed that feedparser can still read is accepted."""
    # No content-location base: feedparser would "resolve" GUIDs like "g-1" into URLs. Links are joined below.
    headers = {"content-type": content_type} if content_type else {}
    result = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=True)
    if not result.get("version") and not result.entries:
        problem = result.get("bozo_exception") or "no RSS/Atom/RDF root element"
        raise MalformedFeed(f"not a feed: {problem}", feed_url, body=body)
    items = []
    for entry in result.entries:
        guid = _text(entry.get("id"))
        link = _text(entry.get("link"))
        link = urljoin(feed_url, link) if link else None
        title = _text(entry.get("title"))
        published = _datetime(entry)
        summary = _text(entry.get("summary"))
        if not (guid or link or title or summary):
            continue  # nothing to identify or publish (e.g. a truncated trailing <item>)
        items.append(
            ParsedItem(
                keys=item_keys(guid, link, title, published),
                guid=guid,
                link=link,
                title=title,
                summary=summary,
                published=published,
                tags=[term for tag in entry.get("tags", []) if (term := _text(tag.get("term")))],
            )
        )
    feed = result.feed
    return ParsedFeed(
        title=_text(feed.get("title")),
        language=_text(feed.get("language")),
        ttl_seconds=_ttl_seconds(feed),
        items=items,
    )
