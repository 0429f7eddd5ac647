"""Feed parsing (feedparser on the bytes we fetched) and item identity.

feedparser is only ever handed a byte stream: given a string it would fetch URLs or open local files itself.

Two kinds of hostile or broken feed content are refused or repaired here, each logged and counted in
`newsmon_connector_errors_total{reason}`:

- `bad_link`: an item link that is not an absolute http(s) URL (`javascript:`, `data:`, `file:` …) is
  dropped; the item is kept, as one without a link (published from the feed alone).
- `encoding_mismatch`: bytes that are not in the encoding the feed declares (or, undeclared, UTF-8).
  feedparser then decodes the whole document as windows-1252, which turns Arabic (typically windows-1256
  served as UTF-8) into Latin mojibake; the bytes are decoded again as the likelier of UTF-8 with a few bad
  bytes replaced, windows-1256 when that gives Arabic words, and feedparser's windows-1252.
"""

from __future__ import annotations

import calendar
import io
import json
import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
from newsmon.connectors import metrics
from newsmon.connectors.errors import MalformedFeed
from newsmon.connectors.urls import canonical_url, is_web_url

from newsmon.text.language import ARABIC_LETTER, LATIN_LETTER

LOGGER = logging.getLogger(__name__)

BAD_LINK = "bad_link"
ENCODING_MISMATCH = "encoding_mismatch"
# UTF-8 with this many valid non-ASCII characters per invalid byte sequence is UTF-8 with a few bad bytes.
_UTF8_VALID_PER_INVALID = 10
_MARKUP = re.compile(r"<!\[CDATA\[|\]\]>|<[^<>]*>")  # tags (Latin names) but not CDATA content
_XML_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]*?\bencoding\s*=\s*["'])[^"']*""", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedItem:
    keys: tuple[str, ...]  # identity keys, strongest first; an item is new when none of them was seen
    guid: str | None
    link: str | None
    title: str | None
    summary: str | None
    published: datetime | None
    tags: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        """The item as the connector's state keeps it, to publish it again (`from_json`)."""
        return json.dumps(
            {**asdict(self), "published": self.published.isoformat() if self.published else None}
        )

    @classmethod
    def from_json(cls, text: str) -> ParsedItem:
        record = json.loads(text)
        published = record.pop("published")
        return cls(
            **{**record, "keys": tuple(record["keys"])},
            published=datetime.fromisoformat(published) if published else None,
        )


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


def _looks_arabic(text: str) -> bool:
    """Whether `text` (bytes decoded as windows-1256) reads as Arabic: more words made of Arabic letters
    alone than words where Arabic letters sit among Latin ones, which is what windows-1256 makes of accented
    Latin text (ä → ل)."""
    arabic = mixed = 0
    for word in _MARKUP.sub(" ", text).split():
        if not ARABIC_LETTER.search(word):
            continue
        if LATIN_LETTER.search(word):
            mixed += 1
        else:
            arabic += 1
    return arabic > mixed


def _redecoded(body: bytes) -> tuple[str, str] | None:
    """(encoding, text) of a body that failed its declared encoding, when one is likelier than feedparser's
    windows-1252 fallback; else None."""
    text = body.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - body.count("\ufffd".encode())
    valid = sum(1 for char in text if char > "\x7f" and char != "\ufffd")
    if valid >= _UTF8_VALID_PER_INVALID * invalid:
        return "utf-8", text
    text = body.decode("cp1256", errors="replace")
    if _looks_arabic(text):
        return "windows-1256", text
    return None


def _encoding_mismatch(body: bytes, feed_url: str, result: Any) -> Any:
    """The feed parsed again from the likelier encoding (see the module's docstring), logged and counted."""
    redecoded = _redecoded(body)
    LOGGER.warning(
        "feed bytes are not in their declared encoding",
        extra={
            "feed": feed_url,
            "reason": ENCODING_MISMATCH,
            "error": str(result.get("bozo_exception")),
            "decoded_as": redecoded[0] if redecoded else result.get("encoding"),
        },
    )
    metrics.ERRORS.labels(ENCODING_MISMATCH).inc()
    if redecoded is None:
        return result
    # The text is handed back as UTF-8 with a declaration saying so, so feedparser cannot second-guess it.
    utf8 = _XML_ENCODING.sub(rb"\1utf-8", redecoded[1].encode("utf-8"), count=1)
    return feedparser.parse(
        io.BytesIO(utf8),
        response_headers={"content-type": "application/xml; charset=utf-8"},
        sanitize_html=True,
    )


def parse_feed(body: bytes, feed_url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse an RSS/Atom body. Raises `MalformedFeed` when it is not a feed at all (an HTML error page, junk);
    a merely sloppy feed that feedparser can still read is accepted."""
    # No content-location base: feedparser would "resolve" GUIDs like "g-1" into URLs. Links are joined below.
    headers = {"content-type": content_type} if content_type else {}
    result = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=True)
    if not result.get("version") and not result.entries:
        problem = result.get("bozo_exception") or "no RSS/Atom/RDF root element"
        raise MalformedFeed(f"not a feed: {problem}", feed_url, body=body)
    if isinstance(result.get("bozo_exception"), feedparser.CharacterEncodingOverride):
        result = _encoding_mismatch(body, feed_url, result)
    items = []
    bad_links = []
    for entry in result.entries:
        guid = _text(entry.get("id"))
        link = _text(entry.get("link"))
        link = urljoin(feed_url, link) if link else None
        if link is not None and not is_web_url(link):
            bad_links.append(link[:200])
            link = None
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
    if bad_links:
        LOGGER.warning(
            "item links refused: not http(s); the items are kept without them",
            extra={"feed": feed_url, "reason": BAD_LINK, "links": bad_links[:5], "count": len(bad_links)},
        )
        metrics.ERRORS.labels(BAD_LINK).inc(len(bad_links))
    feed = result.feed
    return ParsedFeed(
        title=_text(feed.get("title")),
        language=_text(feed.get("language")),
        ttl_seconds=_ttl_seconds(feed),
        items=items,
    )
