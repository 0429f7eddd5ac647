"""JSON Schemas of the wire records, generated from newsmon.records (committed under schemas/)."""

from __future__ import annotations

from typing import Any

from newsmon.records import WIRE_RECORDS


def json_schemas() -> dict[str, dict[str, Any]]:
    """File name → JSON Schema document, e.g. "alert.v1.json"."""
    documents = {}
    for name, model in WIRE_RECORDS.items():
        version = model.model_fields["schema_version"].default
        schema = model.model_json_schema(mode="serialization")
        documents[f"{name}.v{version}.json"] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"urn:newsmon:schema:{name}:v{version}",
            **schema,
        }
    return documents
