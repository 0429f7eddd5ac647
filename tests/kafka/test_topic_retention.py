"""The topics newsmon creates itself (`newsmon topics create`; run, connect and worker on start) keep their
records as long as deploy/kafka/topics.tsv says, and take its largest record, as the broker describes them:
without the compose stack's `topics` service every topic used to fall back to the broker's 7 days."""

from __future__ import annotations

import time
import uuid

import pytest

from newsmon.kafka_admin import ensure_topics
from newsmon.settings import KafkaSettings
from tests.deploy.deploy_files import DEPLOY
from tests.deploy.test_kafka_topics import described, topic_table
from tests.kafka_server import KafkaServer

pytestmark = pytest.mark.broker


def test_topics_newsmon_creates_have_the_retention_of_topics_tsv(kafka_broker: KafkaServer):
    bootstrap = kafka_broker.bootstrap_servers
    prefix = f"t-retention-{uuid.uuid4().hex[:8]}."
    table = topic_table(DEPLOY / "kafka" / "topics.tsv")
    # A watch rule's topic keeps its alerts as long as the alert topics.
    expected = {prefix + topic: row for topic, row in table.items()} | {
        f"{prefix}alerts.desk": table["alerts.commitments"]
    }

    created = ensure_topics(KafkaSettings(topic_prefix=prefix, partitions=1), bootstrap, ["desk"])

    # A new topic's configs reach the broker that describes them a moment after its creation.
    deadline = time.monotonic() + 30.0
    configs, _ = described(bootstrap, sorted(expected))
    while configs != expected and time.monotonic() < deadline:
        time.sleep(0.2)
        configs, _ = described(bootstrap, sorted(expected))
    assert sorted(created) == sorted(expected)
    assert configs == expected
