"""docker-compose.yml without a Docker engine: valid against the vendored Compose Specification schema, and
every newsmon command, NEWSMON_* variable, secret and topic it refers to exists."""

from __future__ import annotations

import json
import re
from typing import Any

import click
import jsonschema
import pytest
from pydantic import BaseModel

from newsmon.settings import Settings
from newsmon.settings.alerts import AlertSettings
from newsmon.shell.cli import cli
from newsmon.topics import ALL
from tests.deploy.deploy_files import COMPOSE_FILE, DEPLOY, ROOT, compose

SCHEMA = json.loads((DEPLOY / "compose-spec.schema.json").read_text(encoding="utf-8"))
INTERPOLATION = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(:?[-?][^}]*)?\}")


def newsmon_services(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in document["services"].items()
        if service.get("image", "").startswith("newsmon:")
    }


def cli_envvars() -> set[str]:
    return {param.envvar for param in cli.params if isinstance(param.envvar, str)}


def settings_has(variable: str) -> bool:
    """Whether NEWSMON_A__B names a field path a.b of Settings (sections nested with `__`)."""
    model: type[BaseModel] = Settings
    parts = variable.removeprefix("NEWSMON_").lower().split("__")
    for index, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            return False
        if index < len(parts) - 1:
            if not (isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)):
                return False
            model = field.annotation
    return True


def test_compose_file_matches_the_compose_specification():
    validator = jsonschema.Draft201909Validator(SCHEMA)
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(compose())
    ]
    assert errors == []


def test_schema_rejects_what_compose_would_refuse():
    broken = compose()
    broken["services"]["worker"]["helthcheck"] = {}
    assert not jsonschema.Draft201909Validator(SCHEMA).is_valid(broken)


def test_newsmon_services_run_existing_cli_commands():
    services = newsmon_services(compose())
    assert {"connector", "worker"} <= set(services)
    for name, service in services.items():
        command: click.Command = cli
        for word in service["command"]:
            assert isinstance(command, click.Group), f"{name}: {service['command']} goes past a command"
            assert word in command.commands, f"{name}: no `newsmon {' '.join(service['command'])}`"
            command = command.commands[word]
        assert not isinstance(command, click.Group), f"{name}: {service['command']} is a group, not a command"


def test_newsmon_variables_are_settings_or_cli_options():
    variables = {
        variable
        for service in compose()["services"].values()
        for variable in service.get("environment", {})
        if variable.startswith("NEWSMON_")
    }
    assert "NEWSMON_KAFKA__BOOTSTRAP_SERVERS" in variables
    unknown = {
        variable for variable in variables if not settings_has(variable) and variable not in cli_envvars()
    }
    assert unknown == set()


def test_settings_walk_refuses_unknown_names():
    assert settings_has("NEWSMON_METRICS__PORT") and not settings_has("NEWSMON_METRICS__PROT")
    assert not settings_has("NEWSMON_STATE_DIR__X")


def test_env_example_provides_every_substitution_and_is_not_committed_as_env():
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    substituted = {match.group(1): match.group(2) or "" for match in INTERPOLATION.finditer(text)}
    example = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    required = {name for name, modifier in substituted.items() if modifier.startswith((":?", "?"))}
    assert required <= example, "a required secret is missing from .env.example"
    assert example <= set(substituted), ".env.example lists a variable the compose file never uses"
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_one_delivery_service_runs_the_sinks_and_the_workers_do_not():
    """Issue 16: every worker replica running the sinks sent every alert once per replica."""
    services = newsmon_services(compose())
    delivering = [name for name, service in services.items() if service["command"] == ["deliver"]]
    assert delivering == ["delivery"]
    delivery = services["delivery"]
    assert delivery["deploy"]["replicas"] == 1
    # The sent-ledger lives in state_dir: on a volume, a recreated container does not resend alerts.
    state_dir = delivery["environment"].get("NEWSMON_STATE_DIR", "/home/newsmon/state")
    assert any(volume.split(":")[1] == state_dir for volume in delivery["volumes"] if ":" in volume)
    assert not any(
        str(service.get("environment", {}).get("NEWSMON_ALERTS__DELIVER_IN_WORKER", "false")).lower()
        == "true"
        for service in services.values()
    )
    assert AlertSettings().deliver_in_worker is False
    scraped = (DEPLOY / "prometheus/prometheus.yml").read_text(encoding="utf-8")
    assert '"delivery:9464"' in scraped


@pytest.mark.parametrize("service", ["connector", "worker"])
def test_scaled_services_share_no_host_port(service: str):
    assert (
        "ports" not in compose()["services"][service]
        and "container_name" not in compose()["services"][service]
    )


def test_topic_table_covers_every_newsmon_topic():
    rows = [
        line.split("\t")
        for line in (DEPLOY / "kafka/topics.tsv").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert sorted(row[0] for row in rows) == sorted(ALL)
    assert all(len(row) == 3 and row[1].isdigit() and row[2].isdigit() for row in rows)
