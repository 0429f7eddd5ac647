"""Topic administration with kafka-python (outside Faust)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from newsmon.settings import KafkaSettings
from newsmon.settings.limits import LimitsSettings
from newsmon.topics import Topics

LOGGER = logging.getLogger(__name__)


def ensure_topics(
    kafka: KafkaSettings,
    bootstrap_servers: str,
    rules: Iterable[str] = (),
    limits: LimitsSettings | None = None,
) -> list[str]:
    """Create every newsmon topic (with the alert topic of each watch rule in `rules`) that does not exist
    yet, accepting any record within the size policy `limits` (default: the default one); return the names
    created."""
    config = (limits or LimitsSettings()).topic_config()
    names = Topics(kafka.topic_prefix).all_names(rules)
    return create_missing_topics(kafka, bootstrap_servers, dict.fromkeys(names, config))


def create_missing_topics(
    kafka: KafkaSettings,
    bootstrap_servers: str,
    configs: dict[str, dict[str, str]],
    wait_seconds: float = 0.0,
) -> list[str]:
    """Create each topic of `configs` (name → topic configs) that does not exist yet, with `kafka.partitions`
    partitions; return the names created. With `wait_seconds`, wait until the broker's metadata lists every
    created topic with its partitions (Kafka completes a creation after answering it)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="newsmon-admin")
    try:
        existing = set(admin.list_topics())
        created = []
        for name, config in configs.items():
            if name in existing:
                continue
            try:
                admin.create_topics(
                    [NewTopic(name, kafka.partitions, kafka.replication_factor, topic_configs=config)]
                )
                created.append(name)
            except TopicAlreadyExistsError:
                pass  # another process created it between list and create
        if created:
            LOGGER.info("created topics", extra={"topics": created, "partitions": kafka.partitions})
        deadline = time.monotonic() + wait_seconds
        while created and wait_seconds and time.monotonic() < deadline:
            described = admin.describe_topics(created)
            if all(len(topic["partitions"]) == kafka.partitions for topic in described):
                break
            time.sleep(0.2)
        return created
    finally:
        admin.close()


def delete_app_topics(
    kafka: KafkaSettings, bootstrap_servers: str, app_id: str, timeout: float = 30.0
) -> list[str]:
    """Delete the worker's own topics (Faust's changelogs and repartition topics, `<app_id>-*`; never a
    newsmon topic) and wait until they are gone; return their names. For a worker whose broker lost its data:
    what is left of them there was written by a worker still running on the lost cluster's state, and a topic
    created by a send (with the broker's default partition count) would stop Faust's tables."""
    names = set(Topics(kafka.topic_prefix).all_names())
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="newsmon-admin")
    try:
        doomed = [name for name in admin.list_topics() if name.startswith(f"{app_id}-") and name not in names]
        if not doomed:
            return []
        admin.delete_topics(doomed)
        deadline = time.monotonic() + timeout
        while set(doomed) & set(admin.list_topics()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"topics not deleted within {timeout:.0f} s: {doomed}")
            time.sleep(0.2)
        LOGGER.info("deleted the worker's topics", extra={"topics": doomed})
        return doomed
    finally:
        admin.close()
