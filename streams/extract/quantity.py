"""Quantities in an event sentence: "26 countries", "١٢ منظومة", "$2.5bn", "ثلاثة مليارات يورو", "19th
package".

Owns reading numbers written as digits (after normalisation Arabic-Indic digits are ASCII), as words, with
multipliers, and ordinal packages ("الحزمة الـ19", "the 19th sanctions package" → 19 package). Units and
number words come from `data/lexicon.json`.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from newsmon.records import Quantity
from newsmon.text.normalize import NormalisedText, normalise_term

from .lexicon import DATA_DIR

LOGGER = logging.getLogger(__name__)

_NUMBER = r"\d+(?:[.,]\d+)*"


@dataclass(frozen=True)
class QuantityMatch:
    start: int  # offsets in the normalised sentence
    end: int
    value: float
    unit: str


class QuantityReader:
    def __init__(self, data: dict):
        self._units = {
            normalise_term(word): unit for unit, words in data["quantity_units"].items() for word in words
        }
        self._number_words = {normalise_term(word): value for word, value in data["number_words"].items()}
        self._multipliers = {normalise_term(word): value for word, value in data["multipliers"].items()}
        self._ordinals = {normalise_term(word): value for word, value in data["ordinals"].items()}
        number = f"(?:{_NUMBER}|{_words(self._number_words)})"
        multiplier = _words(self._multipliers)
        unit = _words(self._units)
        ordinal = _words(self._ordinals)
        self._counted = re.compile(
            # Not the number of a model name ("F-16 jets" are not 16 jets).
            rf"(?<!\w)(?<!\w-)(?P<num>{number})(?:\s*(?:-|to|and|or|و|الى|او)\s*(?P<num2>{_NUMBER}))?"
            rf"\s*(?P<mult>{multiplier})?(?:\s+of)?\s*(?:من\s+)?(?:ال)?(?P<unit>{unit})(?!\w)"
        )
        self._currency_first = re.compile(
            rf"(?P<unit>[$€£])\s*(?P<num>{_NUMBER})\s*(?P<mult>{multiplier})?(?!\w)"
        )
        self._package = re.compile(
            rf"(?<!\w)(?:(?P<num>\d+)(?:st|nd|rd|th)|(?P<word>{ordinal}))\s+(?:[\w-]+\s+){{0,3}}?"
            rf"(?:package|round|tranche)"
            rf"|(?:حزمه|جوله)\s+(?:\w+\s+){{0,3}}?(?:ال(?P<anum>\d+)|(?P<aword>{ordinal})|(?P<bare>\d+))(?!\w)"
        )

    def is_amount_word(self, term: str) -> bool:
        """Whether `term` (normalised) only says how much: a number word, a multiplier or a unit ("مليون",
        "four", "dollars"), never what is given."""
        return term in self._number_words or term in self._multipliers or term in self._units

    def find(self, normalised: str) -> list[QuantityMatch]:
        found: list[QuantityMatch] = []
        for match in self._package.finditer(normalised):
            digits = match.group("num") or match.group("anum") or match.group("bare")
            word = match.group("word") or match.group("aword")
            value = float(digits) if digits else self._ordinals[word]
            found.append(QuantityMatch(match.start(), match.end(), value, "package"))
        for pattern in (self._counted, self._currency_first):
            for match in pattern.finditer(normalised):
                value = self._value(match.group("num"))
                multiplier = match.group("mult")
                if multiplier:
                    value *= self._multipliers[multiplier]
                found.append(
                    QuantityMatch(match.start(), match.end(), value, self._units[match.group("unit")])
                )
        return found

    def _value(self, number: str) -> float:
        if number in self._number_words:
            return float(self._number_words[number])
        # "1,000" and "1.000.000" group thousands; "1,5" and "1.5" are decimals; with several separators
        # otherwise ("1.989,50", and "1.989.50" in real text) the last one is the decimal point.
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d{1,3}(?:\.\d{3}){2,}", number):
            return float(re.sub(r"[.,]", "", number))
        point = max(number.rfind("."), number.rfind(","))
        if point < 0:
            return float(number)
        return float(re.sub(r"[.,]", "", number[:point]) + "." + number[point + 1 :])


def _words(mapping: dict[str, object]) -> str:
    return (
        "(?:"
        + "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in sorted(mapping, key=len, reverse=True))
        + ")"
    )


@lru_cache(maxsize=1)
def quantity_reader() -> QuantityReader:
    return QuantityReader(json.loads((DATA_DIR / "lexicon.json").read_text(encoding="utf-8")))


# What can be counted in each event type: a sanction has no troops, a commitment no blacklisted people.
_UNITS_OF = {
    "sanction": frozenset({"package", "listings", "USD", "EUR", "GBP", "JPY"}),
    "commitment": frozenset(
        {
            "countries",
            "troops",
            "systems",
            "missiles",
            "tanks",
            "aircraft",
            "drones",
            "shells",
            "USD",
            "EUR",
            "GBP",
            "JPY",
        }
    ),
}


def nearest_quantity(
    sentence: str, normalised: NormalisedText, event_type: str, position: int, within: tuple[int, int]
) -> Quantity | None:
    """The quantity of an `event_type` closest to `position` (a normalised offset, usually the event's
    object) among those inside `within` (the event's clauses)."""
    matches = [
        match
        for match in quantity_reader().find(normalised.text)
        if within[0] <= match.start and match.end <= within[1] and match.unit in _UNITS_OF[event_type]
    ]
    if not matches:
        return None
    best = min(matches, key=lambda match: min(abs(match.start - position), abs(match.end - position)))
    start, end = normalised.to_original(best.start, best.end)
    return Quantity(value=best.value, unit=best.unit, text=sentence[start:end])
