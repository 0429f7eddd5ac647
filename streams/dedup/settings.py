"""Dedup-stage settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class DedupSettings(BaseModel):
    """`NEWSMON_DEDUP__*` / `[dedup]`."""

    model_config = ConfigDict(extra="forbid")

    window_days: float = Field(default=7.0, gt=0, description="How long an article stays in the dedup index.")
