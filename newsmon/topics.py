"""Topic names, declared once. Names are relative; `Topics(prefix)` gives the full names for one deployment."""

from __future__ import annotations

from dataclasses import dataclass

RAW_PAGES = "raw-pages"
ARTICLES = "articles"
ARTICLES_BY_TEXT = "articles.by-text"
ARTICLES_DEDUPED = "articles.deduped"
EVENTS = "events"
ALERTS_COMMITMENTS = "alerts.commitments"
ALERTS_SANCTIONS = "alerts.sanctions"
DEAD_LETTER = "dead-letter"

PUBLIC = (RAW_PAGES, ARTICLES, EVENTS, ALERTS_COMMITMENTS, ALERTS_SANCTIONS, DEAD_LETTER)
# Internal repartition hops between stages; public names above are the contract for subscribers.
INTERNAL = (ARTICLES_BY_TEXT, ARTICLES_DEDUPED)
ALL = PUBLIC + INTERNAL

ALERT_TOPIC_BY_EVENT_TYPE = {"commitment": ALERTS_COMMITMENTS, "sanction": ALERTS_SANCTIONS}


@dataclass(frozen=True)
class Topics:
    prefix: str

    def name(self, topic: str) -> str:
        return f"{self.prefix}{topic}"

    def all_names(self) -> list[str]:
        return [self.name(topic) for topic in ALL]

    def alert_names(self) -> list[str]:
        return [self.name(ALERTS_COMMITMENTS), self.name(ALERTS_SANCTIONS)]
