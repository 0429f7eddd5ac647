"""Syndication-style copies of an article, the edits outlets make to a wire story they republish: used to
build labelled pair sets for `newsmon dedup --eval` (tests/dedup/syndication.py from the project's own texts,
`realset` from real articles). Every edit is deterministic given its `random.Random`. The kinds:

- `headline_boilerplate`: another headline, the outlet's share / "read also" boilerplate appended;
- `replaced_lead`: the first paragraph replaced by the outlet's own lead;
- `light_edits`: 4 % of the words replaced, numbers written another way (`rewrite_digits`);
- `trimmed_tail`: only the first two thirds of the paragraphs (by words) kept;
- `heavy_edit`: 12 % of the words replaced and two paragraphs swapped;
- `brief`: the headline and the first half of the paragraphs (by words) only.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

COPY_KINDS = ("headline_boilerplate", "replaced_lead", "light_edits", "trimmed_tail", "heavy_edit", "brief")
LIGHT_SHARE = 0.04
HEAVY_SHARE = 0.12
LEAD_SHARE = 0.5  # of the lead's words an outlet rewording the lead replaces, when it has no lead of its own
TRIMMED_KEEP = 2 / 3
BRIEF_KEEP = 1 / 2
_TRAILING = ".,;:!?؟،\"')"
_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_SMALL_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_NUMBER = re.compile(r"\b\d{1,3}(?:,\d{3})+\b|\b\d+\b")


@dataclass(frozen=True)
class Original:
    """What a copy is made from: the paragraphs, and what a copying outlet brings of its own."""

    lang: str
    headline: str | None
    body: list[str]  # paragraphs
    other_headline: str  # what a copying outlet titles it
    own_lead: str | None  # the copying outlet's own lead, if known (else the lead is reworded)
    boilerplate: list[str]  # lines a copying outlet appends (share links, "read also", its blurb)


def document(headline: str | None, body: list[str]) -> str:
    """A plain-text article as a copying outlet pastes it: the headline line, then the paragraphs."""
    return "\n\n".join([headline, *body] if headline else body)


def substitute(body: list[str], share: float, rng: random.Random, pool: list[str]) -> list[str]:
    """`share` of the words replaced by words of `pool`, at random places; a replaced word keeps its trailing
    punctuation, as a copy-editor's substitution does."""
    words = [paragraph.split(" ") for paragraph in body]
    places = [(p, w) for p, paragraph in enumerate(words) for w in range(len(paragraph))]
    for p, w in rng.sample(places, round(share * len(places))):
        word = words[p][w]
        core = word.rstrip(_TRAILING)
        words[p][w] = rng.choice(pool) + word[len(core) :]
    return [" ".join(paragraph) for paragraph in words]


def rewrite_digits(paragraph: str, lang: str) -> str:
    """Numbers as another desk writes them: Arabic-Indic digits in Arabic; in English thousands separators
    dropped and single digits spelled out."""
    if lang == "ar":
        return paragraph.translate(_ARABIC_INDIC)

    def rewritten(match: re.Match[str]) -> str:
        number = match.group()
        if "," in number:
            return number.replace(",", "")
        return _SMALL_NUMBERS[int(number)] if len(number) == 1 else number

    return _NUMBER.sub(rewritten, paragraph)


def first_share(body: list[str], share: float) -> list[str]:
    """The leading paragraphs holding at most `share` of the words (at least one, never all)."""
    total = sum(len(paragraph.split()) for paragraph in body)
    kept, words = [], 0
    for paragraph in body[:-1]:
        words += len(paragraph.split())
        if kept and words > share * total:
            break
        kept.append(paragraph)
    return kept or body[:1]


def copy_of(original: Original, kind: str, rng: random.Random, pool: list[str]) -> str:
    """The `kind` copy of `original` (kinds: COPY_KINDS); `pool` holds the replacement words (other texts'
    words of the same language: what an editor's synonyms are to a shingle, other words)."""
    body, headline = original.body, original.headline
    if kind == "headline_boilerplate":
        return document(original.other_headline, [*body, *original.boilerplate])
    if kind == "replaced_lead":
        lead = original.own_lead or substitute(body[:1], LEAD_SHARE, rng, pool)[0]
        body = [lead, *body[1:]]
    elif kind == "light_edits":
        body = [
            rewrite_digits(paragraph, original.lang) for paragraph in substitute(body, LIGHT_SHARE, rng, pool)
        ]
    elif kind == "trimmed_tail":
        body = first_share(body, TRIMMED_KEEP)
    elif kind == "heavy_edit":
        body = substitute(body, HEAVY_SHARE, rng, pool)
        first, second = sorted(rng.sample(range(1, len(body)), 2)) if len(body) > 2 else (0, 1)
        body = [*body]
        body[first], body[second] = body[second], body[first]
    elif kind == "brief":
        body = first_share(body, BRIEF_KEEP)
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return document(headline, body)
