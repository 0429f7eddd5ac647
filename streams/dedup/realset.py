"""The real-text syndication set: copies made from real news articles the project did not write, and real
articles of one topic that must stay apart, scored by `newsmon dedup --eval`.

The repository holds no third-party text. `data/realset_articles.jsonl` points at each article (repository,
commit, file, zip member, article index, text field, outlet, sha256 of the text and of the title);
`data/realset_pairs.jsonl` holds the labelled pairs as recipes: which article (or which copy of it, made by
streams/dedup/syndication.py with the recorded seed) is a, which is b, label and kind. The articles are read
back through the corpus readers of streams/extract/sampling.py from mirrors fetched with the search tool's
`fetch` (bare git directories `<owner>+<name>/repo`) and checked against their hashes:

    python -m newsmon.streams.dedup.realset materialise --out /tmp/realset.jsonl
    newsmon dedup --eval /tmp/realset.jsonl

Sources: Arabic from SaudiNewsNet (11 Saudi outlets, July-August 2015), English from FNC-1 article bodies
(the Emergent set of 2014-15); articles of 4-12 paragraphs and 150-900 words, no paragraph over 35 % of
them (AG News items are one or two sentences and the BBC texts have lost their paragraph breaks: neither can
be trimmed or briefed). Per source, the six copy kinds of syndication.py and `full_after_brief` (the brief
first, then the whole: same story, not a copy). Hard negatives (`same_topic`, label `related`): for each
source the two articles of the same corpus (Arabic: of the same day) sharing the most content words with it,
among those sharing no verbatim passage (under 10 % of their 8-word shingles) — other reports of the same
story or topic, never a copy. Whether they report one story is not labelled, so they count for the
duplicate decision only.

`draw` wrote the committed files (`--seed 20261206`); rerunning it with that seed on the same mirrors
rewrites them unchanged.

The cross-language set (`data/crosslingual_articles.jsonl`, `data/crosslingual_pairs.jsonl`, same formats):
pairs of an Arabic report (Al Mayadeen, 2023) and an English one (an entry of the 2023 news feeds of the RSS
link database: title and description), each judged by reading both as reports of the same event (label
`same_story`), of another event of the same story or topic, or unrelated (`different`); the kind names the
judgement and how many distinctive numbers the two share (`same_event/2+num`). They were judged, not drawn
by a seed: the files are the record. `materialise --set crosslingual [--split dev|test]` writes them for
`newsmon dedup --eval` (with `dedup.cross_language_stories` on); README, "Cross-language stories".
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import random
import re
import subprocess
import sys
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from newsmon.streams.dedup import syndication
from newsmon.streams.dedup.evaluation import Label, LabelledPair
from newsmon.streams.dedup.syndication import COPY_KINDS, Original
from newsmon.streams.extract import realtext, sampling
from newsmon.streams.extract.sampling import SourceArticle

DATA_DIR = Path(__file__).resolve().parent / "data"
ARTICLES_FILE = DATA_DIR / "realset_articles.jsonl"
PAIRS_FILE = DATA_DIR / "realset_pairs.jsonl"
CROSS_ARTICLES_FILE = DATA_DIR / "crosslingual_articles.jsonl"
CROSS_PAIRS_FILE = DATA_DIR / "crosslingual_pairs.jsonl"
CROSS_LANGUAGE = "ar+en"  # the `lang` of a cross-language pair: a is the Arabic report, b the English one
SPLITS = ("dev", "test")
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
DRAW_SEED = 20261206
SOURCES_PER_LANGUAGE = 30
NEGATIVES_PER_SOURCE = 2
MIN_PARAGRAPHS, MAX_PARAGRAPHS = 4, 12
MIN_WORDS, MAX_WORDS = 150, 900
MAX_PARAGRAPH_SHARE = 0.35
VERBATIM_SHINGLE = 8
MAX_VERBATIM_SHARE = 0.1
HEADLINE_WORDS = 9
# Lines a copying outlet appends: share links, "read also", its own blurb (this set's outlet, not the tests').
BOILERPLATE = {
    "en": [
        "Share this article: Facebook Twitter Email WhatsApp",
        "Read also: more world news from our correspondents",
        "Copyright 2015 The Evening Ledger. All rights reserved.",
    ],
    "ar": [
        "شارك الخبر: فيسبوك تويتر واتساب",
        "اقرأ أيضاً: المزيد من الأخبار المحلية والدولية",
        "جميع الحقوق محفوظة لصحيفة المساء 2015",
    ],
}
DRAW_READERS = {"ar": sampling.saudinewsnet_articles, "en": sampling.fnc1_articles}
_PARAGRAPH_BREAK = re.compile(r"\s*\n\s*")
_CONTENT_WORD = re.compile(r"\w{4,}")
_MARKUP_TAG = re.compile(r"<[^>]*>")


class PointerMismatch(Exception):
    """An article pointer no longer finds the text that was drawn."""


@dataclass(frozen=True)
class ArticlePointer:
    """Where a real article is: the corpus row, the text field, and hashes of what was drawn."""

    id: str
    lang: str
    repo: str
    commit: str
    path: str
    member: str | None
    article: int
    field: str
    outlet: str | None
    sha256: str  # of the text field
    title_sha256: str | None  # of the title, when the corpus has one (it is the original's headline)

    @property
    def location(self) -> tuple[str, str, str | None, int]:
        return (self.repo, self.path, self.member, self.article)


@dataclass(frozen=True)
class Side:
    """One side of a pair: a real article, or the `copy` kind of it made with the pair's seed."""

    article: str  # an ArticlePointer id
    copy: str | None = None


