"""Faust's aiokafka transport, with seven corrections for this pipeline and two additions:

1. a configurable consumer `fetch_max_wait_ms` (`worker.fetch_max_wait_ms`);
2. true end offsets ("highwaters") on a broker that under-reports them (tansu), so producers may batch
   records;
3. offsets never committed past a message still in flight, so agents may run with `concurrency > 1`;
4. every partition really sought to its committed offset after a rebalance, and messages delivered again when
   the fetch position moves back under Faust's feet, not dropped as already read;
5. `Consumer.confirmed_offset(tp)`: the offset the broker has confirmed as committed, from which a restarted
   worker would read again. Faust's own bookkeeping also advances on a commit that failed, so it cannot tell
   which messages may come again; the alert stage needs exactly that to remember what it must replay;
6. the sends held for an offset not committed (`stream_publish_on_commit`) dropped when its partition is
   revoked, not published later beside the sends of the message's next processing.
7. `Consumer.liveness_fault(bound)`: the liveness probe (newsmon.liveness): None when the consumer thread's
   own event loop answers within `bound` seconds and its consumer is a member of its group. aiokafka leaves
   the group silently (LeaveGroup is logged at INFO) when Faust stops fetching for `max_poll_interval`, and
   joins it again only once Faust fetches again: a worker that stops fetching for good runs on, out of its
   group (seen: the flow stopped, the member id was gone 30 s later, and nothing was logged).
8. no offset committed past a held send that the broker refused: Faust waits for the sends held for the
   offsets it commits (`stream_publish_on_commit`) with mode's `wait_many`, an `asyncio.wait` that never looks
   at their outcome, and committed anyway; the refused outputs were lost (seen in tansu soaks: the broker
   refused a partition's first batches after a restart, and two pages never reached `articles`; on Kafka, a
   send that outlives the producer's timeout while the broker is down fails alike).
   `Consumer._handle_attached` raises Faust's `ProducerSendError` instead, on which Faust crashes the worker
   without committing:
   `newsmon run` (or the container's restart policy) starts it again, and it reads from the last commit.
9. an idempotent producer (`enable_idempotence`, which Faust sets only inside its transactions): a batch the
   broker wrote but could not acknowledge before it died is sent again by aiokafka once the broker is back,
   and without a producer id and sequence numbers the broker appends it twice. Seen in a CI run of
   tests/kafka/test_broker_restart.py: Kafka SIGKILLed with a produce request in flight ("Got error produce
   response: KafkaConnectionError"), and one alert was on its topic twice. The broker rebuilds its producer
   state from the log when it recovers, so it recognises the retried batch and does not append it again.
   Not on tansu, which refuses aiokafka's InitProducerId: there a retried batch may still be repeated (the
   embedded broker is for trials; it also loses what it held on a restart).
10. no output published before the table writes of the messages that caused it: a table write goes to its
   changelog through Faust's send buffer (`send_soon`), the held sends straight to the producer, and Faust
   flushes the buffer only after it has published them. A kill -9 in between left an alert on its topic whose
   state change was not in the changelog; the restarted worker rebuilt its table without it, took the
   redelivered sighting for a new one and published the alert again (CI run of 455ccd7, and 3 runs in 6 of
   tests/alerts/test_delivery.py's kill test on Kafka with idle commits, which commit right after
   each message). Faust's own flush does not close that window: it stops waiting after 0.1 s without a send
   leaving the buffer (an event loop that busy is common under load), and it cannot see the send its buffer
   task is handing to aiokafka. `Producer` keeps every buffered send until the broker has acknowledged it
   (`SettlingBuffer`), and `Consumer._handle_attached` waits for those first.

**1. fetch_max_wait_ms.**
Why: Faust hard-codes `fetch_max_wait_ms=1500` for its worker consumers (faust/transport/drivers/aiokafka.py,
`AIOKafkaConsumerThread._create_worker_consumer`; client-only consumers get aiokafka's 500) and has no setting
for it. A broker that answers a long-poll fetch only when that time expires (tansu does) then delays every hop
of the pipeline by ~0.75 s on average: per-hop latency measured 0.86 s at 1500 ms, 0.39 s at 50 ms.

How: `streams.app.create_app` installs `Transport` as the app's consumer transport (the public `App.transport`
setter). Its consumer thread sets the value on the `AIOKafkaConsumer` that Faust builds, before it is started:
aiokafka keeps the constructor argument in `_fetch_max_wait_ms` and reads it only in `start()`, where it
builds its `Fetcher`. Nothing global is patched; tests/newsmon/test_app.py fails if aiokafka renames the
attribute.

**4. Seeks after a rebalance.**
Why: Faust's table recovery resumes the message flow before it seeks the partitions back to their committed
offsets, so a fetch can deliver records in between; resuming then clears them from the stream buffers,
counting on the seek to fetch them again. Three things defeat that, all seen here after a kill -9 (the
restarted worker, or the survivor that took over the killed one's partitions, then sat idle with up to 46
messages of lag on partitions it owned, and their alerts were never sent):
- Faust clears the buffers (`flow_control.resume()`) only after the seek has completed, with the flow still
  running: records fetched again from the sought positions while the seek is awaited are put in the buffers,
  then cleared with the rest, and the fetch position is already past them. In tests/kafka/'s takeover about 1
  run in 2 lost 3 to 40 records of `events` this way, and every alert they carried. `Consumer.perform_seek`
  stops the flow before it seeks; Faust resumes it after the clear (both callers of the seek do).
- aiokafka's `seek_to_committed` does not move a partition with no committed offset, or one committed at 0:
  the position stays past the records just cleared. The consumer thread seeks those to the beginning itself
  (the `earliest` reset policy, Faust's default, is what that position would have been).
- a batch still being delivered when the seek completes moves Faust's "read offset" past the sought position,
  and Faust drops every fetched record below that offset as a stale fetch. A record below the read offset is
  therefore delivered again (at least once; every stage is idempotent), and the rewind is logged.

**6. Held sends of a revoked partition.**
Why: with `stream_publish_on_commit` Faust holds each send until the offset of the message that caused it is
committed (`app._attachments`), and keeps holding it when the partition is revoked before that commit. The
message is then processed again, from the committed offset, and makes the same send again; the next commit
publishes both. For the alert stage that is a repeated alert: its read-back (streams/alerts/readback.py)
looks for the alert on the topic, where neither copy is yet. Seen in tests/kafka/'s takeover in 2 runs of
about 20: the survivor processed an event just before the rebalance that evicted the killed worker, and
published its alert twice after it.
How: `Consumer.on_partitions_revoked`, once Faust has committed what it could (its revoke handler waits for
the agents and commits), drops what is still held for the revoked partitions: their messages come again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiokafka
from aiokafka.protocol.group import JoinGroupRequest
from faust.exceptions import ProducerSendError
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.transport.producer import ProducerBuffer
from faust.types import TP, FutureMessage, Message, ProducerT
from kafka.structs import TopicPartition

from newsmon.lag import LagReader
from newsmon.liveness import Fault, answer_within

LOGGER = logging.getLogger(__name__)


class ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_consumer(self, loop: asyncio.AbstractEventLoop) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_consumer(loop)
        if not hasattr(
            consumer, "_fetch_max_wait_ms"
        ):  # an aiokafka upgrade moved it: fail loudly, not slowly
            raise RuntimeError("aiokafka.AIOKafkaConsumer has no _fetch_max_wait_ms to configure")
        consumer._fetch_max_wait_ms = self.transport.fetch_max_wait_ms
        return consumer

    async def seek_to_committed(self) -> Mapping[TP, int]:
        return await self.call_thread(self._seek_every_partition_to_committed)

    def verify_event_path(self, now: float, tp: TP) -> None:
        """Faust's livelock check reads every assigned partition's position, which aiokafka asserts is set.
        After a broker restart a partition can be assigned before it has a position again, and the failed
        assertion crashed the worker (the kill -9 of Kafka mid-stream test, one run of three on 2026-12-07):
        such a partition is checked at the next round instead."""
        assignment = self._ensure_consumer()._fetcher._subscriptions.subscription
        state = (
            assignment.assignment.state_value(aiokafka.TopicPartition(tp.topic, tp.partition))
            if assignment is not None
            else None
        )
        if state is None or not state.has_valid_position:
            return None
        return super().verify_event_path(now, tp)

    async def is_group_member(self) -> bool:
        """Whether the consumer has a member id in its group (none before its first join, and none again once
        it has left or been evicted). Awaited on the thread's own loop by `Consumer.liveness_fault`."""
        coordinator = self._consumer._coordinator if self._consumer is not None else None  # None: not started
        return coordinator is not None and coordinator.member_id != JoinGroupRequest.UNKNOWN_MEMBER_ID

    async def _seek_every_partition_to_committed(self) -> Mapping[TP, int]:
        consumer = self._ensure_consumer()
        committed = await consumer.seek_to_committed()
        # aiokafka leaves a partition without a committed offset (or committed at 0) where its fetch position
        # is, which a fetch started before this seek may already have moved past records never processed.
        # Changelog partitions are left alone: table recovery seeks them to the offsets of its own stores.
        changelogs = self.app.tables.changelog_topics
        unsought = [
            tp
            for tp, offset in committed.items()
            if (not offset or offset < 0) and tp.topic not in changelogs
        ]
        if unsought and self.app.conf.consumer_auto_offset_reset == "earliest":
            await consumer.seek_to_beginning(*unsought)
        return committed

    async def _highwaters(self, partitions: list[TP]) -> Mapping[TP, int]:
        reported = await super()._highwaters(partitions)
        if not self.transport.read_true_end_offsets or not partitions:
            return reported
        return await asyncio.get_running_loop().run_in_executor(None, self._read_end_offsets, partitions)

    def _read_end_offsets(self, partitions: list[TP]) -> dict[TP, int]:
        reader = LagReader(self.transport.bootstrap_servers)
        try:
            ends = reader.end_offsets([TopicPartition(tp.topic, tp.partition) for tp in partitions])
        finally:
            reader.close()
        return {TP(tp.topic, tp.partition): end for tp, end in ends.items()}


