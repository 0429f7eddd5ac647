"""Faults of the environment vs bad input (newsmon.faults), and what StageRuntime does with each: a full state
disk holds the record and retries it (no dead letter), bad input is dead-lettered with a bounded payload, and
an output too large for any producer never reaches one."""

from __future__ import annotations

import asyncio
import errno
import os
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

import aiokafka.errors
import kafka.errors
import newsmon.streams.app
import pytest
from newsmon.streams.clean.logic import CleanError
from newsmon.streams.runtime import PoolCrash, StageRuntime
from pydantic import ValidationError

from newsmon import metrics
from newsmon.faults import KAFKA, OS, STATE_STORE, environment_fault
from newsmon.records import Article, DeadLetter
from newsmon.settings import Settings, WorkerSettings
from tests.factories import make_article, make_event

DEADLINE = 10.0


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in [name for name in os.environ if name.startswith("NEWSMON_")]:
        monkeypatch.delenv(name)


def validation_error() -> ValidationError:
    try:
        Article.from_bytes(b"{}")
    except ValidationError as exc:
        return exc
    raise AssertionError("an empty object is not an Article")


@pytest.mark.parametrize(
    ("exc", "fault"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), STATE_STORE),
        (OSError(errno.EIO, "Input/output error"), STATE_STORE),
        (sqlite3.OperationalError("database or disk is full"), STATE_STORE),
        (Exception("IO error: No space left on device: While appending to file"), STATE_STORE),
        (kafka.errors.KafkaTimeoutError("no broker"), KAFKA),
        (kafka.errors.MessageSizeTooLargeError("too large"), KAFKA),
        (aiokafka.errors.KafkaConnectionError("broker gone"), KAFKA),
        (ConnectionResetError("reset"), OS),
    ],
)
def test_faults_of_the_environment(exc: BaseException, fault: str):
    assert environment_fault(exc) == fault


@pytest.mark.parametrize(
    "exc",
    [
        validation_error(),
        ValueError("not a valid date"),
        UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
        KeyError("events"),
        CleanError("binary", "body is mostly control characters"),
        PoolCrash("a pool process died twice on this record"),
        Exception("boom"),
    ],
)
def test_bad_input(exc: BaseException):
    assert environment_fault(exc) is None


@dataclass
class Message:
    topic: str = "newsmon.articles"
    partition: int = 1
    offset: int = 42


@dataclass
class FakeEvent:
    key: bytes | None
    value: bytes
    message: Message


class FakeTopic:
    def __init__(self) -> None:
        self.sent: list[tuple[Any, bytes]] = []

    async def send(self, *, key: Any = None, value: bytes, partition: int | None = None) -> None:
        self.sent.append((key, value))


class FullDiskTable(dict):
    """A state store whose disk is full until `full` is cleared."""

    def __init__(self) -> None:
        super().__init__()
        self.full = True
        self.failed_writes = 0

    def __setitem__(self, key: str, value: Any) -> None:
        if self.full:
            self.failed_writes += 1
            raise OSError(errno.ENOSPC, "No space left on device")
        super().__setitem__(key, value)


@pytest.fixture
def runtime(monkeypatch, tmp_path) -> tuple[StageRuntime, FakeTopic]:
    settings = Settings(
        state_dir=tmp_path,
        worker=WorkerSettings(fault_backoff_initial_seconds=0.01, fault_backoff_max_seconds=0.05),
    )
    monkeypatch.setattr(newsmon.streams.app, "is_embedded_broker", lambda _bootstrap: True)
    stage_runtime = StageRuntime(newsmon.streams.app.create_app(settings, "127.0.0.1:9"), settings)
    dead_letters = FakeTopic()
    monkeypatch.setattr(stage_runtime, "_dead_letter_topic", dead_letters)
    return stage_runtime, dead_letters


def fault_count(stage: str, fault: str) -> float:
    return metrics.ENVIRONMENT_FAULTS.labels(stage, fault)._value.get()


def test_full_disk_holds_the_good_record_and_processes_it_once_the_fault_clears(runtime):
    stage_runtime, dead_letters = runtime
    table = FullDiskTable()
    article = make_article("http://site.example/a")
    event = FakeEvent(b"http://site.example/a", article.to_bytes(), Message())
    before = fault_count("test_full_disk", STATE_STORE)

    async def step(record: Article) -> str:
        table[record.canonical_url] = record.text_hash  # what a stage's table write does
        return record.article_id

    async def scenario() -> tuple[str | None, bool]:
        task = asyncio.create_task(stage_runtime.attempt("test_full_disk", event, step, article))
        deadline = time.monotonic() + DEADLINE
        while table.failed_writes < 3:  # retried with backoff, not dead-lettered
            assert time.monotonic() < deadline, "the write was not retried"
            assert not task.done(), "the stage gave up on the record"
            await asyncio.sleep(0.005)
        held = not task.done() and dead_letters.sent == []
        table.full = False
        return await asyncio.wait_for(task, DEADLINE), held

    result, held = asyncio.run(scenario())

    assert held
    assert result == article.article_id
    assert table == {article.canonical_url: article.text_hash}
    assert dead_letters.sent == []
    assert fault_count("test_full_disk", STATE_STORE) - before == table.failed_writes


def test_bad_input_is_dead_lettered_once_with_a_reference_and_a_bounded_payload(runtime):
    stage_runtime, dead_letters = runtime
    payload = b"<html>" + b"x" * 5_000_000
    event = FakeEvent(b"http://site.example/big", payload, Message(offset=7))
    calls = []

    async def step() -> None:
        calls.append(1)
        raise CleanError("binary", "body is mostly control characters")

    assert asyncio.run(stage_runtime.attempt("test_bad_input", event, step)) is None

    assert len(calls) == 1
    [(key, value)] = dead_letters.sent
    letter = DeadLetter.from_bytes(value)
    assert (letter.stage, letter.reason, key) == ("test_bad_input", "binary", "http://site.example/big")
    assert (letter.source_topic, letter.source_partition, letter.source_offset) == ("newsmon.articles", 1, 7)
    assert letter.payload == payload[:1024].decode() and letter.payload_bytes == len(payload)
    assert len(value) < 8 * 1024


def test_output_too_large_for_any_producer_is_never_sent(runtime):
    stage_runtime, dead_letters = runtime
    out = FakeTopic()
    limits = stage_runtime.settings.limits
    huge = make_event("x", sentence="word " * limits.record_bytes)
    long_text = ["sanctions " * 1000] * 300  # a 3 MB article record
    article = make_article("http://site.example/long", paragraphs=long_text, text="\n\n".join(long_text))
    before = metrics.OVERSIZE_RECORDS.labels("article", "truncated")._value.get()

    asyncio.run(stage_runtime.send("test_output", out, "k1", huge))
    asyncio.run(stage_runtime.send("test_output", out, "k2", article))

    [(key, value)] = out.sent
    assert key == "k2" and len(value) <= limits.article_bytes
    assert "truncated" in Article.from_bytes(value).flags
    assert metrics.OVERSIZE_RECORDS.labels("article", "truncated")._value.get() - before == 1
    [(letter_key, letter_value)] = dead_letters.sent
    letter = DeadLetter.from_bytes(letter_value)
    assert (letter_key, letter.reason, letter.stage) == ("k1", "too_large", "test_output")
    assert len(letter_value) < 8 * 1024 and letter.payload_bytes > limits.record_bytes
