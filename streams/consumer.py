"""Faust's aiokafka transport, with three corrections for this pipeline:

1. a configurable consumer `fetch_max_wait_ms` (`worker.fetch_max_wait_ms`);
2. true end offsets ("highwaters") on a broker that under-reports them (tansu), so producers may batch records;
3. offsets never committed past a message still in flight, so agents may run with `concurrency > 1`.

**1. fetch_max_wait_ms.**
Why: Faust hard-codes `fetch_max_wait_ms=1500` for its worker consumers (faust/transport/drivers/aiokafka.py,
`AIOKafkaConsumerThread._create_worker_consumer`; client-only consumers get aiokafka's 500) and has no setting
for it. A broker that answers a long-poll fetch only when that time expires (tansu does) then delays every hop
of the pipeline by ~0.75 s on average: per-hop latency measured 0.86 s at 1500 ms, 0.39 s at 50 ms.

How: `streams.app.create_app` installs `Transport` as the app's consumer transport (the public `App.transport`
setter). Its consumer thread sets the value on the `AIOKafkaConsumer` that Faust builds, before it is started:
aiokafka keeps the constructor argument in `_fetch_max_wait_ms` and reads it only in `start()`, where it builds
its `Fetcher`. Nothing global is patched; tests/newsmon/test_app.py fails if aiokafka renames the attribute.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import aiokafka
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP
from kafka.structs import TopicPartition

from newsmon.lag import LagReader


class ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_consumer(self, loop: asyncio.AbstractEventLoop) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_consumer(loop)
        if not hasattr(consumer, "_fetch_max_wait_ms"):  # an aiokafka upgrade moved it: fail loudly, not slowly
            raise RuntimeError("aiokafka.AIOKafkaConsumer has no _fetch_max_wait_ms to configure")
        consumer._fetch_max_wait_ms = self.transport.fetch_max_wait_ms
        return consumer

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
    def _new_consumer_thread(self) -> ConsumerThread:
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    def _new_offset(self, tp: TP) -> int | None:
        acked, committed = self._acked[tp], self._committed_offset[tp]
        if acked:
            # Messages below the committed offset are settled whatever their bookkeeping says (Faust leaves one
            # acked below it in the unacked set): only a message between the commit and the first ack blocks.
            floor = -1 if committed is None else committed
            head = min(acked)
            if any(message.tp == tp and floor <= message.offset < head for message in self._unacked_messages):
                return None  # the head of the partition is still in flight: committing past it could lose it
        return super()._new_offset(tp)


class Transport(faust_aiokafka.Transport):
    """The aiokafka transport (Faust's `kafka://`), its consumers long-polling at most `fetch_max_wait_ms` and,
    when `read_true_end_offsets`, reading the end offsets of `bootstrap_servers` rather than trusting them."""

    Consumer = Consumer

    def __init__(self, *args: Any, fetch_max_wait_ms: int, bootstrap_servers: str, read_true_end_offsets: bool,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fetch_max_wait_ms = fetch_max_wait_ms
        self.bootstrap_servers = bootstrap_servers
        self.read_true_end_offsets = read_true_end_offsets
