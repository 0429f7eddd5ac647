"""The sent-ledger: `alert_id`s a receiver acknowledged, in SQLite under the state directory, so a restarted
delivery loop never resends them (Kafka offsets alone would resend everything after the last commit)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path


class SentLedger:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: an acknowledged id must survive a kill -9 right after it was recorded.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("CREATE TABLE IF NOT EXISTS sent (alert_id TEXT PRIMARY KEY, sent_at REAL NOT NULL)")

    def __contains__(self, alert_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM sent WHERE alert_id = ?", (alert_id,)).fetchone() is not None

    def add(self, alert_id: str) -> None:
        self._db.execute("INSERT OR IGNORE INTO sent VALUES (?, ?)", (alert_id, time.time()))

    def prune(self, older_than_seconds: float) -> int:
        """Forget ids older than the alert topics' retention: they cannot be redelivered any more."""
        cursor = self._db.execute("DELETE FROM sent WHERE sent_at < ?", (time.time() - older_than_seconds,))
        return cursor.rowcount

    def close(self) -> None:
        self._db.close()
