"""The alert stage end to end on the real broker: Event records produced to `events`, a worker process, alerts
read back from the topics with kafka-python and received by a real loopback webhook through a
`newsmon deliver` process (the production shape: workers do not deliver)."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest
from newsmon.streams.alerts.logic import track

from newsmon.lifetime import kill_tree
from newsmon.records import MessageOrigin, Party, Quantity
from newsmon.settings.alerts import AlertSettings, SinkSettings, WatchRule
from newsmon.shell.processes import stop_all
from newsmon.topics import DEAD_LETTER, Topics
from tests.alerts.harness import (
    EventProducer,
    alert_settings_run,
    read_alerts,
    read_values,
    sighting,
    start_deliver,
    start_worker,
    wait_for,
)
from tests.alerts.receiver import Receiver
from tests.factories import NOW

pytestmark = [pytest.mark.broker, pytest.mark.slow]

UKR, RUS, EU = (
    Party(name="Ukraine", code="UKR"),
    Party(name="Russia", code="RUS"),
    Party(name="EU", code="EU"),
)
SECRET = "s3cret"


def hook(receiver: Receiver, rules: list[str] | None = None) -> SinkSettings:
    return SinkSettings(
        name="hook",
        url=receiver.url,
        secret=SECRET,
        rules=rules or ["default"],
        backoff_initial_seconds=0.1,
        backoff_max_seconds=1.0,
        max_attempts=200,
        rate_per_second=200.0,
    )


def pledge(outlet: str, **changes) -> object:
    fields = dict(
        type="commitment",
        category="troops",
        actors=[Party(name="Macron", code="FRA")],
        targets=[UKR],
        object="reassurance force",
        sentence="France and 25 countries pledged troops.",
        quantity=Quantity(value=26, unit="countries", text="26 countries"),
    )
    return sighting(outlet, **{**fields, **changes})


def package(outlet: str, status: str, number: int = 20) -> object:
    return sighting(
        outlet,
        status,
        actors=[EU],
        targets=[RUS],
        quantity=Quantity(value=number, unit="package", text=f"package {number}"),
    )


# Alert logic and sinks end to end, the same on any broker: the kill -9 test below and tests/test_pipeline.py
# are the ones that need Kafka's own semantics.
@pytest.mark.brokers("tansu")
def test_seeds_like_scenario_alerts_once_corroborates_updates_and_ignores_refusals(broker, tmp_path: Path):
    receiver = Receiver(secret=SECRET).start()
    alerts = AlertSettings(
        debounce_seconds=1.0, tick_seconds=0.2, rules=[WatchRule(name="corroborated", min_sources=3)]
    )
    settings = alert_settings_run(
        broker.bootstrap_servers,
        tmp_path,
        alerts.model_copy(update={"sinks": [hook(receiver, ["default", "corroborated"])]}),
    )
    topics = Topics(settings.kafka.topic_prefix)
    producer = EventProducer(settings)
    for event in [
        pledge("north"),
        pledge(
            "harbor",
            lang="ar",
            object="قوة طمأنة",
            quantity=None,
            sentence="فرنسا و25 دولة تتعهد بإرسال قوات",
        ),
        pledge("east"),
        package("north", "proposed"),
        package("harbor", "announced"),
        sighting(
            "south",
            "refused",
            type="commitment",
            category="troops",
            actors=[Party(name="Austria", code="AUT")],
            targets=[UKR],
        ),
    ]:
        producer.send(event)
    producer.close()
    worker, deliver = start_worker(settings), start_deliver(settings)
    try:
        wait_for(lambda: len(receiver.acknowledged()) >= 5, [worker, deliver], "5 alerts at the webhook")
        commitments = read_alerts(settings, topics.name("alerts.commitments"))
        sanctions = read_alerts(settings, topics.name("alerts.sanctions"))
        corroborated = read_alerts(settings, topics.rule_alert_topic("corroborated"))
    finally:
        stop_all([worker, deliver])
        receiver.stop()

    # The second outlet is told at once; the third waits for the corroboration interval (and for the
    # default topics it has not come yet), while the rule held until three outlets alerts `new`.
    assert [(a.kind, a.event.actors[0].code, a.corroboration) for a in commitments] == [
        ("new", "FRA", 1),
        ("update", "FRA", 2),
    ]
    assert (
        commitments[0].summary
        == "France and 25 countries pledge troops (reassurance force) to Ukraine — announced"
    )
    assert commitments[1].summary.endswith("— changed: corroborated by 2 outlets")
    assert [(a.kind, a.corroboration, a.rules) for a in corroborated] == [("new", 3, ["corroborated"])]
    assert {source.outlet for source in corroborated[0].sources} == {"north", "harbor", "east"}
    assert [(a.kind, a.event.status) for a in sanctions] == [("new", "proposed"), ("update", "announced")]
    assert sanctions[1].summary.endswith("— changed: status proposed → announced; corroborated by 2 outlets")
    every_alert = commitments + sanctions + corroborated
    assert receiver.acknowledged() == Counter({alert.alert_id: 1 for alert in every_alert})
    assert all(request["signed_ok"] for request in receiver.requests)


def flowing_events() -> list:
    """20 commitments by different countries (two outlets each) and 10 sanctions packages moving from
    proposed to adopted: 60 alerts expected (20 + 10 new, 20 corroborations, 10 updates)."""
    countries = [
        "DEU",
        "ITA",
        "ESP",
        "POL",
        "NLD",
        "BEL",
        "SWE",
        "FIN",
        "DNK",
        "NOR",
        "CAN",
        "JPN",
        "AUS",
        "GBR",
        "USA",
        "TUR",
        "CZE",
        "PRT",
        "GRC",
        "IRL",
    ]
    events = []
    for index, code in enumerate(countries):
        commitment = dict(
            type="commitment",
            category="weapons",
            actors=[Party(name=code, code=code)],
            targets=[UKR],
            object="air defence systems",
        )
        events += [sighting("north", **commitment), sighting("harbor", **commitment)]
        if index % 2 == 0:
            events += [package("north", "proposed", index + 1), package("harbor", "announced", index + 1)]
    return events


def expected_alerts(events: list, settings: AlertSettings) -> dict[str, str]:
    """alert_id → kind, from newsmon.streams.alerts.logic run in-process over `events` in order."""
    states, expected = {}, {}
    for offset, event in enumerate(events):
        decision = track(
            states.get(event.event_key),
            event,
            MessageOrigin(topic="events", partition=0, offset=offset),
            NOW,
            settings,
        )
        states[event.event_key] = decision.state
        expected.update({alert.alert_id: alert.kind for alert in decision.alerts})
    return expected


def test_kill_9_while_events_flow_puts_every_alert_on_the_topic_once_and_loses_none_at_the_webhook(
    broker, tmp_path: Path
):
    receiver = Receiver(secret=SECRET).start()
    settings = alert_settings_run(
        broker.bootstrap_servers, tmp_path, AlertSettings(debounce_seconds=0, sinks=[hook(receiver)])
    )
    topics = Topics(settings.kafka.topic_prefix)
    producer = EventProducer(settings)
    stop_producing = threading.Event()

    def produce() -> None:
        for event in flowing_events():  # a steady 10 events/s
            if stop_producing.wait(0.1):
                return
            producer.send(event)

    worker, deliver = start_worker(settings), start_deliver(settings)
    feeder = threading.Thread(target=produce)
    try:
        feeder.start()
        wait_for(lambda: len(receiver.acknowledged()) >= 3, [worker, deliver], "the first alerts")
        # SIGKILL mid-flow, the delivery first (right after an acknowledgement), then the worker: no shutdown,
        # no final commit.
        kill_tree(deliver)
        kill_tree(worker)
        worker = start_worker(settings, "worker-restarted.log")
        deliver = start_deliver(settings, "deliver-restarted.log")
        feeder.join()
        wait_for(lambda: len(receiver.acknowledged()) >= 60, [worker, deliver], "60 alerts at the webhook")
        published = [alert for name in topics.alert_names() for alert in read_alerts(settings, name)]
    finally:
        stop_producing.set()
        stop_all([worker, deliver])
        receiver.stop()
        producer.close()

    # alert_ids are content-derived, so the pure logic run over the same events names every expected alert.
    expected = expected_alerts(flowing_events(), settings.alerts)
    assert Counter(kind for kind in expected.values()) == {"new": 30, "update": 30}
    on_topic = Counter(alert.alert_id for alert in published)
    assert set(on_topic) == set(expected)
    # Killed between publishing and committing, the worker replays those alerts after the restart; the replay
    # reads the topic back and skips what is already there, so each alert is on the topic once.
    assert on_topic == Counter({alert_id: 1 for alert_id in expected})
    # The webhook gets every alert; behind the sent-ledger, only a delivery the receiver acknowledged in the
    # instant before the kill, before the ledger recorded it, can come again — once, with the same
    # X-Newsmon-Alert-Id for the receiver to drop. (The test kills right after an acknowledgement, so it meets
    # that instant more often than chance would.)
    acknowledged = receiver.acknowledged()
    assert set(acknowledged) == set(expected)
    assert sum(acknowledged.values()) - len(expected) <= 1, acknowledged.most_common(3)


# The webhook's failure and recovery is the subject here, not the broker: one broker kind keeps the suite
# inside its time budget (the kill -9 test above covers delivery on both).
@pytest.mark.brokers("tansu")
def test_failing_then_recovering_webhook_loses_nothing_and_sends_nothing_twice(broker, tmp_path: Path):
    receiver = Receiver(secret=SECRET)  # down at first: connection refused
    settings = alert_settings_run(
        broker.bootstrap_servers, tmp_path, AlertSettings(debounce_seconds=0, sinks=[hook(receiver)])
    )
    topics = Topics(settings.kafka.topic_prefix)
    producer = EventProducer(settings)
    for event in flowing_events()[:12]:  # 4 commitments and 2 packages, each on two outlets: 12 alerts
        producer.send(event)
    producer.close()
    worker, deliver = start_worker(settings), start_deliver(settings)
    try:
        wait_for(
            lambda: len(read_alerts(settings, topics.name("alerts.commitments"))) >= 4,
            [worker, deliver],
            "alerts on Kafka while the webhook is down",
        )
        receiver.fail_next = 5  # then it answers HTTP 500 five times
        receiver.start()
        wait_for(lambda: len(receiver.acknowledged()) >= 12, [worker, deliver], "12 alerts at the webhook")
        published = [alert for name in topics.alert_names() for alert in read_alerts(settings, name)]
        dead_letters = read_values(settings, topics.name(DEAD_LETTER))
    finally:
        stop_all([worker, deliver])
        receiver.stop()

    assert sum(1 for request in receiver.requests if request["status"] == 500) == 5
    assert receiver.acknowledged() == Counter({alert.alert_id: 1 for alert in published})
    assert len(published) == 12
    assert dead_letters == []
