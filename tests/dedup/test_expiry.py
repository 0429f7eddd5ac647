"""Expiry: index entries older than `window_days` are pruned when their key is touched, keys whose entries all
expired and fingerprint copies past the window are deleted by the sweep (`index_expired`), and join states and
URL and text claims go one day after the window (`join_expired`, `claim_expired`)."""

from __future__ import annotations

import pytest
from newsmon.streams.dedup.logic import (
    FingerprintCopies,
    InMemoryDedup,
    JoinState,
    Probe,
    claim_expired,
    fingerprint,
    fingerprint_key,
    index_expired,
    index_probe,
    join_expired,
    judge_by_text,
    judge_by_url,
)

from newsmon.partitioner import partition_of
from newsmon.records import MessageOrigin
from newsmon.settings.dedup import DedupSettings
from tests.dedup.corpus import STORIES, syndicated_copy, text
from tests.factories import make_article

SETTINGS = DedupSettings(window_days=7.0)
DAY = 86400.0
WINDOW = SETTINGS.window_days * DAY
NOW = 1_800_000_000.0
PUBLISHED = 1_799_990_000.0


PARTITIONS = 4


def entry(article_id: str, indexed_days_ago: float) -> list:
    return [article_id, PUBLISHED, NOW - indexed_days_ago * DAY, 0]


def article(url: str, paragraphs: list[str]):
    return make_article(url, text_hash=f"h:{url}", text=text(paragraphs), paragraphs=paragraphs)


GRAIN = fingerprint(article("o/grain", STORIES["en_grain"]), SETTINGS).model_copy(
    update={"published": PUBLISHED}
)


def probe_on_partition(key_state: dict, article_id: str, stored: dict[str, float]):
    """Probe one index key holding `key_state`; `stored` maps article ids to how many days ago their
    fingerprint copy was indexed (every article here has the grain story's fingerprint: all look alike)."""
    key = "nd:0:k"
    partition = partition_of(key, PARTITIONS)
    table = {key: key_state} | {
        fingerprint_key(other, 0): {
            "fingerprint": GRAIN.model_dump(mode="json"),
            "indexed_at": NOW - days * DAY,
        }
        for other, days in stored.items()
    }
    probe = Probe(article_id=article_id, partition=partition, keys=[key], salt=0, fingerprint=GRAIN)
    return index_probe(probe, table.get, NOW, SETTINGS)


def test_a_kept_fingerprint_copy_expires_like_the_stored_one_and_is_read_once():
    """The index hop keeps decoded copies across probes (FingerprintCopies): the table is read once per copy,
    a copy kept past the window is skipped as the stored one would be, and the least recently used go."""
    reads: list[str] = []
    table = {
        fingerprint_key(other, 0): {
            "fingerprint": GRAIN.model_dump(mode="json"),
            "indexed_at": NOW - days * DAY,
        }
        for other, days in {"fresh": 1.0, "old": 8.0}.items()
    }
    key = "nd:0:k"
    table[key] = {
        "entries": [entry("fresh", 1.0), entry("old", 6.0)]
    }  # the key's entry is fresh, the copy not

    def read(name: str):
        reads.append(name)
        return table.get(name)

    copies = FingerprintCopies(size=2)
    probe = Probe(
        article_id="new", partition=partition_of(key, PARTITIONS), keys=[key], salt=0, fingerprint=GRAIN
    )
    for _ in range(2):
        result = index_probe(probe, read, NOW, SETTINGS, copies)
        assert [candidate.article_id for candidate in result.reply.record.candidates] == ["fresh"]
    assert reads.count(fingerprint_key("fresh", 0)) == 1 and reads.count(fingerprint_key("old", 0)) == 1
    table[fingerprint_key("newer", 0)] = table[fingerprint_key("fresh", 0)]
    copies.get(fingerprint_key("newer", 0), read)  # a third copy: the least recently used goes
    assert copies.get(fingerprint_key("fresh", 0), read) is not None
    assert reads.count(fingerprint_key("fresh", 0)) == 2


def test_touching_a_key_prunes_entries_older_than_the_window():
    state = {"entries": [entry("old", 7.5), entry("edge", 7.0), entry("fresh", 1.0)]}
    result = probe_on_partition(state, "new", {"old": 7.5, "edge": 7.0, "fresh": 1.0})
    assert [item[0] for item in result.keys["nd:0:k"]["entries"]] == ["edge", "fresh", "new"]  # horizon kept
    assert [candidate.article_id for candidate in result.reply.record.candidates] == ["edge", "fresh"]
    assert result.fingerprint["indexed_at"] == NOW


