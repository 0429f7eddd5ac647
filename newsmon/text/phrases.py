"""The morphology-aware phrase matcher, and the gazetteer of the parties news names (data/gazetteer.tsv).

Owns how a word in a sentence is found in phrase data: sentences are tokenised in their normalised form,
Arabic tokens are expanded into their possible stems (clitic prefixes و ف ب ك ل س ال, agreement and pronoun
suffixes), English data words are expanded into their inflected forms, and the longest phrase starting at
each token wins. Part of the text toolkit: extraction matches its lexicon and the gazetteer with it, dedup
reads the parties of a text through the gazetteer alone (`load_gazetteer`). The matcher can also build a
pre-filter: one compiled regex of the words of chosen tags that tells, in one scan, whether a sentence can
hold any of them.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from newsmon.records import Party
from newsmon.text.normalize import normalise_term

GAZETTEER = Path(__file__).resolve().parent / "data" / "gazetteer.tsv"

_ARABIC_SUFFIXES = (
    "هما",
    "تها",
    "ته",
    "تهم",
    "ها",
    "هم",
    "هن",
    "كم",
    "نا",
    "وا",
    "ون",
    "ين",
    "ان",
    "ات",
    "تان",
    "تين",
    "يه",
    "يين",
    "يون",
    "ه",
    "ت",
    "ا",
    "ي",
)
_CLITIC_CONJUNCTIONS = "وف"
_CLITIC_PREPOSITIONS = "بكلس"
_TOKEN_RE = re.compile(r"\w+(?:'\w+)?|[،,;؛:]")
_ARABIC_RE = re.compile(r"[\u0621-\u064A]")
CLAUSE_PUNCTUATION = frozenset("،,;؛:")


@dataclass(frozen=True)
class PartyEntry:
    party: Party
    kind: str  # country | capital | leader | demonym | institution | org | blocker
    surface: str | None  # set only for case-sensitive surfaces ("US", "UN"): the exact original spelling


@dataclass(slots=True)
class Token:
    start: int  # offsets in the normalised sentence
    end: int
    text: str
    stems: frozenset[str]
    # stem → clitic prefix stripped to reach it, longest stem first: the least-stripped reading wins a tie
    prefix_of: dict[str, str] = field(hash=False, compare=False)

    @property
    def is_punctuation(self) -> bool:
        return self.text in CLAUSE_PUNCTUATION


@dataclass(frozen=True)
class Hit:
    """A lexicon or gazetteer phrase found at tokens [first, last]."""

    first: int
    last: int
    tags: frozenset[str]
    parties: tuple[PartyEntry, ...]
    prefix: str  # Arabic clitics on the first word (e.g. "ل", "وب"); "" for none


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    tags: frozenset[str]
    parties: tuple[PartyEntry, ...]


class Lexicon:
    """Tagged phrases and gazetteer surfaces, indexed by the first word of each phrase. `prefilter` matches
    the words of the `prefilter_tags` (with none, it matches nothing)."""

    def __init__(
        self,
        tag_terms: dict[str, dict[str, list[str]]],
        gazetteer_rows: list[tuple[str, str, str]],
        excluded_forms: dict[str, list[str]],
        prefilter_tags: frozenset[str] = frozenset(),
    ):
        tags_by_words: dict[tuple[str, ...], set[str]] = defaultdict(set)
        parties_by_words: dict[tuple[str, ...], list[PartyEntry]] = defaultdict(list)
        for tag, by_language in tag_terms.items():
            excluded = {tuple(normalise_term(form).split()) for form in excluded_forms.get(tag, [])}
            for term in by_language.get("en", []) + by_language.get("ar", []):
                for words in _surface_forms(term):
                    if words not in excluded:
                        tags_by_words[words].add(tag)
        names = _canonical_names(gazetteer_rows)
        for code, kind, surface in gazetteer_rows:
            case_sensitive = surface.endswith("!")
            surface = surface.rstrip("!")
            entry = PartyEntry(Party(name=names[code], code=code), kind, surface if case_sensitive else None)
            for words in _surface_forms(surface, inflect=False):
                if entry not in parties_by_words[words]:
                    parties_by_words[words].append(entry)
        # Single words by word; longer phrases by their first two words, longest first.
        self._single: dict[str, Phrase] = {}
        multi: dict[tuple[str, str], list[Phrase]] = defaultdict(list)
        for words in set(tags_by_words) | set(parties_by_words):
            phrase = Phrase(
                words, frozenset(tags_by_words.get(words, ())), tuple(parties_by_words.get(words, ()))
            )
            if len(words) == 1:
                self._single[words[0]] = phrase
            else:
                multi[words[:2]].append(phrase)
        for phrases in multi.values():
            phrases.sort(key=lambda phrase: -len(phrase.words))
        self._multi = dict(multi)
        self._phrase_starts = frozenset(first for first, _second in multi)
        triggers = [words for words, tags in tags_by_words.items() if tags & prefilter_tags]
        self.prefilter = _prefilter(triggers) if triggers else re.compile(r"(?!)")

    def _longest_at(self, tokens: list[Token], i: int) -> tuple[int, Phrase, str] | None:
        best: tuple[int, Phrase, str] | None = None
        following = tokens[i + 1].prefix_of if i + 1 < len(tokens) else {}
        for stem, prefix in tokens[i].prefix_of.items():
            for second in following if stem in self._phrase_starts else ():
                for phrase in self._multi.get((stem, second), ()):
                    length = len(phrase.words)
                    if best is not None and length <= best[0]:
                        break
                    if i + length <= len(tokens) and all(
                        phrase.words[k] in tokens[i + k].stems for k in range(2, length)
                    ):
                        best = (length, phrase, prefix)
                        break
            if best is None and stem in self._single:
                best = (1, self._single[stem], prefix)
        return best

    def tokenise(self, normalised: str) -> list[Token]:
        return [_token(match.start(), match.end(), match.group()) for match in _TOKEN_RE.finditer(normalised)]

    def match(
        self,
        tokens: list[Token],
        original: str | None = None,
        to_original: Callable[[int, int], tuple[int, int]] | None = None,
    ) -> list[Hit]:
        """Longest phrases, left to right, without overlap. `original`/`to_original` check case-sensitive
        surfaces ("US" is a country, "us" a pronoun)."""
        hits: list[Hit] = []
        i = 0
        while i < len(tokens):
            best = self._longest_at(tokens, i)
            if best is None:
                i += 1
                continue
            length, phrase, prefix = best
            parties = phrase.parties
            if original is not None and any(entry.surface for entry in parties):
                start, end = to_original(tokens[i].start, tokens[i + length - 1].end)
                parties = tuple(
                    entry
                    for entry in parties
                    # "US$25,000" is a currency, not the United States
                    if entry.surface is None
                    or (original[start:end] == entry.surface and original[end : end + 1] != "$")
                )
            if parties and _is_nisba(tokens[i + length - 1].text, phrase.words[-1]):
                parties = tuple(replace(entry, kind="demonym") for entry in parties)
            if phrase.tags or parties:
                hits.append(Hit(i, i + length - 1, phrase.tags, parties, prefix))
            i += length
        return hits


def _prefilter(triggers: list[tuple[str, ...]]) -> re.Pattern[str]:
    # A phrase is found by its first word, or by its longest when that one is too short to be telling
    # ("f" of "f 16").
    # Whole words only ("aid" is not in "said", "ban" not in "bank"): English words are listed with their
    # inflections, Arabic ones get the matcher's clitics and suffixes. An Arabic phrase is found by its
    # first word (its other words agree in form), or whole when that word is too short ("اف 16").
    # English phrases are found whole ("price cap", not every "price"): all their forms are listed.
    english = sorted({" ".join(words) for words in triggers if not _ARABIC_RE.match(words[0])})
    arabic = sorted(
        {
            words[0] if len(words[0]) >= 3 else " ".join(words)
            for words in triggers
            if _ARABIC_RE.match(words[0])
        }
    )
    suffixes = "|".join(sorted(_ARABIC_SUFFIXES, key=len, reverse=True))
    english_pattern = _alternation(english).replace(r"\ ", r"[\s-]+")
    return re.compile(
        rf"(?<![a-z0-9]){english_pattern}(?![a-z])"
        rf"|(?<![\u0621-\u064a])[وف]?(?:[بكلس]|لل)?(?:ال)?{_alternation(arabic)}(?:{suffixes})?(?![\u0621-\u064a])"
    )


def _is_nisba(word: str, stem: str) -> bool:
    """An Arabic name with the adjective ending ي ("اليمنية", "اليمنيين" from اليمن) is a demonym: "the
    Yemeni civil war" names no actor."""
    start = word.find(stem)
    return bool(_ARABIC_RE.match(word)) and start >= 0 and word[start + len(stem) :].startswith("ي")