class Consumer(faust_aiokafka.Consumer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._confirmed: dict[TP, int] = {}

    def confirmed_offset(self, tp: TP) -> int | None:
        """The committed offset of `tp` as the broker last confirmed it (None: none confirmed): messages from
        it on may be delivered again, to this worker or to the next owner of the partition."""
        return self._confirmed.get(tp)

    async def seek_to_committed(self) -> Mapping[TP, int]:
        committed = await super().seek_to_committed()  # the broker's answer, on every (re)assignment
        self._confirmed = {
            TP(tp.topic, tp.partition): offset
            for tp, offset in committed.items()
            if offset is not None and offset >= 0
        }
        return committed

    async def _commit(self, offsets: Mapping[TP, int]) -> bool:
        done = await super()._commit(offsets)
        if done:
            self._confirmed.update(offsets)
        return done

    async def getmany(self, timeout: float) -> AsyncIterator[tuple[TP, Message]]:
        async for tp, message in super().getmany(timeout):
            read = self._read_offset.get(tp)
            if read is not None and message.offset < read:
                LOGGER.warning(
                    "record below the read offset after a seek; delivering it again",
                    extra={
                        "topic": tp.topic,
                        "partition": tp.partition,
                        "offset": message.offset,
                        "read_offset": read,
                    },
                )
                self._read_offset[tp] = None
            yield tp, message

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        await super().on_partitions_revoked(revoked)
        # What is still held was caused by messages whose offsets were not committed: they come again, and
        # their processing then makes these sends again (docstring, 6.).
        held = self.app._attachments._pending
        for tp in revoked:
            held.pop(tp, None)

    async def perform_seek(self) -> None:
        # Nothing may reach the stream buffers between the seek and the clearing that follows it (docstring,
        # 4.): whatever is in them then was fetched before the seek, which fetches it again.
        self.stop_flow()
        await super().perform_seek()

    async def liveness_fault(self, bound: float) -> Fault | None:
        """The liveness probe (docstring, 7.): None when the consumer thread answers within `bound` seconds
        and its consumer is a member of its group, else which of the two fails."""
        thread = self._thread
        member = await answer_within(thread.thread_loop, thread.is_group_member(), bound)
        if member is None:
            return Fault.CONSUMER_THREAD_SILENT
        return None if member else Fault.OUT_OF_GROUP

    async def _handle_attached(self, commit_offsets: Mapping[TP, int]) -> None:
        """Faust's (publish the sends held for each offset about to be committed, and wait for them), and then
        the outcome checked (docstring, 8.): a send refused, or not done because the producer stopped, stops
        the commit. The table writes of those offsets reach their changelogs first (docstring, 10.)."""
        attachments, producer = self.app._attachments, self.app.producer
        await producer.buffer.settle(producer)
        for tp, offset in commit_offsets.items():
            pending = await attachments.publish_for_tp_offset(tp, offset)
            if not pending:
                continue
            await producer.wait_many(pending)
            for sent in pending:
                failure = "not sent" if not sent.done() or sent.cancelled() else sent.exception()
                if failure is not None:
                    LOGGER.error(
                        "an output was not published; stopping without committing its input, to read it anew",
                        extra={
                            "topic": tp.topic,
                            "partition": tp.partition,
                            "offset": offset,
                            "error": str(failure),
                        },
                    )
                    raise ProducerSendError(
                        f"output of {tp.topic}[{tp.partition}] up to offset {offset}: {failure}"
                    )

    def _new_consumer_thread(self) -> ConsumerThread:
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    def _new_offset(self, tp: TP) -> int | None:
        acked, committed = self._acked[tp], self._committed_offset[tp]
        if acked:
            # Messages below the committed offset are settled whatever their bookkeeping says (Faust leaves
            # one acked below it in the unacked set): only a message between the commit and the first ack
            # blocks.
            floor = -1 if committed is None else committed
            head = min(acked)
            if any(message.tp == tp and floor <= message.offset < head for message in self._unacked_messages):
                return None  # the head of the partition is still in flight: committing past it could lose it
        return super()._new_offset(tp)


class SettlingBuffer(ProducerBuffer):
    """Faust's send buffer, through which every table write goes to its changelog (`send_soon`), knowing the
    sends put in it that the broker has not acknowledged (nor refused) yet (docstring, 10.)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.unsettled: set[FutureMessage] = set()

    def put(self, fut: FutureMessage) -> None:
        self.unsettled.add(fut)
        fut.add_done_callback(self.unsettled.discard)
        super().put(fut)

    async def settle(self, producer: ProducerT) -> None:
        """Wait until every send put so far is acknowledged or refused, or `producer` stops."""
        if self.unsettled:
            await producer.wait_many(list(self.unsettled))


class Producer(faust_aiokafka.Producer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Faust's own buffer, replaced before it starts (`on_start`) or takes a send; not threaded
        # (`producer_threaded` is off).
        self.buffer = SettlingBuffer(loop=self.loop, beacon=self.beacon)
        self.buffer.app = self.app

    def _settings_extra(self) -> Mapping[str, Any]:
        # Idempotent outside transactions too (docstring, 9.); aiokafka requires acks=all, Faust's default.
        if not self.transport.idempotent_producer:
            return super()._settings_extra()
        return {**super()._settings_extra(), "enable_idempotence": True}


class Transport(faust_aiokafka.Transport):
    """The aiokafka transport (Faust's `kafka://`), its consumers long-polling at most `fetch_max_wait_ms`.
    On the `embedded_broker` (tansu) they read the end offsets of `bootstrap_servers` rather than trusting
    them; on any other broker the producer is idempotent."""

    Consumer = Consumer
    Producer = Producer

    def __init__(
        self,
        *args: Any,
        fetch_max_wait_ms: int,
        bootstrap_servers: str,
        embedded_broker: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fetch_max_wait_ms = fetch_max_wait_ms
        self.bootstrap_servers = bootstrap_servers
        # tansu under-reports end offsets and refuses aiokafka's producer ids (broker.is_embedded_broker)
        self.read_true_end_offsets = embedded_broker
        self.idempotent_producer = not embedded_broker