@dataclass(frozen=True)
class PairRecipe:
    id: str
    lang: str
    kind: str
    label: Label
    a: Side
    b: Side
    seed: int


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def paragraphs(text: str) -> list[str]:
    """The non-empty lines of an article's text (both corpora separate paragraphs by line breaks)."""
    return [line for line in _PARAGRAPH_BREAK.split(text.strip()) if line]


def pointer_of(article: SourceArticle, lang: str) -> ArticlePointer:
    member = f":{article.member}" if article.member else ""
    return ArticlePointer(
        id=f"{lang}-{zlib.crc32(f'{article.repo}:{article.path}{member}:{article.index}'.encode()):08x}",
        lang=lang,
        repo=article.repo,
        commit=article.commit,
        path=article.path,
        member=article.member,
        article=article.index,
        field=article.field,
        outlet=article.outlet,
        sha256=_sha256(article.text),
        title_sha256=_sha256(article.title) if article.title else None,
    )


# ------------------------------------------------------------------------------------------------ drawing


def _usable(article: SourceArticle) -> bool:
    """Long enough to brief and trim, and no paragraph over MAX_PARAGRAPH_SHARE of the words (one huge
    paragraph would make the brief nearly the whole article, and a replaced lead most of it)."""
    body = paragraphs(article.text)
    words = len(article.text.split())
    return (
        MIN_PARAGRAPHS <= len(body) <= MAX_PARAGRAPHS
        and MIN_WORDS <= words <= MAX_WORDS
        and max(len(paragraph.split()) for paragraph in body) <= MAX_PARAGRAPH_SHARE * words
    )


def _content_words(text: str) -> set[str]:
    return set(_CONTENT_WORD.findall(text.lower()))


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = text.split()
    return {tuple(words[i : i + VERBATIM_SHINGLE]) for i in range(len(words) - VERBATIM_SHINGLE + 1)}


def _shares_a_passage(first: str, second: str) -> bool:
    a, b = _shingles(first), _shingles(second)
    return len(a & b) >= MAX_VERBATIM_SHARE * max(1, min(len(a), len(b)))


def _neighbours(source: SourceArticle, pool: list[SourceArticle], lang: str) -> list[SourceArticle]:
    """The articles of `pool` (Arabic: of the source's day) sharing the most content words with `source`,
    none sharing a verbatim passage with it, most similar first."""
    words = _content_words(source.text)
    ranked = sorted(
        (
            (-len(words & _content_words(other.text)) / max(1, len(words | _content_words(other.text))), i)
            for i, other in enumerate(pool)
            if other.text != source.text and (lang != "ar" or other.path == source.path)
        ),
    )
    chosen: list[SourceArticle] = []
    for _, i in ranked:
        if len(chosen) == NEGATIVES_PER_SOURCE:
            break
        if not _shares_a_passage(source.text, pool[i].text):
            chosen.append(pool[i])
    return chosen


def _seed(article_id: str, kind: str) -> int:
    return zlib.crc32(f"{article_id}:{kind}".encode())


