"""newsmon.streams.app.create_app and streams.consumer: the Faust app built from the settings, its consumer
transport (fetch wait, true highwaters, commits that never pass a message in flight) and its JSON codec."""

from __future__ import annotations

import asyncio
import os
from collections import defaultdict
from types import SimpleNamespace
from weakref import WeakSet

import faust
import newsmon.streams.app
import pytest
from aiokafka.structs import TopicPartition
from faust.exceptions import ProducerSendError
from faust.serializers import codecs
from faust.types import TP
from intervaltree import IntervalTree
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError
from newsmon.streams.consumer import Consumer, ConsumerThread

from newsmon.settings import load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in [name for name in os.environ if name.startswith("NEWSMON_")]:
        monkeypatch.delenv(name)


def _app(monkeypatch, tmp_path, bootstrap: str | None = None) -> faust.App:
    """The app as `newsmon worker` builds it, with NEWSMON_WORKER__FETCH_MAX_WAIT_MS=37; no broker unless
    given."""
    monkeypatch.setenv("NEWSMON_WORKER__FETCH_MAX_WAIT_MS", "37")
    monkeypatch.setenv("NEWSMON_STATE_DIR", str(tmp_path))
    if (
        bootstrap is None
    ):  # nothing listens there: skip create_app's tansu probe (constructing consumers is offline)
        bootstrap = "127.0.0.1:9"
        monkeypatch.setattr(newsmon.streams.app, "is_embedded_broker", lambda _bootstrap: True)
    return newsmon.streams.app.create_app(load_settings(), bootstrap)


def test_fetch_max_wait_default_bounds_per_hop_latency():
    assert load_settings().worker.fetch_max_wait_ms == 10


@pytest.mark.parametrize("client_only", [False, True])
def test_consumers_are_created_with_the_configured_fetch_max_wait(monkeypatch, tmp_path, client_only):
    app = _app(monkeypatch, tmp_path)
    app.client_only = client_only
    thread = app.consumer._thread
    assert isinstance(thread, ConsumerThread)

    async def create() -> tuple[int, str | None]:
        consumer = thread._create_consumer(asyncio.get_running_loop())
        try:
            return consumer._fetch_max_wait_ms, consumer._group_id
        finally:
            await consumer.stop()

    wait_ms, group_id = asyncio.run(create())
    assert wait_ms == 37  # Faust's own: 1500 (worker), aiokafka's 500 (client only)
    assert group_id == (None if client_only else "newsmon")  # the rest is still Faust's configuration


@pytest.mark.broker
def test_the_started_consumer_fetches_with_the_configured_wait(monkeypatch, tmp_path, broker):
    app = _app(monkeypatch, tmp_path, broker.bootstrap_servers)

    async def start() -> int:
        consumer = app.consumer._thread._create_consumer(asyncio.get_running_loop())
        await consumer.start()
        try:
            return consumer._fetcher._fetch_max_wait_ms  # what aiokafka puts in its FetchRequests
        finally:
            await consumer.stop()

    assert asyncio.run(start()) == 37


@pytest.mark.broker
def test_the_worker_producer_is_idempotent_on_kafka(monkeypatch, tmp_path, broker):
    """Faust enables idempotence only inside transactions; without it a batch retried after a broker restart
    is appended twice (streams.consumer, 9.). Kafka grants the producer an id and accepts its sequenced
    batches; tansu refuses aiokafka's InitProducerId, so there the producer stays plain and still works."""
    app = _app(monkeypatch, tmp_path, broker.bootstrap_servers)
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    try:
        admin.create_topics([NewTopic("idempotent-sends", num_partitions=1, replication_factor=1)])
    finally:
        admin.close()

    async def send() -> tuple[int, int]:
        producer = app.producer._new_producer()
        await producer.start()
        try:
            metadata = await producer.send_and_wait("idempotent-sends", b"once", key=b"k")
            txn_manager = producer._txn_manager
            return (-1 if txn_manager is None else txn_manager.producer_id), metadata.offset
        finally:
            await producer.stop()

    producer_id, offset = asyncio.run(send())
    assert offset == 0
    if broker.kind == "tansu":
        assert producer_id == -1
    else:
        assert producer_id >= 0  # -1: no id granted, the sends are not sequenced


