"""The faust-streaming, aiokafka and httpx internals that newsmon overrides or reads.

The consumer transport subclasses private parts of both libraries, and the dedup index table writes to its
RocksDB store directly (pinned in pyproject.toml to the tested minor versions). An upgrade that renames one of
them must fail here, loudly, rather than silently bypass an override.
"""

from __future__ import annotations

import inspect

import aiokafka
import faust
import httpx
import pytest
from aiokafka.consumer.group_coordinator import GroupCoordinator
from faust.app._attached import Attachments
from faust.stores import rocksdb as faust_rocksdb
from faust.tables.base import Collection
from faust.tables.recovery import Recovery
from faust.transport.consumer import Consumer as FaustConsumer
from faust.transport.consumer import ThreadDelegateConsumer
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.transport.producer import Producer as FaustProducer
from faust.transport.producer import ProducerBuffer
from mode.threads import ServiceThread

# (owner, attribute): each is overridden by a subclass or used directly by newsmon.streams.consumer (and,
# where said, another module).
CLASS_INTERNALS = [
    (faust_aiokafka.AIOKafkaConsumerThread, "_create_consumer"),
    (faust_aiokafka.AIOKafkaConsumerThread, "_create_worker_consumer"),
    (faust_aiokafka.AIOKafkaConsumerThread, "_highwaters"),
    (faust_aiokafka.AIOKafkaConsumerThread, "_ensure_consumer"),
    (faust_aiokafka.AIOKafkaConsumerThread, "call_thread"),
    (faust_aiokafka.AIOKafkaConsumerThread, "seek_to_committed"),
    (faust_aiokafka.AIOKafkaConsumerThread, "verify_event_path"),
    (aiokafka.consumer.subscription_state.TopicPartitionState, "has_valid_position"),
    (faust_aiokafka.Consumer, "_commit"),
    (faust_aiokafka.Consumer, "_new_offset"),
    (faust_aiokafka.Consumer, "getmany"),
    (faust_aiokafka.Consumer, "seek_to_committed"),
    (faust_aiokafka.Consumer, "perform_seek"),
    (faust_aiokafka.Consumer, "on_partitions_revoked"),
    (faust_aiokafka.Consumer, "_handle_attached"),
    (Attachments, "publish_for_tp_offset"),
    (faust_aiokafka.Transport, "Consumer"),
    (faust_aiokafka.Consumer, "_new_consumer_thread"),
    # Consumer.liveness_fault, the liveness probe, reads the thread's consumer on the thread's own loop.
    (faust_aiokafka.AIOKafkaConsumerThread, "_consumer"),
    # streams.dedup.agent.IndexTable rebuilds index keys in the store of a restored changelog partition.
    (faust_rocksdb.Store, "_db_for_partition"),
    (faust_rocksdb.Store, "_encode_key"),
    (faust_rocksdb.Store, "_decode_key"),
    (faust_rocksdb.Store, "_encode_value"),
    (faust_rocksdb.Store, "_decode_value"),
    # streams.runtime.stored_items scans a table's stores without Faust's iteration and decoding.
    (faust_rocksdb.Store, "_dbs_for_actives"),
    (faust_rocksdb.Store, "_visible_items"),
]
REVIEW_WRITE_BEHIND = "faust's commit changed its order: review streams/runtime.py's WriteBehindTable"
# Attributes set in __init__, so checked on the source of the constructor that assigns them.
INSTANCE_INTERNALS = ["_read_offset", "_acked", "_committed_offset", "_unacked_messages"]


@pytest.mark.parametrize(("owner", "name"), CLASS_INTERNALS, ids=lambda item: getattr(item, "__name__", item))
def test_overridden_internal_exists(owner, name):
    assert hasattr(owner, name), (
        f"{owner.__module__}.{owner.__name__}.{name} is gone: review streams/consumer.py"
    )


@pytest.mark.parametrize("name", INSTANCE_INTERNALS)
def test_consumer_state_attribute_is_still_assigned(name):
    sources = "".join(
        inspect.getsource(cls.__init__)
        for cls in faust_aiokafka.Consumer.__mro__
        if "__init__" in vars(cls) and cls.__module__.startswith("faust")
    )
    assert f"self.{name}" in sources, f"faust's Consumer no longer sets {name}: review streams/consumer.py"


