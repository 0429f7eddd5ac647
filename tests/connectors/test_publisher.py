"""The publisher's producer after a failure (issue 17): feeds publish from several threads at once, and a
failure seen by one must not close the producer under another's publish still using it (kafka-python then
waits out max_block_ms, 30 s, for metadata that never comes: a 5-items-per-feed soak lost the items its feed
listed meanwhile). Unit test over a stand-in KafkaProducer, no broker."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from kafka.errors import KafkaError, KafkaTimeoutError
from newsmon.connectors import publisher as publisher_module
from newsmon.connectors.errors import PublishError
from newsmon.connectors.publisher import RawPagePublisher

from newsmon.records import FeedItem, RawPage
from newsmon.topics import Topics

WAIT = 5.0  # seconds: the longest any step of the test may take


class _Future:
    def __init__(self, error: KafkaError | None = None) -> None:
        self.error = error

    def get(self, timeout: float | None = None) -> Any:
        if self.error is not None:
            raise self.error
        return "acknowledged"


class _Producer:
    """Its first send (of the first producer) waits until the test releases it, then fails as kafka-python
    does on a producer closed meanwhile; its second send is not acknowledged; any other is."""

    made: list[_Producer] = []
    waiting = threading.Event()
    release = threading.Event()

    def __init__(self, **_config: Any) -> None:
        self.closed = False
        self.sends = 0
        _Producer.made.append(self)

    def send(self, topic: str, key: bytes | None = None, value: bytes | None = None) -> _Future:
        assert not self.closed, "send on a closed producer"
        self.sends += 1
        number = self.sends
        if self is _Producer.made[0] and number == 1:
            _Producer.waiting.set()
            assert _Producer.release.wait(WAIT)
            if self.closed:
                raise KafkaTimeoutError("Failed to update metadata after 30.0 secs.")
        if self is _Producer.made[0] and number == 2:
            return _Future(KafkaError("UnknownProducerIdError"))
        return _Future()

    def close(self, timeout: float | None = None) -> None:
        self.closed = True


def _page(number: int) -> RawPage:
    url = f"http://example.org/{number}"
    return RawPage(
        url=url,
        final_url=url,
        canonical_url=url,
        fetched_at=datetime.now(UTC),
        feed=FeedItem(feed_url="http://example.org/feed.xml"),
    )


def test_a_failed_publish_closes_its_producer_only_once_no_other_publish_uses_it(monkeypatch):
    monkeypatch.setattr(_Producer, "made", [])
    monkeypatch.setattr(_Producer, "waiting", threading.Event())
    monkeypatch.setattr(_Producer, "release", threading.Event())
    monkeypatch.setattr(publisher_module, "KafkaProducer", _Producer)
    publisher = RawPagePublisher("127.0.0.1:9", Topics("t."))
    outcome: dict[str, Any] = {}

    def slow_publish() -> None:  # one feed's publish, waiting for the topic's metadata
        try:
            outcome["acknowledged"] = publisher.publish_confirmed([_page(1)])
        except PublishError as exc:
            outcome["error"] = exc

    slow = threading.Thread(target=slow_publish)
    slow.start()
    try:
        assert _Producer.waiting.wait(WAIT)
        with pytest.raises(PublishError):  # another feed's publish fails on the same producer
            publisher.publish_confirmed([_page(2)])
        first = _Producer.made[0]
        assert not first.closed  # the slow publish still uses it
        assert publisher.publish_confirmed([_page(3)]) == ["acknowledged"]  # a new producer serves the next
        assert len(_Producer.made) == 2
    finally:
        _Producer.release.set()
        slow.join(WAIT)
    assert outcome == {"acknowledged": ["acknowledged"]}
    assert first.closed  # retired, and closed once its last publish was done with it
    assert not _Producer.made[1].closed
