"""The one-line English summary of an alert, generated from the event's fields."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pycountry

from newsmon.records import Event, Party
from newsmon.text.normalize import normalise_term

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


# Amounts a person reads at a glance: "700 million USD", not "7e+08 USD".
_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))
_WORD = re.compile(r"\w+", re.UNICODE)
# An Arabic article or clitic+article glued to a word ("العقوبات", "بالأسلحة"), in normal form.
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال")


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


def number_phrase(value: float) -> str:
    """E.g. 7e8 → "700 million", 1.25e9 → "1.25 billion", 2500 → "2,500"."""
    for scale, word in _SCALES:
        if abs(value) >= scale:
            return f"{round(value / scale, 2):,g} {word}"
    return f"{round(value, 2):,g}"


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def quantity_phrase(value: float, unit: str) -> str:
    """A quantity as a person writes it: "700 million USD", "4 systems", "20th package" (a package
    quantity is the package's number, not a count)."""
    if unit == "package" and float(value).is_integer():
        return f"{ordinal(int(value))} package"
    return f"{number_phrase(value)} {unit}"


def _is_currency(unit: str) -> bool:
    # The extraction writes currencies as ISO 4217 codes and every other unit as a lower-case word.
    return len(unit) == 3 and unit.isalpha() and unit.isupper()


def _fold(word: str) -> str:
    word = normalise_term(word)
    for prefix in _ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            return word[len(prefix) :]
    return word


@cache
def _filler_words() -> dict[str, frozenset[str]]:
    """Filler words by category; `generic` ones under every category."""
    data = json.loads((_DATA / "filler_objects.json").read_text(encoding="utf-8"))
    generic = {_fold(word) for word in data["generic"]}
    return {
        category: frozenset(generic | {_fold(word) for word in data["categories"].get(category, [])})
        for category in CATEGORY_PHRASES
    }


def is_filler(text: str | None, category: str) -> bool:
    """Whether an object says nothing the category phrase and the quantity do not already say ("sanctions",
    "ban" for a travel ban, "مليون", "500"): no object at all, or only filler words and digits."""
    filler = _filler_words().get(category, _filler_words()["other"])
    return all(word.isdigit() or _fold(word) in filler for word in _WORD.findall(normalise_term(text or "")))


def _measure(event: Event) -> str:
    """What is pledged or imposed: the category phrase with the object and the quantity, e.g. "the 20th
    sanctions package", "500 troops", "air defence (IRIS-T, 4 systems)", "financial aid (loan) worth 700
    million USD"."""
    phrase = CATEGORY_PHRASES.get(event.category, event.category.replace("_", " "))
    details = [] if is_filler(event.object, event.category) else [event.object]
    worth = ""
    quantity = event.quantity
    # A country count is shown among the actors ("France and 25 countries"), not here.
    if quantity is not None and quantity.unit != "countries":
        amount = quantity_phrase(quantity.value, quantity.unit)
        if quantity.unit == "package" and event.category == "sanctions_package":
            phrase = f"the {amount.removesuffix(' package')} sanctions package"
        elif _is_currency(quantity.unit):
            worth = f" worth {amount}"
        elif quantity.unit == phrase:
            phrase = amount  # "500 troops", not "troops (500 troops)"
        else:
            details.append(amount)
    detail = f" ({', '.join(details)})" if details else ""
    return f"{phrase}{detail}{worth}"


def summarize(event: Event) -> str:
    """E.g. "France and 25 countries pledge troops (reassurance force) to Ukraine — announced", "The EU
    imposes the 20th sanctions package on Russia — announced"."""
    names = list(dict.fromkeys(party_name(actor) for actor in event.actors)) or ["Unnamed party"]
    plural = len(names) > 1
    if event.quantity is not None and event.quantity.unit == "countries":
        names.append(f"{int(event.quantity.value) - 1} countries")
        plural = True
    singular_verb, plural_verb = VERBS[event.type][event.status]
    preposition = "to" if event.type == "commitment" else "on"
    targets = f" {preposition} {_join([party_name(t) for t in event.targets])}" if event.targets else ""
    verb = plural_verb if plural else singular_verb
    line = f"{_join(names)} {verb} {_measure(event)}{targets} — {event.status}"
    return line[0].upper() + line[1:]
