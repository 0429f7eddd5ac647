"""Benchmark-only variants of the worker, applied at interpreter start-up when this directory is on PYTHONPATH
(`PYTHONPATH=bench/variants`), so a proposed code change can be measured in `newsmon worker` processes without
editing the code. Each variant is off unless its environment variable is set:

- NEWSMON_BENCH_PRODUCER_BATCHING=1: streams.app batches producer records (16 KB) on the embedded broker too,
  as it already does on Apache Kafka (today one record per batch on tansu, see
  newsmon.broker.reports_end_offsets_per_batch). Measures what one-record batches cost.

Variants that became code: the consumers' long-poll time is the setting `worker.fetch_max_wait_ms`
(NEWSMON_WORKER__FETCH_MAX_WAIT_MS, see streams/consumer.py), and orjson is a dependency.
"""

import os

if os.environ.get("NEWSMON_BENCH_PRODUCER_BATCHING") == "1":
    import newsmon.broker

    newsmon.broker.reports_end_offsets_per_batch = lambda bootstrap: False
