"""One HTTP webhook: signs the body, posts it within a timeout, retries with exponential backoff, and keeps
to a request rate. It reports an outcome; what to do with a failure (dead-letter) is the caller's business.

The timeout is a total deadline per attempt: connecting, sending, the status line, headers and body all
within it. httpx's timeouts bound each socket operation only, so a receiver dripping a byte a second held a
delivery (and its sink's whole queue) for as long as it liked; an attempt is therefore run as a coroutine
under `asyncio.wait_for`, on the sink's own event loop, and cancelled at the deadline.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import threading
import time
from dataclasses import dataclass

import httpx

SIGNATURE_HEADER = "X-Newsmon-Signature"
TIMESTAMP_HEADER = "X-Newsmon-Timestamp"
# Of a refusal's body, what goes into the error (its first 200 characters); the rest is never read.
ERROR_BODY_BYTES = 1024


def signature(body: bytes, secret: str, timestamp: int) -> str:
    """`sha256=<hex HMAC-SHA256 of f"{timestamp}." + body>`, `timestamp` being the unix seconds sent in
    X-Newsmon-Timestamp; receivers recompute it with the shared secret. Signing the time too lets them refuse
    a captured request replayed later: changing the timestamp breaks the signature."""
    return (
        "sha256="
        + hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    )


class RateLimiter:
    """Spaces requests at least 1/rate seconds apart (a token bucket of size one: no bursts at a receiver)."""

    def __init__(self, rate_per_second: float) -> None:
        self._interval = 1.0 / rate_per_second
        self._next = time.monotonic()

    def wait(self, stop: threading.Event) -> None:
        now = time.monotonic()
        if self._next > now:
            stop.wait(self._next - now)
        self._next = max(self._next, now) + self._interval


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    attempts: int
    reason: str | None = None  # bounded: http_4xx, http_5xx, http_429, timeout, unreachable, stopped
    error: str | None = None


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    backoff_initial_seconds: float
    backoff_max_seconds: float

    def backoff(self, attempt: int) -> float:
        return min(self.backoff_max_seconds, self.backoff_initial_seconds * 2 ** (attempt - 1))


class WebhookSink:
    """Used by one thread at a time, never from inside a running event loop: `deliver` runs the sink's own
    loop until the attempt is done."""

    def __init__(
        self,
        url: str,
        *,
        secret: str | None,
        timeout_seconds: float,
        retry: RetryPolicy,
        rate_per_second: float,
        content_type: str = "application/json",
    ) -> None:
        self.url = url
        self._secret = secret
        self._retry = retry
        self._limiter = RateLimiter(rate_per_second)
        self._content_type = content_type
        self._timeout = timeout_seconds
        # One loop and client for the sink's life, so connections to the receiver are kept alive between
        # deliveries as before.
        self._loop = asyncio.new_event_loop()
        self._client = httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=False)

    async def _post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """The status and the head of the body: only ERROR_BODY_BYTES are ever read, so a receiver cannot
        make us buffer a large answer either."""
        async with self._client.stream("POST", self.url, content=body, headers=headers) as response:
            head = b""
            async for chunk in response.aiter_bytes():
                head += chunk
                if len(head) >= ERROR_BODY_BYTES:
                    break
        return response.status_code, head[:ERROR_BODY_BYTES]

    def _attempt(self, body: bytes, alert_id: str) -> tuple[bool, bool, str | None, str | None]:
        """(delivered, retryable, reason, error) of one request."""
        # Taken per attempt: a retry after minutes of backoff is a new request, not a stale one.
        timestamp = int(time.time())
        headers = {
            "Content-Type": self._content_type,
            "X-Newsmon-Alert-Id": alert_id,
            TIMESTAMP_HEADER: str(timestamp),
        }
        if self._secret is not None:
            headers[SIGNATURE_HEADER] = signature(body, self._secret, timestamp)
        try:
            status, head = self._loop.run_until_complete(
                asyncio.wait_for(self._post(body, headers), self._timeout)
            )
        except TimeoutError:
            return False, True, "timeout", f"no complete response within {self._timeout} s"
        except httpx.TimeoutException as exc:
            return False, True, "timeout", str(exc) or type(exc).__name__
        except httpx.TransportError as exc:
            return False, True, "unreachable", str(exc) or type(exc).__name__
        if 200 <= status < 300:
            return True, False, None, None
        error = f"HTTP {status}: {head.decode('utf-8', errors='replace')[:200]}"
        if status == 429:
            return False, True, "http_429", error
        if status >= 500:
            return False, True, "http_5xx", error
        # Any other answer (4xx, or a redirect we do not follow) will not change on a retry.
        return False, False, "http_4xx", error

    def deliver(self, body: bytes, alert_id: str, stop: threading.Event) -> Outcome:
        """Post `body` until acknowledged (2xx), a permanent refusal, `max_attempts`, or `stop`."""
        reason = error = None
        for attempt in range(1, self._retry.max_attempts + 1):
            self._limiter.wait(stop)
            if stop.is_set():
                return Outcome(False, attempt - 1, "stopped", "delivery loop stopping")
            delivered, retryable, reason, error = self._attempt(body, alert_id)
            if delivered:
                return Outcome(True, attempt)
            if not retryable:
                return Outcome(False, attempt, reason, error)
            if attempt < self._retry.max_attempts and stop.wait(self._retry.backoff(attempt)):
                return Outcome(False, attempt, "stopped", "delivery loop stopping")
        return Outcome(False, self._retry.max_attempts, reason, error)

    def close(self) -> None:
        self._loop.run_until_complete(self._client.aclose())
        self._loop.close()
