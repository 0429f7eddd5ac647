"""Every record that crosses a Kafka topic, declared once.

Each record is JSON on the wire, carries `schema_version`, and has a JSON Schema committed under `schemas/`
(regenerate with `newsmon schemas --write schemas/`; a test fails when they drift), so a subscriber in any
language can read the topics. A change that breaks readers bumps the version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field


class MessageOrigin(NamedTuple):
    """Where a message sits in Kafka. A stage that claims a key remembers the origin of the claiming
    message, so that a redelivery of that very message (after a crash before the offset commit) repeats its
    output rather than counting twice. Stored in tables as `[topic, partition, offset]`."""

    topic: str
    partition: int
    offset: int


EventType = Literal["commitment", "sanction"]
EventStatus = Literal["announced", "proposed", "threatened", "called_for", "refused", "lifted"]
CommitmentCategory = Literal[
    "troops",
    "weapons",
    "air_defence",
    "financial_aid",
    "humanitarian_aid",
    "security_guarantee",
    "training_monitoring",
    "other",
]
SanctionCategory = Literal[
    "sanctions_package",
    "energy_ban",
    "trade_restriction",
    "asset_freeze",
    "travel_ban",
    "financial_restriction",
    "other",
]


def stable_id(*parts: object) -> str:
    """A short deterministic id: the same parts always give the same id, in every process and language."""
    joined = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:24]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def to_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=False).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes):
        return cls.model_validate_json(data)


class FeedItem(Record):
    """What the feed itself said about an item."""

    feed_url: str
    feed_name: str | None = None
    guid: str | None = None
    title: str | None = None
    summary: str | None = None
    published: datetime | None = None
    language_hint: str | None = None
    tags: list[str] = Field(default_factory=list)


class RawPage(Record):
    """A fetched article page (or, when the page could not be fetched, \
what the feed carried). Topic `raw-pages`,
    key: canonical URL."""

    schema_version: Literal[1] = 1
    url: str = Field(description="The item's link as the feed gave it.")
    final_url: str = Field(description="URL after redirects.")
    canonical_url: str = Field(description="Normalised URL; the record key and the article identity.")
    http_status: int | None = None
    headers: dict[str, str] = Field(default_factory=dict, description="Content-Type, Last-Modified, ETag …")
    html: str | None = Field(default=None, description="Charset-decoded body; null when feed_only.")
    feed_only: bool = Field(default=False, description="True when the page could not be fetched.")
    fetch_error: str | None = None
    fetched_at: datetime
    feed: FeedItem
    truncated: bool = Field(
        default=False,
        description="True when the page body (or the feed summary) was cut to the size cap "
        "(limits.raw_page_bytes).",
    )


class Sentence(Record):
    start: int = Field(description="Offset of the first character in Article.text.")
    end: int = Field(description="Offset one past the last character in Article.text.")


DateSource = Literal["page", "feed", "fetched"]
DedupMethod = Literal["url", "text_hash", "near_duplicate"]
# truncated: the text was cut to the size cap (limits.article_bytes); word_count and text_hash are those of
# the whole text.
ArticleFlag = Literal["feed_only", "summary_fallback", "no_main_text", "unsupported_language", "truncated"]


class DedupVerdict(Record):
    """Set by the dedup stage; null on the `articles` topic."""

    duplicate_of: str | None = Field(
        default=None, description="article_id of the first copy, if this is a copy."
    )
    method: DedupMethod | None = None
    similarity: float | None = None
    story_id: str


class Article(Record):
    """A cleaned article. Topic `articles`, key: canonical URL."""

    schema_version: Literal[1] = 1
    article_id: str = Field(description="stable_id(canonical_url)")
    url: str
    canonical_url: str
    feed_url: str
    outlet: str = Field(description="Feed name, else the site name, else the host.")
    title: str | None = None
    author: str | None = None
    site_name: str | None = None
    published_at: datetime
    published_source: DateSource
    fetched_at: datetime
    language: str = Field(description="ISO 639-1 code from language identification, 'und' if unknown.")
    direction: Literal["rtl", "ltr"]
    paragraphs: list[str]
    text: str = Field(description="Display text: paragraphs joined by blank lines; original letters kept.")
    sentences: list[Sentence]
    word_count: int
    text_hash: str = Field(description="Hash of the matching form (normalised text): equal for exact copies.")
    flags: list[ArticleFlag] = Field(default_factory=list)
    removed_boilerplate: list[str] = Field(default_factory=list)
    dedup: DedupVerdict | None = None


class Party(Record):
    name: str
    code: str = Field(description="ISO 3166 alpha-3, or an organisation code: EU, NATO, UN, G7 …")


class Quantity(Record):
    value: float
    unit: str
    text: str


class ArticleRef(Record):
    article_id: str
    url: str
    outlet: str
    published_at: datetime
    fetched_at: datetime
    story_id: str | None = None


class Event(Record):
    """One commitment or sanction found in one article. Topic `events`, key: event_key."""

    schema_version: Literal[1] = 1
    event_id: str = Field(description="stable_id(article_id, type, span): one per sighting.")
    event_key: str = Field(description="Identity of the commitment or sanction across articles and outlets.")
    type: EventType
    category: str = Field(description="A CommitmentCategory or SanctionCategory value.")
    status: EventStatus
    actors: list[Party]
    targets: list[Party]
    object: str | None = None
    quantity: Quantity | None = None
    condition: str | None = None
    sentence: str
    span: tuple[int, int] = Field(description="[start, end) of the sentence in Article.text.")
    lang: str
    confidence: float = Field(ge=0.0, le=1.0)
    article: ArticleRef


AlertKind = Literal["new", "update"]


def event_key(event_type: str, category: str, targets: Sequence[Party], quantity: Quantity | None) -> str:
    """The key of the `events` topic and of the alert table: type, category, sorted target codes and, for
    numbered sanctions packages, the package number, so every sighting of one event lands on one partition in
    either language. Status is left out (a proposal that is adopted is the same event, moving), and so are the
    actors (one actor more is the same event; streams/alerts/identity.py decides actor tolerance)."""
    target_codes = ",".join(sorted({target.code for target in targets}))
    package_number = quantity.value if quantity is not None and quantity.unit == "package" else None
    return stable_id("event", event_type, category, target_codes, package_number)


class Source(Record):
    url: str
    outlet: str
    published_at: datetime


class Alert(Record):
    """A notice that a commitment or sanction is new (or has materially changed).
    Topics `alerts.commitments` / `alerts.sanctions`, key: event_key."""

    schema_version: Literal[1] = 1
    alert_id: str = Field(description="Deterministic: a redelivered event never yields a second id.")
    kind: AlertKind
    summary: str = Field(description="One English line for a notification.")
    evidence: str = Field(description="The original-language sentence quoted.")
    event: Event
    sources: list[Source]
    first_seen: datetime
    corroboration: int = Field(description="Distinct outlets carrying the event.")
    rules: list[str] = Field(default_factory=list)
    emitted_at: datetime


class DeadLetter(Record):
    """What a stage could not process, with why and where it came from. Topic `dead-letter`."""

    schema_version: Literal[1] = 1
    stage: str
    reason: str = Field(description="A short machine-readable reason, also the metric label.")
    error: str = Field(description="The error message for a person.")
    source_topic: str | None = None
    source_partition: int | None = None
    source_offset: int | None = None
    key: str | None = None
    payload: str = Field(
        description="The first limits.dead_letter_payload_bytes of the original payload (UTF-8, undecodable "
        "bytes escaped); the source topic/partition/offset point to the whole of it."
    )
    payload_bytes: int | None = Field(default=None, description="Size of the original payload.")
    failed_at: datetime


WIRE_RECORDS: dict[str, type[Record]] = {
    "raw_page": RawPage,
    "article": Article,
    "event": Event,
    "alert": Alert,
    "dead_letter": DeadLetter,
}
