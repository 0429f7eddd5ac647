"""Sentence splitting for Arabic and English display text, with character offsets.

Boundaries: line breaks; `!` `?` `؟` `؛` `…` `۔` always; `.` unless it sits inside a number or URL or
follows an English abbreviation (data/abbreviations_en.txt) or a single capital initial. The Arabic comma
`،` is not a boundary. Closing quotes and brackets after a terminator stay with the sentence they close.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

from newsmon.records import Sentence

LOGGER = logging.getLogger(__name__)

_DATA = Path(__file__).with_name("data")
_TERMINATOR = re.compile(r"\n|[.!?؟؛…۔]+")
_CLOSERS = re.compile(r"[\"'”’»)\]]+")
# The word (with inner dots, as in "U.S" or "e.g") that ends right before a full stop.
_WORD_BEFORE = re.compile(r"([^\W\d_](?:[\w.]*\w)?)$")
_LOOKBEHIND = 24  # longer than any abbreviation; bounds the backwards search
_ARABIC_LETTER = re.compile("[\u0621-\u064a\u066e-\u06d3]")


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    """English abbreviations, loaded once per process."""
    lines = (_DATA / "abbreviations_en.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _is_boundary(text: str, start: int, end: int) -> bool:
    """Whether the terminator run text[start:end] ends a sentence."""
    run = text[start:end]
    if run == "\n" or any(c != "." for c in run):
        return True
    following = text[end : end + 1]
    if following and not (following.isspace() or following in "\"'”’»)]" or _ARABIC_LETTER.match(following)):
        return False  # 1.1 / example.com / U.S / a dot glued to a Latin word
    if len(run) > 1:
        return True  # ".." and "..." are pauses that Arabic news uses between clauses and headlines
    word = _WORD_BEFORE.search(text, max(0, start - _LOOKBEHIND), start)
    if word is None:
        return True
    token = word.group(1)
    if len(token) == 1 and token.isupper():
        return False  # an initial: "J. Smith"
    return token.lower() not in _abbreviations()


def split_sentences(text: str) -> list[Sentence]:
    """Split display text into sentences; `start`/`end` are offsets into `text`, without edge whitespace."""
    sentences: list[Sentence] = []
    begin = 0
    for match in _TERMINATOR.finditer(text):
        if not _is_boundary(text, match.start(), match.end()):
            continue
        end = match.end()
        closers = _CLOSERS.match(text, end) if match.group() != "\n" else None
        if closers:
            end = closers.end()
        _append(sentences, text, begin, end)
        begin = end
    _append(sentences, text, begin, len(text))
    return sentences


def _append(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    """Add text[start:end] trimmed of whitespace, when anything is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        sentences.append(Sentence(start=start, end=end))
