"""Redaction of secrets in URLs, free text and settings before they are logged or written for operators.

Pure functions, no I/O. A webhook URL is itself a credential (a Slack incoming-webhook URL needs no other
key), so it is not enough to hide passwords and `?token=` values: a path that looks like it carries a token is
cut after its first segment too.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, unquote, urlsplit

MASK = "***"

# Words that make a query parameter or settings key secret. Matched against the whole name and against its
# words (split at `_`, `-`, `.` …) so that `X-Amz-Signature` and `client_secret` match, but `keywords` and
# `monkey` do not.
_SECRET_WORDS = frozenset(
    {
        "token",
        "key",
        "secret",
        "sig",
        "signature",
        "password",
        "passwd",
        "pwd",
        "auth",
        "authorization",
        "credential",
        "credentials",
        "apikey",
        "accesstoken",
        "authtoken",
        "refreshtoken",
        "clientsecret",
        "sessionid",
    }
)
_WORD_SEPARATORS = re.compile(r"[^a-z0-9]+")

# Hosts whose whole webhook path is the credential.
_WEBHOOK_PATHS = (
    ("hooks.slack.com", "/"),
    ("discord.com", "/api/webhooks/"),
    ("discordapp.com", "/api/webhooks/"),
    ("ptb.discord.com", "/api/webhooks/"),
    ("canary.discord.com", "/api/webhooks/"),
)
_MIN_TOKEN_CHARS = 20
_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")

# Up to whitespace, a quote or an angle bracket: how URLs end in log lines (`"GET https://… HTTP/1.1"`),
# reprs (`url='…'`) and HTML.
URL_PATTERN = re.compile(r"https?://[^\s\"'<>]+", re.IGNORECASE)


def is_secret_name(name: str) -> bool:
    """Whether a query parameter or settings key names a secret (`api_key`, `X-Amz-Signature`, `sig` …)."""
    lowered = unquote(name).lower()
    words = [word for word in _WORD_SEPARATORS.split(lowered) if word]
    return "".join(words) in _SECRET_WORDS or any(word in _SECRET_WORDS for word in words)


def _looks_like_token(segment: str) -> bool:
    """A long base64/hex-like path segment (a webhook or capability token), not an article slug: slugs are
    lower-case words between hyphens, tokens mix cases and digits or are hex (UUIDs included)."""
    if len(segment) < _MIN_TOKEN_CHARS or not _TOKEN_CHARS.match(segment):
        return False
    has_digit = any(char.isdigit() for char in segment)
    has_letter = any(char.isalpha() for char in segment)
    if _HEX.match(segment.replace("-", "")):
        return has_digit and has_letter
    return has_digit and any(char.isupper() for char in segment) and any(char.islower() for char in segment)


def _redact_path(host: str, path: str) -> str:
    segments = path.split("/")[1:]  # a path starts with "/"
    is_webhook = any(
        host == webhook_host and path.startswith(prefix) and len(path) > len(prefix)
        for webhook_host, prefix in _WEBHOOK_PATHS
    )
    if not is_webhook and not any(_looks_like_token(segment) for segment in segments):
        return path
    first = segments[0] if segments else ""
    if not first or _looks_like_token(first):
        return "/" + MASK
    return f"/{first}/{MASK}"


def _redact_parameters(query: str) -> str:
    """`a=1&token=x` → `a=1&token=***`, keeping the original encoding of what is kept."""
    parts = []
    for part in query.split("&"):
        name, equals, value = part.partition("=")
        parts.append(f"{name}={MASK}" if equals and value and is_secret_name(name) else part)
    return "&".join(parts)


def redact_url(url: str) -> str:
    """`url` without its secrets: userinfo becomes `***@`, values of secret-looking query (and fragment)
    parameters become `***`, and the path of a webhook URL, or of any URL with a token-like path segment, is
    cut to its first segment (`https://hooks.slack.com/services/***`). Anything else is kept as it was."""
    try:
        parts = urlsplit(url)
    except ValueError:
        # Unparseable (a malformed IPv6 literal): nothing of it can be told safe.
        return MASK
    if not parts.netloc:
        return url
    host = (parts.hostname or "").lower()
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@" + netloc.rpartition("@")[2]
    redacted = SplitResult(
        parts.scheme,
        netloc,
        _redact_path(host, parts.path) if parts.path else parts.path,
        _redact_parameters(parts.query) if parts.query else parts.query,
        _redact_parameters(parts.fragment) if parts.fragment else parts.fragment,
    )
    return redacted.geturl()


def redact_text(text: str) -> str:
    """`text` with every http(s) URL in it passed through `redact_url`."""
    if "://" not in text:
        return text
    return URL_PATTERN.sub(lambda match: redact_url(match.group(0)), text)


def redact_settings(value: object) -> object:
    """A JSON-ready settings dump (`model_dump(mode="json")`) with the value of every secret-named key
    replaced by `***` (unless unset) and the URLs in every string redacted."""
    if isinstance(value, dict):
        return {
            key: (MASK if value[key] is not None and is_secret_name(key) else redact_settings(value[key]))
            for key in value
        }
    if isinstance(value, list):
        return [redact_settings(item) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value
