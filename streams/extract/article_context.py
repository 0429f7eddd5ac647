"""An event's identity from the whole article, not its sentence alone.

A sentence often leaves out what the headline or the lead already said: "EU adopts 21st sanctions package
against Russia" over "Member states formally adopted the package on Friday"; "Japan raises its grant to $700
million" over an Arabic body whose sentence names only the amount. The event key (`alerts.identity.event_key`)
and the tolerant match read the package number, the targets and the object, so a sentence's event that omits
them would be another event than the proposal or the pledge it continues. `complete_mentions` fills in, for
each mention the engine found in the body, what its own sentence does not state:

- **from the title's event** — the title read by the same engine, when it is the same event (type and
  category equal, actors and targets equal or one side naming fewer): the targets, actors, object and
  quantity the body sentence lacks;
- **a sanctions package's number** from the title, else the nearest earlier sentence that states one, else the
  nearest later one (the number is the package's identity: it replaces another quantity of the sentence, such
  as a count of listed vessels);
- **an object that only says how much** ("مليون", "four", "dollars": a number word, a multiplier or a unit,
  never the measure or the thing given) is dropped, replaced by the title event's object when there is one.

Quantities come from `quantity.py`, so they are normalised (value, unit, currency; "bn", "مليار", "million").
Pure: no Faust, no I/O beyond the engine's cached data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from newsmon.records import Party, Quantity
from newsmon.text.normalize import normalise, normalise_term

from .engine import EventMention, extract_events
from .quantity import quantity_reader

_WORD = re.compile(r"\w+", re.UNICODE)


def complete_mentions(
    mentions: Sequence[EventMention],
    text: str,
    sentences: Sequence[tuple[int, int]],
    title: str | None,
    lang: str,
) -> list[EventMention]:
    """`mentions` (found in `text`, whose sentences are `sentences`) completed from the article's title and
    other sentences; an empty or missing title completes nothing from the title."""
    headline = extract_events(title, lang=lang) if title and title.strip() else []
    title_package = _package_numbers(title) if title else []
    stated = [(span, number) for span in sentences for number in _package_numbers(text[span[0] : span[1]])]
    completed = []
    for mention in mentions:
        mention = _without_amount_object(mention)
        twin = next((found for found in headline if _same_event(mention, found)), None)
        if twin is not None:
            mention = _from_title(mention, twin)
        if _lacks_package_number(mention):
            number = _package_number(mention.span, title_package, stated)
            if number is not None:
                mention = replace(mention, quantity=number)
        completed.append(mention)
    return completed


def is_amount_only(text: str | None) -> bool:
    """Whether an object phrase says only how much (number words, multipliers, units, digits) or nothing."""
    reader = quantity_reader()
    words = _WORD.findall(normalise_term(text or ""))
    return all(word.isdigit() or reader.is_amount_word(word) for word in words)


def _without_amount_object(mention: EventMention) -> EventMention:
    return (
        replace(mention, object=None)
        if mention.object is not None and is_amount_only(mention.object)
        else mention
    )


def _codes(parties: Sequence[Party]) -> set[str]:
    return {party.code for party in parties}


def _nested(one: set[str], other: set[str]) -> bool:
    return one <= other or other <= one


def _same_event(mention: EventMention, title: EventMention) -> bool:
    """The title's event is the body mention's: same type and category, and the actors and the targets of
    one include the other's (a headline names fewer parties; a lead names fewer than its headline)."""
    return (
        (mention.type, mention.category) == (title.type, title.category)
        and _nested(_codes(mention.actors), _codes(title.actors))
        and _nested(_codes(mention.targets), _codes(title.targets))
    )


def _from_title(mention: EventMention, title: EventMention) -> EventMention:
    title_object = None if is_amount_only(title.object) else title.object
    return replace(
        mention,
        actors=mention.actors or title.actors,
        targets=mention.targets or title.targets,
        object=mention.object or title_object,
        quantity=mention.quantity or title.quantity,
    )


def _lacks_package_number(mention: EventMention) -> bool:
    return (
        mention.type == "sanction"
        and mention.category == "sanctions_package"
        and (mention.quantity is None or mention.quantity.unit != "package")
    )


def _package_numbers(sentence: str) -> list[Quantity]:
    """The package numbers a sentence states ("21st package", "الحزمة الـ21"), in order."""
    normalised = normalise(sentence)
    found = []
    for match in quantity_reader().find(normalised.text):
        if match.unit == "package":
            start, end = normalised.to_original(match.start, match.end)
            found.append(Quantity(value=match.value, unit="package", text=sentence[start:end]))
    return found


def _package_number(
    span: tuple[int, int], title: list[Quantity], stated: list[tuple[tuple[int, int], Quantity]]
) -> Quantity | None:
    """The title's package number (a headline is about the article's main event), else the nearest stated
    before the mention's sentence, else the nearest after it."""
    if title:
        return title[0]
    before = [number for where, number in stated if where[1] <= span[0]]
    if before:
        return before[-1]
    after = [number for where, number in stated if where[0] >= span[1]]
    return after[0] if after else None
