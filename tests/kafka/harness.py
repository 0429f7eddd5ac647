"""What the Kafka-only tests share: settings for one isolated run on 4 partitions with short group timeouts, a
reader that accumulates every record of the alert topics, and the members of a consumer group."""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from pathlib import Path

from kafka import KafkaAdminClient, KafkaConsumer
from kafka.structs import TopicPartition

from newsmon.kafka_admin import ensure_topics
from newsmon.records import Alert
from newsmon.settings import KafkaSettings, Settings, WorkerSettings
from newsmon.settings.alerts import AlertSettings
from newsmon.topics import Topics

PARTITIONS = 4
# Kafka's group.min.session.timeout.ms (6 s): the shortest session a broker accepts, so a killed worker's
# partitions move as soon as Kafka allows.
SESSION_TIMEOUT_SECONDS = 6.0
REBALANCE_TIMEOUT_SECONDS = 5.0


def run_settings(bootstrap: str, state_dir: Path) -> Settings:
    """Settings of one run on `bootstrap`: its own topics (4 partitions; see create_topics) and consumer
    group, group timeouts as short as Kafka allows."""
    run = uuid.uuid4().hex[:8]
    return Settings(
        kafka=KafkaSettings(bootstrap_servers=bootstrap, partitions=PARTITIONS, topic_prefix=f"k{run}."),
        worker=WorkerSettings(
            app_id=f"kafka-{run}",
            processes=1,
            session_timeout_seconds=SESSION_TIMEOUT_SECONDS,
            rebalance_timeout_seconds=REBALANCE_TIMEOUT_SECONDS,
        ),
        alerts=AlertSettings(debounce_seconds=0),
        state_dir=state_dir,
    )


def create_topics(settings: Settings) -> Settings:
    """`settings`, once every topic of theirs exists, as `newsmon run` creates them."""
    kafka = settings.kafka
    ensure_topics(kafka, kafka.bootstrap_servers, settings.alerts.rule_names(), settings.limits)
    return settings


class TopicTap:
    """Every record of `topics`, read committed, from the beginning: `values()` returns what has arrived so
    far (a record that appears twice on a topic is there twice)."""

    def __init__(self, settings: Settings, topics: list[str]) -> None:
        self._consumer = KafkaConsumer(
            bootstrap_servers=settings.kafka.bootstrap_servers,
            enable_auto_commit=False,
            isolation_level="read_committed",
        )
        self._consumer.assign(
            [
                TopicPartition(topic, partition)
                for topic in topics
                for partition in range(settings.kafka.partitions)
            ]
        )
        self._consumer.seek_to_beginning()
        self._values: list[bytes] = []

    def values(self) -> list[bytes]:
        for batch in self._consumer.poll(timeout_ms=200).values():
            self._values += [record.value for record in batch]
        return self._values

    def everything(self) -> list[bytes]:
        """Every record up to the topics' current ends."""
        ends = self._consumer.end_offsets(list(self._consumer.assignment()))
        deadline = time.monotonic() + 30.0
        while any(self._consumer.position(tp) < end for tp, end in ends.items()):
            assert time.monotonic() < deadline, "could not read the topics to their ends"
            self.values()
        return self._values

    def close(self) -> None:
        self._consumer.close()


class AlertTap(TopicTap):
    """Every record of the alert topics."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, Topics(settings.kafka.topic_prefix).alert_names())

    def ids(self) -> Counter[str]:
        return Counter(Alert.from_bytes(value).alert_id for value in self.values())


def group_members(bootstrap: str, group: str) -> tuple[str, int]:
    """The state of consumer group `group` (Stable, PreparingRebalance, …) and its number of members."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="newsmon-test-groups")
    # Faust's assignor puts its own data in the members' metadata; kafka-python warns, at length, that it
    # cannot decode it. Only the state and the member count are read here.
    logging.getLogger("kafka.admin._groups").setLevel(logging.ERROR)
    try:
        description = admin.describe_groups([group])[group]
    finally:
        admin.close()
    return description["group_state"], len(description["members"])
