"""The one-line English summary of an alert, generated from the event's fields."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pycountry

from newsmon.records import Event, Party

_DATA = Path(__file__).with_name("data")

CATEGORY_PHRASES = {
    "troops": "troops",
    "weapons": "weapons",
    "air_defence": "air defence",
    "financial_aid": "financial aid",
    "humanitarian_aid": "humanitarian aid",
    "security_guarantee": "security guarantees",
    "training_monitoring": "training and monitoring",
    "sanctions_package": "a sanctions package",
    "energy_ban": "an energy import ban",
    "trade_restriction": "trade restrictions",
    "asset_freeze": "an asset freeze",
    "travel_ban": "a travel ban",
    "financial_restriction": "financial restrictions",
    "other": "measures",
}
# (singular, plural) verb by event type and status
VERBS = {
    "commitment": {
        "announced": ("pledges", "pledge"),
        "proposed": ("proposes", "propose"),
        "threatened": ("threatens", "threaten"),
        "called_for": ("calls for", "call for"),
        "refused": ("refuses", "refuse"),
        "lifted": ("withdraws", "withdraw"),
    },
    "sanction": {
        "announced": ("imposes", "impose"),
        "proposed": ("proposes", "propose"),
        "threatened": ("threatens", "threaten"),
        "called_for": ("calls for", "call for"),
        "refused": ("refuses", "refuse"),
        "lifted": ("lifts", "lift"),
    },
}


@cache
def _overrides() -> dict[str, str]:
    return json.loads((_DATA / "party_names.json").read_text(encoding="utf-8"))


def party_name(party: Party) -> str:
    if party.code in _overrides():
        return _overrides()[party.code]
    country = pycountry.countries.get(alpha_3=party.code)
    return getattr(country, "common_name", None) or (country.name if country else party.code)


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def summarize(event: Event) -> str:
    """E.g. "France and 25 countries pledge troops (reassurance force) to Ukraine — announced"."""
    names = list(dict.fromkeys(party_name(actor) for actor in event.actors)) or ["Unnamed party"]
    plural = len(names) > 1
    if event.quantity is not None and event.quantity.unit == "countries":
        names.append(f"{int(event.quantity.value) - 1} countries")
        plural = True
    singular_verb, plural_verb = VERBS[event.type][event.status]
    phrase = CATEGORY_PHRASES.get(event.category, event.category.replace("_", " "))
    if event.object:
        phrase = f"{phrase} ({event.object})"
    preposition = "to" if event.type == "commitment" else "on"
    targets = f" {preposition} {_join([party_name(t) for t in event.targets])}" if event.targets else ""
    line = f"{_join(names)} {plural_verb if plural else singular_verb} {phrase}{targets} — {event.status}"
    return line[0].upper() + line[1:]
