"""Quality gate: the engine's scores on the labelled sets stay above floors set slightly under what it
achieves. devset.jsonl is the tuning set; heldout.jsonl is never tuned against and shows generalisation."""

from pathlib import Path

import pytest
from click.testing import CliRunner
from newsmon.streams.extract.command import eval_command, evaluate_file

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize(
    "name, type_f1, precision, status_accuracy, actor_accuracy",
    [
        ("devset.jsonl", 0.95, 0.97, 0.97, 0.97),
        ("heldout.jsonl", 0.90, 0.95, 0.95, 0.95),
    ],
)
def test_quality_floors(name, type_f1, precision, status_accuracy, actor_accuracy):
    report = evaluate_file(HERE / name)
    for event_type, counts in report.by_type.items():
        assert counts.f1 >= type_f1, (event_type, counts.as_dict())
    assert report.overall.precision >= precision
    assert report.status_accuracy >= status_accuracy
    assert report.actor_accuracy >= actor_accuracy


def test_sets_are_large_balanced_and_disjoint():
    import json

    dev = [json.loads(line) for line in (HERE / "devset.jsonl").read_text(encoding="utf-8").splitlines()]
    held = [json.loads(line) for line in (HERE / "heldout.jsonl").read_text(encoding="utf-8").splitlines()]
    for language in ("ar", "en"):
        assert sum(1 for item in dev + held if item["lang"] == language) >= 200
    assert not {item["text"] for item in dev} & {item["text"] for item in held}
    statuses = {event["status"] for item in dev for event in item["events"]}
    assert statuses == {"announced", "proposed", "threatened", "called_for", "refused", "lifted"}
    assert sum(1 for item in dev if not item["events"]) >= 80  # hard negatives


def test_eval_command_prints_the_report():
    result = CliRunner().invoke(eval_command, [str(HERE / "heldout.jsonl")])
    assert result.exit_code == 0, result.output
    assert "status accuracy" in result.output and "type:sanction" in result.output
