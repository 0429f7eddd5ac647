"""The connector's error hierarchy. Each class has ONE `reason`: the metric label and the dead-letter
reason."""

from __future__ import annotations

from typing import ClassVar


class FetchError(Exception):
    """Fetching or reading a feed or page failed; `url` names what was fetched."""

    reason: ClassVar[str] = "fetch_error"

    def __init__(self, message: str, url: str, *, body: bytes = b"") -> None:
        super().__init__(message)
        self.url = url
        self.body = body  # what we got, if anything: goes (truncated) into the dead letter


class ConnectFailed(FetchError):
    reason = "connect_failed"


class FeedTimeout(FetchError):
    """The total deadline of a request (feed or page) ran out, e.g. a server trickling bytes."""

    reason = "timeout"


class ResponseTooLarge(FetchError):
    reason = "too_large"


class BlockedAddress(FetchError):
    """The URL (or a redirect hop) resolves to a private, loopback, link-local … address (SSRF guard)."""

    reason = "blocked_address"


class InvalidUrl(FetchError):
    reason = "invalid_url"


class TooManyRedirects(FetchError):
    reason = "too_many_redirects"


class UnsupportedContentType(FetchError):
    reason = "unsupported_content_type"


class MalformedFeed(FetchError):
    reason = "malformed_feed"


class RobotsDisallowed(FetchError):
    reason = "robots_disallowed"


class HttpStatusError(FetchError):
    reason = "http_status"

    def __init__(
        self, message: str, url: str, *, status: int, retry_after: float | None = None, body: bytes = b""
    ) -> None:
        super().__init__(message, url, body=body)
        self.status = status
        self.retry_after = retry_after


class PublishError(Exception):
    """Kafka did not acknowledge a record in time; the items concerned are not marked seen."""

    reason: ClassVar[str] = "publish_failed"
