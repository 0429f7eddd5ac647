"""A real Prometheus scraping a running pipeline on loopback (demo site → connector → worker process), then
every query of the committed dashboard evaluated through Prometheus's HTTP API must return data.

The connector runs in this process (its metrics on the default registry, served on a free port); the worker is
a `newsmon worker` child and the sinks run in a `newsmon deliver` child, as in the compose stack; the
consumer-lag collector runs here too, on its own registry and port, scraped as a worker target exactly as
run_worker serves it. A broken feed and two poison records give the error panels data.
"""

from __future__ import annotations

import asyncio
import json
import math
import shutil
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from kafka import KafkaProducer
from prometheus_client import CollectorRegistry, start_http_server

from newsmon.broker import free_port
from newsmon.kafka_admin import ensure_topics
from newsmon.lag_metrics import start_lag_metrics
from newsmon.settings import KafkaSettings, MetricsSettings, Settings
from newsmon.settings.alerts import SinkSettings
from newsmon.settings.connector import FeedConfig
from newsmon.shell.connect import run_connector
from newsmon.shell.demo.run import demo_settings
from newsmon.shell.demo.site import DemoServer
from newsmon.shell.processes import spawn, stop_all, write_effective_settings
from newsmon.topics import EVENTS, RAW_PAGES, Topics
from tests.alerts.receiver import Receiver
from tests.deploy.deploy_files import PROMETHEUS_DIR, dashboard_queries

pytestmark = [
    pytest.mark.broker,
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("prometheus") is None,
        reason="prometheus is absent (Debian: apt-get install prometheus); CI installs it",
    ),
]

DEADLINE_SECONDS = 90.0


@dataclass
class LivePipeline:
    prometheus_url: str
    started: float

    def query(self, expr: str) -> list[dict]:
        url = f"{self.prometheus_url}/api/v1/query?{urllib.parse.urlencode({'query': expr})}"
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.load(response)
        assert body["status"] == "success", body
        return body["data"]["result"]


def wait_until(check: Callable[[], bool], what: str, deadline: float) -> None:
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


def write_prometheus_config(
    directory: Path, connector_port: int, worker_ports: list[int], delivery_port: int
) -> Path:
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(PROMETHEUS_DIR / "rules.yml")],
        "scrape_configs": [
            {
                "job_name": "newsmon-connector",
                "static_configs": [{"targets": [f"127.0.0.1:{connector_port}"]}],
            },
            {
                "job_name": "newsmon-delivery",
                "static_configs": [{"targets": [f"127.0.0.1:{delivery_port}"]}],
            },
            {
                "job_name": "newsmon-worker",
                "static_configs": [{"targets": [f"127.0.0.1:{port}" for port in worker_ports]}],
            },
        ],
    }
    path = directory / "prometheus.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def poison(settings: Settings) -> None:
    """One undecodable record for the clean stage and one for the alerts stage: dead letters."""
    topics = Topics(settings.kafka.topic_prefix)
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers)
    for topic in (RAW_PAGES, EVENTS):
        producer.send(topics.name(topic), key=b"poison", value=b"\xff not json").get(timeout=10)
    producer.close()


@pytest.fixture(scope="module")
def live(broker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivePipeline]:
    state = tmp_path_factory.mktemp("live")
    # A webhook receiver whose first answer is an HTTP 500: the sink panels see a retry and deliveries.
    receiver = Receiver(secret="live-test").start()
    receiver.fail_next = 1
    with DemoServer() as site:
        settings = demo_settings(
            Settings(kafka=KafkaSettings(bootstrap_servers=broker.bootstrap_servers, partitions=2)),
            site,
            state,
        )
        broken_feed = FeedConfig(url=f"{site.base_url}/missing.xml", name="Broken", language="en")
        settings = settings.model_copy(
            update={
                "feeds": [*settings.feeds, broken_feed],
                "worker": settings.worker.model_copy(update={"processes": 1}),
                "alerts": settings.alerts.model_copy(
                    update={
                        "sinks": [
                            SinkSettings(
                                name="desk", url=receiver.url, secret="live-test", backoff_initial_seconds=0.1
                            )
                        ]
                    }
                ),
                "metrics": MetricsSettings(port=free_port()),
            }
        )
        ensure_topics(settings.kafka, broker.bootstrap_servers)

        worker_port, delivery_port, connector_port, lag_port, prometheus_port = (
            free_port() for _ in range(5)
        )
        lag_registry = CollectorRegistry()
        lag = start_lag_metrics(settings, broker.bootstrap_servers, lag_registry)
        lag_server, _ = start_http_server(lag_port, addr="127.0.0.1", registry=lag_registry)
        connector_server, _ = start_http_server(connector_port, addr="127.0.0.1")
        worker = spawn(
            ["worker"],
            write_effective_settings(settings),
            broker.bootstrap_servers,
            worker_port,
            log_file=state / "worker.log",
        )
        deliver = spawn(
            ["deliver"],
            write_effective_settings(settings),
            broker.bootstrap_servers,
            delivery_port,
            log_file=state / "deliver.log",
        )
        config = write_prometheus_config(state, connector_port, [worker_port, lag_port], delivery_port)
        prometheus = subprocess.Popen(
            [
                "prometheus",
                f"--config.file={config}",
                f"--storage.tsdb.path={state / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{prometheus_port}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=open(state / "prometheus.log", "wb"),
        )  # noqa: SIM115 - owned by the child
        stop_connector = threading.Event()

        def connect() -> None:
            async def until_stopped() -> None:
                stop = asyncio.Event()
                task = asyncio.create_task(run_connector(settings, broker.bootstrap_servers, stop))
                await asyncio.to_thread(stop_connector.wait)
                stop.set()
                await task

            asyncio.run(until_stopped())

        connector = threading.Thread(target=connect, name="live-connector", daemon=True)
        try:
            url = f"http://127.0.0.1:{prometheus_port}"
            wait_until(lambda: http_ok(f"{url}/-/ready"), "prometheus to be ready", time.monotonic() + 30)
            # The records flow only once Prometheus holds a sample of the idle worker: on Apache Kafka the
            # worker handles the whole demo site within one scrape interval, and a counter first scraped at
            # its final value has no rate, so the ratio panels would have no data.
            idle = LivePipeline(prometheus_url=url, started=time.monotonic())
            wait_until(
                lambda: bool(idle.query('newsmon_stage_records_in_total{stage="dedup_url"}')),
                "a scrape of the idle worker",
                time.monotonic() + 60,
            )
            poison(settings)
            connector.start()
            yield LivePipeline(prometheus_url=url, started=time.monotonic())
        finally:
            stop_connector.set()
            if connector.is_alive():
                connector.join(timeout=20)
            prometheus.terminate()
            prometheus.wait(timeout=20)
            stop_all([worker, deliver])
            assert lag is not None
            lag.stop()
            lag_server.shutdown()
            connector_server.shutdown()
            receiver.stop()


def has_data(result: list[dict]) -> bool:
    """A non-empty vector with at least one real number (a quantile of no observations is NaN)."""
    return any(not math.isnan(float(sample["value"][1])) for sample in result)


@pytest.mark.parametrize(
    ("panel", "expr"), [pytest.param(panel, expr, id=panel) for panel, expr, _instant in dashboard_queries()]
)
def test_dashboard_query_returns_data(live: LivePipeline, panel: str, expr: str):
    deadline = live.started + DEADLINE_SECONDS
    results: list[dict] = []

    def answered() -> bool:
        nonlocal results
        results = live.query(expr)
        return has_data(results)

    wait_until(answered, f"data for {panel}: {expr} (last result: {results})", deadline)
