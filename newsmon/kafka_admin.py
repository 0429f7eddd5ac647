"""Topic administration with kafka-python (outside Faust)."""

from __future__ import annotations

import logging
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
        return created
    finally:
        admin.close()
