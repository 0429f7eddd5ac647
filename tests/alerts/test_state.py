"""The alert table's typed entries (streams/alerts/state.py): encode/decode round trips through JSON, entries
written before typed state still decode and behave, and what is not an entry is refused."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from newsmon.streams.alerts.logic import track
from newsmon.streams.alerts.state import AlertState
from pydantic import ValidationError

from newsmon.records import MessageOrigin
from newsmon.settings.alerts import AlertSettings
from tests.factories import NOW
from tests.factories import make_event as sighting

SETTINGS = AlertSettings(debounce_seconds=0)


def origin(offset: int) -> MessageOrigin:
    return MessageOrigin(topic="events", partition=0, offset=offset)


def a_state() -> AlertState:
    state = None
    for offset, outlet in enumerate(["north", "harbor", "third"]):
        state = track(
            state, sighting(outlet), origin(offset), NOW + timedelta(seconds=offset), SETTINGS
        ).state
    assert state is not None
    return state


def test_an_entry_survives_the_table_as_json():
    state = a_state()
    stored = json.loads(json.dumps(state.encode()))
    assert AlertState.decode(stored) == state
    assert AlertState.decode(None) is None


def test_an_entry_written_before_typed_state_decodes_and_replays_its_alerts():
    state = a_state()
    old = state.encode()
    # The older shape: shown states without an outlet count. Origins were and stay [topic, partition, offset].
    assert all(caused["origin"] == ["events", 0, 0] for caused in old["recent"][:1])
    for tracked in old["tracked"]:
        for shown in tracked["alerted"].values():
            del shown["outlets"], shown["corroborated_at"]
    decoded = AlertState.decode(old)
    assert decoded is not None and decoded.recent[0].origin == origin(0)
    assert decoded.tracked[0].alerted["default"].outlets == 1
    redelivered = track(decoded, sighting("north"), origin(0), NOW, SETTINGS)
    assert redelivered.replayed and redelivered.alerts == state.recent[0].alerts


def test_what_is_not_an_entry_is_refused():
    stored = a_state().encode()
    with pytest.raises(ValidationError):
        AlertState.decode({**stored, "unknown": 1})
    with pytest.raises(ValidationError):
        AlertState.decode({**stored, "tracked": [{"id": "x"}]})
