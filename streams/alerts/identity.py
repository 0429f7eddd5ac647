"""Event identity: which sightings describe the same commitment or sanction.

Two levels. The **coarse key** (`newsmon.records.event_key`) is the record key of the `events` topic and of
the alert table: a pure function of the event (type, category, sorted target codes and, for numbered sanctions
packages, the package number), so every sighting of one event lands on one partition and one table entry, in
either language. Status is left out (a proposal that is adopted is the same event, moving), and so are the
actors (one actor more is the same event).

Under one key the table holds a few **tracked events**; `best_match` picks the one a sighting belongs to with
tolerance: actors match when one set contains the other (a missing actor list matches any), objects match when
either is missing or only restates the category ("financial aid", "sanctions": `summary.is_filler`), they are
in different languages (surface words cannot be compared across languages), or they share a content word. A
different package number or beneficiary (target) is a different key, so never the same event. Quantities do
not separate events — a changed amount is the same event, updated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from newsmon.streams.alerts.state import TrackedEvent
from newsmon.streams.alerts.summary import is_filler

from newsmon.records import Event

_WORD = re.compile(r"\w+", re.UNICODE)
# Function words that would make any two objects "share a word".
_STOPWORDS = frozenset(
    {"the", "of", "and", "for", "with", "new", "more", "من", "في", "على", "إلى", "مع", "جديدة", "جديد"}
)


def object_words(text: str | None) -> frozenset[str]:
    """Content words of an object phrase, folded (Arabic definite article dropped) for comparison."""
    if not text:
        return frozenset()
    words = set()
    for word in _WORD.findall(text.casefold()):
        if word.startswith("ال") and len(word) > 4:
            word = word[2:]
        if len(word) > 2 and word not in _STOPWORDS:
            words.add(word)
    return frozenset(words)


def match_score(tracked: TrackedEvent, event: Event) -> int | None:
    """How well `event` fits a tracked event (higher is better), or None when it is another event."""
    if tracked.type != event.type or tracked.category != event.category:
        return None
    known, seen = set(tracked.actors), {actor.code for actor in event.actors}
    if known and seen and not (known <= seen or seen <= known):
        return None
    # Words that only restate the category ("financial aid" of a financial-aid event, "sanctions") tell
    # no two events apart: "a grant" and "its financial aid" may be the same pledge.
    words = {word for word in object_words(event.object) if not is_filler(word, event.category)}
    known_words = {
        word for word in tracked.object_words.get(event.lang, []) if not is_filler(word, event.category)
    }
    if words and known_words and not words & known_words:
        return None
    return 2 * (known == seen) + bool(words & known_words)


def best_match(candidates: Sequence[TrackedEvent], event: Event) -> int | None:
    """Index of the tracked event `event` belongs to (the best score, the oldest on a tie), else None."""
    scored = [
        (score, -index)
        for index, tracked in enumerate(candidates)
        if (score := match_score(tracked, event)) is not None
    ]
    return -max(scored)[1] if scored else None
