"""Which alerts an alert topic already holds, read back from the partition their key maps to.

Without transactions a worker can die after publishing an alert and before committing the offset that caused
it; the redelivered message (or the re-run tick) then yields the same alert again. Before publishing such a
replay, the agent asks this module which of its `alert_id`s are already on the topic and publishes only the
others, so the topic carries each alert once. Replays happen only after a crash, so the read stays off the hot
path (and runs in a thread: kafka-python blocks).
"""

from __future__ import annotations

import json
import logging
import time

from kafka import KafkaConsumer
from kafka.errors import KafkaTimeoutError
from kafka.structs import TopicPartition

from newsmon.partitioner import partition_of

LOGGER = logging.getLogger(__name__)

READ_SECONDS = 8.0


def published_alert_ids(bootstrap_servers: str, topic: str, key: str, lookback: int) -> set[str]:
    """The alert ids among the last `lookback` records of the partition of `topic` that `key` maps to."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        client_id="newsmon-alert-readback",
        enable_auto_commit=False,
        request_timeout_ms=5000,
    )
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            return set()
        tp = TopicPartition(topic, partition_of(key, len(partitions)))
        consumer.assign([tp])
        end = consumer.end_offsets([tp])[tp]
        consumer.seek(tp, max(0, end - lookback))
        found: set[str] = set()
        deadline = time.monotonic() + READ_SECONDS
        while consumer.position(tp) < end:
            if time.monotonic() > deadline:
                raise KafkaTimeoutError(f"could not read back {tp} up to offset {end}")
            for record in consumer.poll(timeout_ms=500).get(tp, []):
                if record.key == key.encode("utf-8"):
                    found.add(json.loads(record.value)["alert_id"])
        return found
    finally:
        consumer.close()