def test_faust_json_codec_uses_orjson():
    # faust/utils/json.py switches dumps/loads to orjson when it imports: table values and changelogs.
    from faust.utils import json as faust_json

    assert faust_json.orjson is not None
    assert faust_json.loads.__defaults__[0] is faust_json.orjson.loads
    assert codecs.dumps("json", {"a": [1, "ب"]}) == '{"a":[1,"ب"]}'.encode()


RAW_PAGES_0 = TP("raw-pages", 0)


class _Message:
    def __init__(self, offset: int, tp: TP = RAW_PAGES_0) -> None:
        self.tp, self.offset = tp, offset


def _consumer_with(committed: int | None, acked: list[int], in_flight: list[int]) -> Consumer:
    """Faust's commit bookkeeping for one partition, as acks from several agent instances leave it."""
    consumer = Consumer.__new__(Consumer)  # only the bookkeeping _new_offset reads, not a started consumer
    tp = TP("raw-pages", 0)
    consumer._acked = defaultdict(list, {tp: list(acked)})
    consumer._acked_index = defaultdict(set, {tp: set(acked)})
    consumer._gap = defaultdict(IntervalTree)
    consumer._committed_offset = defaultdict(lambda: None, {tp: committed})
    consumer._unacked_messages = WeakSet()
    consumer._in_flight = [_Message(offset) for offset in in_flight]  # keeps the weak references alive
    consumer._unacked_messages.update(consumer._in_flight)
    return consumer


@pytest.mark.parametrize(
    "committed, acked, in_flight, expected",
    [
        (31, [32, 33], [31], None),  # Faust alone commits 34 here, past 31 still in flight
        (None, [1, 2], [0], None),  # and 3 before any commit, past 0
        (31, [31, 32, 34], [33], 33),  # a later gap: commit up to it, as Faust does
        (31, [31, 32, 33], [], 34),
        (31, [31, 32], [7], 33),  # a message below the commit left in Faust's unacked set blocks nothing
    ],
)
def test_commits_never_pass_a_message_in_flight(committed, acked, in_flight, expected):
    assert _consumer_with(committed, acked, in_flight)._new_offset(TP("raw-pages", 0)) == expected


class _HeldSends:
    """Faust's `app._attachments` and `app.producer` (and its buffer) for one commit: the sends held for the
    offset; what the commit asked of them, in order."""

    def __init__(self, sends: list[asyncio.Future]) -> None:
        self.sends = sends
        self.buffer = self
        self.steps: list[str] = []

    async def settle(self, producer: object) -> None:
        self.steps.append("table writes acknowledged")

    async def publish_for_tp_offset(self, tp: TP, offset: int) -> list[asyncio.Future]:
        self.steps.append("held sends published")
        return self.sends

    async def wait_many(self, pending: list[asyncio.Future]) -> None:
        await asyncio.wait(pending)  # as mode's Service.wait_many: done, whatever the outcome


@pytest.mark.parametrize("outcome", ["published", "refused", "never sent"])
def test_a_commit_goes_on_only_once_every_held_send_is_published(outcome):
    async def commit() -> None:
        loop = asyncio.get_running_loop()
        published, last = loop.create_future(), loop.create_future()
        published.set_result(None)
        if outcome == "published":
            last.set_result(None)
        elif outcome == "refused":
            last.set_exception(KafkaError("AlreadyExists"))
        else:
            last.cancel()
        consumer = Consumer.__new__(Consumer)  # only what the commit's publishing reads
        held = _HeldSends([published, last])
        consumer.app = SimpleNamespace(_attachments=held, producer=held)
        try:
            await consumer._handle_attached({TP("articles", 0): 3})
        finally:
            assert held.steps == ["table writes acknowledged", "held sends published"]

    if outcome == "published":
        asyncio.run(commit())
    else:
        with pytest.raises(ProducerSendError, match=r"articles\[0\] up to offset 3"):
            asyncio.run(commit())