def test_a_repeated_probe_also_prunes():
    state = {"entries": [entry("old", 8.0), entry("again", 8.5)]}
    result = probe_on_partition(state, "again", {"old": 8.0})
    # "again" expired with the rest and is indexed anew, from now.
    assert result.keys["nd:0:k"]["entries"] == [["again", PUBLISHED, NOW, 0]]
    assert result.reply.record.candidates == []


def test_an_entry_whose_fingerprint_copy_expired_or_is_missing_is_not_a_candidate():
    state = {"entries": [entry("copy-expired", 1.0), entry("no-copy", 1.0), entry("fresh", 1.0)]}
    result = probe_on_partition(state, "new", {"copy-expired": 7.5, "fresh": 1.0})
    assert [candidate.article_id for candidate in result.reply.record.candidates] == ["fresh"]


def test_fingerprint_copy_expires_after_the_window():
    assert not index_expired({"fingerprint": {}, "indexed_at": NOW - WINDOW}, NOW, SETTINGS)
    assert index_expired({"fingerprint": {}, "indexed_at": NOW - WINDOW - 1.0}, NOW, SETTINGS)


@pytest.mark.parametrize(
    "ages, expired",
    [
        ([8.0, 7.5], True),
        ([8.0, 6.9], False),
        ([7.0], False),  # exactly at the horizon: still inside the window
        ([], True),
    ],
)
def test_index_key_expires_when_every_entry_has(ages: list[float], expired: bool):
    state = {"entries": [entry(f"a{i}", age) for i, age in enumerate(ages)]}
    assert index_expired(state, NOW, SETTINGS) is expired


@pytest.mark.parametrize("age_days, expired", [(7.5, False), (8.0, False), (8.01, True)])
def test_join_state_outlives_the_window_by_one_day(age_days: float, expired: bool):
    state = JoinState(article_id="a", created_at=NOW - age_days * DAY)
    assert join_expired(state, NOW, SETTINGS) is expired


@pytest.mark.parametrize("days_later, found", [(6.0, True), (7.5, False)])
def test_a_copy_after_the_window_no_longer_finds_its_original(days_later: float, found: bool):
    dedup = InMemoryDedup(SETTINGS)
    dedup.add(article("o/grain", STORIES["en_grain"]), now=NOW)
    dedup.add(article("m/grain", syndicated_copy("en_grain")), now=NOW + days_later * DAY)
    copy = next(item for item in dedup.deduped if item.article_id == "id:m/grain")
    assert (copy.dedup.duplicate_of == "id:o/grain") is found
    # Past the window, touching the keys pruned the original from every key the copy shares with it.
    keys = fingerprint(article("m/grain", syndicated_copy("en_grain")), SETTINGS).keys
    holding = [
        key for key in keys if any(item[0] == "id:o/grain" for item in dedup.tables["index"][key]["entries"])
    ]
    assert bool(holding) is found


def test_sweep_deletes_every_key_and_state_once_they_are_old_enough():
    dedup = InMemoryDedup(SETTINGS)
    for story in STORIES:
        dedup.add(article(f"o/{story}", STORIES[story]), now=NOW)
    index, joins = dedup.tables["index"], dedup.tables["joins"]
    assert index and joins

    def swept(now: float) -> tuple[int, int]:
        return (
            sum(index_expired(state, now, SETTINGS) for state in index.values()),
            sum(join_expired(state, now, SETTINGS) for state in joins.values()),
        )

    assert swept(NOW + WINDOW) == (0, 0)
    assert swept(NOW + WINDOW + 1.0) == (len(index), 0)
    assert swept(NOW + WINDOW + DAY + 1.0) == (len(index), len(joins))


@pytest.mark.parametrize("age_days", [7.9, 8.1])
def test_url_and_text_claims_expire_with_the_join_state_on_their_own_partition(age_days: float):
    fetched = make_article("o/claim")
    origin = MessageOrigin("articles", 3, 10)
    claims = [judge_by_url(fetched, None, origin).state, judge_by_text(fetched, None, origin).state]
    now = fetched.fetched_at.timestamp() + age_days * DAY
    for claim in claims:
        stored = claim.encode()
        assert claim_expired(stored, 3, now, SETTINGS) is (age_days > 8)
        assert claim_expired(stored, 2, now, SETTINGS) is False  # swept where it lives only
        assert claim_expired(stored | {"claimed_at": 0.0}, 3, fetched.fetched_at.timestamp(), SETTINGS)
