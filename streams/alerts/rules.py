"""Watch rules against a tracked event: which rules an event matches, and the topic each rule routes to."""

from __future__ import annotations

from collections.abc import Iterable

from newsmon.streams.alerts.state import TrackedEvent

from newsmon.records import Event
from newsmon.settings.alerts import DEFAULT_RULE, WatchRule
from newsmon.topics import ALERT_TOPIC_BY_EVENT_TYPE, rule_alert_topic


def keyword_rules(rules: Iterable[WatchRule], event: Event) -> set[str]:
    """Names of the rules with a keyword in this sighting's sentence or object. Decided per sighting (the
    table keeps no sentences), so a rule matches once any sighting of the event carried one of its words."""
    text = f"{event.sentence} {event.object or ''}".casefold()
    return {rule.name for rule in rules if any(keyword.casefold() in text for keyword in rule.keywords)}


def rule_matches(rule: WatchRule, tracked: TrackedEvent) -> bool:
    """Every non-empty criterion of `rule` holds for the tracked event (its current, merged state)."""
    target_codes = {target.code for target in tracked.targets}
    return (
        (not rule.types or tracked.type in rule.types)
        and (not rule.categories or tracked.category in rule.categories)
        and (not rule.statuses or tracked.status in rule.statuses)
        and (not rule.actors or bool(set(rule.actors) & set(tracked.actors)))
        and (not rule.targets or bool(set(rule.targets) & target_codes))
        and (not rule.languages or bool(set(rule.languages) & set(tracked.langs)))
        and (not rule.keywords or rule.name in tracked.keyword_rules)
    )


def rule_topic(rule: str, event_type: str) -> str:
    """The relative topic name an alert goes to for `rule`: the type topic for the default rule."""
    return ALERT_TOPIC_BY_EVENT_TYPE[event_type] if rule == DEFAULT_RULE else rule_alert_topic(rule)
