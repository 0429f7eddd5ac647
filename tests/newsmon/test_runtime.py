"""streams/runtime.py's write-behind table: each key written between two offset commits reaches the changelog
once, with its last value, when Faust starts the commit; its straight read of a table's stores; and its pool,
started and warmed up before the first record."""

from __future__ import annotations

import asyncio
import os
import time
from functools import partial
from pathlib import Path

import faust
import pytest
from faust.types import TP
from newsmon.streams.runtime import StageRuntime, WriteBehindTable, stored_items

from newsmon.settings import Settings
from newsmon.settings.alerts import AlertSettings
from newsmon.shell.processes import stop_all
from newsmon.topics import Topics
from tests.alerts.harness import (
    EventProducer,
    alert_settings_run,
    read_alerts,
    sighting,
    start_worker,
    wait_for,
)


class RecordingTable:
    """The part of a Faust table a write-behind table uses; changelog sends recorded."""

    name = "recording"
    use_partitioner = True

    def __init__(self) -> None:
        self.data: dict[str, object] = {}
        self.sent: list[tuple[str, object]] = []

    def __getitem__(self, key: str) -> object:
        return self.data[key]

    def __delitem__(self, key: str) -> None:
        del self.data[key]
        self.sent.append((key, None))

    def __iter__(self):
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def send_changelog(self, partition: int | None, key: str, value: object) -> None:
        assert partition is None  # the partitioner places the key
        self.sent.append((key, value))


def test_each_key_reaches_the_changelog_once_per_commit_with_its_last_value():
    table = RecordingTable()
    behind = WriteBehindTable(table)
    behind["a"], behind["b"], behind["a"] = 1, 2, 3
    assert behind["a"] == 3 and dict(behind) == {"a": 3, "b": 2}  # read back at once, from the local store
    assert table.sent == []
    behind.send_pending()
    assert table.sent == [("a", 3), ("b", 2)]
    behind.send_pending()
    assert table.sent == [("a", 3), ("b", 2)]  # nothing written since


def test_a_deleted_key_is_not_sent_back_to_life():
    table = RecordingTable()
    behind = WriteBehindTable(table)
    behind["a"] = 1
    del behind["a"]
    behind.send_pending()
    assert table.sent == [("a", None)]


def test_the_runtime_sends_pending_writes_when_faust_starts_a_commit(tmp_path):
    app = faust.App("runtime", broker="kafka://127.0.0.1:1", store="rocksdb://", datadir=str(tmp_path))
    runtime = StageRuntime(app, Settings(state_dir=tmp_path))
    behind = runtime.write_behind_table("behind", use_partitioner=True, key_type=bytes)
    sent: list[str] = []
    behind.table.send_changelog = lambda partition, key, value: sent.append(key)
    behind._pending["k"] = {"v": 1}  # as a join message would leave it
    app.sensors.on_commit_initiated(None)
    assert sent == ["k"]
    with pytest.raises(ValueError, match="use_partitioner"):
        runtime.write_behind_table("in-place")


def test_stored_items_reads_the_json_of_the_active_partitions_or_of_one(tmp_path, monkeypatch):
    # The scans of days of state read a table's RocksDB stores straight (streams/runtime.py: stored_items):
    # the values as the table stores them, of the partitions assigned to this worker, or of one of them.
    app = faust.App("runtime", broker="kafka://127.0.0.1:1", store="rocksdb://", datadir=str(tmp_path))
    table = StageRuntime(app, Settings(state_dir=tmp_path)).table("scanned")
    store = table.data
    for partition in range(3):
        key, value = f"key-{partition}", {"partition": partition, "nested": {"list": [1.5, None]}}
        store._db_for_partition(partition).put(store._encode_key(key), store._encode_value(value))
    actives = {TP(table.changelog_topic_name, partition) for partition in (0, 2)}
    monkeypatch.setattr(app.assignor, "assigned_actives", lambda: actives)
    assert sorted(stored_items(table)) == [
        ("key-0", {"partition": 0, "nested": {"list": [1.5, None]}}),
        ("key-2", {"partition": 2, "nested": {"list": [1.5, None]}}),
    ]
    assert [key for key, _value in stored_items(table, 1)] == ["key-1"]


