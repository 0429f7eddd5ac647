"""Topic administration on a real broker (newsmon.kafka_admin)."""

import logging
import uuid

import pytest

from newsmon.kafka_admin import ensure_topics
from newsmon.settings import KafkaSettings
from newsmon.topics import Topics

pytestmark = [pytest.mark.broker, pytest.mark.brokers("tansu")]


def test_a_raised_partition_count_is_reported_for_topics_that_already_exist(broker, caplog):
    prefix = f"admin-{uuid.uuid4().hex[:8]}."
    created = ensure_topics(KafkaSettings(topic_prefix=prefix, partitions=2), broker.bootstrap_servers)
    assert set(created) == set(Topics(prefix).all_names())

    with caplog.at_level(logging.WARNING, logger="newsmon.kafka_admin"):
        again = ensure_topics(KafkaSettings(topic_prefix=prefix, partitions=4), broker.bootstrap_servers)

    assert again == []
    warned = {
        record.topic: (record.partitions, record.configured)
        for record in caplog.records
        if record.name == "newsmon.kafka_admin"
    }
    assert warned == {name: (2, 4) for name in Topics(prefix).all_names()}
