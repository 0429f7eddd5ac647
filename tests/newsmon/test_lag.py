from kafka import KafkaConsumer, KafkaProducer
from kafka.structs import OffsetAndMetadata, TopicPartition

from newsmon.kafka_admin import ensure_topics
from newsmon.lag import LagReader
from newsmon.settings import KafkaSettings
from newsmon.topics import RAW_PAGES, Topics


def test_lag_counts_every_record_of_a_multi_record_batch(broker):
    kafka = KafkaSettings(topic_prefix="t-lag.", partitions=1)
    ensure_topics(kafka, broker.bootstrap_servers)
    topic = Topics(kafka.topic_prefix).name(RAW_PAGES)
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers, linger_ms=200)
    futures = [producer.send(topic, value=b"page %d" % n) for n in range(3)]
    producer.flush()
    assert [future.get(timeout=10).offset for future in futures] == [0, 1, 2]
    producer.close()

    reader = LagReader(broker.bootstrap_servers)
    try:
        assert reader.lag("t-lag-group", [topic]) == {TopicPartition(topic, 0): 3}
        committer = KafkaConsumer(
            bootstrap_servers=broker.bootstrap_servers, group_id="t-lag-group", enable_auto_commit=False
        )
        committer.commit({TopicPartition(topic, 0): OffsetAndMetadata(2, None, -1)})
        committer.close()
        assert reader.lag("t-lag-group", [topic]) == {TopicPartition(topic, 0): 1}
    finally:
        reader.close()
