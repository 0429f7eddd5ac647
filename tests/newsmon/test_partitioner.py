"""newsmon.partitioner: the same partition as the producers' own partitioners, on any key."""

from __future__ import annotations

import random

from aiokafka.partitioner import DefaultPartitioner
from kafka.partitioner.default import murmur2 as kafka_murmur2

from newsmon.partitioner import murmur2, partition_of


def test_murmur2_and_partition_of_equal_kafkas_on_any_key():
    rng = random.Random(3)
    keys = [b"", b"a", b"nd:0:00ff", b"st:1234abcd", "مفتاح".encode()] + [
        bytes(rng.randrange(256) for _ in range(rng.randint(0, 60))) for _ in range(2000)
    ]
    for key in keys:
        assert murmur2(key) == kafka_murmur2(key)
        assert partition_of(key, 4) == DefaultPartitioner()(key, list(range(4)), [])  # Faust's producer


def test_a_str_key_is_taken_as_its_utf8_bytes():
    assert partition_of("مفتاح", 7) == partition_of("مفتاح".encode(), 7)
