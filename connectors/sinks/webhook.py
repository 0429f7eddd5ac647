"""One HTTP webhook: signs the body, posts it within a timeout, retries with exponential backoff, and keeps
to a request rate. It reports an outcome; what to do with a failure (dead-letter) is the caller's business."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass

import httpx

SIGNATURE_HEADER = "X-Newsmon-Signature"


def signature(body: bytes, secret: str) -> str:
    """`sha256=<hex HMAC-SHA256 of the body>`; receivers recompute it with the shared secret."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


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
        self._client = httpx.Client(timeout=timeout_seconds, follow_redirects=False)

    def _attempt(self, body: bytes, alert_id: str) -> tuple[bool, bool, str | None, str | None]:
        """(delivered, retryable, reason, error) of one request."""
        headers = {"Content-Type": self._content_type, "X-Newsmon-Alert-Id": alert_id}
        if self._secret is not None:
            headers[SIGNATURE_HEADER] = signature(body, self._secret)
        try:
            response = self._client.post(self.url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            return False, True, "timeout", str(exc) or type(exc).__name__
        except httpx.TransportError as exc:
            return False, True, "unreachable", str(exc) or type(exc).__name__
        if response.is_success:
            return True, False, None, None
        status = response.status_code
        error = f"HTTP {status}: {response.text[:200]}"
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
        self._client.close()
