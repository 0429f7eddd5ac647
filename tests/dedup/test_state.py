"""The typed dedup state (streams/dedup/logic.py: JoinState, Recipe, Answer, UrlClaim, TextClaim;
newsmon.records.MessageOrigin): its table form round-trips, the form written before it was typed still
reads, and a flow whose tables hold the encoded form (as the Faust tables do) decides exactly as one holding
the states."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from itertools import islice
from types import SimpleNamespace

import faust
import pytest
from faust.types import TP
from newsmon.streams.dedup.agent import DedupStage
from newsmon.streams.dedup.logic import (
    Answer,
    InMemoryDedup,
    JoinState,
    Recipe,
    TextClaim,
    TypedTable,
    UrlClaim,
    deadline_message,
    is_fingerprint_copy,
    replayed_index_keys,
)
from newsmon.streams.runtime import StageRuntime

from newsmon.partitioner import partition_of
from newsmon.records import MessageOrigin
from newsmon.settings import Settings
from newsmon.settings.dedup import DedupSettings
from tests.dedup.corpus import OTHER_EVENT, RETOLD, STORIES, syndicated_copy, text
from tests.factories import make_article

SETTINGS = DedupSettings()


def article(url: str, paragraphs: list[str], text_hash: str | None = None):
    body = text(paragraphs)
    return make_article(url, text_hash=text_hash or f"h:{url}", text=body, paragraphs=paragraphs)


def articles():
    for story in STORIES:
        yield article(f"o/{story}", STORIES[story], text_hash=f"h:{story}")
        yield article(f"m/{story}", syndicated_copy(story))
        yield article(f"e/{story}", STORIES[story], text_hash=f"h:{story}")  # an exact copy, another URL
    yield from (article(f"r/{story}", RETOLD[story]) for story in RETOLD)
    yield from (article(f"x/{story}", OTHER_EVENT[story]) for story in OTHER_EVENT)


def run(dedup: InMemoryDedup) -> list:
    for item in articles():
        dedup.add(item, now=0.0)
    return dedup.deduped


def test_every_join_state_of_a_flow_round_trips_through_its_table_form():
    dedup = InMemoryDedup(SETTINGS)
    run(dedup)
    states = list(dedup.tables["joins"].values())
    assert states and any(state.copies for state in states) and any(state.emitted for state in states)
    for state in states:
        assert JoinState.decode(json.loads(json.dumps(state.encode()))) == state


def test_every_claim_of_a_flow_round_trips_through_its_table_form():
    dedup = InMemoryDedup(SETTINGS)
    run(dedup)
    claims = [*dedup.tables["urls"].values(), *dedup.tables["texts"].values()]
    assert {type(claim) for claim in claims} == {UrlClaim, TextClaim}
    for claim in claims:
        assert type(claim).decode(json.loads(json.dumps(claim.encode()))) == claim


def test_a_flow_over_encoded_states_decides_as_one_over_states():
    plain = run(InMemoryDedup(SETTINGS))
    encoded = InMemoryDedup(SETTINGS)
    tables = encoded.tables
    encoded.state = dataclasses.replace(
        encoded.state,
        urls=TypedTable(tables["urls"], UrlClaim),
        texts=TypedTable(tables["texts"], TextClaim),
        joins=TypedTable(tables["joins"], JoinState),
    )
    assert run(encoded) == plain
    for name in ("urls", "texts", "joins"):
        assert tables[name] and all(isinstance(stored, dict) for stored in tables[name].values())


def test_claims_written_before_they_were_typed_still_read():
    url_claim = UrlClaim.decode({"text_hash": "h", "article_id": "a", "origin": ["articles", 2, 7]})
    text_claim = TextClaim.decode({"article_id": "a", "story_id": "s", "origin": ["articles.by-text", 0, 3]})
    assert url_claim.origin == MessageOrigin("articles", 2, 7)
    assert text_claim.origin == MessageOrigin("articles.by-text", 0, 3)


def test_the_untyped_table_form_still_reads():
    copy = article("m/en_grain", syndicated_copy("en_grain"))
    stored = {
        "article_id": "id:o/en_grain",
        "created_at": 5.0,
        "replies": {
            "partition:1": [{"article_id": "b", "published": 1.0, "similarity": 0.2, "story_score": 0.5}]
        },
        "answers": {"b": {"root": "b", "story_id": "b"}, "c": None},
        "waiting": [],
        "deferred": ["c"],
        "copies": {copy.article_id: copy.model_dump(mode="json")},
        "emitted": {"12": [["asks"], ["answer", "c"]]},
        "earlier": {},
        "origin": ["dedup.candidates", 3, 12],
        "partitions": ["partition:1"],
        "published": 1.5,
        "verdict": {"duplicate_of": None, "method": None, "similarity": None, "story_id": "b"},
    }
    state = JoinState.decode(stored)
    assert state.origin == MessageOrigin("dedup.candidates", 3, 12)
    assert state.emitted == {12: [Recipe("asks"), Recipe("answer", "c")]}
    assert state.answers == {"b": Answer(root="b", story_id="b"), "c": None}
    assert state.copies[copy.article_id] == copy and state.replies["partition:1"][0].similarity_back == 0.0
    assert state.answer() == Answer(root="id:o/en_grain", story_id="b")
    assert JoinState.decode(state.encode()) == state


@pytest.mark.parametrize("max_entries", [200, 2])  # 2: hot keys pruned while indexing and while rebuilding
def test_the_index_keys_rebuilt_from_the_fingerprint_copies_are_the_keys_written(max_entries: int):
    # The index table's changelog carries only the copies: a worker restoring it rebuilds every key from them.
    settings = DedupSettings(max_entries_per_key=max_entries)
    index = InMemoryDedup(settings)
    run(index)
    written = index.tables["index"]
    rebuilt = {key: copy for key, copy in written.items() if is_fingerprint_copy(copy)}
    assert len(rebuilt) < len(written)
    for key, copy in list(rebuilt.items()):  # in the order written, as the changelog holds them
        rebuilt.update(replayed_index_keys(key, copy, rebuilt.get, 0.0, settings))
    assert rebuilt == written


def test_an_expired_copy_or_one_from_before_copies_listed_their_keys_rebuilds_no_key():
    copy = {"fingerprint": {"published": 1.0}, "indexed_at": 0.0, "keys": ["band:1"]}
    assert replayed_index_keys("fp:id:a/1:3", copy, {}.get, 0.0, SETTINGS) == {
        "band:1": {"entries": [["id:a/1", 1.0, 0.0, 3]]}
    }
    assert replayed_index_keys("fp:id:a/1:3", copy, {}.get, SETTINGS.window_seconds + 1.0, SETTINGS) == {}
    written_before = {key: value for key, value in copy.items() if key != "keys"}
    assert replayed_index_keys("fp:id:a/1:3", written_before, {}.get, 0.0, SETTINGS) == {}


def test_a_worker_restoring_the_index_changelog_rebuilds_the_index_it_had(tmp_path, monkeypatch):
    # The Faust side of the above: IndexTable applies a batch of the changelog (the copies only) to its
    # RocksDB partition stores, and reads back every key the flow wrote, on the partition it belongs to.
    settings = Settings(state_dir=tmp_path)
    app = faust.App("restore", broker="kafka://127.0.0.1:1", store="rocksdb://", datadir=str(tmp_path))
    stage = DedupStage(StageRuntime(app, settings))
    table = stage.tables.index
    flow = InMemoryDedup(settings.dedup, partitions=settings.kafka.partitions)
    now = time.time()
    for item in islice(articles(), 9):  # three stories: an original, a near and an exact copy of each
        flow.add(item, now=now)
    written = json.loads(json.dumps(flow.tables["index"]))
    store, changelog = table.data, table.changelog_topic_name
    batch = []
    for offset, (key, copy) in enumerate((k, v) for k, v in written.items() if is_fingerprint_copy(v)):
        partition = partition_of(key, settings.kafka.partitions)
        message = SimpleNamespace(
            key=store._encode_key(key),
            value=store._encode_value(copy),
            partition=partition,
            tp=TP(changelog, partition),
            offset=offset,
        )
        batch.append(SimpleNamespace(message=message))
    table.apply_changelog_batch(batch)
    assert {key: table.get(key) for key in written} == written
    for key in written:
        raw = store._encode_key(key)
        assert [p for p, db in store._dbs.items() if db.get(raw) is not None] == [
            partition_of(key, settings.kafka.partitions)
        ]

    # Past the window, the sweep deletes all of it: the copies through the changelog, the keys locally.
    assigned = {TP(changelog, partition) for partition in range(settings.kafka.partitions)}
    monkeypatch.setattr(app.assignor, "assigned_actives", lambda: assigned)
    tombstones = []

    def send_changelog(_partition, key, value, **_options):  # as the producer would, without a broker
        tombstones.append(key)
        return SimpleNamespace(
            message=SimpleNamespace(partition=partition_of(key, settings.kafka.partitions))
        )

    monkeypatch.setattr(table, "send_changelog", send_changelog)
    monkeypatch.setattr(time, "time", lambda: now + settings.dedup.window_seconds + 60.0)
    asyncio.run(stage.sweep_dedup_state())
    assert [key for key in written if table.get(key) is not None] == []
    assert sorted(key.decode() for key in tombstones) == sorted(
        k for k, v in written.items() if is_fingerprint_copy(v)
    )


def test_a_worker_assigned_the_join_partitions_tells_each_of_their_overdue_articles_once(
    tmp_path, monkeypatch
):
    # The Faust side of the undecided articles: join states restored from the changelog, the recovery
    # callback finds those awaiting their decision, and the deadline timer sends one deadline message per
    # overdue article — none for an article decided, already told, not yet arrived, or not yet late.
    settings = Settings(state_dir=tmp_path)
    app = faust.App("deadlines", broker="kafka://127.0.0.1:1", store="rocksdb://", datadir=str(tmp_path))
    stage = DedupStage(StageRuntime(app, settings))
    table = app.tables["dedup-joins"]
    store, changelog, partitions = table.data, table.changelog_topic_name, settings.kafka.partitions
    late = time.time() - 2 * settings.dedup.decision_deadline_seconds
    states = [
        JoinState(article_id="id:late", created_at=late, published=1.0),
        JoinState(article_id="id:told", created_at=late, published=1.0, deadline_passed=True),
        JoinState(article_id="id:done", created_at=late, published=1.0, verdict={"story_id": "id:done"}),
        JoinState(article_id="id:not-arrived", created_at=late),
        JoinState(article_id="id:fresh", created_at=time.time(), published=1.0),
    ]
    batch = []
    for offset, state in enumerate(states):
        partition = partition_of(state.article_id, partitions)
        message = SimpleNamespace(
            key=store._encode_key(state.article_id),
            value=store._encode_value(state.encode()),
            partition=partition,
            tp=TP(changelog, partition),
            offset=offset,
        )
        batch.append(SimpleNamespace(message=message))
    table.apply_changelog_batch(batch)
    assigned = {TP(changelog, partition) for partition in range(partitions)}
    monkeypatch.setattr(app.assignor, "assigned_actives", lambda: assigned)
    published = []

    async def publish(stage_name: str, sends: list) -> None:
        published.extend(sends)

    monkeypatch.setattr(stage, "publish", publish)

    async def recover_then_tick_twice() -> None:
        await table.call_recover_callbacks()
        await stage.decide_overdue_articles()
        await stage.decide_overdue_articles()

    asyncio.run(recover_then_tick_twice())
    assert published == [deadline_message("id:late")]

    # The sweep reads the same stores: past article_state_seconds it deletes every state, and the undecided
    # articles with them.
    sent_to_changelog = []

    def send_changelog(_partition, key, value, **_options):  # as the producer would, without a broker
        sent_to_changelog.append((key, value))
        return SimpleNamespace(message=SimpleNamespace(partition=partition_of(key, partitions)))

    monkeypatch.setattr(table, "send_changelog", send_changelog)
    expired = time.time() + settings.dedup.article_state_seconds + 60.0
    monkeypatch.setattr(time, "time", lambda: expired)
    asyncio.run(stage.sweep_dedup_state())
    assert [state.article_id for state in states if table.get(state.article_id) is not None] == []
    assert sorted(key for key, value in sent_to_changelog if value is None) == sorted(
        state.article_id for state in states
    )
    assert len(stage.tables.undecided) == 0
