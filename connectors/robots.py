"""robots.txt for article pages (protego), fetched through the guarded fetcher and cached per origin."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

from newsmon.connectors.errors import FetchError, HttpStatusError
from newsmon.connectors.http import Fetcher
from protego import Protego

_ALLOW_ALL = ""
_DISALLOW_ALL = "User-agent: *\nDisallow: /\n"


class RobotsCache:
    """`allowed(url)`: may our User-Agent fetch `url`? RFC 9309: a 4xx robots.txt allows everything, an
    unreachable one (5xx, network error) disallows everything until it is fetched again."""

    def __init__(self, fetcher: Fetcher, user_agent: str, ttl_seconds: float) -> None:
        self._fetcher = fetcher
        self._user_agent = user_agent
        self._ttl = ttl_seconds
        self._cache: dict[str, tuple[float, Protego]] = {}
        self._loading: dict[str, asyncio.Task[Protego]] = {}

    async def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        cached = self._cache.get(origin)
        if cached is None or cached[0] < time.monotonic():
            # One fetch per origin even when many pages of it are checked at once.
            task = self._loading.get(origin)
            if task is None:
                task = self._loading[origin] = asyncio.ensure_future(self._load(origin))
                task.add_done_callback(lambda _task: self._loading.pop(origin, None))
            rules = await task
            self._cache[origin] = (time.monotonic() + self._ttl, rules)
        else:
            rules = cached[1]
        return rules.can_fetch(url, self._user_agent)

    async def _load(self, origin: str) -> Protego:
        try:
            response = await self._fetcher.get(f"{origin}/robots.txt", accept="text/plain")
            text = response.body.decode("utf-8", errors="replace")
        except HttpStatusError as exc:
            text = _ALLOW_ALL if 400 <= exc.status < 500 else _DISALLOW_ALL
        except FetchError:
            text = _DISALLOW_ALL
        return Protego.parse(text)
