"""The scenario replay (tests/alerts/scenario.py, data/scenario.json): a week of news from seven outlets in
two languages through the real pipeline gives, per real-world event, one `new` and one `update` per real
change (a status moving, an amount raised, a second outlet), and nothing for requests, refusals or unrelated
articles with trigger words — besides the known wrong alerts the data file lists with their reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.alerts.scenario import Scenario, per_story, replay, scenario_settings

pytestmark = [pytest.mark.broker, pytest.mark.brokers("tansu")]


def test_the_scenario_gives_the_alerts_written_down_before_it_ran(broker, tmp_path: Path):
    scenario = Scenario.load()
    alerts = replay(scenario, scenario_settings(broker.bootstrap_servers, tmp_path))

    written = {}
    for alert in [*scenario.expected, *scenario.known_wrong]:
        written.setdefault(alert.story, []).append(alert)
    # Per story in the order published: the `new` first, then one update per change.
    assert per_story(scenario, alerts) == written
    assert len({alert.alert_id for alert in alerts}) == len(alerts)
