"""Sentence splitting for Arabic and English text, with character offsets; two rule sets.

- `split_sentences` splits the clean stage's display text, so its sentences are the ones every Article
  carries and the extraction engine reads in the pipeline. Boundaries: line breaks; `!` `?` `؟` `؛` `…` `۔`
  always; `.` unless it sits inside a number or URL or follows an English abbreviation
  (data/abbreviations_en.txt) or a single capital initial. Closing quotes and brackets after a terminator stay
  with the sentence they close.
- `split_sentences_at_spaces` is the extraction engine's own splitter for text that comes without sentences
  (`newsmon extract` on text files, `newsmon eval`, training): a terminator ends a sentence only before white
  space, and its abbreviations are a short built-in list. The labelled sets are scored through it, so it is
  kept as it is rather than merged into the other.

Neither splits at the Arabic comma `،`, which joins clauses of one sentence ("أعلن ماكرون، الخميس، …" keeps
its subject).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

from newsmon.records import Sentence

LOGGER = logging.getLogger(__name__)

_DATA = Path(__file__).with_name("data")


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    """text[start:end] without edge white space, as offsets; None when nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


# -------------------------------------------------------------------------------------- display sentences

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
        if span := _trimmed(text, begin, end):
            sentences.append(Sentence(start=span[0], end=span[1]))
        begin = end
    if span := _trimmed(text, begin, len(text)):
        sentences.append(Sentence(start=span[0], end=span[1]))
    return sentences


# --------------------------------------------------------------------------------- the engine's own splitter

_ENGINE_ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "gen",
        "lt",
        "col",
        "sgt",
        "maj",
        "capt",
        "sen",
        "rep",
        "gov",
        "pres",
        "prof",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "no",
        "vs",
        "etc",
        "inc",
        "ltd",
        "corp",
        "co",
        "jr",
        "sr",
        "approx",
        "est",
        "dept",
        "fig",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
    }
)
_SENTENCE_END_RE = re.compile(r"[.!?؟؛]+[\"'”’»)]*(?=\s)|\n+")


def split_sentences_at_spaces(text: str) -> list[tuple[int, int]]:
    """[start, end) sentence spans: at . ! ? ؟ ؛ followed by space, and at line breaks. Not after an English
    abbreviation or an initial ("U.S.", "Mr.", "Donald J.")."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(text):
        if match.group().startswith("."):
            word = text[
                max(text.rfind(" ", start, match.start()), text.rfind("\n", start, match.start()))
                + 1 : match.start()
            ]
            if word.lower() in _ENGINE_ABBREVIATIONS or re.fullmatch(r"[A-Z]", word):
                continue
        if span := _trimmed(text, start, match.end()):
            spans.append(span)
        start = match.end()
    if span := _trimmed(text, start, len(text)):
        spans.append(span)
    return spans
