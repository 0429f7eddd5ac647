"""Structured logging: one JSON object per line on stderr, with the fields passed in `extra=`, and the secrets
of any URL in them redacted."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from newsmon.redact import redact_text

# Attributes every LogRecord has; anything else on a record came from `extra=` and is emitted as a field.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            # exc_text is the traceback RedactingFilter already redacted.
            entry["exc"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RedactingFilter(logging.Filter):
    """Redacts the URLs (userinfo, token parameters, webhook paths: `newsmon.redact.redact_url`) in a record's
    message, string `extra=` fields and traceback. On the handler, not a logger: a logger's filters do not see
    the records that propagate to it from library loggers (httpx, aiokafka)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string: the handler's emit reports it (handleError)
            return True
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRIBUTES and isinstance(value, str):
                setattr(record, key, redact_text(value))
        if record.exc_info:
            # Another handler may have cached the traceback unredacted already.
            record.exc_text = redact_text(
                record.exc_text or logging.Formatter().formatException(record.exc_info)
            )
        return True


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiokafka and kafka-python narrate every connection at INFO; their warnings still come through. httpx and
    # httpcore log every request's full URL at INFO, which carries a webhook's token (issue 13).
    for chatty in ("aiokafka", "kafka", "faust", "mode", "httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(max(root.level, logging.WARNING))
