"""Issue 20: the logs carry what an operator looks for and nothing that buries it. A feed poll that found
nothing new stays below INFO, an emitted alert gets one INFO line, and every line a standalone worker writes
is JSON (no terminal escape sequence glued to one)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsmon.records import Party, Quantity
from newsmon.settings.alerts import AlertSettings
from newsmon.shell.processes import stop_all
from tests.alerts.harness import EventProducer, alert_settings_run, sighting, start_worker
from tests.connectors.connector_testkit import (
    FEED_HEADERS,
    LoopbackServer,
    RecordingPublisher,
    Reply,
    make_settings,
    poll_once,
    rss,
)

SERVICE_LOGGER = "newsmon.connectors.service"
DEADLINE = 90.0


def poll_lines(caplog: pytest.LogCaptureFixture, settings: Any, publisher: RecordingPublisher) -> list[Any]:
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger=SERVICE_LOGGER):
        poll_once(settings, publisher)  # type: ignore[arg-type]
    return [record for record in caplog.records if record.name == SERVICE_LOGGER]


def test_a_poll_that_finds_nothing_new_logs_no_info_line(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    server = LoopbackServer()
    try:
        # No link: the item is published feed-only, without a page fetch.
        feed = rss([{"title": "Sanctions package", "guid": "item-1", "description": "The EU adopted it."}])
        server.routes["/feed.xml"] = Reply(feed, headers={**FEED_HEADERS, "ETag": '"v1"'})
        settings = make_settings(tmp_path, [server.url("/feed.xml")])
        publisher = RecordingPublisher()

        [first] = [
            record for record in poll_lines(caplog, settings, publisher) if record.levelno == logging.INFO
        ]
        assert len(publisher.pages) == 1
        assert first.getMessage() == "feed polled"
        assert (first.feed, first.new, first.published, first.remaining) == (server.url("/feed.xml"), 1, 1, 0)

        # The same items again (a server that ignores If-None-Match): nothing new.
        unchanged = poll_lines(caplog, settings, publisher)
        assert [record.levelno for record in unchanged] == [logging.DEBUG]
        assert unchanged[0].new == 0

        server.routes["/feed.xml"] = Reply(status=304, headers={"ETag": '"v1"'})
        not_modified = poll_lines(caplog, settings, publisher)
        assert [record.levelno for record in not_modified] == [logging.DEBUG]
        assert server.requests[-1][1].get("if-none-match") == '"v1"'
        assert len(publisher.pages) == 1
    finally:
        server.close()


@pytest.fixture(scope="module")
def worker_output(broker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """The lines a standalone worker wrote (stdout and stderr into one file, as `newsmon run` keeps them)
    from its start, through one alert, to its stop."""
    tmp_path = tmp_path_factory.mktemp("log-noise")
    settings = alert_settings_run(broker.bootstrap_servers, tmp_path, AlertSettings(debounce_seconds=0))
    producer = EventProducer(settings)
    producer.send(
        sighting(
            "north",
            actors=[Party(name="EU", code="EU")],
            targets=[Party(name="Russia", code="RUS")],
            quantity=Quantity(value=20, unit="package", text="package 20"),
        )
    )
    producer.close()
    log_file = settings.state_dir / "worker.log"
    worker = start_worker(settings)
    try:
        deadline = time.monotonic() + DEADLINE
        while '"alert emitted"' not in log_file.read_text(encoding="utf-8", errors="replace"):
            assert worker.poll() is None, f"the worker exited: {log_file.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"no alert logged: {log_file.read_text()[-3000:]}"
            time.sleep(0.2)
    finally:
        stop_all([worker])
    yield log_file.read_text(encoding="utf-8", errors="replace").splitlines()


@pytest.mark.broker
@pytest.mark.brokers("tansu")
def test_an_emitted_alert_logs_one_info_line_with_what_it_says(worker_output: list[str]):
    entries = [json.loads(line) for line in worker_output if '"alert emitted"' in line]
    [entry] = entries
    assert entry["level"] == "info"
    assert entry["logger"] == "newsmon.streams.alerts.agent"
    assert (entry["kind"], entry["type"], entry["status"]) == ("new", "sanction", "announced")
    assert (entry["actors"], entry["targets"], entry["outlets"]) == (["EU"], ["Russia"], ["north"])
    assert entry["summary"] and len(entry["summary"]) <= 200
    assert entry["alert_id"]


@pytest.mark.broker
@pytest.mark.brokers("tansu")
def test_every_line_of_a_standalone_worker_is_json(worker_output: list[str]):
    assert worker_output
    for line in worker_output:
        assert "\x1b" not in line and "\b" not in line, repr(line)
        assert isinstance(json.loads(line), dict), repr(line)