def draw(mirrors: Path, seed: int) -> tuple[list[ArticlePointer], list[PairRecipe]]:
    """The set's article pointers and pair recipes, drawn from the corpora with `seed`."""
    rng = random.Random(seed)
    pointers: dict[str, ArticlePointer] = {}
    recipes: list[PairRecipe] = []
    for lang, reader in DRAW_READERS.items():
        seen: set[str] = set()
        pool = []
        for article in reader(mirrors):
            if _usable(article) and article.text not in seen:
                seen.add(article.text)
                pool.append(article)
        for source in rng.sample(pool, SOURCES_PER_LANGUAGE):
            pointer = pointers.setdefault(pointer_of(source, lang).id, pointer_of(source, lang))
            sides = [(kind, Side(pointer.id), Side(pointer.id, kind), "duplicate") for kind in COPY_KINDS]
            sides.append(("full_after_brief", Side(pointer.id, "brief"), Side(pointer.id), "same_story"))
            for other in _neighbours(source, pool, lang):
                other_pointer = pointers.setdefault(pointer_of(other, lang).id, pointer_of(other, lang))
                sides.append(("same_topic", Side(pointer.id), Side(other_pointer.id), "related"))
            recipes += [
                PairRecipe(
                    f"{pointer.id}:{kind}:{b.article}", lang, kind, label, a, b, _seed(pointer.id, kind)
                )
                for kind, a, b, label in sides
            ]
    return list(pointers.values()), recipes


# ----------------------------------------------------------------------------------------- materialising


