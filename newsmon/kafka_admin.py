"""Topic and consumer-group administration with kafka-python (outside Faust)."""

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
    yet, with its retention (newsmon.topics.RETENTION_DAYS), accepting any record within the size policy
    `limits` (default: the default one); return the names created. An existing topic is left as it is."""
    config = (limits or LimitsSettings()).topic_config()
    topics = Topics(kafka.topic_prefix)
    names = topics.all_names(rules)
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="newsmon-admin")
    try:
        missing = [name for name in names if name not in set(admin.list_topics())]
        created = []
        for name in missing:
            try:
                admin.create_topics(
                    [
                        NewTopic(
                            name,
                            kafka.partitions,
                            kafka.replication_factor,
                            topic_configs={**config, "retention.ms": str(topics.retention_ms(name))},
                        )
                    ]
                )
                created.append(name)
            except TopicAlreadyExistsError:
                pass  # another process created it between list and create
        if created:
            LOGGER.info("created topics", extra={"topics": created, "partitions": kafka.partitions})
        _warn_of_fewer_partitions(admin, [name for name in names if name not in missing], kafka.partitions)
        return created
    finally:
        admin.close()


def _warn_of_fewer_partitions(admin: KafkaAdminClient, existing: list[str], configured: int) -> None:
    """A raised `kafka.partitions` does not reach topics that exist: newsmon never adds partitions (that would
    move keys, and the tables keyed by them, to other partitions), so more workers than the old count sit
    idle. Said once per start, per topic."""
    if not existing:
        return
    for topic in admin.describe_topics(existing):
        count = len(topic["partitions"])
        if count < configured:
            LOGGER.warning(
                "topic has fewer partitions than kafka.partitions; existing topics keep theirs "
                "(recreate them, or use a new topic_prefix, to use the new count)",
                extra={"topic": topic["name"], "partitions": count, "configured": configured},
            )


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


def forget_group(bootstrap_servers: str, group: str, timeout: float = 30.0) -> dict[str, int]:
    """Delete consumer group `group` with its committed offsets, so that its next member reads every topic
    from the beginning; return the offsets it had (topic[partition] → offset). For a worker whose broker lost
    its data: offsets found on the new cluster were committed there by a worker still running on the lost
    cluster's positions (tansu accepts a commit from a member it does not know), and would skip what was
    published to the new cluster up to them. A group whose last member is not yet expired cannot be deleted:
    tried again until `timeout` (the session timeout is enough), then the error is raised."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="newsmon-admin")
    try:
        found = {
            f"{tp.topic}[{tp.partition}]": committed.offset
            for tp, committed in admin.list_group_offsets({group: None}).get(group, {}).items()
        }
        deadline = time.monotonic() + timeout
        while (outcome := admin.delete_groups([group]).get(group)) not in ("OK", None):
            if "GroupIdNotFound" in repr(outcome):  # Kafka's answer for a group that has nothing to delete
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"consumer group {group} not deleted within {timeout:.0f} s: {outcome}")
            time.sleep(1.0)
        return found
    finally:
        admin.close()
