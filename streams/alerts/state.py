"""The alert table's entries as typed records: what the alert stage remembers under one coarse event key.

`AlertState.decode` reads what the `alert-state` table holds (JSON, as Faust stores it), `encode` writes it
back. The JSON shape is the one the table held before these records existed, so entries written by an older
worker decode unchanged — an origin stored as a `[topic, partition, offset]` list, a shown state without its
outlet count (it showed one outlet). Records are frozen: the pure functions of `logic.py` return new ones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from newsmon.records import Alert, Event, EventStatus, EventType, MessageOrigin, Party, Quantity


class _State(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SightingSource(_State):
    """One sighting of a tracked event: its article, and whether its status may alert (a request or a
    refusal never corroborates)."""

    event_id: str
    url: str
    outlet: str
    published_at: datetime
    alertable: bool


class Snapshot(_State):
    """The part of a tracked event an alert shows and a later alert is compared with."""

    status: EventStatus
    actors: list[str]  # codes, in the order they joined
    quantity: Quantity | None
    outlets: int = 1  # distinct outlets of alertable sightings; entries older than corroboration showed one


class Shown(Snapshot):
    """What a rule last alerted for a tracked event, and when."""

    at: datetime
    corroborated_at: datetime | None = None  # when it last showed a higher outlet step: its interval's start


class TrackedEvent(_State):
    """One real-world event under a coarse key: its sightings merged (actors, furthest status, latest amount),
    and per rule what was last alerted."""

    id: str
    type: EventType
    category: str
    targets: list[Party]
    actors: list[str]  # codes of alertable sightings' actors, in the order they joined
    parties: dict[str, Party]  # code → party, for the summary
    object_words: dict[str, list[str]]  # language → content words of the objects seen in it
    langs: list[str]
    keyword_rules: list[str]  # rules whose keywords a sighting carried
    status: EventStatus | None = None  # None until an alertable sighting
    quantity: Quantity | None = None
    quantity_as_of: datetime | None = None  # publication time of the article that stated `quantity`
    event: Event | None = None  # the latest alertable sighting: the alert quotes its words
    first_seen: datetime
    last_seen: datetime
    sources: list[SightingSource] = Field(default_factory=list)
    alerted: dict[str, Shown] = Field(default_factory=dict)  # rule name → what it last showed
    # Alerts emitted for this event so far, part of each alert's id: the same change made twice (two outlets'
    # figures alternating) is two alerts, not one id repeated that a read-back or a sink's ledger would drop.
    alerts_emitted: int = 0

    def corroboration(self) -> int:
        return len({source.outlet for source in self.sources if source.alertable})

    def snapshot(self) -> Snapshot:
        """What an alert of this event shows now (only meaningful once it has a status)."""
        assert self.status is not None, "an event without an alertable sighting has nothing to show"
        return Snapshot(
            status=self.status, actors=list(self.actors), quantity=self.quantity, outlets=self.corroboration()
        )


class CausedAlerts(_State):
    """The alerts one input message caused, kept while the broker may deliver that message again."""

    origin: MessageOrigin
    alerts: list[Alert]


class AlertState(_State):
    """Everything tracked under one coarse event key: the table value."""

    event_key: str
    partition: int
    tracked: list[TrackedEvent] = Field(default_factory=list)
    recent: list[CausedAlerts] = Field(default_factory=list)
    due_at: datetime | None = None  # when the earliest debounced update of the entry becomes due

    @classmethod
    def decode(cls, stored: dict[str, Any] | None) -> AlertState | None:
        """The entry the table holds (None: no entry)."""
        return None if stored is None else cls.model_validate(stored)

    def encode(self) -> dict[str, Any]:
        """The JSON value the table stores."""
        return self.model_dump(mode="json")
