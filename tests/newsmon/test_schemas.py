import json
from pathlib import Path

import jsonschema
from newsmon.streams.alerts.logic import track

from newsmon.records import MessageOrigin
from newsmon.schemas import json_schemas
from newsmon.settings.alerts import AlertSettings
from tests.factories import NOW, make_event

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def test_committed_schemas_match_the_records():
    generated = json_schemas()
    committed = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in SCHEMAS.glob("*.json")}
    assert committed == generated, "records changed: run `newsmon schemas --write schemas/` and commit"


def test_an_alert_validates_against_its_published_schema():
    alert = track(
        None, make_event("north"), MessageOrigin(topic="events", partition=0, offset=1), NOW, AlertSettings()
    ).alerts[0]
    schema = json.loads((SCHEMAS / "alert.v1.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(alert.to_bytes()), schema)
