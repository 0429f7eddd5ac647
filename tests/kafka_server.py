"""The test tier's Apache Kafka: the product's local Kafka (newsmon.kafka_local, run from Maven-resolved jars)
with the settings and cluster id of docker-compose.yml's `kafka` service, so the tests run the Kafka that
production runs.

Kept free of pytest so that a benchmark or a shell session can start one too:

    with KafkaServer(kafka_classpath(compose_kafka_version()), Path("/tmp/k")) as kafka:
        print(kafka.bootstrap_servers)
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from newsmon.kafka_local import KafkaServer as LocalKafkaServer
from newsmon.kafka_local import KafkaUnavailable, java_command, kafka_classpath, missing_tools

__all__ = [
    "KafkaServer",
    "KafkaUnavailable",
    "compose_broker_properties",
    "compose_cluster_id",
    "compose_kafka_version",
    "kafka_classpath",
    "missing_tools",
    "write_cli_scripts",
]

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"

# Settings of the compose service that make no sense outside a container: the listeners, addresses and data
# directory are the test's own.
_COMPOSE_OWN = {
    "CLUSTER_ID",
    "KAFKA_NODE_ID",
    "KAFKA_LISTENERS",
    "KAFKA_ADVERTISED_LISTENERS",
    "KAFKA_CONTROLLER_QUORUM_VOTERS",
    "KAFKA_LOG_DIRS",
}


def compose_kafka_service(compose_file: Path = COMPOSE_FILE) -> dict:
    return yaml.safe_load(compose_file.read_text(encoding="utf-8"))["services"]["kafka"]


def compose_kafka_version(compose_file: Path = COMPOSE_FILE) -> str:
    """The tag of the `apache/kafka` image production runs, e.g. 3.9.1."""
    image = compose_kafka_service(compose_file)["image"]
    match = re.fullmatch(r"apache/kafka:(\d+\.\d+\.\d+)", image)
    if match is None:
        raise ValueError(f"docker-compose.yml's kafka image is not apache/kafka:X.Y.Z: {image}")
    return match.group(1)


def compose_broker_properties(compose_file: Path = COMPOSE_FILE) -> dict[str, str]:
    """The compose service's KAFKA_* environment as server.properties entries, converted the way the
    apache/kafka image converts them (`_` → `.`, `__` → `_`, `___` → `-`)."""
    properties = {}
    for name, value in compose_kafka_service(compose_file)["environment"].items():
        if not name.startswith("KAFKA_") or name in _COMPOSE_OWN:
            continue
        key = name.removeprefix("KAFKA_").lower()
        key = key.replace("___", "\0").replace("__", "\1").replace("_", ".")
        properties[key.replace("\0", "-").replace("\1", "_")] = str(value)
    return properties


def compose_cluster_id(compose_file: Path = COMPOSE_FILE) -> str:
    return str(compose_kafka_service(compose_file)["environment"]["CLUSTER_ID"])


class KafkaServer(LocalKafkaServer):
    """One KRaft node on free loopback ports with docker-compose.yml's broker settings and cluster id, its
    data and logs under `work_dir` (see newsmon.kafka_local.KafkaServer: stop() then start() restarts it on
    the same ports with the same data, as a real broker outage does)."""

    def __init__(self, classpath: list[Path], work_dir: Path, host: str = "127.0.0.1") -> None:
        super().__init__(
            classpath,
            work_dir,
            properties=compose_broker_properties(),
            cluster_id=compose_cluster_id(),
            host=host,
        )


# The scripts of the distribution's bin/ that deploy/kafka/create-topics.sh calls, and the class each runs.
CLI_SCRIPTS = {
    "kafka-topics.sh": "org.apache.kafka.tools.TopicCommand",
    "kafka-configs.sh": "kafka.admin.ConfigCommand",
}


def write_cli_scripts(classpath: list[Path], directory: Path) -> Path:
    """A bin/ directory with the distribution's CLI scripts that deploy/kafka/create-topics.sh uses, each
    running its class from the resolved jars; returns the directory (for the script's KAFKA_BIN)."""
    directory.mkdir(parents=True, exist_ok=True)
    log4j = directory / "tools-log4j.properties"
    # The tools log warnings only, to stderr, as the distribution's tools-log4j.properties does.
    log4j.write_text(
        "log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\n"
        "log4j.appender.stderr.layout=org.apache.log4j.PatternLayout\n"
        "log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
        "log4j.appender.stderr.Target=System.err\n",
        encoding="utf-8",
    )
    # Short-lived JVMs: C1 only and a small heap start them fastest.
    jvm = ("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", f"-Dlog4j.configuration=file:{log4j}")
    for name, main_class in CLI_SCRIPTS.items():
        command = " ".join(f"'{part}'" for part in java_command(classpath, main_class, jvm=jvm))
        script = directory / name
        script.write_text(f'#!/bin/sh\nexec {command} "$@"\n', encoding="utf-8")
        script.chmod(0o755)
    return directory