@pytest.mark.parametrize("name", ["on_recovery_completed", "_resume_streams"])
def test_recovery_still_seeks_then_clears_the_stream_buffers_then_resumes_the_flow(name):
    # Consumer.perform_seek stops the flow, counting on this order: records buffered before the clearing were
    # fetched before the seek, and the flow runs again only once the buffers are clear.
    source = inspect.getsource(getattr(Recovery, name))
    seek, clear = source.index("consumer.perform_seek()"), source.index("flow_control.resume()")
    resume = source.index("consumer.resume_flow()")
    assert seek < clear < resume, f"Recovery.{name} changed its order: review streams/consumer.py"


def test_faust_still_holds_sends_per_partition_in_attachments_pending():
    # Consumer.on_partitions_revoked drops the sends held for revoked partitions from this mapping.
    assert "self._pending = " in inspect.getsource(Attachments.__init__)
    assert "self._pending.get(tp)" in inspect.getsource(Attachments._attachments_for)


def test_the_liveness_probe_still_finds_the_consumer_thread_its_loop_and_the_group_member_id():
    # Consumer.liveness_fault reads these: the thread (Faust's consumer sets it), the thread's own loop
    # (mode's ServiceThread), the consumer's group coordinator and its member id (aiokafka, which resets the
    # id to UNKNOWN_MEMBER_ID when the member leaves or is evicted).
    assert "self._thread" in inspect.getsource(ThreadDelegateConsumer.__init__)
    assert "self.thread_loop = " in inspect.getsource(ServiceThread.__init__)
    assert "self._coordinator = GroupCoordinator(" in inspect.getsource(aiokafka.AIOKafkaConsumer.start)
    assert "self.member_id = JoinGroupRequest.UNKNOWN_MEMBER_ID" in inspect.getsource(
        GroupCoordinator.reset_generation
    )


def test_aiokafka_consumer_still_reads_fetch_max_wait_ms():
    # ConsumerThread._create_consumer sets the attribute between the constructor and `start`, which hands it
    # to the fetcher: both ends must still use that name.
    assert "self._fetch_max_wait_ms = " in inspect.getsource(aiokafka.AIOKafkaConsumer.__init__)
    assert "=self._fetch_max_wait_ms" in inspect.getsource(aiokafka.AIOKafkaConsumer.start)


def test_versions_are_the_tested_ones():
    assert faust.__version__.startswith("0.15."), faust.__version__
    assert aiokafka.__version__.startswith("0.14."), aiokafka.__version__


def test_httpx_transport_still_sends_through_its_pool():
    # connectors/http.py's _PinnedTransport swaps `_pool` for one whose network backend connects only to the
    # checked addresses; if httpx stopped sending through `_pool`, the SSRF pinning would be bypassed.
    assert "self._pool" in inspect.getsource(httpx.AsyncHTTPTransport.handle_async_request)


def test_faust_calls_the_sensors_before_it_takes_the_offsets_and_flushes_before_it_commits():
    # runtime.WriteBehindTable sends its pending changelog writes from Sensor.on_commit_initiated: they must
    # be sent before the committable offsets are taken, and flushed before those offsets are committed.
    commit = inspect.getsource(FaustConsumer.force_commit)
    offsets = inspect.getsource(FaustConsumer._commit_offsets)
    assert commit.index("on_commit_initiated(self)") < commit.index("self._commit_tps("), REVIEW_WRITE_BEHIND
    assert offsets.index("producer.flush()") < offsets.index("self._commit(committable_offsets)"), (
        REVIEW_WRITE_BEHIND
    )


def test_table_writes_still_go_through_the_producer_buffer_that_the_producer_builds_in_its_constructor():
    # streams.consumer.Producer replaces that buffer with a SettlingBuffer right after Faust's constructor,
    # and Consumer._handle_attached waits for the changelog sends it holds before publishing held sends.
    build = inspect.getsource(FaustProducer.__init__)
    assert "self.buffer = ProducerBuffer(" in build and "self.buffer.app = self.app" in build
    assert "self.buffer.put(fut)" in inspect.getsource(FaustProducer.send_soon)
    assert "send_soon(" in inspect.getsource(Collection.send_changelog)
    assert "self.buffer" in inspect.getsource(FaustProducer.on_start)
    assert "self.pending" in inspect.getsource(ProducerBuffer.__post_init__)


def test_faust_still_crashes_instead_of_committing_when_publishing_the_held_sends_raises():
    # Consumer._handle_attached raises ProducerSendError for a refused send: this is what stops the commit.
    commit = inspect.getsource(FaustConsumer._commit_tps)
    assert commit.index("self._handle_attached(") < commit.index("except ProducerSendError")
    assert commit.index("await self.crash(exc)") < commit.index("self._commit_offsets(")
