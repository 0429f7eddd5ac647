"""Which failures are faults of the environment and which are one record's bad input.

A fault of the environment — the state disk full or failing (OSError, sqlite, RocksDB I/O errors), the
broker unavailable or refusing a send (KafkaError) — says nothing about the record being processed:
dead-lettering the record would lose a good one, so the stage holds it and tries again with backoff,
counting the fault (`newsmon_environment_faults_total`). Everything else raised while processing one
record is taken as that record's bad input and dead-lettered.
"""

from __future__ import annotations

import errno
import sqlite3

import aiokafka.errors
import kafka.errors

# Fault classes: the bounded values of the metric's `fault` label.
STATE_STORE = "state_store"
KAFKA = "kafka"
OS = "os"
SERIALIZATION = "serialization"
FAULTS = (STATE_STORE, KAFKA, OS, SERIALIZATION)

_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS})
# RocksDB (rocksdict, under Faust's tables) raises plain Exceptions; an I/O failure's message starts so.
_ROCKSDB_IO = "IO error"


def environment_fault(exc: BaseException) -> str | None:
    """The fault class of `exc` when it is a fault of the environment, else None (bad input)."""
    if isinstance(exc, (kafka.errors.KafkaError, aiokafka.errors.KafkaError)):
        return KAFKA
    if isinstance(exc, sqlite3.OperationalError):
        return STATE_STORE
    if isinstance(exc, OSError):
        return STATE_STORE if exc.errno in _DISK_ERRNOS else OS
    if type(exc) is Exception and str(exc).startswith(_ROCKSDB_IO):
        return STATE_STORE
    return None
