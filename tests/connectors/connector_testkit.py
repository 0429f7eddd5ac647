"""Connector test kit: a loopback HTTP server with scripted routes, feed/page builders, settings, topic
readers.

(A module, not conftest.py, so tests can import it by its unique name.)"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

from newsmon.connectors.publisher import RawPagePublisher
from newsmon.connectors.service import FeedConnector, PollSummary

from newsmon.kafka_admin import ensure_topics
from newsmon.records import DeadLetter, RawPage
from newsmon.settings import KafkaSettings, Settings
from newsmon.settings.connector import ConnectorSettings, FeedConfig
from newsmon.topics import DEAD_LETTER, RAW_PAGES, Topics
from tests.serving import serve_in_background
from tests.topic_reading import read_to_end

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class LoopbackServer:
    """ThreadingHTTPServer on 127.0.0.1. `routes[path]` (exact, else without the query) is a Reply or a
    function writing the response itself."""

    def __init__(self) -> None:
        self.routes: dict[str, Reply | Handler] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.closing = threading.Event()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = (
                    server.routes.get(self.path)
                    or server.routes.get(self.path.split("?")[0])
                    or Reply(b"not found", 404)
                )
                if callable(route):
                    route(self)
                    return
                self.send_response(route.status)
                headers = {"Content-Length": str(len(route.body)), **route.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(route.body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = serve_in_background(self._httpd)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for requested, _ in self.requests if requested == path)

    def close(self) -> None:
        self.closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()


def rss(items: list[dict[str, str]], *, title: str = "Test feed", extra: str = "") -> bytes:
    """An RSS 2.0 document; each item dict may have title, link, guid, pubDate, description, category."""
    parts = []
    for item in items:
        fields = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in item.items())
        parts.append(f"<item>{fields}</item>")
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
        f"<link>http://example.invalid/</link><language>en</language>{extra}{''.join(parts)}</channel></rss>"
    ).encode()


def html_page(title: str, body: str = "", head: str = "") -> bytes:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
        f"<body><h1>{title}</h1><p>{body}</p></body></html>"
    ).encode()


FEED_HEADERS = {"Content-Type": "application/rss+xml; charset=utf-8"}
HTML_HEADERS = {"Content-Type": "text/html; charset=utf-8"}


def make_settings(
    tmp_path: Path, feeds: list[str | FeedConfig], prefix: str = "t-conn.", **connector: Any
) -> Settings:
    options: dict[str, Any] = {
        "allowed_hosts": ["127.0.0.1"],
        "per_host_min_delay_seconds": 0.0,
        "per_host_concurrency": 8,
        "request_timeout_seconds": 5.0,
        "publish_timeout_seconds": 10.0,
        **connector,
    }
    return Settings(
        feeds=[feed if isinstance(feed, FeedConfig) else FeedConfig(url=feed, name="Test") for feed in feeds],
        connector=ConnectorSettings(**options),
        kafka=KafkaSettings(topic_prefix=prefix, partitions=2),
        state_dir=tmp_path / "state",
    )


def create_topics(bootstrap_servers: str, prefix: str) -> Topics:
    ensure_topics(KafkaSettings(topic_prefix=prefix, partitions=2), bootstrap_servers)
    return Topics(prefix)


def read_topic(
    bootstrap_servers: str, topic: str, *, expect: int, timeout: float = 15.0
) -> list[tuple[bytes | None, bytes]]:
    """The records of a topic once it holds at least `expect` (all of them, so that extras show), or what it
    holds when the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        records = [(record.key, record.value) for record in read_to_end(bootstrap_servers, topic)]
        if len(records) >= expect or time.monotonic() > deadline:
            return records
        time.sleep(0.1)


def raw_pages(bootstrap_servers: str, topics: Topics, *, expect: int, **kwargs: Any) -> list[RawPage]:
    return [
        RawPage.from_bytes(value)
        for _, value in read_topic(bootstrap_servers, topics.name(RAW_PAGES), expect=expect, **kwargs)
    ]


def dead_letters(bootstrap_servers: str, topics: Topics, *, expect: int, **kwargs: Any) -> list[DeadLetter]:
    return [
        DeadLetter.from_bytes(value)
        for _, value in read_topic(bootstrap_servers, topics.name(DEAD_LETTER), expect=expect, **kwargs)
    ]


def poll_once(settings: Settings, publisher: RawPagePublisher) -> PollSummary:
    """One poll of every configured feed by a fresh connector, closed afterwards."""

    async def go() -> PollSummary:
        connector = FeedConnector(settings, publisher)
        try:
            return await connector.poll_all_once()
        finally:
            await connector.aclose()

    return asyncio.run(go())


class Position(NamedTuple):
    partition: int
    offset: int


class RecordingPublisher:
    """Kafka stand-in with the publisher's interface: acknowledges every page at once (on one partition, the
    n-th page at offset n) and keeps what the connector published and dead-lettered in memory. A test sets
    `cluster` to another id when the broker comes back as a new cluster, and `finished_up_to` to the worker's
    committed offset."""

    def __init__(self) -> None:
        self.pages: list[RawPage] = []
        self.letters: list[DeadLetter] = []
        self.cluster = "recording"
        self.finished_up_to = 0

    def publish_confirmed(self, pages: list[RawPage], timeout: float | None = None) -> list[Position]:
        first = len(self.pages)
        self.pages.extend(pages)
        return [Position(0, first + number) for number in range(len(pages))]

    def committed(self, group: str) -> dict[int, int]:
        return {0: self.finished_up_to}

    def cluster_id(self) -> str:
        return self.cluster

    def dead_letter(self, letter: DeadLetter) -> None:
        self.letters.append(letter)

    def flush(self, timeout: float | None = None) -> None:
        pass
