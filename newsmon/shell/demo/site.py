"""Renders the demo site (site.json) as RSS/Atom feeds and article pages, and serves it on loopback."""

from __future__ import annotations

import html
import json
import threading
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SITE_FILE = Path(__file__).with_name("site.json")


@dataclass(frozen=True)
class DemoSite:
    outlets: dict[str, dict[str, Any]]
    articles: list[dict[str, Any]]

    @classmethod
    def load(cls, path: Path = SITE_FILE) -> DemoSite:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls({outlet["slug"]: outlet for outlet in data["outlets"]}, data["articles"])

    def feed_path(self, outlet: str) -> str:
        return f"/{outlet}/feed.xml"

    def article_path(self, article: dict[str, Any]) -> str:
        return f"/{article['outlet']}/{article['slug']}.html"

    def render_article(self, article: dict[str, Any], base_url: str) -> str:
        outlet = self.outlets[article["outlet"]]
        direction = "rtl" if outlet["language"] == "ar" else "ltr"
        escape = html.escape
        nav = "".join(
            f'<li><a href="/{outlet["slug"]}/section/{i}.html">{escape(item)}</a></li>'
            for i, item in enumerate(outlet["nav"])
        )
        body = "".join(f"<p>{escape(paragraph)}</p>" for paragraph in article["paragraphs"])
        related = "".join(
            f'<li><a href="/{outlet["slug"]}/related/{i}.html">{escape(title)}</a></li>'
            for i, title in enumerate(article["related"])
        )
        footer = "".join(f"<p>{escape(line)}</p>" for line in outlet["footer"])
        url = base_url + self.article_path(article)
        return f"""<!DOCTYPE html>
<html lang="{outlet["language"]}" dir="{direction}"><head><meta charset="utf-8">
<title>{escape(article["title"])} | {escape(outlet["name"])}</title>
<link rel="canonical" href="{escape(url)}">
<meta property="og:site_name" content="{escape(outlet["name"])}">
<meta property="article:published_time" content="{article["published"]}">
</head><body>
<header><a class="logo" href="/{outlet["slug"]}/">{escape(outlet["name"])}</a>\
<nav><ul>{nav}</ul></nav></header>
<main><article><h1>{escape(article["title"])}</h1>
<time datetime="{article["published"]}">{article["published"][:10]}</time>
{body}
<div class="share">{escape(outlet["share_label"])}: Facebook · X · WhatsApp</div>
</article>
<aside><h2>{escape(outlet["related_label"])}</h2><ul>{related}</ul></aside></main>
<footer>{footer}</footer>
</body></html>"""

    def render_feed(self, outlet_slug: str, base_url: str) -> str:
        outlet = self.outlets[outlet_slug]
        items = [article for article in self.articles if article["outlet"] == outlet_slug]
        escape = html.escape
        if outlet["feed_format"] == "atom":
            entries = "".join(
                f"<entry><id>{escape(base_url + self.article_path(a))}</id>"
                f"<title>{escape(a['title'])}</title>"
                f'<link rel="alternate" href="{escape(base_url + self.article_path(a))}"/>'
                f"<updated>{a['published']}</updated><published>{a['published']}</published></entry>"
                for a in items
            )
            return (
                f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
                f'xml:lang="{outlet["language"]}"><title>{escape(outlet["name"])}</title>'
                f"<id>{escape(base_url)}/{outlet_slug}/</id><updated>{items[0]['published']}</updated>"
                f"{entries}</feed>"
            )
        entries = "".join(
            f"<item><title>{escape(a['title'])}</title><link>{escape(base_url + self.article_path(a))}</link>"
            f"<guid>{escape(base_url + self.article_path(a))}</guid>"
            f"<pubDate>{format_datetime(datetime.fromisoformat(a['published']))}</pubDate></item>"
            for a in items
        )
        return (
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(outlet['name'])}</title><link>{escape(base_url)}/{outlet_slug}/</link>"
            f"<language>{outlet['language']}</language>{entries}</channel></rss>"
        )


class DemoServer:
    """The demo site on a free loopback port, in a background thread."""

    def __init__(self, site: DemoSite | None = None, host: str = "127.0.0.1") -> None:
        self.site = site or DemoSite.load()
        self._server = ThreadingHTTPServer((host, 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-site", daemon=True)

    @cached_property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def feed_urls(self) -> dict[str, str]:
        """Outlet slug → feed URL."""
        return {slug: self.base_url + self.site.feed_path(slug) for slug in self.site.outlets}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                content_type, body = server.route(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", content_type)
                payload = (body or "not found").encode("utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def route(self, path: str) -> tuple[str, str | None]:
        for slug in self.site.outlets:
            if path == self.site.feed_path(slug):
                return "application/xml; charset=utf-8", self.site.render_feed(slug, self.base_url)
        for article in self.site.articles:
            if path == self.site.article_path(article):
                return "text/html; charset=utf-8", self.site.render_article(article, self.base_url)
        if path == "/robots.txt":
            return "text/plain; charset=utf-8", "User-agent: *\nAllow: /\n"
        return "text/plain; charset=utf-8", None

    def __enter__(self) -> DemoServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
