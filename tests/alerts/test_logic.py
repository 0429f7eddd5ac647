from datetime import timedelta

import pytest

from newsmon.records import Party
from streams.alerts.logic import track
from streams.alerts.summary import summarize
from tests.factories import NOW
from tests.factories import make_event as sighting

ALERTABLE = frozenset({"announced", "proposed", "threatened", "lifted"})


def test_first_sighting_alerts_new_and_later_outlets_only_corroborate():
    first = track(None, sighting("north"), ["events", 0, 1], NOW, ALERTABLE)
    assert first.alert.kind == "new"
    assert first.alert.corroboration == 1
    second = track(first.state, sighting("harbor"), ["events", 0, 2], NOW + timedelta(seconds=5), ALERTABLE)
    assert second.alert is None
    assert [source["outlet"] for source in second.state["sources"]] == ["north", "harbor"]


def test_status_moving_forward_gives_one_update():
    proposed = track(None, sighting("north", "proposed"), ["events", 0, 1], NOW, ALERTABLE)
    adopted = track(proposed.state, sighting("harbor", "announced"), ["events", 0, 2], NOW, ALERTABLE)
    assert adopted.alert.kind == "update"
    assert adopted.alert.alert_id != proposed.alert.alert_id
    assert adopted.alert.corroboration == 2
    again = track(adopted.state, sighting("third", "announced"), ["events", 0, 3], NOW, ALERTABLE)
    assert again.alert is None
    backwards = track(adopted.state, sighting("fourth", "proposed"), ["events", 0, 4], NOW, ALERTABLE)
    assert backwards.alert is None


@pytest.mark.parametrize("status", ["refused", "called_for"])
def test_refusals_and_requests_never_alert(status):
    assert track(None, sighting("north", status), ["events", 0, 1], NOW, ALERTABLE).alert is None


def test_request_then_announcement_alerts_new_once():
    requested = track(None, sighting("north", "called_for"), ["events", 0, 1], NOW, ALERTABLE)
    announced = track(requested.state, sighting("harbor"), ["events", 0, 2], NOW, ALERTABLE)
    assert announced.alert.kind == "new"


def test_redelivered_message_republishes_the_identical_alert():
    first = track(None, sighting("north"), ["events", 0, 1], NOW, ALERTABLE)
    redelivered = track(first.state, sighting("north"), ["events", 0, 1], NOW + timedelta(minutes=1), ALERTABLE)
    assert redelivered.alert == first.alert


def test_same_sighting_from_upstream_redelivery_changes_nothing():
    first = track(None, sighting("north"), ["events", 0, 1], NOW, ALERTABLE)
    duplicate = track(first.state, sighting("north"), ["events", 0, 7], NOW, ALERTABLE)
    assert duplicate.alert is None
    assert duplicate.state["sources"] == first.state["sources"]


def test_alert_id_is_deterministic_across_processes():
    one = track(None, sighting("north"), ["events", 0, 1], NOW, ALERTABLE).alert
    two = track(None, sighting("harbor"), ["events", 3, 9], NOW + timedelta(hours=1), ALERTABLE).alert
    assert one.alert_id == two.alert_id


def test_summary_reads_as_a_notification():
    assert summarize(sighting("north")) == "The EU imposes a sanctions package on Russia — announced"
    troops = sighting("north", type="commitment", category="troops", object="reassurance force",
                      actors=[Party(name="ماكرون", code="FRA")], targets=[Party(name="أوكرانيا", code="UKR")],
                      quantity={"value": 26, "unit": "countries", "text": "26 دولة"})
    assert summarize(troops) == "France and 25 countries pledge troops (reassurance force) to Ukraine — announced"