def _record_warm_up(directory: Path) -> None:
    """A pool warm-up that leaves a file named after the process it ran in."""
    (directory / str(os.getpid())).touch()


def _failing_warm_up() -> None:
    raise RuntimeError("a broken sample")


def test_start_pool_starts_every_pool_process_and_warms_each_up_before_any_work(tmp_path):
    warmed = tmp_path / "warmed"
    warmed.mkdir()
    app = faust.App("runtime", broker="kafka://127.0.0.1:1", store="memory://", datadir=str(tmp_path))
    settings = Settings(state_dir=tmp_path)
    runtime = StageRuntime(
        app, settings.model_copy(update={"worker": settings.worker.model_copy(update={"processes": 2})})
    )
    runtime.warm_pool_with(_failing_warm_up)  # logged and skipped: the next warm-up still runs
    runtime.warm_pool_with(partial(_record_warm_up, warmed))
    try:
        runtime.start_pool()  # returns at once; the processes warm up in the background
        deadline = time.monotonic() + 60
        while len(list(warmed.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        pids = {int(path.name) for path in warmed.iterdir()}
        assert len(pids) == 2
        assert all(Path(f"/proc/{pid}/status").exists() for pid in pids)
        # The pool works, in those processes, with no warm-up run again.
        assert {asyncio.run(runtime.in_pool(os.getpid)) for _ in range(8)} <= pids
        assert len(list(warmed.iterdir())) == 2
    finally:
        runtime.shutdown()


class _HeldCommits:
    """A consumer whose commits wait until released, counted."""

    def __init__(self) -> None:
        self.commits = 0
        self.release = asyncio.Event()

    async def commit(self) -> bool:
        self.commits += 1
        await self.release.wait()
        return True


def test_commit_requests_made_during_a_commit_make_exactly_one_more(tmp_path):
    app = faust.App("runtime", broker="kafka://127.0.0.1:1", store="memory://", datadir=str(tmp_path))
    runtime = StageRuntime(app, Settings(state_dir=tmp_path))
    consumer = _HeldCommits()

    async def scenario() -> int:
        app.consumer = consumer
        runtime.commit_soon()
        await asyncio.sleep(0)  # the first commit starts and waits
        for _ in range(3):  # records finished meanwhile: their sends wait for the commit after it
            runtime.commit_soon()
        assert consumer.commits == 1
        consumer.release.set()
        await runtime._idle_commit
        return consumer.commits

    assert asyncio.run(scenario()) == 2


@pytest.mark.broker
@pytest.mark.brokers("tansu")
def test_an_idle_worker_publishes_its_outputs_without_waiting_for_the_commit_interval(broker, tmp_path):
    # Sends are held until their input's offset commits (stream_publish_on_commit). With a two-minute commit
    # interval the alert of one event would wait for it; commit_when_idle publishes it once the stage has
    # processed the event. Faust's commit path is the same on either broker: one is enough.
    settings = alert_settings_run(broker.bootstrap_servers, tmp_path, AlertSettings(tick_seconds=0.2))
    settings = settings.model_copy(
        update={"worker": settings.worker.model_copy(update={"commit_interval_seconds": 120.0})}
    )
    producer = EventProducer(settings)
    producer.send(sighting("north"))
    producer.close()
    topics = Topics(settings.kafka.topic_prefix)
    worker = start_worker(settings)
    try:
        wait_for(
            lambda: any(read_alerts(settings, name) for name in topics.alert_names()),
            worker,
            "the event's alert",
            timeout=60.0,
        )
    finally:
        stop_all([worker])
