"""Languages: the ones events are extracted from, identification (py3langid, restricted to candidate
languages, with a confidence floor), a quick Arabic-or-English reading, and writing direction. A feed's
language hint is not trusted: feeds mislabel, and multilingual outlets share one feed."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

from py3langid.langid import MODEL_FILE, LanguageIdentifier

LOGGER = logging.getLogger(__name__)

# The languages the lexicons, the sentence model and the labelled sets cover.
EXTRACTED_LANGUAGES = ("ar", "en")
_RTL_LANGUAGES = frozenset({"ar", "fa", "ur", "he", "yi", "ps", "sd", "ug", "dv", "ku", "ckb"})
_LETTER = re.compile(r"[^\W\d_]")
_RTL_LETTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3]")
LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")


@lru_cache(maxsize=4)
def _letters_at_least(count: int) -> re.Pattern[str]:
    """Matches a text with at least `count` letters, stopping at the count-th (counting every letter of a
    4000-character sample with findall costs ~0.5 ms a page). Anchored; disjoint classes keep it linear."""
    return re.compile(rf"(?:[\W\d_]*[^\W\d_]){{{count}}}")


@lru_cache(maxsize=4)
def _identifier(candidates: tuple[str, ...], min_confidence: float) -> LanguageIdentifier:
    """The model, loaded once per process (and candidate set): loading costs ~0.3 s."""
    identifier = LanguageIdentifier.from_model_file(
        MODEL_FILE, norm_probs=True, min_confidence=min_confidence
    )
    known = set(identifier.labels)
    unknown = sorted(set(candidates) - known)
    if unknown:
        LOGGER.warning("language identifier does not know %s; ignoring them", unknown)
    identifier.set_languages([code for code in candidates if code in known])
    return identifier


def identify_language(
    text: str, candidates: Sequence[str], *, min_confidence: float, min_letters: int, sample_chars: int
) -> str:
    """ISO 639-1 code of `text` among `candidates`, or "und" when its first `sample_chars` characters hold
    fewer than `min_letters` letters or the identifier's probability is below `min_confidence`."""
    sample = text[:sample_chars]
    if not _letters_at_least(min_letters).match(sample):
        return "und"
    identifier = _identifier(tuple(candidates), min_confidence)
    language, confidence = identifier.classify(sample)
    LOGGER.debug("language %s (%.2f)", language, confidence)
    return language


def arabic_or_english(text: str) -> str:
    """ "ar" when Arabic letters are at least 30% of the letters, else "en": the extraction engine's reading
    of text that comes without a language (news in other languages is filtered out by the clean stage)."""
    sample = text[:4000]
    arabic = len(ARABIC_LETTER.findall(sample))
    latin = len(LATIN_LETTER.findall(sample))
    if arabic + latin == 0:
        return "en"
    return "ar" if arabic / (arabic + latin) >= 0.3 else "en"


def direction(language: str, text: str) -> Literal["rtl", "ltr"]:
    """Writing direction: from the language when known, else from which letters dominate the text."""
    if language != "und":
        return "rtl" if language in _RTL_LANGUAGES else "ltr"
    letters = _LETTER.findall(text[:2000])
    rtl = sum(1 for letter in letters if _RTL_LETTER.match(letter))
    return "rtl" if letters and rtl * 2 > len(letters) else "ltr"
