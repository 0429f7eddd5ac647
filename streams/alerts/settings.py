"""Alert-stage settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from newsmon.records import EventStatus


class AlertSettings(BaseModel):
    """`NEWSMON_ALERTS__*` / `[alerts]`."""

    model_config = ConfigDict(extra="forbid")

    statuses: list[EventStatus] = Field(
        default_factory=lambda: ["announced", "proposed", "threatened", "lifted"],
        description="Statuses that make an alert. Requests (called_for) and refusals are tracked, not alerted.",
    )
    max_sources: int = Field(default=20, ge=1, description="Sources kept per tracked event.")
