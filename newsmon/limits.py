"""The size policy: what each record kind may weigh on the wire and how an oversize record is cut to fit.

Pure functions over newsmon.records; the caps are `Settings.limits` (newsmon.settings.limits). A RawPage is
cut by the connector before it is published, an Article by every stage before it sends one; any record still
above `record_bytes` is never handed to a producer (a reference to it is dead-lettered instead). A dead letter
carries a reference (topic/partition/offset, key) and the first `dead_letter_payload_bytes` of the original,
never the whole of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import TypeVar

from newsmon.records import Article, RawPage, Record
from newsmon.settings.limits import LimitsSettings

R = TypeVar("R", bound=Record)

# Cutting keeps this share of what the budget allows, so that a cut rarely needs a second measurement.
_MARGIN = 0.98
_MAX_CUTS = 12
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def kind_of(record: Record) -> str:
    """The record kind as a metric label: the class name in snake case (raw_page, article, event …)."""
    return _kind(type(record))


@cache  # asked for every record sent: the regex per record was measurable on the event loop
def _kind(record_type: type[Record]) -> str:
    return _CAMEL.sub("_", record_type.__name__).lower()


def fit(record: R, cap: int, shrink: Callable[[R, float], R]) -> tuple[R, bytes] | None:
    """`record` and its encoding when it is at most `cap` bytes; else `shrink(record, keep)` (keeping about
    `keep` of its cuttable content) until it fits, or None when even the uncuttable part is too large."""
    encoded = record.to_bytes()
    keep = 1.0
    for _ in range(_MAX_CUTS):
        if len(encoded) <= cap:
            return record, encoded
        # JSON escaping makes bytes per character uneven: measure again after each cut.
        keep *= _MARGIN * cap / len(encoded)
        record = shrink(record, keep)
        encoded = record.to_bytes()
    return (record, encoded) if len(encoded) <= cap else None


def _prefix(text: str | None, keep: float) -> str | None:
    return None if text is None else text[: int(len(text) * keep)]


def shrink_raw_page(page: RawPage, keep: float) -> RawPage:
    """`keep` of the page body and of the feed summary (the two fields outside content can make large)."""
    feed = page.feed.model_copy(update={"summary": _prefix(page.feed.summary, keep)})
    return page.model_copy(update={"html": _prefix(page.html, keep), "feed": feed, "truncated": True})


def shrink_article(article: Article, keep: float) -> Article:
    """The first `keep` of the text, cut at a paragraph boundary or inside the last paragraph kept: the text
    stays the paragraphs joined by blank lines and a prefix of the original, so the sentences that end inside
    it keep their offsets. `word_count` and `text_hash` stay those of the whole text (an exact copy of the
    page is still one)."""
    budget = int(len(article.text) * keep)
    paragraphs: list[str] = []
    used = 0
    for paragraph in article.paragraphs:
        room = budget - used - (2 if paragraphs else 0)
        if room <= 0:
            break
        paragraphs.append(paragraph[:room])
        used += (2 if len(paragraphs) > 1 else 0) + len(paragraphs[-1])
    text = "\n\n".join(paragraphs)
    removed = article.removed_boilerplate[: int(len(article.removed_boilerplate) * keep)]
    flags = article.flags if "truncated" in article.flags else [*article.flags, "truncated"]
    return article.model_copy(
        update={
            "paragraphs": paragraphs,
            "text": text,
            "sentences": [sentence for sentence in article.sentences if sentence.end <= len(text)],
            "removed_boilerplate": removed,
            "flags": flags,
        }
    )


def fit_raw_page(page: RawPage, limits: LimitsSettings) -> tuple[RawPage, bytes] | None:
    return fit(page, limits.raw_page_bytes, shrink_raw_page)


def fit_article(article: Article, limits: LimitsSettings) -> tuple[Article, bytes] | None:
    return fit(article, limits.article_bytes, shrink_article)


def fit_record(record: Record, limits: LimitsSettings) -> tuple[Record, bytes] | None:
    """Any record about to be produced, cut to its kind's cap, or None when it cannot be made to fit
    `record_bytes` (then it must not be produced)."""
    if isinstance(record, RawPage):
        return fit_raw_page(record, limits)
    if isinstance(record, Article):
        return fit_article(record, limits)
    encoded = record.to_bytes()
    return (record, encoded) if len(encoded) <= limits.record_bytes else None


def payload_head(value: bytes | str | None, limits: LimitsSettings) -> str:
    """The first `dead_letter_payload_bytes` of a payload, as text (undecodable bytes escaped)."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = value.encode("utf-8", errors="backslashreplace")
    return value[: limits.dead_letter_payload_bytes].decode("utf-8", errors="backslashreplace")
