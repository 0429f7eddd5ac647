"""Consumer lag of a group, read with kafka-python: committed offsets against end offsets."""

from __future__ import annotations

from kafka import KafkaAdminClient, KafkaConsumer
from kafka.structs import TopicPartition

from newsmon.settings import Settings
from newsmon.topics import ALERTS_COMMITMENTS, ALERTS_SANCTIONS, DEAD_LETTER, Topics

# Topics nobody in the worker consumes: they are the pipeline's outputs.
OUTPUT_TOPICS = {ALERTS_COMMITMENTS, ALERTS_SANCTIONS, DEAD_LETTER}


def consumed_topics(settings: Settings) -> list[str]:
    """The topics the worker group consumes: every newsmon topic but the pipeline's outputs."""
    topics = Topics(settings.kafka.topic_prefix)
    outputs = {topics.name(output) for output in OUTPUT_TOPICS}
    return [name for name in topics.all_names() if name not in outputs]


class LagReader:
    def __init__(self, bootstrap_servers: str) -> None:
        self._admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="newsmon-lag")
        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, client_id="newsmon-lag",
                                       enable_auto_commit=False)

    def lag(self, group: str, topics: list[str]) -> dict[TopicPartition, int]:
        """Messages not yet committed by `group`, per partition of `topics` (a partition never committed to
        counts from offset 0)."""
        partitions = [TopicPartition(topic, partition) for topic in topics
                      for partition in sorted(self._consumer.partitions_for_topic(topic) or ())]
        ends = self._end_offsets(partitions)
        committed = self._admin.list_group_offsets({group: partitions}).get(group, {})
        return {tp: ends[tp] - (committed[tp].offset if tp in committed and committed[tp].offset >= 0 else 0)
                for tp in partitions}

    def _end_offsets(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        """Log end offsets, checked by reading past them: tansu 0.6 (measured here) can report the end one
        short once a partition holds several batches, which would hide the last record from a lag of 0."""
        ends = self._consumer.end_offsets(partitions)
        self._consumer.assign(partitions)
        for tp in partitions:
            self._consumer.seek(tp, ends[tp])
        while batches := self._consumer.poll(timeout_ms=100):
            for tp, records in batches.items():
                ends[tp] = max(ends[tp], records[-1].offset + 1)
        return ends

    def close(self) -> None:
        self._consumer.close()
        self._admin.close()

    def worker_backlog(self, settings: Settings) -> int:
        """Records the worker group has not committed on the topics it consumes; 0 means nothing is in flight
        (a stage's sends are published before the offset that caused them is committed)."""
        return sum(self.lag(settings.worker.app_id, consumed_topics(settings)).values())
