"""The connector process: the Kafka publisher and the feed connector, closed cleanly however it ends."""

from __future__ import annotations

import asyncio
import logging

from newsmon.connectors.publisher import RawPagePublisher
from newsmon.connectors.service import FeedConnector, PollSummary
from newsmon.settings import Settings
from newsmon.topics import Topics

LOGGER = logging.getLogger(__name__)


async def run_connector(
    settings: Settings, bootstrap_servers: str, stop: asyncio.Event | None = None
) -> PollSummary | None:
    """Poll the feeds until `stop` is set; with no `stop`, poll every feed once and return what it found."""
    publisher = RawPagePublisher(
        bootstrap_servers,
        Topics(settings.kafka.topic_prefix),
        timeout_seconds=settings.connector.publish_timeout_seconds,
        limits=settings.limits,
    )
    connector = FeedConnector(settings, publisher)
    LOGGER.info(
        "connector starting",
        extra={"feeds": len(settings.feeds), "bootstrap_servers": bootstrap_servers, "once": stop is None},
    )
    try:
        if stop is None:
            return await connector.poll_all_once()
        await connector.run(stop)
        return None
    finally:
        await connector.aclose()
        publisher.flush(timeout=10)
        publisher.close()


async def serve_until_signalled(settings: Settings, bootstrap_servers: str) -> None:
    """`newsmon connect`: run the connector until SIGINT or SIGTERM."""
    import signal

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await run_connector(settings, bootstrap_servers, stop)
