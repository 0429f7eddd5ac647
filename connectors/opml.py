"""OPML import: an OPML subscription list to FeedConfig entries, and those entries as `[[feeds]]` TOML."""

from __future__ import annotations

import json
from pathlib import Path

import listparser

from newsmon.settings.connector import FeedConfig


class OpmlError(ValueError):
    pass


def import_opml(path: Path | str) -> list[FeedConfig]:
    """Read the feeds of an OPML file (outline categories become tags). Duplicate URLs are kept once."""
    # listparser is given the document's text, never the path: given a URL-like string it would fetch it.
    result = listparser.parse(Path(path).read_bytes().decode("utf-8", errors="replace"))
    if result.bozo and not result.feeds:
        raise OpmlError(f"{path}: not a readable OPML file: {result.get('bozo_exception')}")
    feeds: dict[str, FeedConfig] = {}
    for entry in result.feeds:
        url = (entry.get("url") or "").strip()
        if url.startswith(("http://", "https://")) and url not in feeds:
            tags = list(dict.fromkeys(tag for path_ in entry.get("categories", []) for tag in path_ if tag))
            feeds[url] = FeedConfig(url=url, name=(entry.get("title") or "").strip() or None, tags=tags)
    return list(feeds.values())


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
