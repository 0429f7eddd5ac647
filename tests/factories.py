"""Small builders of valid records for tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from newsmon.records import Article, ArticleRef, Event, Party

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def make_article(url: str, text_hash: str = "h1", **changes: Any) -> Article:
    fields: dict[str, Any] = dict(
        article_id=f"id:{url}",
        url=url,
        canonical_url=url,
        feed_url="http://feed",
        outlet="Outlet",
        published_at=NOW,
        published_source="page",
        fetched_at=NOW,
        language="en",
        direction="ltr",
        paragraphs=["Body."],
        text="Body.",
        sentences=[],
        word_count=1,
        text_hash=text_hash,
    )
    fields.update(changes)
    return Article(**fields)


def make_event(outlet: str, status: str = "announced", **changes: Any) -> Event:
    fields: dict[str, Any] = dict(
        event_id=f"e-{outlet}-{status}",
        event_key="k1",
        type="sanction",
        category="sanctions_package",
        status=status,
        actors=[Party(name="EU", code="EU")],
        targets=[Party(name="Russia", code="RUS")],
        sentence="The EU adopted its 20th package.",
        span=(0, 32),
        lang="en",
        confidence=0.9,
        article=ArticleRef(
            article_id=f"a-{outlet}",
            url=f"http://{outlet}/a",
            outlet=outlet,
            published_at=NOW,
            fetched_at=NOW,
        ),
    )
    fields.update(changes)
    return Event(**fields)
