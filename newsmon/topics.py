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

# How long each topic keeps its records, in days: what `newsmon topics create` (and run, connect, worker)
# gives a topic it creates. deploy/kafka/topics.tsv carries the same values, in ms, for the compose stack's
# `topics` service; tests/kafka/test_topic_retention.py keeps the two equal. A watch rule's topic keeps its
# alerts as long as the alert topics do.
RETENTION_DAYS = {
    RAW_PAGES: 3,
    ARTICLES: 7,
    ARTICLES_BY_TEXT: 2,
    ARTICLES_DEDUPED: 2,
    DEDUP_BANDS: 2,
    DEDUP_CANDIDATES: 2,
    EVENTS: 30,
    ALERTS_COMMITMENTS: 90,
    ALERTS_SANCTIONS: 90,
    DEAD_LETTER: 30,
    ALERT_TICKS: 1,
}
RULE_ALERT_RETENTION_DAYS = RETENTION_DAYS[ALERTS_COMMITMENTS]


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

    def retention_ms(self, name: str) -> int:
        """retention.ms of topic `name` (its full name): RETENTION_DAYS, or the watch rules'."""
        days = RETENTION_DAYS.get(name.removeprefix(self.prefix), RULE_ALERT_RETENTION_DAYS)
        return days * 86_400_000
