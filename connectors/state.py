"""Persisted connector state (sqlite in `state_dir/connector/`): items seen per feed, and each feed's
validators (ETag, Last-Modified), schedule and health, so a restart re-emits nothing and keeps its backoff.

"Seen" means acknowledged by the broker, so the seen keys hold only for the cluster that acknowledged them:
the connector records its id beside the database and forgets them (`forget_published`) when the broker comes
back as a new cluster (newsmon.broker_identity). A feed lists only its newest items, so what the broker
does not hold yet would not come again once the feed stops listing it: every item found new is kept as
*unfinished* (`keep_unpublished`) until the broker acknowledged it, then with where it went on `raw-pages`
(`mark_unfinished`) until the worker's committed offset there passes it (`finished`: its article was
published). Those without a position — not yet acknowledged (a poll whose publishing failed, or a capped
one), or acknowledged by a cluster that was lost (`forget_published`) — are published by the feed's next
poll (`to_publish_again`) whether their feed still lists them or not.

Seen keys are pruned by age (at most once per prune interval, from `mark_seen`). A key's age is the time since
its feed last listed it, not since it was first seen: a pinned or evergreen item a feed keeps listing for
months must not be forgotten and re-published. That alone is not enough, because listings are only refreshed
by polls that get the feed (200): a feed answering 304 for months, unreachable for weeks, or a connector
stopped for longer than the retention would come back to a table with its still-listed items pruned. So the
newest `keep_per_feed` keys of every feed are kept whatever their age: what a feed lists is (nearly always)
its newest items, and keys of items it dropped long ago are what the age rule removes.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    last_poll REAL,
    last_success REAL,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_poll REAL,
    last_error TEXT,
    hint_seconds REAL
);
CREATE TABLE IF NOT EXISTS seen (
    feed_url TEXT NOT NULL,
    key TEXT NOT NULL,
    first_seen REAL NOT NULL,
    listed_at REAL,
    PRIMARY KEY (feed_url, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS unfinished (
    feed_url TEXT NOT NULL,
    key TEXT NOT NULL,
    item TEXT NOT NULL,
    published_at REAL NOT NULL,  -- when it was found new, then when the broker acknowledged it
    partition INTEGER,
    "offset" INTEGER,
    PRIMARY KEY (feed_url, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS unfinished_position ON unfinished (partition, "offset");
"""
# `listed_at` came after the first release: databases from before get the column on open.
_ADD_LISTED_AT = "ALTER TABLE seen ADD COLUMN listed_at REAL"
# When a key was last known listed by its feed: its first sighting or a later refresh.
_STAMP = "COALESCE(listed_at, first_seen)"


@dataclass(frozen=True)
class FeedState:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_poll: float | None = None
    last_success: float | None = None
    consecutive_failures: int = 0
    next_poll: float | None = None
    last_error: str | None = None
    hint_seconds: float | None = None  # the feed's own <ttl>/max-age, remembered for 304 answers


# A feed's health, as `newsmon feeds list` and the newsmon_connector_feed_state metric report it.
PENDING = "pending"  # configured, never polled
HEALTHY = "healthy"  # the last poll succeeded
FAILING = "failing"  # failed lately, below the threshold, and succeeded before
NEVER_SUCCEEDED = "never_succeeded"  # polled, never succeeded, below the threshold
UNHEALTHY = "unhealthy"  # at least `unhealthy_after_failures` consecutive failures
FEED_HEALTH_STATES = (PENDING, HEALTHY, FAILING, NEVER_SUCCEEDED, UNHEALTHY)


def feed_health(state: FeedState, unhealthy_after_failures: int) -> str:
    """The health of a feed given its persisted state.

    A feed that has never succeeded is reported so from its first failure: counted only by consecutive
    failures it looked healthy for about 15 minutes, though it is most often a wrong URL that never will.
    Past the threshold a feed is `unhealthy` whether it ever succeeded or not, as
    newsmon_connector_feeds_unhealthy counts it. A feed whose only polls failed to publish (a Kafka fault,
    not the feed's) stays `pending`."""
    if state.consecutive_failures >= unhealthy_after_failures:
        return UNHEALTHY
    if state.consecutive_failures:
        return FAILING if state.last_success is not None else NEVER_SUCCEEDED
    if state.last_success is not None:
        return HEALTHY
    return PENDING


