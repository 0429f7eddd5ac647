"""The one settings object. Every knob lives here (or in a stage's sub-model it composes) and is passed down.

Sources, highest first: keyword arguments, `NEWSMON_*` environment variables (nested with `__`,
e.g. `NEWSMON_KAFKA__BOOTSTRAP_SERVERS`), the TOML config file (`--config` or `NEWSMON_CONFIG`), defaults.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import (
    BaseSettings,
    JsonConfigSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from newsmon.liveness import HEARTBEAT_INTERVAL_SECONDS
from newsmon.settings.alerts import AlertSettings
from newsmon.settings.clean import CleanSettings
from newsmon.settings.connector import ConnectorSettings, FeedConfig
from newsmon.settings.dedup import DedupSettings
from newsmon.settings.limits import LimitsSettings

# The levels `log_level` accepts: the logging module's named levels, which the root logger and Faust's worker
# are both handed.
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# The config file of the Settings being built (set by load_settings for the duration of one construction).
_CONFIG_FILE: ContextVar[Path | None] = ContextVar("newsmon_config_file", default=None)


class StrictModel(BaseModel):
    """A settings section: an unknown key is a typo, reported rather than ignored."""

    model_config = ConfigDict(extra="forbid")


class KafkaSettings(StrictModel):
    """`NEWSMON_KAFKA__*` / `[kafka]`."""

    bootstrap_servers: str | None = Field(
        default=None,
        description="host:port[,host:port]. Unset: newsmon runs the broker chosen by `embedded` itself.",
    )
    embedded: Literal["tansu", "kafka"] = Field(
        default="tansu",
        description="The broker `newsmon run` / `newsmon broker` run when bootstrap_servers is unset: "
        "`tansu`, in memory, for trials (it keeps every record and loses all at a restart), or `kafka`, "
        "Apache Kafka from its Maven-resolved jars (needs Java 17+ and Maven), durable under "
        "state_dir/kafka with each topic's retention (newsmon.topics.RETENTION_DAYS).",
    )
    embedded_heap_mb: int = Field(
        default=256, ge=128, description='Java heap of the embedded Kafka (kafka.embedded = "kafka").'
    )
    topic_prefix: str = "newsmon."
    # Short: in docker-compose.yml the services start once Kafka is healthy, and a person at a terminal should
    # not wait a minute to learn of a wrong bootstrap_servers.
    connect_wait_seconds: float = Field(
        default=15.0,
        gt=0,
        description="How long a command waits for the configured Kafka to answer before it stops with one "
        "error line.",
    )
    partitions: int = Field(default=4, ge=1)
    replication_factor: int = Field(default=1, ge=1)


class WorkerSettings(StrictModel):
    """`NEWSMON_WORKER__*` / `[worker]`."""

    app_id: str = "newsmon"
    processes: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        description="Size of the process pool for CPU-bound stage work.",
    )
    commit_interval_seconds: float = Field(
        default=0.02,
        gt=0,
        description="Offset commits; sends wait for them, so this bounds per-hop latency. Measured at 3 "
        "pages/s (issue 19): fetch → alert p50 1.1–1.4 s at 0.1 s and 50 ms fetches, 0.4–0.8 s at 0.02 s "
        "and 10 ms, for ~40 ms more worker + broker CPU per page at that rate (~13 % of a core); an idle "
        "worker costs 5.6 % of a core at 0.1 s and 50 ms, 2.6 % at 0.25 s and 100 ms.",
    )
    warm_up_pool: bool = Field(
        default=True,
        description="Start the process pool with the worker, each process loading the stages' imports, rule "
        "files and models (~2 s of CPU each) before its first record. Off: a pool process starts and loads "
        "on its first record, which then waits that long (for workers that never use the pool, e.g. tests "
        "that feed events straight to the alert stage).",
    )
    commit_when_idle: bool = Field(
        default=True,
        description="Also commit as soon as an agent has processed every record it was given, so that its "
        "outputs are published then instead of at the next interval's commit (fewer commits happen under "
        "load, when agents are rarely idle). Off: commits every commit_interval_seconds only, for less CPU "
        "at low rates.",
    )
    rebalance_timeout_seconds: float = 5.0
    session_timeout_seconds: float = 10.0
    max_poll_interval_seconds: float = 30.0
    stream_buffer_records: int = Field(
        default=256,
        ge=1,
        description="Back-pressure: records an agent may hold unprocessed before its partitions stop being "
        "fetched (Faust's stream_buffer_maxsize, default 4096). A lagging stage then leaves its "
        "backlog in Kafka instead of memory: at ~100 KB per raw page, 4096 is 400 MB per agent.",
    )
    table_write_buffer_mb: int = Field(
        default=4,
        ge=1,
        description="RocksDB write buffer per table partition store (RocksDB's default: 64, "
        "×3 buffers, ×tables×partitions per worker).",
    )
    table_block_cache_mb: int = Field(
        default=8,
        ge=1,
        description="RocksDB block cache per table partition store (RocksDB's default: 2048).",
    )
    fetch_max_wait_ms: int = Field(
        default=10,
        ge=1,
        description="Longest a consumer's fetch waits for records. Brokers that answer a long-poll only when "
        "it expires (tansu) hold every hop this long, so it bounds per-hop latency (Faust's 1500 ms: "
        "0.86 s per hop measured, 50 ms: 0.39 s); lower costs more empty fetch requests when idle.",
    )
    fault_backoff_initial_seconds: float = Field(
        default=0.5,
        gt=0,
        description="Wait before a record that met a fault of the environment (state disk, broker) is tried "
        "again; doubles per attempt. The stage holds the record meanwhile: it is never dead-lettered.",
    )
    fault_backoff_max_seconds: float = Field(default=30.0, gt=0, description="Cap of that backoff.")
    # Far above what a rebalance holds the heartbeat back (the member keeps its id through one) and above the
    # main loop's longest stalls measured on a loaded machine (a timer's 24 s), far below "forever".
    liveness_timeout_seconds: float = Field(
        default=180.0,
        ge=3 * HEARTBEAT_INTERVAL_SECONDS,
        description="`newsmon run` kills (SIGKILL, with its pool) and restarts a worker whose heartbeat is "
        f"older than this: it is written every {HEARTBEAT_INTERVAL_SECONDS:g} s while the main loop runs, "
        "the consumer thread answers and the consumer is a member of its group.",
    )
    liveness_grace_seconds: float = Field(
        default=600.0,
        gt=0,
        description="Time a worker has from its start to its first heartbeat (rebuilding its tables, joining "
        "the group), before `newsmon run` takes it for hung.",
    )


class MetricsSettings(StrictModel):
    """`NEWSMON_METRICS__*` / `[metrics]`."""

    host: str = "127.0.0.1"
    port: int = Field(
        default=9464, ge=0, le=65535, description="Port of this process's /metrics; 0 disables it."
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSMON_", env_nested_delimiter="__", extra="forbid")

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    feeds: list[FeedConfig] = Field(default_factory=list)
    connector: ConnectorSettings = Field(default_factory=ConnectorSettings)
    clean: CleanSettings = Field(default_factory=CleanSettings)
    dedup: DedupSettings = Field(default_factory=DedupSettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    limits: LimitsSettings = Field(default_factory=LimitsSettings)
    state_dir: Path = Field(default=Path("state"), description="RocksDB tables and connector state.")
    log_level: str = Field(default="INFO", description=f"One of {', '.join(LOG_LEVELS)} (any case).")
    log_format: Literal["auto", "human", "json"] = Field(
        default="auto", description="Log lines for people, JSON for machines; auto: human on a terminal."
    )

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        # Checked here: logging would refuse an unknown level only once the command runs, with a traceback.
        level = value.upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}, not {value!r}")
        return level

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = _CONFIG_FILE.get()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if path is not None:
            # JSON is how a parent process hands its effective settings to the processes it starts.
            file_source = (
                JsonConfigSettingsSource(settings_cls, json_file=path)
                if path.suffix == ".json"
                else TomlConfigSettingsSource(settings_cls, toml_file=path)
            )
            sources.append(file_source)
        return tuple(sources)


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings from the config file (`config_file`, else `NEWSMON_CONFIG`, else none), the
    environment and `overrides`."""
    if config_file is None and os.environ.get("NEWSMON_CONFIG"):
        config_file = Path(os.environ["NEWSMON_CONFIG"])
    if config_file is not None and not config_file.is_file():
        raise FileNotFoundError(f"config file not found: {config_file}")
    token = _CONFIG_FILE.set(config_file)
    try:
        return Settings(**overrides)
    finally:
        _CONFIG_FILE.reset(token)
