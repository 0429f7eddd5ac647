"""The scenario replay (tests/alerts/data/scenario.json) through the whole pipeline on the embedded broker:
alert precision and recall against the alerts written down beforehand, and alerts per real-world event (the
goal: one `new` plus one `update` per real change). Run: `.venv/bin/python bench/bench_scenario.py`."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from newsmon.broker import EmbeddedBroker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the scenario lives with the tests
from tests.alerts.scenario import Scenario, per_story, replay, scenario_settings, score  # noqa: E402


def main() -> None:
    scenario = Scenario.load()
    with tempfile.TemporaryDirectory() as state, EmbeddedBroker(log_file=Path(state) / "tansu.log") as broker:
        started = time.monotonic()
        alerts = replay(scenario, scenario_settings(broker.bootstrap_servers, Path(state)))
        elapsed = time.monotonic() - started
    result = score(scenario, alerts)
    articles, events = len(scenario.site.articles), len(scenario.stories)
    print(
        f"{articles} articles, {events} real-world events, {len(alerts)} alerts, replayed in {elapsed:.1f} s"
    )
    print(f"{'precision':<18}{result.precision:.3f}")
    print(f"{'recall':<18}{result.recall:.3f}")
    print(f"{'alerts per event':<18}{result.alerts_per_event:.2f}")
    print()
    print(f"{'event':<16}{'alerts (kind status outlets quantity)'}")
    for story, seen in per_story(scenario, alerts).items():
        line = "; ".join(f"{a.kind} {a.status} {a.corroboration} {a.quantity or '-'}" for a in seen)
        print(f"{story or '(no event)':<16}{line}")
    for title, wrong in (("unexpected", result.unexpected), ("missing", result.missing)):
        for alert in wrong:
            print(f"{title}: {alert}")


if __name__ == "__main__":
    main()
