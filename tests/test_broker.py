from kafka import KafkaConsumer, KafkaProducer
from kafka.structs import TopicPartition

from newsmon.kafka_admin import ensure_topics
from newsmon.settings import KafkaSettings
from newsmon.topics import RAW_PAGES, Topics


def test_ensure_topics_creates_every_topic_once(broker):
    kafka = KafkaSettings(topic_prefix="t-admin.", partitions=3)
    created = ensure_topics(kafka, broker.bootstrap_servers)
    assert sorted(created) == sorted(Topics("t-admin.").all_names())
    assert ensure_topics(kafka, broker.bootstrap_servers) == []


def test_broker_round_trips_a_record(broker):
    kafka = KafkaSettings(topic_prefix="t-roundtrip.", partitions=2)
    ensure_topics(kafka, broker.bootstrap_servers)
    topic = Topics(kafka.topic_prefix).name(RAW_PAGES)
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all", enable_idempotence=True)
    producer.send(topic, key=b"k", value=b"v").get(timeout=10)
    producer.close()
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap_servers, consumer_timeout_ms=2000)
    consumer.assign([TopicPartition(topic, p) for p in range(2)])
    consumer.seek_to_beginning()
    assert [(m.key, m.value) for m in consumer] == [(b"k", b"v")]
