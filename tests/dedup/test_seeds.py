"""The real seeds: three outlets on the same Paris meeting share a story; an older, different summit does
not."""

from __future__ import annotations

from pathlib import Path

import pytest
from newsmon.streams.clean.logic import article_from_document
from newsmon.streams.dedup.logic import InMemoryDedup

from newsmon.settings.clean import CleanSettings
from newsmon.settings.dedup import DedupSettings

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def test_paris_meeting_reports_share_a_story_and_the_older_summit_does_not():
    if not SEEDS.is_dir():
        pytest.skip(f"the seeds directory {SEEDS} is absent (third-party texts, not shipped with newsmon)")
    paths = {path.name[:3]: path for path in sorted(SEEDS.glob("*.txt"))}
    dedup = InMemoryDedup(DedupSettings())
    for path in paths.values():
        dedup.add(
            article_from_document(path.read_text(encoding="utf-8"), str(path), CleanSettings()), now=0.0
        )
    story = {
        Path(article.url.removeprefix("file://")).name[:3]: article.dedup.story_id
        for article in dedup.deduped
    }
    assert story["000"] == story["001"] == story["002"]
    assert story["004"] != story["000"]
