"""Hostile and broken feed content: item links that are not http(s) (`javascript:`, `data:`, `file:`) and a
windows-1256 Arabic feed labelled UTF-8. Refused links and re-decoded feeds are logged and counted
(`newsmon_connector_errors_total{reason="bad_link"|"encoding_mismatch"}`)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from newsmon.connectors.feeds import parse_feed
from newsmon.connectors.publisher import RawPagePublisher
from newsmon.connectors.service import FeedConnector
from newsmon.connectors.urls import is_web_url
from prometheus_client import REGISTRY

from tests.connectors.connector_testkit import create_topics, make_settings, raw_pages
from tests.serving import serve_in_background

ARABIC_TITLE = "الاتحاد الأوروبي يفرض الحزمة العشرين من العقوبات على روسيا"
ARABIC_SUMMARY = "أعلن المجلس اليوم فرض عقوبات جديدة تشمل قطاع الطاقة"
HOSTILE_LINKS = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
    "mailto:desk@example.org",
]


def errors(reason: str) -> float:
    return REGISTRY.get_sample_value("newsmon_connector_errors_total", {"reason": reason}) or 0.0


def rss(items: str, declaration: str = '<?xml version="1.0" encoding="utf-8"?>') -> str:
    return f'{declaration}<rss version="2.0"><channel><title>Feed</title>{items}</channel></rss>'


def item(title: str, link: str, summary: str = "") -> str:
    # The link goes in CDATA so that a tab or `&` in it reaches the parser as the feed's author wrote it.
    link = f"<link><![CDATA[{link}]]></link>"
    return f"<item><title>{title}</title>{link}<description>{summary}</description></item>"


class Site:
    """A loopback site serving `routes[path]`: (body, content type)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[bytes, str]] = {}
        self.hits: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                site.hits.append(self.path)
                body, content_type = site.routes.get(self.path, (b"not found", "text/plain"))
                self.send_response(200 if self.path in site.routes else 404)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = serve_in_background(self._server)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def site() -> Iterator[Site]:
    running = Site()
    yield running
    running.close()


def test_non_http_item_links_are_refused_and_counted_and_the_items_kept():
    before = errors("bad_link")
    body = rss(
        "".join(item(f"Item {index}", link) for index, link in enumerate(HOSTILE_LINKS))
        + item("Good", "https://news.example/a/1")
        + item("Relative", "/a/2")
    ).encode()
    parsed = parse_feed(body, "https://news.example/feed.xml", "application/rss+xml; charset=utf-8")
    links = {entry.title: entry.link for entry in parsed.items}
    assert links == {
        **{f"Item {index}": None for index in range(len(HOSTILE_LINKS))},
        "Good": "https://news.example/a/1",
        "Relative": "https://news.example/a/2",
    }
    assert all(not key.startswith("link:") for entry in parsed.items[:-2] for key in entry.keys)
    assert errors("bad_link") - before == len(HOSTILE_LINKS)


@pytest.mark.parametrize("url", HOSTILE_LINKS + ["http:relative", "https://", "http://[::1"])
def test_is_web_url_refuses_what_is_no_article_link(url: str):
    assert not is_web_url(url)


def test_cp1256_arabic_feed_declared_utf8_is_decoded_as_arabic_and_counted():
    before = errors("encoding_mismatch")
    body = rss(item(ARABIC_TITLE, "https://news.example/ar/1", ARABIC_SUMMARY)).encode("cp1256")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")  # the label lies
    parsed = parse_feed(body, "https://news.example/ar.xml", "application/rss+xml; charset=utf-8")
    assert [(entry.title, entry.summary) for entry in parsed.items] == [(ARABIC_TITLE, ARABIC_SUMMARY)]
    assert errors("encoding_mismatch") - before == 1


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Café crème à la française", "windows-1252"),
        ("Bären, Öl und Größe: Sanktionen gegen Rußland", "windows-1252"),
        (ARABIC_TITLE, "cp1256"),
    ],
)
def test_other_mislabelled_feeds_keep_their_letters(text: str, encoding: str):
    """Accented Latin text in windows-1252 must not be taken for Arabic (ä is ل in windows-1256)."""
    body = rss(item(text, "https://news.example/1"), declaration='<?xml version="1.0"?>').encode(encoding)
    [entry] = parse_feed(body, "https://news.example/feed.xml", "text/xml; charset=utf-8").items
    assert entry.title == text