def _token(start: int, end: int, text: str) -> Token:
    prefix_of, stems = _readings(text)
    return Token(start, end, text, stems, prefix_of)


@lru_cache(maxsize=200_000)
def _readings(word: str) -> tuple[dict[str, str], frozenset[str]]:
    """The stems a word can be read as, each with the clitic prefix stripped to reach it (shared: read
    only)."""
    if _ARABIC_RE.match(word):
        prefix_of = dict(_arabic_stems(word))
    else:
        prefix_of = {word: ""}
        if word.endswith("'s"):
            prefix_of[word[:-2]] = ""
        if word.endswith("n't"):
            prefix_of["not"] = ""
    return prefix_of, frozenset(prefix_of)


def _arabic_stems(word: str) -> list[tuple[str, str]]:
    bases = [(word, "")]
    if word[0] in _CLITIC_CONJUNCTIONS and len(word) > 2:
        bases.append((word[1:], word[0]))
    for base, prefix in list(bases):
        if base[:1] in _CLITIC_PREPOSITIONS and len(base) > 3:
            bases.append((base[1:], prefix + base[0]))
    for base, prefix in list(bases):
        if base.startswith("ال") and len(base) > 3:
            bases.append((base[2:], prefix + "ال"))
        elif base.startswith("ل") and prefix.endswith("ل") and len(base) > 3:
            bases.append((base[1:], prefix + "ال"))  # لل = ل + ال
    stems: dict[str, str] = {}
    for base, prefix in bases:
        stems.setdefault(base, prefix)
        for suffix in _ARABIC_SUFFIXES:
            if base.endswith(suffix) and len(base) - len(suffix) >= 2:
                stems.setdefault(base[: -len(suffix)], prefix)
    return sorted(stems.items(), key=lambda item: -len(item[0]))


