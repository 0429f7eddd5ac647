"""Issue 16: sink delivery runs once per deployment, in `newsmon deliver`, however many workers run. Two
`newsmon worker` processes and one `newsmon deliver` on the real broker: every alert reaches the loopback
webhook exactly once; `newsmon run` supervises a `deliver` child when (and only when) a sink is configured."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from newsmon.streams.alerts.delivery import sink_group, sink_topics

from newsmon.lag import LagReader
from newsmon.settings import KafkaSettings, Settings, WorkerSettings
from newsmon.settings.alerts import AlertSettings
from newsmon.shell.processes import stop_all
from newsmon.topics import Topics
from tests.alerts.harness import (
    EventProducer,
    alert_settings_run,
    read_alerts,
    start_deliver,
    start_worker,
    wait_for,
)
from tests.alerts.receiver import Receiver
from tests.alerts.test_delivery import SECRET, expected_alerts, flowing_events, hook
from tests.process_tree import NewsmonRun

pytestmark = [pytest.mark.broker, pytest.mark.brokers("tansu")]

DEADLINE_SECONDS = 90.0


def sink_backlog(settings: Settings) -> int:
    """Alerts on the sink's topics that its group has not committed: 0 once every alert is settled."""
    [sink] = settings.alerts.sinks
    lag = LagReader(settings.kafka.bootstrap_servers)
    try:
        return sum(lag.lag(sink_group(settings, sink), sink_topics(settings, sink)).values())
    finally:
        lag.close()


@pytest.mark.slow
def test_two_workers_and_one_deliver_send_each_alert_once(broker, tmp_path: Path):
    receiver = Receiver(secret=SECRET).start()
    settings = alert_settings_run(
        broker.bootstrap_servers, tmp_path, AlertSettings(debounce_seconds=0, sinks=[hook(receiver)])
    )
    producer = EventProducer(settings)
    for event in flowing_events():
        producer.send(event)
    producer.close()
    expected = expected_alerts(flowing_events(), settings.alerts)
    # A state_dir each, as each replica has its container: two workers cannot share RocksDB tables.
    workers = [
        settings.model_copy(update={"state_dir": tmp_path / name}) for name in ("worker-1", "worker-2")
    ]
    processes = [*(start_worker(worker) for worker in workers), start_deliver(settings)]
    try:
        wait_for(
            lambda: set(receiver.acknowledged()) >= set(expected), processes, "every alert at the webhook"
        )
        # Settled: every alert on the topics is delivered and committed, so nothing more is on its way.
        wait_for(lambda: sink_backlog(settings) == 0, processes, "the sink group to commit every alert")
        published = [
            alert
            for name in Topics(settings.kafka.topic_prefix).alert_names()
            for alert in read_alerts(settings, name)
        ]
    finally:
        stop_all(processes)
        receiver.stop()

    assert {alert.alert_id for alert in published} == set(expected)
    # Every request, not only the acknowledged ones: a second sender would show as a second request.
    assert Counter(request["alert_id"] for request in receiver.requests) == Counter(
        dict.fromkeys(expected, 1)
    )
    assert all(request["signed_ok"] for request in receiver.requests)
    # The workers ran the pipeline but no sink; the delivery process ran it.
    logs = [(worker.state_dir / "worker.log").read_text() for worker in workers]
    logs.append((tmp_path / "deliver.log").read_text())
    assert ["sink delivery started" in text for text in logs] == [False, False, True]


@pytest.mark.parametrize("with_sink", [True, False], ids=["sink", "no-sink"])
def test_run_supervises_a_deliver_child_only_when_a_sink_is_configured(
    broker, tmp_path: Path, tree_cleanup: set[tuple[int, str]], with_sink: bool
):
    tag = f"rundeliver{time.monotonic_ns()}"
    settings = Settings(
        kafka=KafkaSettings(bootstrap_servers=broker.bootstrap_servers, partitions=1, topic_prefix=f"{tag}."),
        worker=WorkerSettings(app_id=tag, processes=1, warm_up_pool=False),  # no event: the pool is idle
        state_dir=tmp_path / "state",
    )
    config = tmp_path / "newsmon.toml"
    # The receiver never needs to answer: no event is produced, so the sink has nothing to send.
    sink = '[[alerts.sinks]]\nname = "hook"\nurl = "http://127.0.0.1:9/hook"\n' if with_sink else ""
    config.write_text(sink, encoding="utf-8")
    log = tmp_path / "run.log"
    run = NewsmonRun(settings, log, tree_cleanup, NEWSMON_CONFIG=str(config))

    def children() -> list[str]:
        return sorted(run.children().values())

    expected = ["connect", "deliver", "worker"] if with_sink else ["connect", "worker"]
    try:
        # The supervisor starts every child in one go, long before the worker has set up its app and logs
        # "worker starting": by then a deliver child runs, or never will.
        wait_for(
            lambda: "worker starting" in log.read_text() and {"connect", "worker"} <= set(children()),
            run.process,
            "the connect and worker children",
            DEADLINE_SECONDS,
        )
        assert children() == expected
        if with_sink:
            # The child really delivers: the sink's consumer came up.
            wait_for(
                lambda: "sink delivery started" in log.read_text(), run.process, "the deliver child's sink"
            )
        run.stop(timeout=DEADLINE_SECONDS)  # its children stop with it
    finally:
        stop_all([run.process])


def test_deliver_refuses_to_run_beside_workers_that_deliver(tmp_path: Path):
    env = {name: value for name, value in os.environ.items() if not name.startswith("NEWSMON_")}
    env |= {"NEWSMON_ALERTS__DELIVER_IN_WORKER": "true", "NEWSMON_STATE_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "newsmon", "deliver"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: alerts.deliver_in_worker is true")


def test_a_worker_delivers_only_when_told_to(broker, tmp_path: Path):
    """deliver_in_worker = true keeps the single-process shape: the worker runs the sink itself."""
    receiver = Receiver(secret=SECRET).start()
    alerts = AlertSettings(debounce_seconds=0, sinks=[hook(receiver)], deliver_in_worker=True)
    settings = alert_settings_run(broker.bootstrap_servers, tmp_path, alerts)
    events = EventProducer(settings)
    for event in flowing_events()[:2]:  # one commitment on two outlets: new, then an update
        events.send(event)
    events.close()
    worker = start_worker(settings)
    try:
        wait_for(lambda: len(receiver.acknowledged()) >= 2, worker, "2 alerts at the webhook")
    finally:
        stop_all([worker])
        receiver.stop()
    assert receiver.acknowledged() == Counter(dict.fromkeys(expected_alerts(flowing_events()[:2], alerts), 1))
