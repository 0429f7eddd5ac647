"""Per-host politeness: a concurrency limit and a minimum delay between requests to one host."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class HostPoliteness:
    """Hands out request slots per host: at most `concurrency` at once, starts at least `min_delay` apart."""

    def __init__(self, concurrency: int, min_delay_seconds: float) -> None:
        self._concurrency = concurrency
        self._min_delay = min_delay_seconds
        self._semaphores: dict[str, asyncio.Semaphore] = {}
        self._next_start: dict[str, float] = {}

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        semaphore = self._semaphores.setdefault(host, asyncio.Semaphore(self._concurrency))
        async with semaphore:
            loop = asyncio.get_running_loop()
            now = loop.time()
            # Reserve the next start time before awaiting, so waiters queue up min_delay apart.
            start = max(now, self._next_start.get(host, now))
            self._next_start[host] = start + self._min_delay
            if start > now:
                await asyncio.sleep(start - now)
            yield
