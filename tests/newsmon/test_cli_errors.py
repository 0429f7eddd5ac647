"""Issue 20: what a user gets wrong (configuration, ports, state_dir, the broker's address) ends a command
with one line on stderr and exit code 1, not a traceback. Each case runs `python -m newsmon` as a subprocess,
as a user would, with no NEWSMON_* variable of the caller's environment."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsmon.broker import EmbeddedBroker, free_port, port_is_free
from newsmon.settings import Settings
from tests.process_tree import descendants

COMMAND_TIMEOUT = 60.0


def environment(**variables: str) -> dict[str, str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("NEWSMON_")}
    return {**clean, **variables}


def newsmon(args: list[str], cwd: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """Run `newsmon args` to its end (killed if it outlives COMMAND_TIMEOUT)."""
    return subprocess.run(
        [sys.executable, "-m", "newsmon", *args],
        cwd=cwd,
        env=environment(**variables),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [f"Error: {expected}"]


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A socket listening on a free loopback port: the port is in use."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock


# 1. log_level


@pytest.mark.parametrize("source", ["environment", "config file"])
def test_an_unknown_log_level_lists_the_allowed_ones(tmp_path: Path, source: str):
    if source == "environment":
        result = newsmon(["schemas"], tmp_path, NEWSMON_LOG_LEVEL="LOUD")
    else:
        (tmp_path / "newsmon.toml").write_text('log_level = "LOUD"\n')
        result = newsmon(["--config", "newsmon.toml", "schemas"], tmp_path)
    assert_one_line_error(
        result,
        "invalid configuration: log_level: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not 'LOUD'",
    )


def test_log_level_takes_any_case():
    assert Settings(log_level="debug").log_level == "DEBUG"


# 2. metrics port


@pytest.mark.parametrize(
    ("command", "whose"), [("worker", ""), ("connect", ""), ("run", " (the connector's)")]
)
def test_a_metrics_port_in_use_is_named(tmp_path: Path, listener: socket.socket, command: str, whose: str):
    port = listener.getsockname()[1]
    result = newsmon([command], tmp_path, NEWSMON_METRICS__PORT=str(port))
    assert_one_line_error(
        result, f"metrics port {port}{whose} is in use (set metrics.port / NEWSMON_METRICS__PORT)"
    )


def test_run_names_the_worker_port_in_use(tmp_path: Path, listener: socket.socket):
    port = listener.getsockname()[1]  # the worker's: metrics.port + 1
    if not port_is_free("127.0.0.1", port - 1):
        pytest.skip(f"port {port - 1}, the connector's, is taken by another process")
    result = newsmon(["run"], tmp_path, NEWSMON_METRICS__PORT=str(port - 1))
    assert_one_line_error(
        result,
        f"metrics port {port} (the worker's: metrics.port + 1) is in use "
        "(set metrics.port / NEWSMON_METRICS__PORT)",
    )


# 3. state_dir


@pytest.mark.parametrize("command", ["worker", "connect", "run"])
def test_a_state_dir_below_a_file_is_named_with_the_os_error(tmp_path: Path, command: str):
    (tmp_path / "a-file").write_text("")
    result = newsmon([command], tmp_path, NEWSMON_STATE_DIR="a-file/state", NEWSMON_METRICS__PORT="0")
    assert_one_line_error(
        result,
        f"state_dir {tmp_path / 'a-file' / 'state'} is not a writable directory: Not a directory "
        "(set state_dir / NEWSMON_STATE_DIR)",
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to a read-only directory")
def test_a_read_only_state_dir_is_named_with_the_os_error(tmp_path: Path):
    state = tmp_path / "state"
    state.mkdir(mode=0o500)
    result = newsmon(["worker"], tmp_path, NEWSMON_STATE_DIR=str(state), NEWSMON_METRICS__PORT="0")
    assert_one_line_error(
        result,
        f"state_dir {state} is not a writable directory: Permission denied "
        "(set state_dir / NEWSMON_STATE_DIR)",
    )


# 4. an unreachable Kafka


KAFKA_WAIT_SECONDS = 3.0  # the wait under test, short: the default 15 s is a setting like any other


def test_an_unreachable_kafka_is_reported_after_a_bounded_wait(tmp_path: Path):
    closed = free_port()  # bound and closed again: nothing listens there
    commands = [["worker"], ["run"], ["connect"], ["topics", "create"], ["alerts", "tail"]]
    env = environment(
        NEWSMON_KAFKA__BOOTSTRAP_SERVERS=f"127.0.0.1:{closed}",
        NEWSMON_KAFKA__CONNECT_WAIT_SECONDS=str(KAFKA_WAIT_SECONDS),
        NEWSMON_METRICS__PORT="0",
        NEWSMON_STATE_DIR=str(tmp_path / "state"),
    )
    started = time.monotonic()
    # In parallel: each waits kafka.connect_wait_seconds.
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "newsmon", *command],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    try:
        outcomes = [process.communicate(timeout=COMMAND_TIMEOUT) for process in processes]
    finally:
        for process in processes:
            process.kill()
            process.wait()
    elapsed = time.monotonic() - started
    assert KAFKA_WAIT_SECONDS <= elapsed < KAFKA_WAIT_SECONDS + 20
    for command, process, (_, stderr) in zip(commands, processes, outcomes, strict=True):
        assert process.returncode == 1, (command, stderr)
        assert stderr.splitlines() == [
            f"Error: Kafka at 127.0.0.1:{closed} is not reachable: [Errno 111] Connection refused "
            f"(waited {KAFKA_WAIT_SECONDS:g} s; "
            "set kafka.bootstrap_servers / NEWSMON_KAFKA__BOOTSTRAP_SERVERS)"
        ], command


# 5. `newsmon broker` on a busy port, or whose broker dies


@pytest.mark.broker
def test_broker_refuses_a_port_another_broker_answers_on(tmp_path: Path, tansu_broker: EmbeddedBroker):
    result = newsmon(["broker", "--port", str(tansu_broker.port)], tmp_path)
    assert_one_line_error(result, f"cannot start the broker: port {tansu_broker.port} is in use")


def test_broker_refuses_a_port_in_use(tmp_path: Path, listener: socket.socket):
    port = listener.getsockname()[1]
    assert_one_line_error(
        newsmon(["broker", "--port", str(port)], tmp_path), f"cannot start the broker: port {port} is in use"
    )


@pytest.mark.broker
def test_broker_exits_when_its_broker_dies(tmp_path: Path):
    process = subprocess.Popen(
        [sys.executable, "-m", "newsmon", "broker", "--port", str(free_port())],
        cwd=tmp_path,
        env=environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("bootstrap servers:")
        (tansu,) = descendants(process.pid)
        os.kill(tansu, signal.SIGKILL)
        _, stderr = process.communicate(timeout=COMMAND_TIMEOUT)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 1
    assert stderr.splitlines()[-1] == f"Error: the broker exited with code {-signal.SIGKILL}"


# `newsmon alerts tail` before the topics exist


@pytest.mark.broker
@pytest.mark.parametrize(
    ("rule", "topics"), [(None, ["alerts.commitments", "alerts.sanctions"]), ("x", ["alerts.x"])]
)
def test_alerts_tail_names_the_missing_topics(
    tmp_path: Path, tansu_broker: EmbeddedBroker, rule: str | None, topics: list[str]
):
    prefix = f"test-{uuid.uuid4().hex[:8]}."
    result = newsmon(
        ["alerts", "tail", *(["--rule", rule] if rule else [])],
        tmp_path,
        NEWSMON_KAFKA__BOOTSTRAP_SERVERS=tansu_broker.bootstrap_servers,
        NEWSMON_KAFKA__TOPIC_PREFIX=prefix,
    )
    assert_one_line_error(
        result,
        f"topic(s) {', '.join(prefix + topic for topic in topics)} do not exist on Kafka at "
        f"{tansu_broker.bootstrap_servers} yet: create them with `newsmon topics create` "
        "(`newsmon run` and `newsmon worker` do too)",
    )
