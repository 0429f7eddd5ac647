"""Hostile records on the internal `alert-ticks` topic: the alerts agent consumes it beside `events`, so a
record that is not a tick must be dead-lettered (with its offset) like a poison event, and alerts keep
flowing."""

from __future__ import annotations

from pathlib import Path

import pytest
from kafka import KafkaProducer

from newsmon.records import DeadLetter, Party, Quantity
from newsmon.settings.alerts import AlertSettings
from newsmon.shell.processes import stop_all
from newsmon.topics import ALERT_TICKS, DEAD_LETTER, Topics
from tests.alerts.harness import (
    EventProducer,
    alert_settings_run,
    read_alerts,
    read_values,
    sighting,
    start_worker,
    wait_for,
)

pytestmark = [pytest.mark.broker, pytest.mark.slow, pytest.mark.brokers("tansu")]

POISON = [b"\xff not json", b"[]", b'{"sweep": "sometimes"}', b"null"]


def pledge(outlet: str, country: str) -> object:
    return sighting(
        outlet,
        type="commitment",
        category="troops",
        actors=[Party(name=country, code=country)],
        targets=[Party(name="Ukraine", code="UKR")],
        object=f"troops from {country}",
        sentence=f"{country} pledged troops to Ukraine.",
        quantity=None,
    )


def package(status: str) -> object:
    return sighting(
        "north",
        status,
        actors=[Party(name="EU", code="EU")],
        targets=[Party(name="Russia", code="RUS")],
        quantity=Quantity(value=20, unit="package", text="package 20"),
    )


def test_garbage_ticks_are_dead_lettered_with_their_offsets_and_alerts_still_flow(broker, tmp_path: Path):
    settings = alert_settings_run(
        broker.bootstrap_servers, tmp_path, AlertSettings(debounce_seconds=0.5, tick_seconds=0.2)
    )
    topics = Topics(settings.kafka.topic_prefix)
    ticks = topics.name(ALERT_TICKS)
    raw = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all")
    offsets = [raw.send(ticks, key=b"poison", value=value, partition=0).get(timeout=10) for value in POISON]
    raw.close()
    events = EventProducer(settings)
    worker = start_worker(settings)
    try:
        events.send(pledge("north", "DEU"))
        events.send(package("proposed"))
        wait_for(
            lambda: len(read_values(settings, topics.name(DEAD_LETTER))) >= len(POISON),
            worker,
            "the poison ticks dead-lettered",
        )
        # After the poison the agent still alerts, and real ticks still flush debounced updates.
        events.send(pledge("north", "ITA"))
        events.send(package("announced"))
        wait_for(
            lambda: (
                len(read_alerts(settings, topics.name("alerts.commitments"))) >= 2
                and len(read_alerts(settings, topics.name("alerts.sanctions"))) >= 2
            ),
            worker,
            "alerts and a flushed update after the poison ticks",
        )
        letters = [DeadLetter.from_bytes(value) for value in read_values(settings, topics.name(DEAD_LETTER))]
        alerts = read_alerts(settings, topics.name("alerts.commitments"))
        sanctions = read_alerts(settings, topics.name("alerts.sanctions"))
    finally:
        events.close()
        stop_all([worker])

    assert sorted(letter.source_offset for letter in letters) == [sent.offset for sent in offsets]
    assert all(
        (letter.stage, letter.reason, letter.source_topic, letter.source_partition, letter.key)
        == ("alerts", "undecodable", ticks, 0, "poison")
        for letter in letters
    ), letters
    assert sorted(alert.event.actors[0].code for alert in alerts) == ["DEU", "ITA"]
    assert [(alert.kind, alert.event.status) for alert in sanctions] == [
        ("new", "proposed"),
        ("update", "announced"),
    ]
