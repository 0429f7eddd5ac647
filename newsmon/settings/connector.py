"""Connector settings: the feed list and how feeds and pages are fetched, scheduled and published."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator


class FeedConfig(BaseModel):
    """One feed to poll (`[[feeds]]` in the config file)."""

    model_config = ConfigDict(extra="forbid")

    url: str
    name: str | None = None
    language: str | None = Field(default=None, description="Language hint, e.g. 'ar' or 'en'.")
    interval_seconds: float | None = Field(
        default=None, description="Overrides connector.poll_interval_seconds."
    )
    tags: list[str] = Field(default_factory=list)

    @field_validator("url")
    @classmethod
    def _absolute_http_url(cls, url: str) -> str:
        # "htp:/example.org/feed" used to pass and was retried forever at run time.
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"feed url {url!r} is not an absolute http(s) URL")
        return url


class ConnectorSettings(BaseModel):
    """`NEWSMON_CONNECTOR__*` / `[connector]`."""

    model_config = ConfigDict(extra="forbid")

    poll_interval_seconds: float = Field(
        default=300.0, gt=0, description="Default time between polls of a feed."
    )
    poll_jitter_fraction: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description=(
            "Each poll interval is stretched or shrunk by up to this fraction, so feeds don't poll in step."
        ),
    )
    max_poll_interval_seconds: float = Field(
        default=3600.0,
        gt=0,
        description="Upper bound on the interval a feed's <ttl> or Cache-Control can ask for.",
    )
    backoff_initial_seconds: float = Field(
        default=60.0, gt=0, description="Wait after a feed's first failure."
    )
    backoff_max_seconds: float = Field(
        default=3600.0,
        gt=0,
        description="Cap of the exponential backoff (doubling per consecutive failure).",
    )
    unhealthy_after_failures: int = Field(
        default=5,
        ge=1,
        description="Consecutive failures after which a feed is reported unhealthy.",
    )
    user_agent: str = "newsmon/0.1 (+news monitor; contact: ops@example.invalid)"
    request_timeout_seconds: float = Field(
        default=20.0,
        gt=0,
        description="Total deadline of one request (connect, headers and whole body).",
    )
    connect_timeout_seconds: float = Field(default=10.0, gt=0, description="Deadline of the TCP/TLS connect.")
    max_response_bytes: int = Field(
        default=5_000_000,
        gt=0,
        description="Cap on a decompressed response body; larger ones are cut off.",
    )
    max_redirects: int = Field(default=5, ge=0, description="Redirect hops followed (each one SSRF-checked).")
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts, addresses or CIDR ranges exempt from the private-address (SSRF) refusal, each "
        "optionally with a port (feeds.internal:8080, [::1]:9000, 10.0.0.0/8:443). A name without a port "
        "allows the scheme's default port only; an address or range without one allows every port.",
    )
    max_concurrent_feeds: int = Field(default=32, ge=1, description="Feeds polled at the same time.")
    per_host_concurrency: int = Field(
        default=2, ge=1, description="Requests in flight to one host at a time."
    )
    per_host_min_delay_seconds: float = Field(
        default=1.0,
        ge=0,
        description="Minimum time between the starts of two requests to one host.",
    )
    obey_robots_txt: bool = Field(default=True, description="Honour robots.txt for article pages.")
    robots_cache_seconds: float = Field(
        default=3600.0, ge=0, description="How long a host's robots.txt is kept."
    )
    fetch_pages: bool = Field(
        default=True, description="False: publish only what the feed carried (feed_only)."
    )
    publish_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long Kafka may take to acknowledge a record before the poll counts as failed "
        "(the items stay unseen and are published again on the next poll).",
    )
    max_items_per_poll: int = Field(
        default=200,
        ge=1,
        description="New items one poll of a feed publishes at most; the rest stay unseen and a further poll "
        "of the feed follows after backlog_poll_delay_seconds (not the full interval).",
    )
    max_bytes_per_poll: int = Field(
        default=64 * 1024 * 1024,
        gt=0,
        description="Page bytes one poll of a feed fetches at most (checked before each page fetch starts, "
        "so the pages already in flight may pass it); the remaining items wait as for max_items_per_poll.",
    )
    backlog_poll_delay_seconds: float = Field(
        default=5.0,
        ge=0,
        description="Wait before polling again a feed whose last poll left new items for later (a cap was "
        "reached; or publishing failed: then doubling while it fails, up to backoff_initial_seconds).",
    )
    seen_retention_days: float = Field(
        default=30.0,
        gt=0,
        description="Items seen (and not listed by their feed since) longer ago than this are forgotten, "
        "except each feed's newest seen_keep_per_feed keys; pruned at most once an hour.",
    )
    seen_keep_per_feed: int = Field(
        default=5000,
        ge=0,
        description="Identity keys (1-2 per item) of each feed kept whatever their age, so a feed that "
        "reappears after a long outage, or changes after months of 304s, does not re-publish what it lists.",
    )
    metrics_feed_label_limit: int = Field(
        default=200,
        ge=0,
        description="Per-feed metric labels are set only while there are fewer feeds than this.",
    )
