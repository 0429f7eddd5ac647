"""The partition Kafka's default partitioner gives a keyed record — Java's, kafka-python's and aiokafka's (and
so Faust's, whose tables with `use_partitioner` keep a key's state there): murmur2 of the key bytes."""

from __future__ import annotations

import struct

_MURMUR_M = 0x5BD1E995
_MASK32 = 0xFFFFFFFF


def partition_of(key: str | bytes, partitions: int) -> int:
    """The partition of `key` (a str is taken as its UTF-8 bytes) among `partitions`."""
    data = key.encode("utf-8") if isinstance(key, str) else key
    return (murmur2(data) & 0x7FFFFFFF) % partitions


def murmur2(data: bytes) -> int:
    """Kafka's murmur2 (kafka.partitioner.default.murmur2, equal on every input — tested), a word at a time:
    the dedup stage hashes ~40 keys per article, and the byte-wise original took a fifth of the near-duplicate
    step's CPU."""
    words = len(data) // 4
    hashed = (0x9747B28C ^ len(data)) & _MASK32
    for word in struct.unpack_from(f"<{words}I", data):
        word = (word * _MURMUR_M) & _MASK32
        word ^= word >> 24
        hashed = ((hashed * _MURMUR_M) & _MASK32) ^ ((word * _MURMUR_M) & _MASK32)
    if tail := data[words * 4 :]:
        hashed = ((hashed ^ int.from_bytes(tail, "little")) * _MURMUR_M) & _MASK32
    hashed ^= hashed >> 13
    hashed = (hashed * _MURMUR_M) & _MASK32
    return hashed ^ (hashed >> 15)
