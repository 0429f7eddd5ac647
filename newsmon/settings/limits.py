"""Size policy settings: every size bound of a record on the wire, in one place."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

# What a producer request and a broker batch add around one record: the batch header (61 bytes), the record
# header and Faust's headers. Generous, so that a record at `record_bytes` always fits.
FRAMING_BYTES = 64 * 1024


class LimitsSettings(BaseModel):
    """`NEWSMON_LIMITS__*` / `[limits]`, applied by newsmon.limits. Each record kind with outside content in
    it has a cap it is cut to before any producer sees it (the record is then flagged truncated);
    `record_bytes` bounds every record of every topic, and the producers' max_request_size and the topics'
    max.message.bytes (deploy/kafka/topics.tsv, newsmon.kafka_admin) are derived from it, so no record can be
    refused by a producer or a broker."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    record_bytes: int = Field(
        default=4 * 1024 * 1024,
        ge=64 * 1024,
        description="Largest key plus value any newsmon process produces; a larger record is never sent but "
        "dead-lettered with a bounded payload (reason too_large).",
    )
    raw_page_bytes: int = Field(
        default=2 * 1024 * 1024,
        ge=16 * 1024,
        description="A larger RawPage has its page body (and the feed summary) cut until it fits; "
        "truncated=true.",
    )
    article_bytes: int = Field(
        default=1024 * 1024,
        ge=16 * 1024,
        description="A larger Article has its text, paragraphs, sentences and removed boilerplate cut until "
        "it fits; flag 'truncated'.",
    )
    dead_letter_payload_bytes: int = Field(
        default=1024,
        ge=0,
        le=64 * 1024,
        description="How much of the original payload a dead letter carries, next to its topic/partition/"
        "offset (the reference to the whole).",
    )

    @model_validator(mode="after")
    def _caps_fit_records(self) -> LimitsSettings:
        if self.raw_page_bytes > self.record_bytes:
            raise ValueError(f"raw_page_bytes ({self.raw_page_bytes}) exceeds record_bytes")
        # An article travels inside dedup messages and table entries next to other data: half a record.
        if 2 * self.article_bytes > self.record_bytes:
            raise ValueError(f"article_bytes ({self.article_bytes}) exceeds half of record_bytes")
        return self

    @property
    def max_message_bytes(self) -> int:
        """The producers' max_request_size and the topics' max.message.bytes: a record at the cap, framed."""
        return self.record_bytes + FRAMING_BYTES

    def topic_config(self) -> dict[str, str]:
        """The config of every topic newsmon creates (its own and Faust's changelogs)."""
        return {"max.message.bytes": str(self.max_message_bytes)}
