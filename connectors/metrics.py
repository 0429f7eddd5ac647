"""The connector's Prometheus metrics (module-level; the process's /metrics server is started elsewhere)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

POLLS = Counter("newsmon_connector_polls", "Feed polls by outcome (ok, not_modified, error).", ["outcome"])
NOT_MODIFIED = Counter("newsmon_connector_not_modified", "Feed polls answered 304 Not Modified.")
NEW_ITEMS = Counter("newsmon_connector_new_items", "Feed items not seen before.")
PAGES_FETCHED = Counter("newsmon_connector_pages_fetched", "Article pages fetched successfully.")
PAGES_PUBLISHED = Counter("newsmon_connector_pages_published", "RawPage records acknowledged by Kafka.")
FEED_ONLY = Counter("newsmon_connector_feed_only_items", "Items published without their page (feed_only).")
FETCHED_BYTES = Counter(
    "newsmon_connector_fetched_bytes", "Decompressed body bytes fetched (feeds and pages)."
)
FETCH_DURATION = Histogram(
    "newsmon_connector_fetch_duration_seconds",
    "Duration of one fetch (feed or page), redirects included.",
    ["kind"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30),
)
ERRORS = Counter("newsmon_connector_errors", "Feed, page and publish errors by reason.", ["reason"])
FEEDS_UNHEALTHY = Gauge(
    "newsmon_connector_feeds_unhealthy", "Feeds failing consecutively past the threshold."
)
LAST_SUCCESS = Gauge(
    "newsmon_connector_last_success_timestamp_seconds",
    "Unix time of a feed's last successful poll.",
    ["feed"],
)
