"""Alert-stage settings: novelty, watch rules and the delivery sinks. `[alerts]`, `[[alerts.rules]]`,
`[[alerts.sinks]]` in the TOML file."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from newsmon.records import EventStatus, EventType

DEFAULT_RULE = "default"
RULE_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"


class WatchRule(BaseModel):
    """A named watch: alerts for events matching every non-empty criterion also go to `alerts.<name>`.
    Criteria lists are alternatives (any listed value matches)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=RULE_NAME_PATTERN, description="Topic suffix: alerts go to `alerts.<name>`.")
    types: list[EventType] = Field(default_factory=list, description="commitment / sanction.")
    actors: list[str] = Field(default_factory=list, description="Actor codes (ISO alpha-3, EU, NATO …).")
    targets: list[str] = Field(default_factory=list, description="Target codes.")
    categories: list[str] = Field(default_factory=list, description="Commitment or sanction categories.")
    statuses: list[EventStatus] = Field(default_factory=list, description="Current status of the event.")
    languages: list[str] = Field(default_factory=list, description="Language of any sighting (ar, en).")
    keywords: list[str] = Field(
        default_factory=list, description="Words looked for (case-insensitive) in a sighting's sentence."
    )
    min_sources: int = Field(default=1, ge=1, description="Hold the alert until this many outlets carry it.")

    @field_validator("name")
    @classmethod
    def _not_default(cls, name: str) -> str:
        if name == DEFAULT_RULE:
            raise ValueError(
                f"'{DEFAULT_RULE}' is the built-in rule of the alerts.commitments/sanctions topics"
            )
        return name


class SinkSettings(BaseModel):
    """One HTTP receiver of alerts, fed by its own Kafka consumer group so that it never slows the
    pipeline."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=RULE_NAME_PATTERN, description="Names the consumer group, ledger and metrics.")
    url: HttpUrl
    # A plain str, not SecretStr: child processes receive the effective settings as JSON, where a SecretStr
    # would arrive masked. repr=False keeps it out of logs and tracebacks.
    secret: str | None = Field(
        default=None, repr=False, description="HMAC-SHA256 key of X-Newsmon-Signature."
    )
    format: str = Field(
        default="json",
        pattern="^(json|slack)$",
        description="json: the Alert record; slack: a Slack incoming-webhook payload.",
    )
    rules: list[str] = Field(
        default_factory=lambda: [DEFAULT_RULE],
        description="Rules whose topics this sink reads ('default': the two type topics).",
    )
    timeout_seconds: float = Field(default=5.0, gt=0, description="Per request.")
    max_attempts: int = Field(default=8, ge=1, description="Then the alert is dead-lettered with the reason.")
    backoff_initial_seconds: float = Field(default=0.5, gt=0, description="Doubles after each failure.")
    backoff_max_seconds: float = Field(default=30.0, gt=0)
    rate_per_second: float = Field(default=5.0, gt=0, description="At most this many requests per second.")


class AlertSettings(BaseModel):
    """`NEWSMON_ALERTS__*` / `[alerts]`."""

    model_config = ConfigDict(extra="forbid")

    statuses: list[EventStatus] = Field(
        default_factory=lambda: ["announced", "proposed", "threatened", "lifted"],
        description=(
            "Statuses that make an alert. Requests (called_for) and refusals are tracked, not alerted."
        ),
    )
    max_sources: int = Field(default=50, ge=1, description="Sources kept per tracked event.")
    min_sources: int = Field(
        default=1,
        ge=1,
        description="Outlets needed before the default topics alert (hold until corroborated).",
    )
    retention_days: float = Field(
        default=30.0, gt=0, description="A tracked event not seen for this long is forgotten."
    )
    debounce_seconds: float = Field(
        default=10.0,
        ge=0,
        description="Changes within this long of an event's last alert are merged into one update.",
    )
    quantity_tolerance: float = Field(
        default=0.05, ge=0, description="Relative quantity difference below which a quantity has not changed."
    )
    tick_seconds: float = Field(default=1.0, gt=0, description="How often debounced updates are looked at.")
    sweep_seconds: float = Field(default=3600.0, gt=0, description="How often expired events are removed.")
    rules: list[WatchRule] = Field(default_factory=list, description="Watch rules, each with its own topic.")
    sinks: list[SinkSettings] = Field(default_factory=list, description="HTTP webhook / Slack receivers.")
    deliver_in_worker: bool = Field(
        default=False,
        description=(
            "Run the sinks inside `newsmon worker` instead of in `newsmon deliver` (which `newsmon run` "
            "starts). Only for a deployment of one worker process: each worker running them sends every "
            "alert."
        ),
    )

    @field_validator("rules")
    @classmethod
    def _unique_names(cls, rules: list[WatchRule]) -> list[WatchRule]:
        names = [rule.name for rule in rules]
        if len(names) != len(set(names)):
            raise ValueError(f"watch rule names must be unique: {names}")
        return rules

    def rule_names(self) -> list[str]:
        """Names of the configured watch rules: each has its topic `alerts.<name>`."""
        return [rule.name for rule in self.rules]

    def all_rules(self) -> list[WatchRule]:
        """The built-in default rule (every event, `min_sources`) followed by the configured watch rules."""
        default = WatchRule.model_construct(
            name=DEFAULT_RULE,
            types=[],
            actors=[],
            targets=[],
            categories=[],
            statuses=[],
            languages=[],
            keywords=[],
            min_sources=self.min_sources,
        )
        return [default, *self.rules]
