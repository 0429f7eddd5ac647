"""Process orchestration: the broker to use (configured, or embedded), and child processes that inherit
the parent's effective settings and die with it."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newsmon.broker import EmbeddedBroker, die_with_parent, wait_until_kafka_answers
from newsmon.kafka_admin import ensure_topics
from newsmon.settings import Settings

LOGGER = logging.getLogger(__name__)


@contextmanager
def kafka_for(settings: Settings) -> Iterator[str]:
    """Bootstrap servers of the configured Kafka, or of an embedded broker that lives as long as the context;
    either way with every newsmon topic created."""
    if settings.kafka.bootstrap_servers:
        wait_until_kafka_answers(settings.kafka.bootstrap_servers, timeout=60.0)
        ensure_topics(
            settings.kafka, settings.kafka.bootstrap_servers, settings.alerts.rule_names(), settings.limits
        )
        yield settings.kafka.bootstrap_servers
        return
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    with EmbeddedBroker(log_file=settings.state_dir / "tansu.log") as broker:
        ensure_topics(settings.kafka, broker.bootstrap_servers, settings.alerts.rule_names(), settings.limits)
        yield broker.bootstrap_servers


def write_effective_settings(settings: Settings) -> Path:
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    path = settings.state_dir / "effective-settings.json"
    path.write_text(settings.model_dump_json(indent=2), encoding="utf-8")
    return path


def spawn(
    command: list[str],
    settings_file: Path,
    bootstrap_servers: str,
    metrics_port: int,
    log_file: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start `newsmon <command>` with the parent's settings, the given broker and its own metrics port."""
    env = {
        **os.environ,
        "NEWSMON_CONFIG": str(settings_file),
        "NEWSMON_KAFKA__BOOTSTRAP_SERVERS": bootstrap_servers,
        "NEWSMON_METRICS__PORT": str(metrics_port),
    }
    output = open(log_file, "ab") if log_file else None  # noqa: SIM115 - owned by the child
    process = subprocess.Popen(
        [sys.executable, "-m", "newsmon", *command],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=output,
        preexec_fn=die_with_parent,
    )
    LOGGER.info(
        "started child process", extra={"command": command, "pid": process.pid, "metrics_port": metrics_port}
    )
    return process


def stop_all(processes: list[subprocess.Popen[bytes]], timeout: float = 15.0) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
