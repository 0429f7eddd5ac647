"""The scenario replay (data/scenario.json): a week of news from seven outlets in English and Arabic, fed as
raw pages through the whole pipeline (clean → dedup → extract → alerts) of a real worker process, phase by
phase, and the alerts it publishes scored against the alerts written down beforehand. Used by
tests/alerts/test_scenario.py (which asserts them) and bench/bench_scenario.py (which prints the scores).

Pages are rendered by the demo site's renderer (`DemoSite.render_article`), as the connector would fetch them.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kafka import KafkaProducer
from newsmon.streams.alerts.summary import quantity_phrase

from newsmon.records import Alert, FeedItem, RawPage
from newsmon.settings import Settings
from newsmon.settings.alerts import AlertSettings
from newsmon.shell.demo.site import DemoSite
from newsmon.shell.processes import stop_all
from newsmon.topics import RAW_PAGES, Topics
from tests.alerts.harness import alert_settings_run, read_alerts, start_worker, wait_until_drained

SCENARIO_FILE = Path(__file__).with_name("data") / "scenario.json"
BASE_URL = "https://news.example"
# The outlets' page furniture, the same for all (the scenario is about what the articles say).
_FURNITURE = {"feed_format": "rss", "nav": ["World", "Europe"], "footer": ["All rights reserved."]}
_LABELS = {"related_label": "Read also", "share_label": "Share"}


@dataclass(frozen=True)
class ExpectedAlert:
    story: str | None  # None: no real-world event (noise)
    kind: str
    status: str
    corroboration: int
    quantity: str | None  # as `summary.quantity_phrase` writes it


@dataclass(frozen=True)
class Scenario:
    site: DemoSite
    stories: dict[str, str]
    expected: list[ExpectedAlert]
    known_wrong: list[ExpectedAlert]  # what the pipeline alerts beyond `expected` today (the file says why)

    @classmethod
    def load(cls, path: Path = SCENARIO_FILE) -> Scenario:
        data = json.loads(path.read_text(encoding="utf-8"))
        by_id = {article["id"]: article for article in data["articles"]}
        articles = [
            {
                "related": [],
                "slug": article["id"],
                **article,
                "paragraphs": by_id[article["copy_of"]]["paragraphs"]
                if "copy_of" in article
                else article["paragraphs"],
            }
            for article in data["articles"]
        ]
        outlets = {outlet["slug"]: {**_FURNITURE, **_LABELS, **outlet} for outlet in data["outlets"]}
        return cls(
            DemoSite(outlets, articles),
            data["stories"],
            [ExpectedAlert(**alert) for alert in data["expected"]],
            [
                ExpectedAlert(**{k: v for k, v in alert.items() if k != "why"})
                for alert in data["known_wrong"]
            ],
        )

    def phases(self) -> list[list[dict[str, Any]]]:
        numbers = sorted({article["phase"] for article in self.site.articles})
        return [[article for article in self.site.articles if article["phase"] == n] for n in numbers]

    def url(self, article: dict[str, Any]) -> str:
        return BASE_URL + self.site.article_path(article)

    def raw_page(self, article: dict[str, Any]) -> RawPage:
        """The page as the connector would publish it after fetching it from the outlet's feed."""
        outlet = self.site.outlets[article["outlet"]]
        url = self.url(article)
        published = datetime.fromisoformat(article["published"])
        return RawPage(
            url=url,
            final_url=url,
            canonical_url=url,
            http_status=200,
            headers={"Content-Type": "text/html; charset=utf-8"},
            html=self.site.render_article(article, BASE_URL),
            fetched_at=datetime.now(UTC),
            feed=FeedItem(
                feed_url=f"{BASE_URL}{self.site.feed_path(article['outlet'])}",
                feed_name=outlet["name"],
                title=article["title"],
                published=published,
                language_hint=outlet["language"],
            ),
        )

    def story_of(self, alert: Alert) -> str | None:
        """The real-world event an alert reports: the story of the article its latest sighting came from."""
        for article in self.site.articles:
            if self.url(article) == alert.event.article.url:
                return article["story"]
        return None


def observed(scenario: Scenario, alert: Alert) -> ExpectedAlert:
    """An alert in the terms of the expectations."""
    quantity = alert.event.quantity
    return ExpectedAlert(
        story=scenario.story_of(alert),
        kind=alert.kind,
        status=alert.event.status,
        corroboration=alert.corroboration,
        quantity=quantity_phrase(quantity.value, quantity.unit) if quantity is not None else None,
    )


def scenario_settings(bootstrap: str, state_dir: Path) -> Settings:
    """A one-process worker on fresh topics; no debounce (the replay compresses days into seconds)."""
    return alert_settings_run(bootstrap, state_dir, AlertSettings(debounce_seconds=0))


def replay(scenario: Scenario, settings: Settings) -> list[Alert]:
    """Feed every phase's pages to `raw-pages`, drain the worker after each; the alerts of the default rule,
    in the order of their topics' partitions (one event key is on one partition, in order)."""
    topics = Topics(settings.kafka.topic_prefix)
    worker = start_worker(settings)
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all")
    try:
        for phase in scenario.phases():
            for article in phase:
                page = scenario.raw_page(article)
                producer.send(topics.name(RAW_PAGES), key=page.canonical_url.encode(), value=page.to_bytes())
            producer.flush()
            wait_until_drained(settings, worker)
        return [alert for topic in topics.alert_names() for alert in read_alerts(settings, topic)]
    finally:
        producer.close()
        stop_all([worker])


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    alerts_per_event: float
    unexpected: list[ExpectedAlert]
    missing: list[ExpectedAlert]
    by_story: dict[str | None, Counter[str]]


def score(scenario: Scenario, alerts: list[Alert]) -> Score:
    """Alerts matched to expectations one for one (story, kind, status, corroboration, quantity)."""
    seen = [observed(scenario, alert) for alert in alerts]
    left = Counter(scenario.expected)
    unexpected = []
    for alert in seen:
        if left[alert] > 0:
            left[alert] -= 1
        else:
            unexpected.append(alert)
    missing = list(left.elements())
    matched = len(seen) - len(unexpected)
    by_story: dict[str | None, Counter[str]] = {}
    for alert in seen:
        by_story.setdefault(alert.story, Counter())[alert.kind] += 1
    real = [alert for alert in seen if alert.story is not None]
    return Score(
        precision=matched / len(seen) if seen else 1.0,
        recall=matched / len(scenario.expected) if scenario.expected else 1.0,
        # Alerts per real-world event alerted at all (noise is counted by precision, not here).
        alerts_per_event=len(real) / len({alert.story for alert in real}) if real else 0.0,
        unexpected=unexpected,
        missing=missing,
        by_story=by_story,
    )


def per_story(scenario: Scenario, alerts: list[Alert]) -> dict[str | None, list[ExpectedAlert]]:
    """Each story's alerts in the order published."""
    stories: dict[str | None, list[ExpectedAlert]] = {}
    for alert in sorted(alerts, key=lambda alert: alert.emitted_at):
        found = observed(scenario, alert)
        stories.setdefault(found.story, []).append(found)
    return stories
