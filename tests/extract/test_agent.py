"""The extract agent's table steps, on a plain dict for its table: a copy that arrives before its original
waits, and becomes a sighting when the original is extracted; a later copy corroborates at once; entries go
once dedup's article state would (`original_expired`)."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

from newsmon.streams.extract.agent import ExtractAgent, original_dated, original_expired

from newsmon.records import DedupVerdict
from newsmon.settings import Settings
from tests.factories import make_article, make_event

PARTITION = 2


def agent() -> ExtractAgent:
    runtime = SimpleNamespace(topic=lambda name: name, table=lambda name: {}, settings=Settings())
    return ExtractAgent(runtime)


def copy_of(url: str, original_id: str):
    return make_article(url, dedup=DedupVerdict(duplicate_of=original_id, method="url", story_id="s1"))


def test_copy_before_its_original_waits_then_corroborates():
    extract = agent()
    original = make_article("http://a/1")
    early = copy_of("http://b/1", original.article_id)
    assert asyncio.run(extract.copy_step(early, original.article_id, PARTITION)) == []
    assert extract.originals[original.article_id]["copies"][0]["text"] == ""  # waits without its text

    found = make_event("a")
    sightings = asyncio.run(extract.original_step(original, [found], PARTITION))
    assert [s.article.article_id for s in sightings] == [found.article.article_id, early.article_id]
    assert {s.event_key for s in sightings} == {found.event_key}


def test_copy_after_its_original_corroborates_at_once():
    extract = agent()
    original = make_article("http://a/1")
    asyncio.run(extract.original_step(original, [make_event("a")], PARTITION))
    late = copy_of("http://c/1", original.article_id)
    sightings = asyncio.run(extract.copy_step(late, original.article_id, PARTITION))
    assert [s.article.article_id for s in sightings] == [late.article_id]


def test_entries_expire_on_their_partition_after_the_article_state_time():
    extract = agent()
    original = make_article("http://a/1")
    asyncio.run(extract.original_step(original, [make_event("a")], PARTITION))
    entry = extract.originals[original.article_id]
    fetched, keep = original.fetched_at.timestamp(), extract.keep_seconds
    assert keep == Settings().dedup.article_state_seconds == 8 * 86400.0
    assert not original_expired(entry, PARTITION, fetched + keep, keep)
    assert original_expired(entry, PARTITION, fetched + keep + 1, keep)
    assert not original_expired(entry, PARTITION + 1, fetched + keep + 1, keep)  # swept where it lives
    assert original_dated(entry, PARTITION, fetched) is None  # dated already


class SeenFromOnePartition(dict):
    """The table as the sweep sees it within a message of PARTITION: all of the worker's entries in `items`,
    but a read finds only those in PARTITION's store (Faust reads a table keyed like its topic so)."""

    def __init__(self, entries: dict, elsewhere: set[str]) -> None:
        super().__init__(entries)
        self.elsewhere = elsewhere

    def get(self, key, default=None):
        return default if key in self.elsewhere else super().get(key, default)


def test_an_entry_from_before_entries_were_dated_is_dated_on_its_partition_then_expires():
    extract = agent()
    now, keep = time.time(), extract.keep_seconds
    written_before = {"events": []}
    extract.originals = extract.sweep.table = SeenFromOnePartition(
        {"here": written_before, "there": written_before}, elsewhere={"there"}
    )
    asyncio.run(extract.sweep(PARTITION))
    dated = extract.originals["here"]
    assert dated["partition"] == PARTITION and now <= dated["at"] <= time.time()
    assert extract.originals["there"] == written_before  # dated by a message of its own partition
    assert not original_expired(dated, PARTITION, dated["at"] + keep, keep)
    assert original_expired(dated, PARTITION, dated["at"] + keep + 1, keep)


def test_the_sweep_deletes_expired_entries_of_the_message_partition_once_per_interval():
    extract = agent()
    now, keep = time.time(), extract.keep_seconds
    extract.originals.update(
        {
            "old": {"events": [], "partition": PARTITION, "at": now - keep - 60},
            "fresh": {"events": [], "partition": PARTITION, "at": now},
            "elsewhere": {"events": [], "partition": PARTITION + 1, "at": now - keep - 60},
        }
    )
    asyncio.run(extract.sweep(PARTITION))
    assert set(extract.originals) == {
        "fresh",
        "elsewhere",
    }  # another partition's entry waits for its messages
    extract.originals["old again"] = {"events": [], "partition": PARTITION, "at": now - keep - 60}
    asyncio.run(extract.sweep(PARTITION))  # within the sweep interval: nothing
    assert "old again" in extract.originals
    asyncio.run(extract.sweep(PARTITION + 1))
    assert set(extract.originals) == {"fresh", "old again"}


class WrittenWhileScanned(dict):
    """A table whose scan returns what it held before another instance of the agent wrote to it."""

    def __init__(self, holds: dict, scanned: dict) -> None:
        super().__init__(holds)
        self.scanned = scanned

    def items(self):
        return self.scanned.items()


def test_the_sweep_changes_an_entry_as_it_is_now_not_as_its_scan_read_it():
    extract = agent()
    now, keep = time.time(), extract.keep_seconds
    fresh = {"events": [make_event("a").model_dump(mode="json")], "partition": PARTITION, "at": now}
    scanned = {"undated then": {"events": []}, "expired then": {**fresh, "at": now - keep - 60}}
    extract.originals = extract.sweep.table = WrittenWhileScanned(
        {"undated then": fresh, "expired then": fresh}, scanned
    )
    asyncio.run(extract.sweep(PARTITION))
    assert extract.originals == {"undated then": fresh, "expired then": fresh}
