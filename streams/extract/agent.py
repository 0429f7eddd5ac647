"""Extract agent: `articles.deduped` → `events`, the engine running in the process pool.

A copy is not extracted again: it re-sends its original's events as its own sightings, so the alert stage
counts it as corroboration. `articles.deduped` is keyed by story id, so a copy reaches the partition of its
original — before or after it: a copy that comes first waits in the table until the original is extracted.
"""

from __future__ import annotations

from typing import Any

import faust
from newsmon.streams.extract.events import article_events, corroborating_events, warm_up
from newsmon.streams.runtime import PartitionSweeper, StageRuntime

from newsmon import metrics
from newsmon.records import Article, Event
from newsmon.topics import ARTICLES_DEDUPED, EVENTS

STAGE = "extract"


def original_expired(entry: dict[str, Any], partition: int, now: float, keep_seconds: float) -> bool:
    """True when a table entry lives on `partition` and was written for an article fetched more than
    `keep_seconds` ago (dedup's `article_state_seconds`: no copy is judged a copy of it after that)."""
    return entry.get("partition") == partition and entry["at"] < now - keep_seconds


def original_dated(entry: dict[str, Any], partition: int, now: float) -> dict[str, Any] | None:
    """An entry written before entries were dated (it says neither its partition nor when), dated `now` on
    `partition`: a copy may still come for its original, so it is kept as long as one written now. None for
    an entry that is dated."""
    if "at" in entry:
        return None
    return {**entry, "partition": partition, "at": now}


class ExtractAgent:
    """The extract stage in one worker: its output topic and the table of originals and waiting copies.

    The table steps are awaited by runtime.attempt: a fault of the state store holds the record until it
    clears, an error on the record's content dead-letters it."""

    def __init__(self, runtime: StageRuntime) -> None:
        self.runtime = runtime
        self.events_topic = runtime.topic(EVENTS)
        # article id of an original → {"events": [...]} once extracted,
        # or {"copies": [...]} of copies that came first
        # (each entry also says its partition and when its article was fetched, for `sweep`)
        self.originals = runtime.table("extract-originals")
        self.keep_seconds = runtime.settings.dedup.article_state_seconds
        self.sweep = PartitionSweeper(
            "extract-originals",
            self.originals,
            lambda entry, partition, now: original_expired(entry, partition, now, self.keep_seconds),
            runtime.settings.dedup.sweep_interval_seconds,
            original_dated,
        )

    async def copy_step(self, copy: Article, original_id: str, partition: int) -> list[Event]:
        """A copy's sightings: its original's events, or none until the original is extracted (the copy waits
        in the table without its text, which its sightings never use: the entry stays small however many
        copies wait)."""
        entry = self.originals.get(original_id) or {}
        if "events" not in entry:
            reference = copy.model_copy(
                update={"paragraphs": [], "text": "", "sentences": [], "removed_boilerplate": []}
            )
            self.originals[original_id] = {
                "copies": [*entry.get("copies", []), reference.model_dump(mode="json")],
                "partition": partition,
                "at": entry.get("at", copy.fetched_at.timestamp()),
            }
            return []
        return corroborating_events([Event.model_validate(e) for e in entry["events"]], copy)

    async def original_step(self, original: Article, extracted: list[Event], partition: int) -> list[Event]:
        """An original's sightings: its events, and theirs in the copies that came first."""
        waiting = (self.originals.get(original.article_id) or {}).get("copies", [])
        events = [found.model_dump(mode="json") for found in extracted]
        self.originals[original.article_id] = {
            "events": events,
            "partition": partition,
            "at": original.fetched_at.timestamp(),
        }
        return extracted + [
            sighting
            for copy in waiting
            for sighting in corroborating_events(extracted, Article.model_validate(copy))
        ]

    async def process(self, stream: faust.StreamT) -> None:
        """Extract each original in the process pool, turn each copy into sightings, send them on."""
        runtime = self.runtime
        async for event, article in runtime.records(STAGE, Article, stream):
            partition = event.message.partition
            await self.sweep(partition)
            original_id = article.dedup.duplicate_of if article.dedup is not None else None
            if original_id is not None:
                sightings = (
                    await runtime.attempt(STAGE, event, self.copy_step, article, original_id, partition) or []
                )
            else:
                extracted = (
                    await runtime.attempt(STAGE, event, runtime.in_pool, article_events, article) or []
                )
                for found in extracted:
                    metrics.EVENTS_EXTRACTED.labels(found.type, found.status, found.lang).inc()
                sightings = (
                    await runtime.attempt(STAGE, event, self.original_step, article, extracted, partition)
                    or []
                )
            for sighting in sightings:
                await runtime.send(STAGE, self.events_topic, sighting.event_key, sighting)


def install(runtime: StageRuntime) -> ExtractAgent:
    """Attach the extract agent and its table to the runtime's app."""
    agent = ExtractAgent(runtime)
    runtime.warm_pool_with(warm_up)
    runtime.agent(runtime.topic(ARTICLES_DEDUPED), STAGE, agent.process, in_pool=True)
    return agent
