"""Logging on stderr, configured in one place: one JSON object per line for machines (the fields passed in
`extra=` as keys), or one short line per record for a person at a terminal; the secrets of any URL in either
redacted."""

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


def _fields(record: logging.LogRecord) -> dict[str, object]:
    return {
        key: value
        for key, value in vars(record).items()
        if key not in _STANDARD_ATTRIBUTES and not key.startswith("_")
    }


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            # exc_text is the traceback RedactingFilter already redacted.
            entry["exc"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class HumanFormatter(logging.Formatter):
    """ "22:26:39 WARN  broker: embedded development broker … (pid=20258)": the time, the level (coloured on a
    terminal), the logger's last name, the message and its fields; a traceback below it."""

    _COLOURS = {"WARNING": "\033[33m", "ERROR": "\033[31m", "CRITICAL": "\033[1;31m"}
    _RESET = "\033[0m"

    def __init__(self, colour: bool) -> None:
        super().__init__()
        self.colour = colour

    def format(self, record: logging.LogRecord) -> str:
        clock = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        level = f"{record.levelname[:5]:<5}"
        if self.colour and record.levelname in self._COLOURS:
            level = f"{self._COLOURS[record.levelname]}{level}{self._RESET}"
        fields = " ".join(f"{key}={value}" for key, value in _fields(record).items())
        line = f"{clock} {level} {record.name.rsplit('.', 1)[-1]}: {record.getMessage()}"
        if fields:
            line += f" ({fields})"
        if record.exc_info:
            line += "\n" + (record.exc_text or self.formatException(record.exc_info))
        return line


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


def configure_logging(level: str = "INFO", log_format: str = "auto") -> None:
    """`log_format` "auto" is human lines when stderr is a terminal, JSON otherwise (a file, a pipe, a log
    collector)."""
    handler = logging.StreamHandler(sys.stderr)
    terminal = sys.stderr.isatty()
    human = log_format == "human" or (log_format == "auto" and terminal)
    handler.setFormatter(HumanFormatter(colour=terminal) if human else JsonFormatter())
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiokafka and kafka-python narrate every connection at INFO; their warnings still come through. httpx and
    # httpcore log every request's full URL at INFO, which carries a webhook's token (issue 13).
    for chatty in ("aiokafka", "kafka", "faust", "mode", "httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(max(root.level, logging.WARNING))
    # kafka-python's selector warns whenever one of its tasks held the loop over 100 ms, which a busy machine
    # does routinely; nothing for an operator to act on.
    logging.getLogger("kafka.net.selector").setLevel(max(root.level, logging.ERROR))
