from kafka import KafkaProducer
from newsmon.streams.alerts.readback import published_alert_ids

from newsmon.kafka_admin import ensure_topics
from newsmon.partitioner import partition_of
from newsmon.settings import KafkaSettings
from newsmon.topics import ALERTS_SANCTIONS, Topics


def test_read_back_finds_the_alerts_of_one_key_on_its_partition(broker):
    kafka = KafkaSettings(topic_prefix="t-readback.", partitions=3)
    ensure_topics(kafka, broker.bootstrap_servers)
    topic = Topics(kafka.topic_prefix).name(ALERTS_SANCTIONS)
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers)
    for key, alert_id in [("k1", "a1"), ("k2", "a2"), ("k1", "a3")]:
        record = producer.send(topic, key=key.encode(), value=b'{"alert_id": "%s"}' % alert_id.encode())
        assert record.get(timeout=10).partition == partition_of(key.encode(), 3)
    producer.close()

    assert published_alert_ids(broker.bootstrap_servers, topic, "k1", lookback=100) == {"a1", "a3"}
    assert published_alert_ids(broker.bootstrap_servers, topic, "k3", lookback=100) == set()
