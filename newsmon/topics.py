"""Topic names, declared once. Names are relative; `Topics(prefix)` gives the full names for one
deployment."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

RAW_PAGES = "raw-pages"
ARTICLES = "articles"
ARTICLES_BY_TEXT = "articles.by-text"
ARTICLES_DEDUPED = "articles.deduped"
DEDUP_BANDS = "dedup.bands"
DEDUP_CANDIDATES = "dedup.candidates"
EVENTS = "events"
ALERTS_COMMITMENTS = "alerts.commitments"
ALERTS_SANCTIONS = "alerts.sanctions"
DEAD_LETTER = "dead-letter"
ALERT_TICKS = "alert-ticks"

PUBLIC = (RAW_PAGES, ARTICLES, EVENTS, ALERTS_COMMITMENTS, ALERTS_SANCTIONS, DEAD_LETTER)
# Internal repartition hops between stages; public names above are the contract for subscribers.
INTERNAL = (ARTICLES_BY_TEXT, ARTICLES_DEDUPED, DEDUP_BANDS, DEDUP_CANDIDATES, ALERT_TICKS)
ALL = PUBLIC + INTERNAL

ALERT_TOPIC_BY_EVENT_TYPE = {"commitment": ALERTS_COMMITMENTS, "sanction": ALERTS_SANCTIONS}


def rule_alert_topic(rule: str) -> str:
    """The topic of a watch rule's alerts (`alerts.<rule>`); rule names are validated as topic-safe slugs."""
    return f"alerts.{rule}"


@dataclass(frozen=True)
class Topics:
    prefix: str

    def name(self, topic: str) -> str:
        return f"{self.prefix}{topic}"

    def all_names(self, rules: Iterable[str] = ()) -> list[str]:
        """Every topic to create; `rules` are the configured watch-rule names, each with its alert topic."""
        return [self.name(topic) for topic in ALL] + self.rule_alert_names(rules)

    def alert_names(self) -> list[str]:
        return [self.name(ALERTS_COMMITMENTS), self.name(ALERTS_SANCTIONS)]

    def rule_alert_topic(self, rule: str) -> str:
        return self.name(rule_alert_topic(rule))

    def rule_alert_names(self, rules: Iterable[str]) -> list[str]:
        return [self.rule_alert_topic(rule) for rule in rules]
