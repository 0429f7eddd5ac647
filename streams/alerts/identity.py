"""Event identity: which sightings describe the same commitment or sanction.

The key is the record key of the `events` topic, so every sighting of one event lands on one partition and
one table entry. It is built from type, category, the first actor's code, the sorted target codes and, for
numbered sanctions packages, the package number. Status is deliberately left out (a threatened sanction that
is adopted is the same event, moving), and so are further actors (one actor more is the same event).
"""

from __future__ import annotations

from newsmon.records import Party, Quantity, stable_id


def event_key(event_type: str, category: str, actors: list[Party] | tuple[Party, ...],
              targets: list[Party] | tuple[Party, ...], quantity: Quantity | None) -> str:
    first_actor = actors[0].code if actors else ""
    target_codes = ",".join(sorted({target.code for target in targets}))
    package_number = quantity.value if quantity is not None and quantity.unit == "package" else None
    return stable_id("event", event_type, category, first_actor, target_codes, package_number)
