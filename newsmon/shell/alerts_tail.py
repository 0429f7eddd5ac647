"""`newsmon alerts tail`: a plain kafka-python reader of the alert topics, for a person or a script.

It reads every partition itself (no consumer group), so any number of terminals can tail at once, and it
drops an alert whose `alert_id` it has already shown: delivery is at-least-once, identity is the id.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator

from kafka import KafkaConsumer
from kafka.structs import TopicPartition
from pydantic import ValidationError

from newsmon.records import Alert
from newsmon.streams.alerts.summary import quantity_phrase
from newsmon.topics import Topics

LOGGER = logging.getLogger(__name__)
OUTLETS_SHOWN = 5


def tail_topics(topic_prefix: str, rule: str | None) -> list[str]:
    """The topics `alerts tail` reads: a watch rule's `alerts.<rule>`, else the commitment and sanction
    topics."""
    topics = Topics(topic_prefix)
    return topics.alert_names() if rule is None else [topics.rule_alert_topic(rule)]


class AlertReader:
    def __init__(
        self, bootstrap_servers: str, topics: list[str], *, from_beginning: bool, remember: int = 100_000
    ) -> None:
        self._consumer = KafkaConsumer(
            bootstrap_servers=bootstrap_servers, client_id="newsmon-alerts-tail", enable_auto_commit=False
        )
        partitions = [
            TopicPartition(topic, partition)
            for topic in topics
            for partition in sorted(self._consumer.partitions_for_topic(topic) or ())
        ]
        self._consumer.assign(partitions)
        if from_beginning:
            self._consumer.seek_to_beginning()
        else:
            self._consumer.seek_to_end()
        self._partitions = partitions
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._remember = remember

    def poll(self, timeout_ms: int = 500) -> Iterator[Alert]:
        """Alerts that arrived since the last poll, each alert_id once."""
        for records in self._consumer.poll(timeout_ms=timeout_ms).values():
            for record in records:
                try:
                    alert = Alert.from_bytes(record.value)
                except ValidationError as exc:
                    LOGGER.warning(
                        "unreadable alert skipped",
                        extra={
                            "topic": record.topic,
                            "partition": record.partition,
                            "offset": record.offset,
                            "error": str(exc),
                        },
                    )
                    continue
                if alert.alert_id in self._seen:
                    continue
                self._seen[alert.alert_id] = None
                if len(self._seen) > self._remember:
                    self._seen.popitem(last=False)
                yield alert

    def at_end(self) -> bool:
        ends = self._consumer.end_offsets(self._partitions)
        return all(self._consumer.position(tp) >= end for tp, end in ends.items())

    def close(self) -> None:
        self._consumer.close()


def outlets_phrase(alert: Alert) -> str:
    """E.g. "2 outlets: Harbor Wire, Northwind Herald": the corroboration count and who carries the event (the
    first few by name: a syndicated story can have dozens)."""
    count = f"{alert.corroboration} outlet{'s' if alert.corroboration != 1 else ''}"
    names = list(dict.fromkeys(source.outlet for source in alert.sources))
    if not names:
        return count
    more = f", +{len(names) - OUTLETS_SHOWN} more" if len(names) > OUTLETS_SHOWN else ""
    return f"{count}: {', '.join(names[:OUTLETS_SHOWN])}{more}"


def format_alert(alert: Alert) -> str:
    event = alert.event
    fields = [event.type, event.category, event.status, event.lang]
    if event.quantity is not None:
        fields.append(quantity_phrase(event.quantity.value, event.quantity.unit))
    lines = [
        f"[{alert.kind.upper()}] {' · '.join([*fields, outlets_phrase(alert)])}",
        f"  {alert.summary}",
        f"  “{alert.evidence.strip()}”",
    ]
    lines += [f"  {source.outlet}: {source.url}" for source in alert.sources]
    return "\n".join(lines)


def format_alert_json(alert: Alert) -> str:
    return json.dumps(alert.model_dump(mode="json"), ensure_ascii=False)


def tail(reader: AlertReader, emit: Callable[[Alert], None], stop: threading.Event) -> None:
    while not stop.is_set():
        for alert in reader.poll():
            emit(alert)
