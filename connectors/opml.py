"""OPML import and export: an OPML subscription list to FeedConfig entries and those entries as `[[feeds]]`
TOML, and FeedConfig entries as OPML.

OPML carries a feed's URL, name, language (OPML 2.0's `language` attribute) and tags (a `category` attribute
of one-level paths), so export then import gives those back; `interval_seconds` has no place in OPML, and a
tag with a comma or a slash (separators in `category`) comes back split."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import listparser

from newsmon.redact import redact_url
from newsmon.settings.connector import FeedConfig


class OpmlError(ValueError):
    pass


class _OutlineLanguages(HTMLParser):
    """The `language` attribute of each feed outline, by xmlUrl: listparser drops it. Parsed as listparser
    parses (html.parser: lenient, lower-cased attribute names, no entity or DTD expansion)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.languages: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "outline":
            return
        values = dict(attrs)
        url = (values.get("xmlurl") or "").strip()
        language = (values.get("language") or "").strip()
        # "unknown" is what OPML 2.0 writers put for a feed without a language.
        if url and language and language.lower() != "unknown":
            self.languages.setdefault(url, language)


def import_opml(path: Path | str) -> list[FeedConfig]:
    """Read the feeds of an OPML file (outline categories become tags). Duplicate URLs are kept once."""
    # listparser is given the document's text, never the path: given a URL-like string it would fetch it.
    text = Path(path).read_bytes().decode("utf-8", errors="replace")
    result = listparser.parse(text)
    if result.bozo and not result.feeds:
        raise OpmlError(f"{path}: not a readable OPML file: {result.get('bozo_exception')}")
    outlines = _OutlineLanguages()
    outlines.feed(text)
    outlines.close()
    feeds: dict[str, FeedConfig] = {}
    for entry in result.feeds:
        url = (entry.get("url") or "").strip()
        if url.startswith(("http://", "https://")) and url not in feeds:
            tags = list(dict.fromkeys(tag for path_ in entry.get("categories", []) for tag in path_ if tag))
            title = (entry.get("title") or "").strip()
            feeds[url] = FeedConfig(
                url=url,
                # A title that is the URL (what export writes for an unnamed feed) names nothing: without a
                # name the connector uses the feed's own title.
                name=title if title and title != url else None,
                language=outlines.languages.get(url),
                tags=tags,
            )
    return list(feeds.values())


def export_opml(feeds: list[FeedConfig], title: str = "newsmon feeds") -> str:
    """The feeds as an OPML 2.0 document, one flat outline per feed (the inverse of `import_opml`)."""
    root = ET.Element("opml", version="2.0")
    ET.SubElement(ET.SubElement(root, "head"), "title").text = title
    body = ET.SubElement(root, "body")
    for feed in feeds:
        # `text` is required by OPML; readers show it, so an unnamed feed shows its URL.
        outline = ET.SubElement(body, "outline", type="rss", text=feed.name or feed.url)
        if feed.name:
            outline.set("title", feed.name)
        outline.set("xmlUrl", feed.url)
        if feed.language:
            outline.set("language", feed.language)
        if feed.tags:
            outline.set("category", ",".join(f"/{tag}" for tag in feed.tags))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def export_losses(feeds: list[FeedConfig]) -> list[str]:
    """What an export of `feeds` cannot carry, one line per feed concerned."""
    losses = []
    for feed in feeds:
        lost = []
        if feed.interval_seconds is not None:
            lost.append("interval_seconds")
        lost.extend(f"tag {tag!r} (comes back split)" for tag in feed.tags if "," in tag or "/" in tag)
        if lost:
            losses.append(f"{redact_url(feed.url)}: {', '.join(lost)}")
    return losses


def _toml_string(value: str) -> str:
    # A JSON string literal is a valid TOML basic string (same escapes, \uXXXX included).
    return json.dumps(value, ensure_ascii=False)


def feeds_to_toml(feeds: list[FeedConfig]) -> str:
    blocks = []
    for feed in feeds:
        lines = ["[[feeds]]", f"url = {_toml_string(feed.url)}"]
        if feed.name:
            lines.append(f"name = {_toml_string(feed.name)}")
        if feed.language:
            lines.append(f"language = {_toml_string(feed.language)}")
        if feed.interval_seconds is not None:
            lines.append(f"interval_seconds = {feed.interval_seconds}")
        if feed.tags:
            lines.append(f"tags = [{', '.join(_toml_string(tag) for tag in feed.tags)}]")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)