class ConnectorState:
    """One sqlite database; used from one thread (the connector's event loop).

    `retention_seconds` None: seen keys are never pruned (readers such as `newsmon feeds list`)."""

    def __init__(
        self,
        state_dir: Path,
        *,
        retention_seconds: float | None = None,
        keep_per_feed: int = 5000,
        prune_interval_seconds: float = 3600.0,
    ) -> None:
        directory = Path(state_dir) / "connector"
        # Owner-only: the feed URLs kept here may carry credentials (they are redacted everywhere else).
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        directory.chmod(0o700)
        self._db = sqlite3.connect(directory / "state.sqlite3", isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        if "listed_at" not in {row[1] for row in self._db.execute("PRAGMA table_info(seen)")}:
            self._db.execute(_ADD_LISTED_AT)
        self._retention = retention_seconds
        self._keep_per_feed = keep_per_feed
        self._prune_interval = prune_interval_seconds
        self._pruned_at = float("-inf")  # the first write of a run prunes what accumulated while it was down

    def close(self) -> None:
        self._db.close()

    def feed(self, url: str) -> FeedState:
        row = self._db.execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone()
        return FeedState(*row) if row else FeedState(url=url)

    def feeds(self) -> list[FeedState]:
        return [FeedState(*row) for row in self._db.execute("SELECT * FROM feeds ORDER BY url")]

    def unseen(self, feed_url: str, keys_per_item: Iterable[tuple[str, ...]]) -> list[bool]:
        """For each item (given by its identity keys): True when none of its keys was seen in this feed.

        The keys found are the feed's current listing: those not refreshed for half the retention get the
        time now, so pruning never forgets an item its feed still lists (a write per key every ~15 days)."""
        now = time.time()
        stale_before = now - self._retention / 2 if self._retention is not None else float("-inf")
        result = []
        stale: list[tuple[float, str, str]] = []
        for keys in keys_per_item:
            marks = ",".join("?" * len(keys))
            hits = self._db.execute(
                f"SELECT key, {_STAMP} FROM seen WHERE feed_url = ? AND key IN ({marks})",
                (feed_url, *keys),
            ).fetchall()
            result.append(not hits)
            stale.extend((now, feed_url, key) for key, stamp in hits if stamp < stale_before)
        if stale:
            with self._db:
                self._db.execute("BEGIN")
                self._db.executemany("UPDATE seen SET listed_at = ? WHERE feed_url = ? AND key = ?", stale)
        return result

    def mark_seen(self, feed_url: str, keys_per_item: Iterable[tuple[str, ...]]) -> int:
        """Remember the items' keys; returns how many old keys a prune (when due) forgot."""
        now = time.time()
        rows = [(feed_url, key, now) for keys in keys_per_item for key in keys]
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR IGNORE INTO seen (feed_url, key, first_seen) VALUES (?, ?, ?)", rows
            )
        if self._retention is not None and now - self._pruned_at >= self._prune_interval:
            return self.prune(now)
        return 0

    def prune(self, now: float | None = None) -> int:
        """Forget the keys of each feed older than the retention, except its newest `keep_per_feed` (see the
        module docstring); returns how many were removed. No-op without a retention."""
        if self._retention is None:
            return 0
        now = time.time() if now is None else now
        self._pruned_at = now
        removed = 0
        feeds = [row[0] for row in self._db.execute("SELECT DISTINCT feed_url FROM seen")]
        with self._db:
            self._db.execute("BEGIN")
            for feed_url in feeds:
                removed += self._db.execute(
                    f"""DELETE FROM seen WHERE feed_url = ?1 AND {_STAMP} < ?2 AND key NOT IN (
                            SELECT key FROM seen WHERE feed_url = ?1 ORDER BY {_STAMP} DESC, key LIMIT ?3)""",
                    (feed_url, now - self._retention, self._keep_per_feed),
                ).rowcount
            # Unfinished items left by a worker that never came (a connector run alone) go the same way.
            self._db.execute("DELETE FROM unfinished WHERE published_at < ?", (now - self._retention,))
        return removed

    def forget_published(self) -> int:
        """Forget every seen key and every feed's validators (ETag, Last-Modified), so that the next poll of
        each feed gets it whole and publishes what it lists again, and the unfinished items lose their
        position, so that it publishes them again too: for when the broker that acknowledged those items lost
        them. Schedules and health are kept. Returns how many keys were forgotten."""
        with self._db:
            self._db.execute("BEGIN")
            forgotten = self._db.execute("DELETE FROM seen").rowcount
            self._db.execute("UPDATE feeds SET etag = NULL, last_modified = NULL")
            self._db.execute('UPDATE unfinished SET partition = NULL, "offset" = NULL')
        return forgotten

    def keep_unpublished(self, feed_url: str, items: Iterable[tuple[str, str]]) -> None:
        """Remember items found new (each as its strongest identity key and what publishes it, as
        `ParsedItem.to_json` gives it) until the broker acknowledged them: a poll whose publishing fails
        leaves them to the next one, listed by the feed then or not. An item already kept stays as it is."""
        now = time.time()
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                """INSERT OR IGNORE INTO unfinished (feed_url, key, item, published_at, partition, "offset")
                   VALUES (?, ?, ?, ?, NULL, NULL)""",
                [(feed_url, key, item, now) for key, item in items],
            )

    def drop_unfinished(self, feed_url: str, key: str) -> None:
        """Forget an item that will never be published (dead-lettered: no cut makes its page fit)."""
        self._db.execute("DELETE FROM unfinished WHERE feed_url = ? AND key = ?", (feed_url, key))

    def mark_unfinished(self, feed_url: str, key: str, item: str, partition: int, offset: int) -> None:
        """Remember the item (its strongest identity key, and `item`: what publishes it again, as
        `ParsedItem.to_json` gives it), acknowledged at `partition`/`offset` of raw-pages, until `finished`
        passes it."""
        self._db.execute(
            """INSERT OR REPLACE INTO unfinished (feed_url, key, item, published_at, partition, "offset")
               VALUES (?, ?, ?, ?, ?, ?)""",
            (feed_url, key, item, time.time(), partition, offset),
        )

    def finished(self, committed: Mapping[int, int]) -> int:
        """Forget the unfinished items below the worker's committed offset of their `raw-pages` partition
        (`committed`: partition → offset, read from the cluster they were published to); returns how many."""
        with self._db:
            self._db.execute("BEGIN")
            return sum(
                self._db.execute(
                    'DELETE FROM unfinished WHERE partition = ? AND "offset" < ?', (partition, offset)
                ).rowcount
                for partition, offset in committed.items()
            )

    def to_publish_again(self, feed_url: str) -> list[str]:
        """The feed's unfinished items without a position on raw-pages (not acknowledged yet, or by a broker
        that was lost: `forget_published`), oldest first, as `keep_unpublished` was given them."""
        rows = self._db.execute(
            "SELECT item FROM unfinished WHERE feed_url = ? AND partition IS NULL ORDER BY published_at",
            (feed_url,),
        )
        return [item for (item,) in rows]

    def unfinished_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM unfinished").fetchone()[0])

    def record_success(
        self,
        url: str,
        *,
        etag: str | None,
        last_modified: str | None,
        next_poll: float,
        hint_seconds: float | None,
    ) -> None:
        now = time.time()
        self._db.execute(
            """INSERT INTO feeds (url, etag, last_modified, last_poll, last_success, consecutive_failures,
                                  next_poll, last_error, hint_seconds)
               VALUES (?, ?, ?, ?, ?, 0, ?, NULL, ?)
               ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
                   last_poll = excluded.last_poll, last_success = excluded.last_success,
                   consecutive_failures = 0, next_poll = excluded.next_poll, last_error = NULL,
                   hint_seconds = excluded.hint_seconds""",
            (url, etag, last_modified, now, now, next_poll, hint_seconds),
        )

    def record_failure(self, url: str, *, error: str, next_poll: float) -> int:
        """Count one more consecutive failure; returns the new count. Validators are kept."""
        row = self._db.execute(
            """INSERT INTO feeds (url, last_poll, consecutive_failures, next_poll, last_error)
               VALUES (?, ?, 1, ?, ?)
               ON CONFLICT(url) DO UPDATE SET last_poll = excluded.last_poll,
                   consecutive_failures = feeds.consecutive_failures + 1,
                   next_poll = excluded.next_poll, last_error = excluded.last_error
               RETURNING consecutive_failures""",
            (url, time.time(), next_poll, error),
        ).fetchone()
        return int(row[0])

    def set_next_poll(self, url: str, next_poll: float) -> None:
        self._db.execute(
            (
                "INSERT INTO feeds (url, next_poll) VALUES (?, ?) ON CONFLICT(url) DO UPDATE SET next_poll = "
                "excluded.next_poll"
            ),
            (url, next_poll),
        )
