"""Exact deduplication as pure functions over table state (no Faust).

Two keyed hops, because an exact copy can match on either key and each key lives on its own partition:
1. by canonical URL (the `articles` key): the same page seen again — refetched, listed by two feeds — is dropped;
   a changed text on the same URL is a revision and goes on;
2. by text hash (the `articles.by-text` key): the same body under another URL — a syndicated copy — is marked
   `duplicate_of` the first article and joins its story.

Each state remembers the origin (topic, partition, offset) of the message that claimed the key, so a redelivery
of that very message repeats its output instead of being mistaken for a copy of itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from newsmon.records import Article, DedupVerdict


class UrlDecision(Enum):
    FORWARD = "forward"
    SAME_PAGE_AGAIN = "same_page_again"


@dataclass(frozen=True)
class UrlJudgement:
    decision: UrlDecision
    state: dict[str, Any]


def judge_by_url(article: Article, state: dict[str, Any] | None, origin: list[Any]) -> UrlJudgement:
    """Decide on an article keyed by canonical URL; `state` is what the URL table holds for that URL."""
    claim = {"text_hash": article.text_hash, "article_id": article.article_id, "origin": origin}
    if state is None or state["origin"] == origin or state["text_hash"] != article.text_hash:
        return UrlJudgement(UrlDecision.FORWARD, claim)
    return UrlJudgement(UrlDecision.SAME_PAGE_AGAIN, state)


@dataclass(frozen=True)
class TextJudgement:
    article: Article | None  # the article with its verdict, or None when there is nothing to pass on
    state: dict[str, Any]


def judge_by_text(article: Article, state: dict[str, Any] | None, origin: list[Any]) -> TextJudgement:
    """Decide on an article keyed by text hash; `state` is what the text table holds for that hash."""
    if state is None or state["origin"] == origin:
        claim = {"article_id": article.article_id, "story_id": article.article_id, "origin": origin}
        verdict = DedupVerdict(story_id=article.article_id)
        return TextJudgement(article.model_copy(update={"dedup": verdict}), claim)
    if state["article_id"] == article.article_id:
        # The same article reached us twice (its URL was revised back to a text we know): nothing new.
        return TextJudgement(None, state)
    verdict = DedupVerdict(duplicate_of=state["article_id"], method="text_hash", similarity=1.0,
                           story_id=state["story_id"])
    return TextJudgement(article.model_copy(update={"dedup": verdict}), state)
