"""Log lines for people on a terminal, JSON for machines (newsmon.logs)."""

import json
import logging

import pytest

from newsmon.logs import HumanFormatter, JsonFormatter, configure_logging


def _record(message: str = "feed polled", **fields: object) -> logging.LogRecord:
    record = logging.LogRecord(
        "newsmon.connectors.service", logging.WARNING, __file__, 1, message, None, None
    )
    for key, value in fields.items():
        setattr(record, key, value)
    return record


def test_a_human_line_has_time_level_logger_message_and_fields_on_one_line():
    line = HumanFormatter(colour=False).format(_record(feed="http://site/feed.xml", new=3))
    clock, level, rest = line.split(" ", 2)
    assert len(clock) == 8 and clock.count(":") == 2
    assert level == "WARNI"
    assert rest.strip() == "service: feed polled (feed=http://site/feed.xml new=3)"
    assert "\n" not in line and "\033" not in line


def test_colour_only_marks_the_level():
    line = HumanFormatter(colour=True).format(_record())
    assert line.count("\033[") == 2 and line.endswith("service: feed polled")


@pytest.mark.parametrize(
    ("log_format", "expected"), [("auto", JsonFormatter), ("json", JsonFormatter), ("human", HumanFormatter)]
)
def test_auto_is_json_when_stderr_is_not_a_terminal(log_format: str, expected: type) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("INFO", log_format)  # under pytest stderr is captured: not a terminal
        assert isinstance(root.handlers[0].formatter, expected)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


def test_json_lines_keep_the_fields_as_keys():
    entry = json.loads(JsonFormatter().format(_record(feed="http://site/feed.xml", new=3)))
    assert entry["msg"] == "feed polled" and entry["feed"] == "http://site/feed.xml" and entry["new"] == 3
