"""Persisted connector state (sqlite in `state_dir/connector/`): items seen per feed, and each feed's
validators (ETag, Last-Modified), schedule and health, so a restart re-emits nothing and keeps its backoff."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
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
    PRIMARY KEY (feed_url, key)
) WITHOUT ROWID;
"""


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


class ConnectorState:
    """One sqlite database; used from one thread (the connector's event loop)."""

    def __init__(self, state_dir: Path) -> None:
        directory = Path(state_dir) / "connector"
        directory.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(directory / "state.sqlite3", isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def feed(self, url: str) -> FeedState:
        row = self._db.execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone()
        return FeedState(*row) if row else FeedState(url=url)

    def feeds(self) -> list[FeedState]:
        return [FeedState(*row) for row in self._db.execute("SELECT * FROM feeds ORDER BY url")]

    def unseen(self, feed_url: str, keys_per_item: Iterable[tuple[str, ...]]) -> list[bool]:
        """For each item (given by its identity keys): True when none of its keys was seen in this feed."""
        result = []
        for keys in keys_per_item:
            marks = ",".join("?" * len(keys))
            hit = self._db.execute(
                f"SELECT 1 FROM seen WHERE feed_url = ? AND key IN ({marks}) LIMIT 1",
                (feed_url, *keys),
            ).fetchone()
            result.append(hit is None)
        return result

    def mark_seen(self, feed_url: str, keys_per_item: Iterable[tuple[str, ...]]) -> None:
        now = time.time()
        rows = [(feed_url, key, now) for keys in keys_per_item for key in keys]
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?, ?)", rows)

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
