"""Connector settings: the feed list and how feeds and pages are fetched."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FeedConfig(BaseModel):
    """One feed to poll (`[[feeds]]` in the config file)."""

    url: str
    name: str | None = None
    language: str | None = Field(default=None, description="Language hint, e.g. 'ar' or 'en'.")
    interval_seconds: float | None = Field(default=None, description="Overrides connector.poll_interval_seconds.")
    tags: list[str] = Field(default_factory=list)


class ConnectorSettings(BaseModel):
    """`NEWSMON_CONNECTOR__*` / `[connector]`."""

    poll_interval_seconds: float = 300.0
    user_agent: str = "newsmon/0.1 (+news monitor; contact: ops@example.invalid)"
    request_timeout_seconds: float = 20.0
    max_response_bytes: int = 5_000_000
    max_redirects: int = 5
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts or CIDR ranges exempt from the private-address (SSRF) refusal, e.g. 127.0.0.1.",
    )