@pytest.mark.broker
def test_highwaters_are_the_true_end_offsets_on_a_broker_that_under_reports_them(
    monkeypatch, tmp_path, broker
):
    """On tansu the correction is on and right; on Apache Kafka, whose end offsets are right, it stays off."""
    app = _app(monkeypatch, tmp_path, broker.bootstrap_servers)
    topic = f"batched-{tmp_path.name}"
    KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers).create_topics([NewTopic(topic, 1, 1)])
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers, linger_ms=200, batch_size=65536)
    for index in range(5):  # one batch of five records
        producer.send(topic, value=b"%d" % index)
    producer.close()

    async def highwaters() -> tuple[int, int]:
        thread = app.consumer._thread
        consumer = thread._create_consumer(asyncio.get_running_loop())
        thread._consumer = consumer
        await consumer.start()
        try:
            reported = await consumer.end_offsets([TopicPartition(topic, 0)])
            corrected = await thread._highwaters([TP(topic, 0)])
            return reported[TopicPartition(topic, 0)], corrected[TP(topic, 0)]
        finally:
            await consumer.stop()

    reported, corrected = asyncio.run(highwaters())
    if broker.kind == "tansu":
        assert app.transport.read_true_end_offsets
        assert (reported, corrected) == (1, 5)  # tansu: base offset of the last batch + 1
    else:
        assert not app.transport.read_true_end_offsets
        assert (reported, corrected) == (5, 5)


def test_agents_buffer_a_bounded_number_of_records(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSMON_WORKER__STREAM_BUFFER_RECORDS", "64")
    assert _app(monkeypatch, tmp_path).conf.stream_buffer_maxsize == 64


def test_nothing_is_delivered_while_partitions_are_sought(monkeypatch, tmp_path):
    """Faust clears the stream buffers right after this seek: a record fetched while it is awaited would be
    cleared with the fetch position already past it (streams/consumer.py, 4.), so the flow is stopped first;
    Faust's recovery resumes it after the clearing (tests/newsmon/test_patched_internals.py)."""
    consumer = _app(monkeypatch, tmp_path).consumer
    flow_during_seek = []

    async def seek_to_committed() -> dict:
        flow_during_seek.append(consumer.flow_active)
        return {}

    monkeypatch.setattr(consumer, "seek_to_committed", seek_to_committed)
    consumer.resume_flow()
    asyncio.run(consumer.perform_seek())
    assert flow_during_seek == [False]


def test_sends_held_for_a_revoked_partition_are_dropped(monkeypatch, tmp_path):
    """A send held until its message's offset is committed (stream_publish_on_commit) is dropped when the
    partition is revoked first: the message comes again and makes the send again, and publishing both would
    put an alert on its topic twice (streams/consumer.py, 6.)."""
    app = _app(monkeypatch, tmp_path)
    revoked, kept = TP("events", 2), TP("events", 1)

    async def no_revoke_handler(_revoked: set) -> None:  # Faust's (tables, agents, commit) needs a worker
        return None

    async def hold_and_revoke() -> tuple[int, int]:
        for tp in (revoked, kept):
            app._attachments.put(_Message(36, tp), "alerts", key=b"key", value=b"alert")
        monkeypatch.setattr(app.consumer, "_on_partitions_revoked", no_revoke_handler)
        await app.consumer.on_partitions_revoked({revoked})
        return tuple(len(list(app._attachments._attachments_for(tp, 100))) for tp in (revoked, kept))

    assert asyncio.run(hold_and_revoke()) == (0, 1)
