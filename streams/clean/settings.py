"""Clean-stage settings."""

from __future__ import annotations

from pydantic import BaseModel


class CleanSettings(BaseModel):
    """`NEWSMON_CLEAN__*` / `[clean]`."""

    max_html_bytes: int = 3_000_000
    fast: bool = False
