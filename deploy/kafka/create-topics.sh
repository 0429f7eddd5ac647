#!/bin/sh
# One-shot service of the compose stack: creates newsmon's topics with the retention and record size limit of
# topics.tsv (raw pages: 3 days, articles: 7, internal hops: 2, events and dead letters: 30, alerts: 90), and
# re-applies both on every run so that editing topics.tsv and restarting the stack changes existing topics.
# Record limits: the size policy (newsmon/settings/limits.py) bounds every record; Kafka's default is 1 MiB.
set -eu
# KAFKA_BIN: the tests run this script against a Kafka started from its jars (tests/kafka_server.py).
bin="${KAFKA_BIN:-/opt/kafka/bin}"
bootstrap="${KAFKA_BOOTSTRAP:-kafka:9092}"
prefix="${NEWSMON_KAFKA__TOPIC_PREFIX:-newsmon.}"
partitions="${NEWSMON_KAFKA__PARTITIONS:-8}"
replicas="${NEWSMON_KAFKA__REPLICATION_FACTOR:-1}"

grep -v '^#' "$(dirname "$0")/topics.tsv" | while IFS="$(printf '\t')" read -r topic retention max_bytes; do
  "$bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$prefix$topic" \
    --partitions "$partitions" --replication-factor "$replicas"
  "$bin/kafka-configs.sh" --bootstrap-server "$bootstrap" --alter --entity-type topics \
    --entity-name "$prefix$topic" --add-config "retention.ms=$retention,max.message.bytes=$max_bytes"
done
echo "newsmon topics ready"
