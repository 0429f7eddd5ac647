"""deploy/kafka/create-topics.sh, the compose stack's one-shot `topics` service, run with that service's
environment against a real Apache Kafka: every topic of deploy/kafka/topics.tsv exists with the partitions of
the compose file and its retention.ms and max.message.bytes, and a rerun after an edit of topics.tsv changes
an existing topic. tansu keeps no topic configs, so only the Kafka tier can show this."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from newsmon.kafka_admin import ensure_topics
from newsmon.settings import KafkaSettings
from tests.deploy.deploy_files import DEPLOY, compose
from tests.kafka_server import KafkaServer, write_cli_scripts

pytestmark = pytest.mark.broker

SCRIPT = DEPLOY / "kafka" / "create-topics.sh"
CHECKED = ("retention.ms", "max.message.bytes")


def topic_table(path: Path) -> dict[str, dict[str, str]]:
    """topics.tsv as {topic: {retention.ms: …, max.message.bytes: …}}."""
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            topic, retention, max_bytes = line.split("\t")
            table[topic] = dict(zip(CHECKED, (retention, max_bytes), strict=True))
    return table


def run_script(script: Path, kafka: KafkaServer, bin_dir: Path, prefix: str) -> str:
    """The script as the compose `topics` service runs it: that service's environment, our bootstrap."""
    service_env = {name: str(value) for name, value in compose()["services"]["topics"]["environment"].items()}
    env = {
        **os.environ,
        **service_env,
        "KAFKA_BIN": str(bin_dir),
        "KAFKA_BOOTSTRAP": kafka.bootstrap_servers,
        "NEWSMON_KAFKA__TOPIC_PREFIX": prefix,  # the session's broker is shared: a prefix of our own
    }
    result = subprocess.run(
        ["sh", str(script)], env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


def described(bootstrap: str, names: list[str]) -> tuple[dict[str, dict[str, str]], dict[str, int]]:
    """({topic: {config: value}} of the CHECKED configs, {topic: partition count}), as the broker has them."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        resources = [ConfigResource(ConfigResourceType.TOPIC, name, dict.fromkeys(CHECKED)) for name in names]
        configs = admin.describe_configs(resources)["topic"]
        partitions = {topic["name"]: len(topic["partitions"]) for topic in admin.describe_topics(names)}
    finally:
        admin.close()
    values = {name: {key: entry["value"] for key, entry in configs[name].items()} for name in names}
    return values, partitions


def test_create_topics_script_applies_topics_tsv_on_kafka(kafka_broker: KafkaServer, tmp_path: Path):
    prefix = f"t-compose-{uuid.uuid4().hex[:8]}."
    table = topic_table(DEPLOY / "kafka" / "topics.tsv")
    bin_dir = write_cli_scripts(kafka_broker.classpath, tmp_path / "bin")
    partitions = int(compose()["services"]["topics"]["environment"]["NEWSMON_KAFKA__PARTITIONS"])

    assert run_script(SCRIPT, kafka_broker, bin_dir, prefix).strip().endswith("newsmon topics ready")
    names = [prefix + topic for topic in table]
    configs, counts = described(kafka_broker.bootstrap_servers, names)
    assert configs == {prefix + topic: expected for topic, expected in table.items()}
    assert counts == dict.fromkeys(names, partitions)
    # The newsmon services start after this one and create what is missing: nothing, so no topic of theirs
    # falls back to the broker's defaults.
    newsmon_settings = KafkaSettings(topic_prefix=prefix, partitions=partitions)
    assert ensure_topics(newsmon_settings, kafka_broker.bootstrap_servers) == []

    # Edited topics.tsv, stack restarted: the existing topic takes the new values (one row, to spare JVMs).
    edited = tmp_path / "edited"
    edited.mkdir()
    shutil.copy(SCRIPT, edited / SCRIPT.name)
    (edited / "topics.tsv").write_text("# topic\tretention.ms\tmax.message.bytes\nevents\t3600000\t2097152\n")
    run_script(edited / SCRIPT.name, kafka_broker, bin_dir, prefix)
    configs, counts = described(kafka_broker.bootstrap_servers, [f"{prefix}events", f"{prefix}articles"])
    assert configs == {
        f"{prefix}events": {"retention.ms": "3600000", "max.message.bytes": "2097152"},
        f"{prefix}articles": table["articles"],
    }
    assert counts[f"{prefix}events"] == partitions
