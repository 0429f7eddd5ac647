"""Which broker local state belongs to.

Local state that mirrors what a broker holds (the worker's table stores, the connector's seen items) is valid
only for the cluster it was built against. A broker that lost its data (tansu in memory restarted, a Kafka
whose log directory was lost and re-formatted) comes back as a new cluster: a new cluster id, since
`newsmon.broker` and `newsmon.kafka_local` give each new cluster a fresh one. The state records the id it was
built against in a marker file beside it; a different id at the next check means the state is to be rebuilt.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

LOGGER = logging.getLogger(__name__)


def accepts_connections(bootstrap_servers: str, timeout: float = 5.0) -> bool:
    """Whether the first bootstrap server accepts a TCP connection now. A plain connect before a Kafka client:
    kafka-python logs every refused connection as an error and keeps retrying a broker that is down until its
    30 s bootstrap timeout."""
    host, _, port = bootstrap_servers.split(",")[0].rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except (OSError, ValueError):
        return False
    return True


def cluster_id(bootstrap_servers: str, timeout: float = 5.0) -> str | None:
    """The id of the cluster answering at `bootstrap_servers`, or None when none answers now."""
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    if not accepts_connections(bootstrap_servers, timeout):
        return None
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap_servers,
            client_id="newsmon-identity",
            request_timeout_ms=int(timeout * 1000),
        )
    except (KafkaError, OSError, ValueError):
        return None
    try:
        found = admin.describe_cluster().get("cluster_id")
    except (KafkaError, OSError, ValueError):
        return None
    finally:
        admin.close()
    return str(found) if found else None


def recorded_cluster(marker: Path) -> str | None:
    """The cluster id recorded in `marker`, None when nothing was recorded yet."""
    try:
        return marker.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def lost_cluster(marker: Path, current: str) -> str | None:
    """The id recorded in `marker` when it is not `current` (the state beside it belongs to a cluster that is
    gone), else None. State with no record yet (first run) counts as the current cluster's."""
    recorded = recorded_cluster(marker)
    return recorded if recorded is not None and recorded != current else None


def record_cluster(marker: Path, current: str) -> None:
    """Record `current` in `marker`, atomically (a crash leaves the old record or the new one). Call it once
    the state is rebuilt, so that a crash before leaves the rebuild to be done again."""
    marker.parent.mkdir(parents=True, exist_ok=True)
    partial = marker.with_name(marker.name + ".partial")
    partial.write_text(current + "\n", encoding="utf-8")
    os.replace(partial, marker)
