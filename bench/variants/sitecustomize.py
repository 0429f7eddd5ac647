"""Benchmark-only variants of the worker, applied at interpreter start-up when this directory is on PYTHONPATH
(`PYTHONPATH=bench/variants`), so a proposed code change can be measured in `newsmon worker` processes without
editing the code. Each variant is off unless its environment variable is set:

- NEWSMON_BENCH_FETCH_MAX_WAIT_MS=N: the worker's Kafka consumers long-poll at most N ms (Faust: 1500).
- NEWSMON_BENCH_PRODUCER_BATCHING=1: streams.app batches producer records (16 KB) on the embedded broker too,
  as it already does on Apache Kafka (today one record per batch on tansu, see
  newsmon.broker.reports_end_offsets_per_batch). Measures what one-record batches cost.
"""

import os

if os.environ.get("NEWSMON_BENCH_PRODUCER_BATCHING") == "1":
    import newsmon.broker

    newsmon.broker.reports_end_offsets_per_batch = lambda bootstrap: False

if wait_ms := os.environ.get("NEWSMON_BENCH_FETCH_MAX_WAIT_MS"):
    # Faust hard-codes fetch_max_wait_ms=1500 for its consumers (faust/transport/drivers/aiokafka.py); a broker
    # that does not answer a long-poll fetch early when data arrives then delays each hop by up to that long.
    import aiokafka

    _init = aiokafka.AIOKafkaConsumer.__init__

    def _init_with_wait(self, *args, **kwargs):  # noqa: ANN001, ANN202 - a transparent wrapper
        kwargs["fetch_max_wait_ms"] = int(wait_ms)
        _init(self, *args, **kwargs)

    aiokafka.AIOKafkaConsumer.__init__ = _init_with_wait
