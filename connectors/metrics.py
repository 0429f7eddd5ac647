"""The connector's Prometheus metrics (module-level; the process's /metrics server is started elsewhere)."""

from __future__ import annotations

import collections

from newsmon.connectors.state import FEED_HEALTH_STATES
from prometheus_client import Counter, Gauge, Histogram

from newsmon.redact import redact_url

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
ITEMS_DEFERRED = Counter(
    "newsmon_connector_items_deferred",
    "New items a poll left for a later poll of their feed (connector.max_items_per_poll/max_bytes_per_poll).",
)
ITEMS_REMAINING = Gauge(
    "newsmon_connector_items_remaining",
    "New items of the feeds' latest polls not published yet (in progress or left for the next poll).",
)
FEED_ITEMS_REMAINING = Gauge(
    "newsmon_connector_feed_items_remaining",
    "A feed's new items of its latest poll not published yet (set while feeds < metrics_feed_label_limit).",
    ["feed"],
)
GUID_COLLISIONS = Counter(
    "newsmon_connector_guid_collisions",
    "New items whose GUID another item of the same feed carries with another link; they are identified by "
    "their link instead and published.",
)
SEEN_PRUNED = Counter("newsmon_connector_seen_pruned", "Seen-item keys forgotten after seen_retention_days.")
LAST_SUCCESS = Gauge(
    "newsmon_connector_last_success_timestamp_seconds",
    "Unix time of a feed's last successful poll.",
    ["feed"],
)
FEED_STATE = Gauge(
    "newsmon_connector_feed_state",
    "1 for a feed's current health state, 0 for its other states (set while feeds < "
    "metrics_feed_label_limit); unlike the last success, set for feeds that never succeeded.",
    ["feed", "state"],
)
FEEDS_BY_STATE = Gauge("newsmon_connector_feeds_by_state", "Configured feeds by health state.", ["state"])


class FeedHealthGauges:
    """Keeps FEED_STATE (when `label_feeds`) and FEEDS_BY_STATE in step with the configured feeds' health.

    Every state of a labelled feed has a series (0 or 1), so a feed's series exist from the start and a
    change of state never leaves a stale 1 behind; the counts cover every feed whatever the label limit."""

    def __init__(self, label_feeds: bool) -> None:
        self._label_feeds = label_feeds
        self._health: dict[str, str] = {}  # feed URL → its state

    def set(self, feed_url: str, health: str) -> None:
        # Keyed by the URL itself: two feeds whose URLs differ only by a redacted token are counted apart.
        self._health[feed_url] = health
        if self._label_feeds:
            feed = redact_url(feed_url)
            for state in FEED_HEALTH_STATES:
                FEED_STATE.labels(feed, state).set(1 if state == health else 0)
        counts = collections.Counter(self._health.values())
        for state in FEED_HEALTH_STATES:
            FEEDS_BY_STATE.labels(state).set(counts[state])