def read_pointers(path: Path = ARTICLES_FILE) -> list[ArticlePointer]:
    return [
        ArticlePointer(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line
    ]


def read_recipes(path: Path = PAIRS_FILE) -> list[PairRecipe]:
    recipes = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line:
            record = json.loads(line)
            recipes.append(PairRecipe(**{**record, "a": Side(**record["a"]), "b": Side(**record["b"])}))
    return recipes


def fetch_articles(pointers: Iterable[ArticlePointer], mirrors: Path) -> dict[str, SourceArticle]:
    """The articles pointed at, read from the mirrors and checked against their hashes
    (`realtext.MirrorMissing` when a corpus has not been fetched)."""
    found: dict[str, SourceArticle] = {}
    for pointer in sorted(pointers, key=lambda pointer: pointer.location):  # file by file: one read each
        try:
            record = realtext.article_record(
                pointer.repo, pointer.commit, pointer.path, pointer.member, pointer.article, mirrors
            )
        except (IndexError, subprocess.CalledProcessError) as error:
            missing = f"{pointer.id}: {pointer.repo} {pointer.path} has no such article"
            raise PointerMismatch(missing) from error
        text, title = record.get(pointer.field) or "", record.get("title") or None
        if _sha256(text) != pointer.sha256 or (_sha256(title) if title else None) != pointer.title_sha256:
            raise PointerMismatch(f"{pointer.id}: {pointer.repo} {pointer.path} no longer holds the article")
        found[pointer.id] = SourceArticle(
            pointer.repo,
            pointer.commit,
            pointer.path,
            pointer.member,
            pointer.article,
            pointer.field,
            pointer.outlet,
            text,
            title,
        )
    return found


def original(article: SourceArticle, lang: str) -> Original:
    body = paragraphs(article.text)
    return Original(
        lang=lang,
        headline=article.title,
        body=body,
        other_headline=" ".join(body[0].split()[:HEADLINE_WORDS]),
        own_lead=None,
        boilerplate=BOILERPLATE[lang],
    )


def _pools(originals: dict[str, Original]) -> dict[str, list[str]]:
    """Replacement words per article: the words of the set's other articles of its language."""
    by_language: dict[str, Counter[str]] = defaultdict(Counter)
    own: dict[str, set[str]] = {}
    for article_id, source in originals.items():
        own[article_id] = {
            word.strip(".,;:\"'()")
            for p in source.body
            for word in p.split()
            if len(word.strip(".,;:\"'()")) > 2
        }
        by_language[source.lang].update(own[article_id])
    return {
        article_id: sorted(
            word
            for word, n in by_language[originals[article_id].lang].items()
            if n > (word in own[article_id])
        )
        for article_id in originals
    }


def materialise(
    mirrors: Path = realtext.DEFAULT_MIRRORS,
    pointers: list[ArticlePointer] | None = None,
    recipes: list[PairRecipe] | None = None,
) -> list[LabelledPair]:
    """The labelled pairs, text and all, rebuilt from the mirrors."""
    pointers = read_pointers() if pointers is None else pointers
    recipes = read_recipes() if recipes is None else recipes
    articles = fetch_articles(pointers, mirrors)
    originals = {p.id: original(articles[p.id], p.lang) for p in pointers}
    pools = _pools(originals)

    def side_text(side: Side, seed: int) -> str:
        source = originals[side.article]
        if side.copy is None:
            return syndication.document(source.headline, source.body)
        return syndication.copy_of(source, side.copy, random.Random(seed), pools[side.article])

    return [
        LabelledPair(
            a=side_text(recipe.a, recipe.seed),
            b=side_text(recipe.b, recipe.seed),
            lang=recipe.lang,
            label=recipe.label,
            kind=recipe.kind,
        )
        for recipe in recipes
    ]


def split_of(recipe: PairRecipe) -> str:
    """dev or test, by a hash of the pair: a cross-language rule is tuned on dev and reported on test."""
    return SPLITS[zlib.crc32(recipe.id.encode()) % 2]


def plain_document(article: SourceArticle) -> str:
    """An article as the stage gets it: headline, then paragraphs, as plain text. Feed descriptions come
    HTML-escaped ("&#039;", which would also put the entities' digits among its numbers) and some in <p>."""
    title = html.unescape(article.title) if article.title else None
    return syndication.document(title, paragraphs(html.unescape(_MARKUP_TAG.sub(" ", article.text))))


def materialise_cross_language(
    mirrors: Path = realtext.DEFAULT_MIRRORS,
    pointers: list[ArticlePointer] | None = None,
    recipes: list[PairRecipe] | None = None,
    split: str | None = None,
) -> list[LabelledPair]:
    """The cross-language pairs (of `split` only, when given), text and all, rebuilt from the mirrors."""
    pointers = read_pointers(CROSS_ARTICLES_FILE) if pointers is None else pointers
    recipes = read_recipes(CROSS_PAIRS_FILE) if recipes is None else recipes
    chosen = [recipe for recipe in recipes if split in (None, split_of(recipe))]
    wanted = {side.article for recipe in chosen for side in (recipe.a, recipe.b)}
    articles = fetch_articles([pointer for pointer in pointers if pointer.id in wanted], mirrors)
    return [
        LabelledPair(
            a=plain_document(articles[recipe.a.article]),
            b=plain_document(articles[recipe.b.article]),
            lang=recipe.lang,
            label=recipe.label,
            kind=recipe.kind,
        )
        for recipe in chosen
    ]


def _write_jsonl(path: Path, records: Iterator[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m newsmon.streams.dedup.realset", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    drawing = commands.add_parser("draw", help="rewrite the committed pointer and recipe files")
    drawing.add_argument("--seed", type=int, default=DRAW_SEED)
    drawing.add_argument("--mirrors", type=Path, default=realtext.DEFAULT_MIRRORS)
    making = commands.add_parser("materialise", help="write the labelled pairs (with text) for --eval")
    making.add_argument("--mirrors", type=Path, default=realtext.DEFAULT_MIRRORS)
    making.add_argument("--out", type=Path, required=True, help="outside the repository: pairs hold text")
    making.add_argument(
        "--set",
        choices=("syndication", "crosslingual"),
        default="syndication",
        help="the copies and same-topic articles (default), or the Arabic-English pairs",
    )
    making.add_argument("--split", choices=SPLITS, help="crosslingual only: that half of the pairs")
    args = parser.parse_args(argv)
    if args.command == "draw":
        pointers, recipes = draw(args.mirrors, args.seed)
        _write_jsonl(ARTICLES_FILE, (asdict(p) for p in pointers))
        _write_jsonl(PAIRS_FILE, (asdict(r) for r in recipes))
        print(f"{len(pointers)} articles, {len(recipes)} pairs")
        return
    if args.out.resolve().is_relative_to(REPOSITORY_ROOT):
        parser.error(f"--out {args.out} is inside the repository, which holds no third-party text")
    if args.split and args.set != "crosslingual":
        parser.error("--split splits the crosslingual set only")
    try:
        if args.set == "crosslingual":
            pairs = materialise_cross_language(args.mirrors, split=args.split)
        else:
            pairs = materialise(args.mirrors)
    except (realtext.MirrorMissing, PointerMismatch) as error:
        sys.exit(str(error))
    _write_jsonl(args.out, (pair.model_dump() for pair in pairs))
    print(f"{args.out}: {len(pairs)} pairs")


if __name__ == "__main__":
    main()
