"""Matching form of Arabic and English text, with a map back to the original offsets.

Owns the one normalisation every lexicon entry and every sentence goes through, so that a data file
written with hamzas, tashkeel or Arabic-Indic digits matches text written without them (and vice versa):
tashkeel, tatweel and bidi marks are dropped; alef forms become ا, ى → ي, ة → ه, Persian letters → Arabic;
Arabic-Indic and Persian digits → ASCII; Latin letters are lower-cased; typographic quotes and dashes become
ASCII. Every kept character maps to exactly one original character, so offsets map back without drift.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

LOGGER = logging.getLogger(__name__)

# Dropped characters: tashkeel (harakat, shadda, sukun, dagger alef, Quranic marks), tatweel, and the
# invisible direction / joiner marks that news CMSs scatter through Arabic text.
_DROPPED = (
    [chr(c) for c in range(0x0610, 0x061B)]
    + [chr(c) for c in range(0x064B, 0x0660)]
    + ["\u0670", "\u0640"]
    + [chr(c) for c in range(0x06D6, 0x06EE)]
    + ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\ufeff"]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)
_DROPPED_RE = re.compile("[" + "".join(re.escape(ch) for ch in _DROPPED) + "]")
_DROPPED_SET = frozenset(_DROPPED)


def _build_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(ch): None for ch in _DROPPED}
    for ch in "أإآٱ":
        table[ord(ch)] = "ا"
    table.update({ord("ى"): "ي", ord("ة"): "ه", ord("ی"): "ي", ord("ک"): "ك", ord("ۀ"): "ه"})
    for digit in range(10):
        table[0x0660 + digit] = str(digit)
        table[0x06F0 + digit] = str(digit)
    # Lower-casing through the table keeps the text length: str.lower() can grow a string ("İ" → "i̇").
    for code in list(range(ord("A"), ord("Z") + 1)) + list(range(0x00C0, 0x0250)):
        lowered = chr(code).lower()
        if len(lowered) == 1 and lowered != chr(code):
            table[code] = lowered
    table.update({ord(q): "'" for q in "‘’ʼ`´"})
    table.update({ord(q): '"' for q in "“”«»„"})
    table.update({ord(d): "-" for d in "‐‑‒–—―"})
    table.update({ord(s): " " for s in "\u00a0\u2009\u202f\t"})
    table[ord("٫")] = "."  # Arabic decimal separator
    table[ord("٬")] = ","  # Arabic thousands separator
    return table


_TABLE = _build_table()


@dataclass(frozen=True)
class NormalisedText:
    """`text` is the matching form; `origin[i]` is the original offset of `text[i]` (None: identity)."""

    text: str
    origin: tuple[int, ...] | None
    original_length: int

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalised text to the original text."""
        if self.origin is None:
            return start, end
        if start >= len(self.origin):
            return self.original_length, self.original_length
        original_end = self.origin[end - 1] + 1 if end > start else self.origin[start]
        return self.origin[start], original_end


def normalise(text: str) -> NormalisedText:
    """The matching form of `text` and its offset map."""
    folded = text.translate(_TABLE)
    if _DROPPED_RE.search(text) is None:
        return NormalisedText(folded, None, len(text))
    origin = tuple(i for i, ch in enumerate(text) if ch not in _DROPPED_SET)
    return NormalisedText(folded, origin, len(text))


def normalise_term(term: str) -> str:
    """Normal form of a lexicon term: the text normalisation plus collapsed spaces and hyphens."""
    return " ".join(normalise(term).text.replace("-", " ").split())


_ARABIC_LETTER_RE = re.compile(r"[\u0621-\u064A\u0671-\u06D3]")
_LATIN_LETTER_RE = re.compile(r"[A-Za-z\u00C0-\u024F]")


def detect_language(text: str) -> str:
    """ "ar" when Arabic letters are at least 30% of the letters, else "en" (news in other scripts is
    filtered out upstream by the clean stage)."""
    sample = text[:4000]
    arabic = len(_ARABIC_LETTER_RE.findall(sample))
    latin = len(_LATIN_LETTER_RE.findall(sample))
    if arabic + latin == 0:
        return "en"
    return "ar" if arabic / (arabic + latin) >= 0.3 else "en"
