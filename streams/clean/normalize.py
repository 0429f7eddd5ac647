"""Unicode normalisation for the clean stage: the display form of text and the matching form.

The display form (`display_form`) is what analysts read and what sentence offsets point into: it keeps the
original letters (hamza, tashkeel, taa marbuta …) but is NFC, has no zero-width or bidi control characters,
one kind of quote and dash, and single spaces. The matching form (`matching_form`) is used only for matching
— dedup hashes, boilerplate and lexicon look-ups — and folds away the spelling variation Arabic news shows
between outlets (alef forms, alef maqsura, taa marbuta, diacritics, tatweel, digit scripts) and Latin case.
"""

from __future__ import annotations

import logging
import re
import unicodedata

LOGGER = logging.getLogger(__name__)

# Invisible characters that only steer rendering: zero-width (ZWSP, ZWNJ, ZWJ, word joiner, BOM, soft hyphen)
# and bidi controls (LRM, RLM, ALM, embeddings/overrides, isolates). Copy-paste between CMSs scatters them
# inside words, which breaks matching and offsets alike.
_INVISIBLE = (
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069"
)
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

_TASHKEEL = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans(
    {
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
)
_WHITESPACE = re.compile(r"\s+")


def display_form(text: str) -> str:
    """NFC text without invisible controls, with unified quotes, dashes and spaces; line breaks are kept."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").translate(_DISPLAY_TABLE)
    text = _COMPAT.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = _SPACE_RUN.sub(" ", SURROGATES.sub("\ufffd", text))
    return _LINE_EDGE_SPACE.sub("\n", text).strip(" ")


def fold_arabic(text: str) -> str:
    """Remove tashkeel and tatweel, unify alef/yaa/taa-marbuta variants and map Arabic-Indic/Persian digits
    to ASCII. Leaves ASCII untouched, so it is also safe on regular-expression source."""
    return _TASHKEEL.sub("", text).translate(_ARABIC_FOLD)


def matching_form(text: str) -> str:
    """The normalised form used only for matching (dedup hashes, lexicons): display form, NFKC, Arabic
    folding, lowercase, whitespace collapsed to single spaces."""
    return matching_form_of_display(display_form(text))


def matching_form_of_display(text: str) -> str:
    """`matching_form` of text already in display form (display_form's output, or lines or words of it):
    the same result without a second display pass, which is half the cost (a test checks the equality)."""
    text = unicodedata.normalize("NFKC", text)
    return _WHITESPACE.sub(" ", fold_arabic(text).lower()).strip()
