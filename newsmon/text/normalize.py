"""Unicode normalisation of Arabic and English news text: one display form and two matching forms.

- `display_form` is what analysts read and what sentence offsets point into (the clean stage writes it into
  every Article): it keeps the original letters (hamza, tashkeel, taa marbuta …) but is NFC, has no zero-width
  or bidi control characters, one kind of quote and dash, and single spaces.
- `matching_form` is for matching whole texts and lines — dedup hashes, boilerplate look-ups: it folds away
  the spelling variation Arabic news shows between outlets (alef forms, alef maqsura, taa marbuta, diacritics,
  tatweel, digit scripts), applies NFKC and Latin case, and collapses white space, so offsets do not survive.
- `normalise` is the extraction engine's matching form, which every lexicon entry and every sentence goes
  through: the same Arabic folding and lower-casing, but length-preserving apart from dropped characters, with
  a map back to the original offsets, so that a lexicon hit in the folded text is a span of the original.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

LOGGER = logging.getLogger(__name__)

# Tashkeel (harakat, shadda, sukun, dagger alef, Quranic marks) and tatweel: spelling, not meaning.
_TASHKEEL = "".join(
    [chr(c) for c in range(0x0610, 0x061B)]
    + [chr(c) for c in range(0x064B, 0x0660)]
    + ["\u0670", "\u0640"]
    + [chr(c) for c in range(0x06D6, 0x06EE)]
)
# Zero-width joiners and bidi controls (LRM, RLM, ALM, embeddings/overrides, isolates) that copy-paste between
# CMSs scatters inside words, which breaks matching and offsets alike.
_JOINERS_AND_BIDI = (
    "\u200b\u200c\u200d\u200e\u200f\u061c\ufeff"
    + "".join(chr(c) for c in range(0x202A, 0x202F))
    + "".join(chr(c) for c in range(0x2066, 0x206A))
)
# Letter variants that outlets use interchangeably (alef forms, alef maqsura, taa marbuta, Persian yeh and
# keheh) and Arabic-Indic and Persian digits, folded to one form each.
_ARABIC_FOLDING = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ى": "ي",
    "ة": "ه",
    "ی": "ي",
    "ک": "ك",
    **{chr(0x0660 + d): str(d) for d in range(10)},
    **{chr(0x06F0 + d): str(d) for d in range(10)},
}

# ------------------------------------------------------------------------------------------- display form

# Also the word joiner and the soft hyphen, invisible in display as well.
_INVISIBLE = _JOINERS_AND_BIDI + "\u2060\u00ad"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u301d\u301e\uff02"
_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u2039\u203a"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SPACES = (
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\f\v"
)

_DISPLAY_TABLE = str.maketrans(
    {
        **{c: None for c in _INVISIBLE},
        **{c: '"' for c in _DOUBLE_QUOTES},
        **{c: "'" for c in _SINGLE_QUOTES},
        **{c: "-" for c in _DASHES},
        **{c: " " for c in _SPACES},
        "\r": "\n",
    }
)

# Compatibility characters that are safe to decompose even in display text: Arabic presentation forms (legacy
# glyph encodings of ordinary letters) and full-width Latin/digits. NFKC on everything would also rewrite
# superscripts, fractions and ligatures a reader expects to see as written.
_COMPAT = re.compile("[\ufb50-\ufdff\ufe70-\ufefe\uff01-\uff5e]+")
_SPACE_RUN = re.compile(r" {2,}")
# Lone surrogates (from broken decoders or JSON escapes) cannot be encoded as UTF-8 on the wire.
SURROGATES = re.compile("[\ud800-\udfff]")
_LINE_EDGE_SPACE = re.compile(r" *\n *")


def display_form(text: str) -> str:
    """NFC text without invisible controls, with unified quotes, dashes and spaces; line breaks are kept."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").translate(_DISPLAY_TABLE)
    text = _COMPAT.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = _SPACE_RUN.sub(" ", SURROGATES.sub("\ufffd", text))
    return _LINE_EDGE_SPACE.sub("\n", text).strip(" ")


# ------------------------------------------------------------------------------------- matching form (texts)

_TASHKEEL_RE = re.compile("[" + re.escape(_TASHKEEL) + "]")
_ARABIC_FOLD_TABLE = str.maketrans(_ARABIC_FOLDING)
_WHITESPACE = re.compile(r"\s+")


def fold_arabic(text: str) -> str:
    """Remove tashkeel and tatweel, unify alef/yaa/taa-marbuta variants and map Arabic-Indic/Persian digits
    to ASCII. Leaves ASCII untouched, so it is also safe on regular-expression source."""
    return _TASHKEEL_RE.sub("", text).translate(_ARABIC_FOLD_TABLE)


def matching_form(text: str) -> str:
    """The normalised form used only for matching (dedup hashes, boilerplate): display form, NFKC, Arabic
    folding, lowercase, whitespace collapsed to single spaces."""
    return matching_form_of_display(display_form(text))


def matching_form_of_display(text: str) -> str:
    """`matching_form` of text already in display form (display_form's output, or lines or words of it):
    the same result without a second display pass, which is half the cost (a test checks the equality)."""
    text = unicodedata.normalize("NFKC", text)
    return _WHITESPACE.sub(" ", fold_arabic(text).lower()).strip()


# ----------------------------------------------------------------------- matching form with offsets (extract)

# Characters `normalise` drops. Not the word joiner and soft hyphen: display_form has removed them from every
# text the pipeline extracts from.
_DROPPED = _TASHKEEL + _JOINERS_AND_BIDI
_DROPPED_RE = re.compile("[" + re.escape(_DROPPED) + "]")
_DROPPED_SET = frozenset(_DROPPED)


def _offset_preserving_table() -> dict[int, str | None]:
    """Every replacement maps one character to one character, so offsets only move where one is dropped."""
    table: dict[int, str | None] = {ord(ch): None for ch in _DROPPED}
    table.update({ord(ch): folded for ch, folded in _ARABIC_FOLDING.items()})
    table[ord("ۀ")] = "ه"
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


_TABLE = _offset_preserving_table()


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
    """The extraction engine's matching form of `text` (tashkeel, tatweel and bidi marks dropped; Arabic
    letters and digits folded; Latin lower-cased; typographic quotes and dashes as ASCII) and its offset
    map."""
    folded = text.translate(_TABLE)
    if _DROPPED_RE.search(text) is None:
        return NormalisedText(folded, None, len(text))
    origin = tuple(i for i, ch in enumerate(text) if ch not in _DROPPED_SET)
    return NormalisedText(folded, origin, len(text))


def normalise_term(term: str) -> str:
    """Normal form of a lexicon term: the text normalisation plus collapsed spaces and hyphens."""
    return " ".join(normalise(term).text.replace("-", " ").split())
