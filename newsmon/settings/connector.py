"""Connector settings: the feed list and how feeds and pages are fetched, scheduled and published."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FeedConfig(BaseModel):
    """One feed to poll (`[[feeds]]` in the config file)."""

    url: str
    name: str | None = None
    language: str | None = Field(default=None, description="Language hint, e.g. 'ar' or 'en'.")
    interval_seconds: float | None = Field(
        default=None, description="Overrides connector.poll_interval_seconds."
    )
    tags: list[str] = Field(default_factory=list)


class ConnectorSettings(BaseModel):
    """`NEWSMON_CONNECTOR__*` / `[connector]`."""

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
        description="Hosts or CIDR ranges exempt from the private-address (SSRF) refusal, e.g. 127.0.0.1.",
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
    metrics_feed_label_limit: int = Field(
        default=200,
        ge=0,
        description="Per-feed metric labels are set only while there are fewer feeds than this.",
    )
