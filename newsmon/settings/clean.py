"""Clean-stage settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from newsmon.text.language import EXTRACTED_LANGUAGES

# Languages the identifier chooses among: the two we extract from plus the languages most often met on
# Arabic and English news feeds, so that a French or Persian page is named as such instead of being forced
# into "ar" or "en".
_CANDIDATES = [
    "ar",
    "en",
    "fa",
    "ur",
    "he",
    "tr",
    "fr",
    "de",
    "es",
    "it",
    "pt",
    "nl",
    "ru",
    "uk",
    "pl",
    "zh",
    "ja",
    "ko",
    "hi",
    "id",
    "ms",
    "sw",
    "so",
    "ku",
]


class CleanSettings(BaseModel):
    """`NEWSMON_CLEAN__*` / `[clean]`."""

    model_config = ConfigDict(extra="forbid")

    max_html_bytes: int = Field(
        default=3_000_000, ge=1, description="Larger pages go to the dead-letter topic (reason too_large)."
    )
    fast: bool = Field(
        default=False,
        description="trafilatura's fast mode: skip its fallback extractors (readability, jusText). Saves "
        "15-40 % of clean time per page and gives identical articles on well-formed pages, but on "
        "unbalanced markup (an unclosed <div>) the text comes out as one run-on paragraph with its "
        "boilerplate kept: worse on 9 of 480 pages with one stray tag, never better (measured).",
    )
    supported_languages: list[str] = Field(
        default_factory=lambda: list(EXTRACTED_LANGUAGES),
        description="Languages events are extracted from; others are flagged unsupported_language.",
    )
    language_candidates: list[str] = Field(
        default_factory=lambda: list(_CANDIDATES),
        description="ISO 639-1 codes the language identifier chooses among.",
    )
    min_language_confidence: float = Field(
        default=0.6, ge=0.0, le=1.0, description="Below this identifier probability the language is 'und'."
    )
    min_language_letters: int = Field(
        default=20, ge=1, description="Texts with fewer letters are too short to identify: 'und'."
    )
    language_sample_chars: int = Field(
        default=4000, ge=100, description="Characters of text given to the language identifier."
    )
    max_binary_ratio: float = Field(
        default=0.02,
        ge=0.0,
        le=1.0,
        description="Share of control/replacement characters in the first 8 KB "
        "above which a body is binary junk (dead-letter).",
    )
    max_boilerplate_words: int = Field(
        default=25,
        ge=1,
        description="Lines longer than this are never dropped as link lines, "
        "captions or block members: they are body text.",
    )
    min_paragraph_words: int = Field(
        default=8,
        ge=1,
        description="Main text needs one line at least this long; otherwise the "
        "page has no article (only menus) and falls back to the feed.",
    )
    related_block_max_lines: int = Field(
        default=8, ge=0, description="Link lines dropped after a 'read also' header."
    )
    site_boilerplate_min_pages: int = Field(
        default=5,
        ge=2,
        description="A line is site boilerplate once seen on this many distinct pages of one site.",
    )
    site_boilerplate_max_words: int = Field(
        default=15, ge=1, description="Only lines this short are learned as site boilerplate."
    )
    site_boilerplate_max_sites: int = Field(default=1000, ge=1, description="Sites remembered (LRU).")
    site_boilerplate_max_lines: int = Field(
        default=2000, ge=2, description="Distinct lines counted per site."
    )
    site_boilerplate_max_pages: int = Field(
        default=1000, ge=1, description="Page ids remembered per site to ignore redeliveries."
    )
