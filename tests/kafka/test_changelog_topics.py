"""The worker creates its tables' changelog topics before it subscribes (streams.worker): on Apache Kafka they
must come out as Faust would have declared them — compacted, one partition per source partition, and taking
the largest record of the size policy — or table recovery and large table values break."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType
from newsmon.streams.pipeline import build_pipeline
from newsmon.streams.worker import create_changelog_topics

from tests.kafka.harness import run_settings
from tests.kafka_server import KafkaServer

pytestmark = pytest.mark.broker

CHECKED = ("cleanup.policy", "max.message.bytes")


def test_changelog_topics_are_created_compacted_with_the_size_limit(
    kafka_broker: KafkaServer, tmp_path: Path
):
    settings = run_settings(kafka_broker.bootstrap_servers, tmp_path)
    app, _ = build_pipeline(settings, kafka_broker.bootstrap_servers)
    create_changelog_topics(app, kafka_broker.bootstrap_servers)
    names = sorted(table.changelog_topic.get_topic_name() for table in app.tables.values())
    expected = {"cleanup.policy": "compact", "max.message.bytes": str(settings.limits.max_message_bytes)}

    admin = KafkaAdminClient(bootstrap_servers=kafka_broker.bootstrap_servers)
    try:
        # A new topic's configs reach the broker that describes them a moment after its creation.
        deadline = time.monotonic() + 30.0
        while True:
            resources = [
                ConfigResource(ConfigResourceType.TOPIC, name, dict.fromkeys(CHECKED)) for name in names
            ]
            described = admin.describe_configs(resources)["topic"]
            configs = {
                name: {key: entry["value"] for key, entry in described[name].items()} for name in names
            }
            if configs == dict.fromkeys(names, expected) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        partitions = {topic["name"]: len(topic["partitions"]) for topic in admin.describe_topics(names)}
    finally:
        admin.close()

    assert len(names) == 8 and all(name.startswith(f"{settings.worker.app_id}-") for name in names)
    assert configs == dict.fromkeys(names, expected)
    assert partitions == dict.fromkeys(names, settings.kafka.partitions)
    # Created once: a second worker (or a restart) finds them and leaves them alone.
    create_changelog_topics(app, kafka_broker.bootstrap_servers)
