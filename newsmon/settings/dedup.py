"""Dedup-stage settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class DedupSettings(BaseModel):
    """`NEWSMON_DEDUP__*` / `[dedup]`."""

    model_config = ConfigDict(extra="forbid")

    window_days: float = Field(default=7.0, gt=0, description="How long an article stays in the dedup index.")
    num_perm: int = Field(default=64, ge=8, le=1024, description="MinHash signature length (uint32 values).")
    bands: int = Field(default=16, ge=1, description="LSH bands; each is one index key (one Kafka message).")
    rows: int = Field(default=4, ge=1, description="Signature values per band; bands*rows <= num_perm.")
    shingle_words: int = Field(default=3, ge=1, description="Words per shingle for MinHash.")
    near_duplicate_threshold: float = Field(
        default=0.6, gt=0, le=1, description="Estimated Jaccard similarity from which an article is a copy."
    )
    containment_threshold: float = Field(
        default=0.85,
        gt=0,
        le=1,
        description="Sentence cover (streams/dedup/containment.py) from which an article mostly contained in "
        "another one — a brief, a trimmed or copy-edited copy — is a copy of it.",
    )
    replaced_lead_share: float = Field(
        default=0.4,
        ge=0,
        lt=1,
        description="Largest share of an article's bigrams, at its start, that may be missing from another "
        "article whose copy it still is (an outlet's own headline and lead over the wire's text): the rest "
        "must be found sentence by sentence and hold at least near_duplicate_threshold of the text.",
    )
    sentence_match: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Share of a sentence's word bigrams found in the other article from which the sentence "
        "counts as copied.",
    )
    min_contained_bigrams: int = Field(
        default=20, ge=1, description="Shorter texts (in word bigrams) are never found contained in another."
    )
    story_features: int = Field(default=40, ge=1, description="Terms and phrases kept per story profile.")
    story_keys: int = Field(default=8, ge=0, description="Top phrases indexed to find same-story candidates.")
    cross_language_stories: bool = Field(
        default=False,
        description="Link reports of one event in different languages by the parties they name and the "
        "figures they share (streams/dedup/crosslingual.py). Off: on 383 real Arabic-English pairs its "
        "precision is 0.23 and its recall 0.48 (streams/dedup/README.md), and the gazetteer look-up costs "
        "~1.3 ms per 200 words.",
    )
    story_threshold: float = Field(
        default=0.3,
        gt=0,
        description="Story score (see streams/dedup/stories.py) from which two articles are one story.",
    )
    story_window_hours: float = Field(
        default=72.0, gt=0, description="Articles published further apart than this are never one story."
    )
    max_entries_per_key: int = Field(
        default=200, ge=1, description="Index entries kept per key (newest by publication): bounds hot keys."
    )
    max_look_alikes: int = Field(
        default=3,
        ge=1,
        description="Look-alikes an article asks for their verdict, strongest first: the verdict "
        "follows the strongest that answers; the others stand in for one that "
        "answers 'deferred'. Bounds the messages per article on a hot story.",
    )
    decision_deadline_seconds: float = Field(
        default=30.0,
        gt=0,
        description="An article whose candidates have not all answered by then is decided "
        "with the answers in hand (a missed match, never a lost article).",
    )
    sweep_interval_seconds: float = Field(
        default=3600.0,
        gt=0,
        description="How often each worker deletes expired index keys and article states (and each "
        "partition's expired claims and extract entries). A sweep reads all of them: 8 days at 1 page/s "
        "take a minute or more of CPU (streams/dedup/README.md), so it runs hourly; an entry outlives its "
        "expiry by an hour at most.",
    )

    @property
    def window_seconds(self) -> float:
        """`window_days` in seconds: how long an article stays in the index."""
        return self.window_days * 86400.0

    @property
    def article_state_seconds(self) -> float:
        """How long the worker keeps what it knows of an article beyond the index (its URL and text claims,
        join state and body, extracted events): the window and as long again, at most one day more, so that a
        message in flight when its index entries expire still finds it (8 days by default)."""
        return self.window_seconds + min(self.window_seconds, 86400.0)

    @model_validator(mode="after")
    def _bands_fit_signature(self) -> DedupSettings:
        if self.bands * self.rows > self.num_perm:
            raise ValueError(
                f"bands*rows ({self.bands * self.rows}) must not exceed num_perm ({self.num_perm})"
            )
        return self
