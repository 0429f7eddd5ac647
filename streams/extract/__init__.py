"""Event extraction: commitments and sanctions found in article text (pure Python, no broker)."""

from .engine import EventMention, extract_events

__all__ = ["EventMention", "extract_events"]