def test_utf8_feed_with_one_stray_byte_stays_utf8():
    """feedparser alone reads the whole document as windows-1252 when one byte is not UTF-8: every Arabic
    title becomes mojibake. A few bad bytes among much valid UTF-8 are replaced instead."""
    body = rss(item(ARABIC_TITLE, "https://news.example/1", ARABIC_SUMMARY + " \xff")).encode("utf-8")
    body = body.replace("\xff".encode(), b"\xff")
    [entry] = parse_feed(body, "https://news.example/feed.xml", "application/rss+xml; charset=utf-8").items
    assert entry.title == ARABIC_TITLE
    assert entry.summary == ARABIC_SUMMARY + " \ufffd"


@pytest.mark.brokers("tansu")
def test_connector_publishes_no_hostile_link_and_arabic_titles_from_a_mislabelled_feed(
    broker, site: Site, tmp_path: Path
):
    site.routes.update(
        {
            "/hostile.xml": (
                rss(
                    "".join(item(f"Hostile {index}", link) for index, link in enumerate(HOSTILE_LINKS))
                    + item("Good", site.url("/good"))
                ).encode(),
                "application/rss+xml; charset=utf-8",
            ),
            "/ar.xml": (
                rss(item(ARABIC_TITLE, site.url("/ar/1"), ARABIC_SUMMARY)).encode("cp1256"),
                "application/rss+xml; charset=utf-8",
            ),
            "/good": (b"<html><head><title>Good</title></head><body><p>Good.</p></body></html>", "text/html"),
            "/ar/1": (
                f"<html><body><p>{ARABIC_SUMMARY}</p></body></html>".encode(),
                "text/html; charset=utf-8",
            ),
        }
    )
    prefix = "t-hostile-feeds."
    topics = create_topics(broker.bootstrap_servers, prefix)
    settings = make_settings(tmp_path, [site.url("/hostile.xml"), site.url("/ar.xml")], prefix=prefix)
    bad_links, mismatches = errors("bad_link"), errors("encoding_mismatch")
    publisher = RawPagePublisher(broker.bootstrap_servers, topics)

    async def poll_once():
        connector = FeedConnector(settings, publisher)
        try:
            return await connector.poll_all_once()
        finally:
            await connector.aclose()

    try:
        summary = asyncio.run(poll_once())
    finally:
        publisher.close()

    expected = len(HOSTILE_LINKS) + 2
    pages = raw_pages(broker.bootstrap_servers, topics, expect=expected)
    assert len(pages) == expected
    # Before: every hostile link was handed to the page fetcher and came back as `robots_disallowed`.
    assert "robots_disallowed" not in summary.errors, summary.errors
    assert all(is_web_url(url) for page in pages for url in (page.url, page.final_url, page.canonical_url))
    hostile = [page for page in pages if (page.feed.title or "").startswith("Hostile")]
    assert len(hostile) == len(HOSTILE_LINKS) and all(page.feed_only for page in hostile)
    assert errors("bad_link") - bad_links == len(HOSTILE_LINKS)
    assert sorted(hit for hit in site.hits if hit not in ("/hostile.xml", "/ar.xml", "/robots.txt")) == [
        "/ar/1",
        "/good",
    ]
    [arabic] = [page for page in pages if page.feed.feed_url == site.url("/ar.xml")]
    assert (arabic.feed.title, arabic.feed.summary) == (ARABIC_TITLE, ARABIC_SUMMARY)
    assert errors("encoding_mismatch") - mismatches == 1
