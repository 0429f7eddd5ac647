"""Reading a topic back in tests: from its beginning to its end offsets at the time of the call.

Reading until nothing came for a while (consumer_timeout_ms) cost that while on every read, and a test
polling alert topics paid it on each topic of each poll. The end offsets are read rather than trusted
(LagReader.end_offsets: tansu reports the start of a partition's last batch), so a read returns every record
the broker held when it was asked, and no test waits for records that are not coming."""

from __future__ import annotations

import time

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from newsmon.lag import LagReader

READ_SECONDS = 30.0  # to fetch records the broker already holds: generous, reached only when something broke


def read_to_end(bootstrap_servers: str, topic: str) -> list[ConsumerRecord]:
    """Every record of `topic` up to its end offsets at the call, partition by partition."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    lag = LagReader(bootstrap_servers)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not partitions:
            return []  # not created yet, or not yet in this client's metadata: no record to read
        ends = lag.end_offsets(partitions)
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        records: list[ConsumerRecord] = []
        deadline = time.monotonic() + READ_SECONDS
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            assert time.monotonic() < deadline, f"{topic}: not read up to {ends} in {READ_SECONDS} s"
            for batch in consumer.poll(timeout_ms=100).values():
                records.extend(batch)
        return records
    finally:
        lag.close()
        consumer.close()


def read_values(bootstrap_servers: str, topic: str) -> list[bytes]:
    return [record.value for record in read_to_end(bootstrap_servers, topic)]
