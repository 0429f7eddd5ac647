"""Residual boilerplate: lines that trafilatura keeps but that are not news — "read also" link lists, share
and follow prompts, previous/next navigation, agency bylines, photo credits — and lines a site repeats on
many of its pages.

Rules are data (data/boilerplate_*.txt, one regex per line, documented there); this module loads them once
per process, applies them to an extracted page's lines, and owns `SiteBoilerplate`, the bounded learner of a
site's repeated lines whose result the agent passes back into `clean_page`.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from newsmon.records import Article
from newsmon.settings.clean import CleanSettings
from newsmon.text.normalize import fold_arabic, matching_form_of_display

LOGGER = logging.getLogger(__name__)

_DATA = Path(__file__).with_name("data")
_KINDS = ("line", "block", "contains")
_LEADING = re.compile(r"^[\s•·*>»›|#-]+")
_TRAILING = re.compile(r"[\s:.,،!|>»›-]+$")
# A headline-like line in plain text (no link markup to go by): not ending like a sentence of body text.
_SENTENCE_END = re.compile(r"[.۔]\W*$")


@dataclass(frozen=True)
class Line:
    """One line of extracted text in display form (normalize.display_form); `is_link` when it was nothing but
    a hyperlink on the page."""

    text: str
    is_link: bool = False


@dataclass(frozen=True)
class Rules:
    line: re.Pattern[str]
    block: re.Pattern[str]
    contains: re.Pattern[str]


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    """Compile every data/boilerplate_*.txt once per process into one alternation per kind."""
    patterns: dict[str, list[str]] = {kind: [] for kind in _KINDS}
    for path in sorted(_DATA.glob("boilerplate_*.txt")):
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            raw = raw.strip()
            if not raw or raw.startswith("#"):
                continue
            kind, sep, pattern = raw.partition(":")
            if not sep or kind.strip() not in _KINDS:
                raise ValueError(f"{path.name}:{number}: expected 'line:', 'block:' or 'contains:': {raw!r}")
            source = fold_arabic(pattern.strip())
            re.compile(source)  # fail here, naming the file and line, rather than in the joined pattern
            patterns[kind.strip()].append(f"(?:{source})")
    compiled = {
        kind: re.compile("|".join(items) or r"(?!)", re.IGNORECASE) for kind, items in patterns.items()
    }
    LOGGER.debug("boilerplate rules: %s", {kind: len(items) for kind, items in patterns.items()})
    return Rules(**compiled)


def _key(text: str) -> str:
    """The form rules are matched against: matching form without bullets and trailing punctuation. `text` is
    in display form (lines, titles and article paragraphs all are), so the display pass is skipped."""
    return _TRAILING.sub("", _LEADING.sub("", matching_form_of_display(text)))


def strip_boilerplate(
    lines: list[Line],
    settings: CleanSettings,
    site_boilerplate: frozenset[str] = frozenset(),
    title: str | None = None,
    link_markup: bool = True,
) -> tuple[list[str], list[str]]:
    """Split lines into (kept, removed). `link_markup` says whether `Line.is_link` is known (HTML); without
    it (plain text), the lines after a block header are taken while they look like headlines."""
    rules = load_rules()
    title_key = _key(title) if title else None
    kept: list[str] = []
    removed: list[str] = []
    in_block = 0  # link lines still allowed after a block header
    for line in lines:
        key = _key(line.text)
        words = len(key.split())
        short = words <= settings.max_boilerplate_words
        if in_block and short and (line.is_link if link_markup else not _SENTENCE_END.search(line.text)):
            in_block -= 1
            removed.append(line.text)
            continue
        in_block = 0
        if not key:
            continue
        if rules.block.fullmatch(key):
            in_block = settings.related_block_max_lines
            removed.append(line.text)
        elif (
            (line.is_link and short)
            or key == title_key
            or key in site_boilerplate
            or rules.line.fullmatch(key)
            or (short and rules.contains.search(key))
        ):
            removed.append(line.text)
        else:
            kept.append(line.text)
    return kept, removed


def site_of(url: str) -> str:
    """The site a page belongs to for learning repeated lines: its host without "www."."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


@dataclass
class _Site:
    pages: OrderedDict[str, None] = field(default_factory=OrderedDict)
    counts: dict[str, int] = field(default_factory=dict)


class SiteBoilerplate:
    """Learns the lines a site repeats across its pages (menus, taglines, bylines trafilatura keeps).

    Pure and in-memory: the agent calls `observe_article` with each cleaned Article and passes
    `frequent(site_of(page.canonical_url))` to `clean_page`. A line counts once per distinct page; only short
    lines are learned (long ones are news, even when a site repeats them), and memory is bounded by the
    number of sites, lines per site and remembered page ids per site.
    """

    def __init__(
        self,
        min_pages: int = 5,
        max_sites: int = 1000,
        max_lines_per_site: int = 2000,
        max_pages_per_site: int = 1000,
        max_words: int = 15,
    ) -> None:
        self.min_pages = min_pages
        self.max_sites = max_sites
        self.max_lines_per_site = max_lines_per_site
        self.max_pages_per_site = max_pages_per_site
        self.max_words = max_words
        self._sites: OrderedDict[str, _Site] = OrderedDict()

    @classmethod
    def from_settings(cls, settings: CleanSettings) -> SiteBoilerplate:
        return cls(
            min_pages=settings.site_boilerplate_min_pages,
            max_sites=settings.site_boilerplate_max_sites,
            max_lines_per_site=settings.site_boilerplate_max_lines,
            max_pages_per_site=settings.site_boilerplate_max_pages,
            max_words=settings.site_boilerplate_max_words,
        )

    def observe(self, site: str, page_id: str, lines: Iterable[str]) -> None:
        """Count each distinct short line (display form) of one page; a page seen before (redelivery) is
        ignored."""
        state = self._sites.get(site)
        if state is None:
            state = self._sites[site] = _Site()
            if len(self._sites) > self.max_sites:
                self._sites.popitem(last=False)  # the least recently observed site
        self._sites.move_to_end(site)
        if page_id in state.pages:
            return
        state.pages[page_id] = None
        if len(state.pages) > self.max_pages_per_site:
            state.pages.popitem(last=False)
        for key in {_key(line) for line in lines}:
            if key and len(key.split()) <= self.max_words:
                state.counts[key] = state.counts.get(key, 0) + 1
        if len(state.counts) > self.max_lines_per_site:
            self._prune(state)

    def observe_article(self, article: Article) -> None:
        """Observe a cleaned Article: its kept paragraphs and the lines already removed from it (so a learned
        line keeps its count once it is being dropped)."""
        self.observe(
            site_of(article.canonical_url),
            article.article_id,
            [*article.paragraphs, *article.removed_boilerplate],
        )

    def frequent(self, site: str) -> frozenset[str]:
        """Lines (in the rules' matching key form) seen on at least `min_pages` distinct pages of `site`."""
        state = self._sites.get(site)
        if state is None:
            return frozenset()
        return frozenset(key for key, count in state.counts.items() if count >= self.min_pages)

    def _prune(self, state: _Site) -> None:
        """Keep the most frequent half of a site's lines: one-off lines are the bulk and never matter."""
        ranked = sorted(state.counts.items(), key=lambda item: item[1], reverse=True)
        state.counts = dict(ranked[: self.max_lines_per_site // 2])
