"""Connector throughput on loopback: N feeds (default 1,000) with M items each, served by a local asyncio HTTP
server in its own process, published to an embedded tansu broker. Prints a table of polls/s and pages/s for
a cold poll (every item new: feed + pages + publish), a warm poll (every feed answers 304) and a poll
where every feed changed (new items, ETag changed).

    .venv/bin/python bench/bench_connector.py [--feeds 1000] [--items 5]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import tempfile
import time
from pathlib import Path

from newsmon.connectors.publisher import RawPagePublisher
from newsmon.connectors.service import FeedConnector, PollSummary

from newsmon.broker import EmbeddedBroker, free_port
from newsmon.kafka_admin import ensure_topics
from newsmon.settings import KafkaSettings, Settings
from newsmon.settings.connector import ConnectorSettings, FeedConfig
from newsmon.topics import Topics

PAGE_FILLER = "<p>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 80 + "</p>"


def _feed(feed: int, items: int, version: int) -> bytes:
    entries = "".join(
        f"<item><title>Feed {feed} item {version}-{j}</title><guid>f{feed}-v{version}-{j}</guid>"
        f"<link>/page/{feed}/{version}-{j}</link><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate></item>"
        for j in range(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {feed}</title>'
        f"<link>/</link>{entries}</channel></rss>"
    ).encode()


def serve(port: int, items: int, version: multiprocessing.Value) -> None:  # type: ignore[type-arg]
    """Run the feed/page server (in a child process, so it does not share the connector's GIL)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {
                    k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                etag = f'"v{version.value}"'
                status, ctype, body, extra = "200 OK", "text/html; charset=utf-8", b"", ""
                if path.startswith("/feed/"):
                    if headers.get("if-none-match") == etag:
                        status = "304 Not Modified"
                    else:
                        body = _feed(int(path.split("/")[2].split(".")[0]), items, version.value)
                        ctype, extra = "application/rss+xml; charset=utf-8", f"ETag: {etag}\r\n"
                elif path.startswith("/page/"):
                    body = (
                        f"<html><head><title>{path}</title></head><body>{PAGE_FILLER}</body></html>".encode()
                    )
                else:
                    status, body = "404 Not Found", b"no"
                writer.write(
                    f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                    f"{extra}\r\n".encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def run_round(settings: Settings, publisher: RawPagePublisher) -> tuple[PollSummary, float]:
    async def go() -> tuple[PollSummary, float]:
        connector = FeedConnector(settings, publisher)
        try:
            started = time.perf_counter()
            summary = await connector.poll_all_once()
            return summary, time.perf_counter() - started
        finally:
            await connector.aclose()

    return asyncio.run(go())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=5, help="Items per feed (each with a page).")
    parser.add_argument("--concurrency", type=int, default=64, help="connector.max_concurrent_feeds")
    args = parser.parse_args()

    port = free_port()
    version = multiprocessing.Value("i", 1)
    server = multiprocessing.Process(target=serve, args=(port, args.items, version), daemon=True)
    server.start()
    prefix = "bench."
    with EmbeddedBroker() as broker, tempfile.TemporaryDirectory() as state_dir:
        ensure_topics(KafkaSettings(topic_prefix=prefix, partitions=4), broker.bootstrap_servers)
        settings = Settings(
            feeds=[
                FeedConfig(url=f"http://127.0.0.1:{port}/feed/{i}.xml", name=f"Feed {i}")
                for i in range(args.feeds)
            ],
            # All feeds live on one loopback host: per-host politeness is opened up accordingly.
            connector=ConnectorSettings(
                allowed_hosts=["127.0.0.1"],
                max_concurrent_feeds=args.concurrency,
                per_host_concurrency=args.concurrency,
                per_host_min_delay_seconds=0,
            ),
            kafka=KafkaSettings(topic_prefix=prefix),
            state_dir=Path(state_dir),
        )
        publisher = RawPagePublisher(broker.bootstrap_servers, Topics(prefix))
        rows = []
        try:
            for label in ("cold (all new)", "warm (all 304)", "changed (all new again)"):
                if label.startswith("changed"):
                    version.value += 1
                summary, seconds = run_round(settings, publisher)
                rows.append((label, summary, seconds))
        finally:
            publisher.close()
            server.terminate()
    print(
        f"\nconnector bench: {args.feeds} feeds x {args.items} items, concurrency {args.concurrency}, "
        f"{multiprocessing.cpu_count()} CPUs\n"
    )
    header = (
        f"{'round':<26}{'seconds':>9}{'polls/s':>10}{'new items':>11}"
        f"{'pages':>8}{'pages/s':>9}{'304s':>7}{'errors':>8}"
    )
    print(header)
    print("-" * len(header))
    for label, summary, seconds in rows:
        print(
            f"{label:<26}{seconds:>9.2f}{summary.feeds_polled / seconds:>10.1f}{summary.new_items:>11}"
            f"{summary.pages_published:>8}{summary.pages_published / seconds:>9.1f}{summary.not_modified:>7}"
            f"{sum(summary.errors.values()):>8}"
        )


if __name__ == "__main__":
    main()
