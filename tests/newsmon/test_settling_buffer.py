"""streams/consumer.py's SettlingBuffer: Faust's send buffer (every table write goes to its changelog through
it) that knows which of its sends the broker has not answered yet, so that a commit publishes the alerts it
holds only after the table writes that caused them are on the broker."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import mode
from faust.types import FutureMessage, PendingMessage
from faust.types.tuples import RecordMetadata
from newsmon.streams.consumer import SettlingBuffer


def changelog_send(key: bytes) -> FutureMessage:
    return FutureMessage(
        PendingMessage(
            channel=None,
            key=key,
            value=b"state",
            partition=0,
            timestamp=None,
            headers=None,
            key_serializer=None,
            value_serializer=None,
            callback=None,
        )
    )


def unthreaded_buffer() -> SettlingBuffer:
    buffer = SettlingBuffer()
    buffer.app = SimpleNamespace(conf=SimpleNamespace(producer_threaded=False))
    return buffer


def test_settle_returns_only_once_the_broker_has_answered_every_send_put_so_far():
    async def scenario() -> None:
        buffer, producer = unthreaded_buffer(), mode.Service()
        acknowledged, refused = changelog_send(b"a"), changelog_send(b"b")
        buffer.put(acknowledged)
        buffer.put(refused)
        settling = asyncio.ensure_future(buffer.settle(producer))
        await asyncio.sleep(0.05)
        assert not settling.done()
        acknowledged.set_result(RecordMetadata("changelog", 0, None, 7))
        await asyncio.sleep(0.05)
        assert not settling.done(), "one send is still unanswered"
        refused.set_exception(RuntimeError("refused"))
        await asyncio.wait_for(settling, 5)
        assert buffer.unsettled == set()
        assert isinstance(refused.exception(), RuntimeError)
        # Nothing unanswered: settling costs nothing.
        await asyncio.wait_for(buffer.settle(producer), 1)

    asyncio.run(scenario())


def test_settle_gives_up_when_the_producer_stops():
    async def scenario() -> None:
        buffer, producer = unthreaded_buffer(), mode.Service()
        buffer.put(changelog_send(b"a"))
        settling = asyncio.ensure_future(buffer.settle(producer))
        await asyncio.sleep(0.05)
        producer._stopped.set()
        await asyncio.wait_for(settling, 5)

    asyncio.run(scenario())