def _surface_forms(term: str, inflect: bool = True) -> list[tuple[str, ...]]:
    """Word tuples a data term stands for: Arabic words with and without their article; with `inflect`
    (lexicon words, not names) imperfect verbs in every person prefix and English first and last words in
    their inflected forms. Words as the tokeniser cuts them, so that "U.S." is the two tokens of "the U.S.
    imposed"; a symbol the tokeniser skips ("$", "€") stays whole, for the pre-filter."""
    normalised = normalise_term(term)
    words = _TOKEN_RE.findall(normalised) or normalised.split()
    if not words:
        return []
    if _ARABIC_RE.match(words[0]):
        # A leading ال may be the article (الاتحاد) or part of the word (المانيا): keep both readings.
        variants = [{word, word[2:]} if word.startswith("ال") and len(word) > 4 else {word} for word in words]
        first = words[0]
        if inflect and first.startswith("ي") and len(first) >= 3:
            variants[0] |= {letter + first[1:] for letter in "تنا"}
        return sorted(itertools.product(*variants))
    if not inflect:
        return [tuple(words)]
    forms = {tuple(words)}
    for position in {0, len(words) - 1}:
        forms |= {
            form[:position] + (inflected,) + form[position + 1 :]
            for form in forms
            for inflected in _english_inflections(form[position])
        }
    return sorted(forms)


def _english_inflections(word: str) -> set[str]:
    if not word.isalpha() or len(word) < 3:
        return {word}
    forms = {word, word + "s", word + "es", word + "ed", word + "ing"}
    if word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing"}
    if word.endswith("y"):
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    return forms


def _canonical_names(rows: list[tuple[str, str, str]]) -> dict[str, str]:
    names: dict[str, str] = {}
    for code, _kind, surface in rows:
        names.setdefault(code, surface.rstrip("!"))
    return names


def _alternation(words: list[str]) -> str:
    """A regex matching any of `words`, shaped as a trie so the engine branches once per character."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_pattern(trie)


def _trie_pattern(node: dict) -> str:
    branches = [re.escape(ch) + _trie_pattern(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    group = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # A word may end here or go on ("ban", "banned"): longest first, the word boundary after decides.
    if "" in node:
        return f"(?:{group})?" if len(branches) > 1 or len(branches[0]) > 1 else f"{group}?"
    return group


def read_gazetteer(path: Path = GAZETTEER) -> list[tuple[str, str, str]]:
    """(code, kind, surface) rows of the gazetteer, one per surface."""
    rows: list[tuple[str, str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, kind, surfaces = line.split("\t")
        rows.extend((code, kind, surface.strip()) for surface in surfaces.split("|") if surface.strip())
    return rows


@lru_cache(maxsize=1)
def load_gazetteer() -> Lexicon:
    """A matcher over the gazetteer alone (no tagged phrases), once per process."""
    return Lexicon({}, read_gazetteer(), {})
