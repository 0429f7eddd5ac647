"""Faust's aiokafka transport with a configurable consumer `fetch_max_wait_ms` (`worker.fetch_max_wait_ms`).

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
from typing import Any

import aiokafka
from faust.transport.drivers import aiokafka as faust_aiokafka


class ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_consumer(self, loop: asyncio.AbstractEventLoop) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_consumer(loop)
        if not hasattr(consumer, "_fetch_max_wait_ms"):  # an aiokafka upgrade moved it: fail loudly, not slowly
            raise RuntimeError("aiokafka.AIOKafkaConsumer has no _fetch_max_wait_ms to configure")
        consumer._fetch_max_wait_ms = self.transport.fetch_max_wait_ms
        return consumer


class Consumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> ConsumerThread:
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class Transport(faust_aiokafka.Transport):
    """The aiokafka transport (Faust's `kafka://`), its consumers long-polling at most `fetch_max_wait_ms`."""

    Consumer = Consumer

    def __init__(self, *args: Any, fetch_max_wait_ms: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fetch_max_wait_ms = fetch_max_wait_ms
