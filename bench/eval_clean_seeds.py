"""Seeds evaluation of the clean stage: wrap each seed text from ../shared/seeds/ in a realistic news page
(navigation, most-read sidebar, related links, footer), clean it with `clean_page`, and report which
annotated boilerplate lines were removed or kept and which news paragraphs survived or were lost.

The seeds are third-party text and are not copied into the project: they are annotated here by line number
(0-based, counting non-blank lines) only. Usage: python bench/eval_clean_seeds.py [--fast | --no-fast]
[SEED_DIR] (trafilatura's fast mode on or off; default: the `clean.fast` setting's default).
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from newsmon.streams.clean.logic import clean_page

from newsmon.records import FeedItem, RawPage
from newsmon.settings.clean import CleanSettings
from newsmon.text.normalize import display_form

SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"

# Per seed (file-name prefix): the headline line, residual boilerplate lines, and lines that are links on the
# page ("read also" items, previous/next headlines). Every other non-blank line is news and must survive.
ANNOTATIONS: dict[str, dict[str, list[int]]] = {
    "000": {},
    "001": {"boilerplate": [31]},
    "002": {"title": [1], "boilerplate": [0, 21, 25, 26, 28], "links": [22, 23, 24, 27, 29]},
    "003": {"boilerplate": [12], "links": [13]},
    "004": {"boilerplate": [0, 1, 15, 16]},
}

_SUBHEADING = re.compile(r"[.!?؟:؛]\W*$")


def news_page(title: str, body: str, lang: str, site: str, published: str, teasers: list[str]) -> str:
    """A news page as CMSs serve it: head metadata, a menu, a most-read sidebar, the article, a footer."""
    menu = "".join(
        f'<li><a href="/section/{i}">{html.escape(t)}</a></li>' for i, t in enumerate(teasers[:12])
    )
    side = "".join(f'<li><a href="/story/{i}">{html.escape(t)}</a></li>' for i, t in enumerate(teasers))
    foot = "".join(f'<a href="/page/{i}">{html.escape(t)}</a> ' for i, t in enumerate(teasers[:8]))
    direction = "rtl" if lang == "ar" else "ltr"
    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="{direction}"><head><meta charset="utf-8"><title>{html.escape(title)} | {site}</title>
<meta property="og:site_name" content="{site}"><meta property="og:title" content="{html.escape(title)}">
<meta property="article:published_time" content="{published}">
<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}</script>
<style>.nav li{{display:inline}} .sidebar{{float:left}}</style></head>
<body><header><div class="logo"><a href="/">{site}</a></div><nav class="nav"><ul>{menu}</ul></nav></header>
<main><article><h1>{html.escape(title)}</h1><div class="byline">\
<time datetime="{published}">{published}</time></div>
<div class="article-body">{body}</div></article>
<aside class="sidebar"><h3>{"الأكثر قراءة" if lang == "ar" else "Most read"}</h3>\
<ul>{side}</ul></aside></main>
<footer><div class="links">{foot}</div><p>© 2025 {site}</p></footer></body></html>"""


@dataclass
class SeedResult:
    name: str
    removed: list[str] = field(default_factory=list)  # annotated boilerplate that was dropped
    kept: list[str] = field(default_factory=list)  # annotated boilerplate that survived (bad)
    survived: list[str] = field(default_factory=list)  # news paragraphs kept
    lost: list[str] = field(default_factory=list)  # news paragraphs dropped (bad)
    extra: list[str] = field(default_factory=list)  # kept paragraphs that are not seed news (page chrome)


def seed_page(path: Path) -> tuple[RawPage, list[str], list[str]]:
    """The seed as a RawPage, with its boilerplate lines and its news lines (display form)."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    notes = ANNOTATIONS.get(path.name[:3], {})
    title_index = notes.get("title", [None])[0]
    links = set(notes.get("links", []))
    boilerplate = set(notes.get("boilerplate", [])) | links
    title = lines[title_index] if title_index is not None else f"خبر {path.stem}"
    blocks = []
    for index, line in enumerate(lines):
        text = html.escape(line)
        if index == title_index:
            continue
        if index in links:
            blocks.append(f'<p><a href="/related/{index}">{text}</a></p>')
        elif index not in boilerplate and len(line.split()) <= 10 and not _SUBHEADING.search(line):
            blocks.append(f"<h2>{text}</h2>")
        else:
            blocks.append(f"<p>{text}</p>")
    teasers = [
        "الرئيسية",
        "سياسة",
        "اقتصاد",
        "رياضة",
        "ثقافة",
        "تكنولوجيا",
        "صحة",
        "منوعات",
        "فيديو",
        "مقالات الرأي",
        "اتصل بنا",
        "من نحن",
    ]
    url = f"https://news.example/{path.stem}"
    page = RawPage(
        url=url,
        final_url=url,
        canonical_url=url,
        headers={"Content-Type": "text/html; charset=utf-8"},
        html=news_page(title, "\n".join(blocks), "ar", "أخبار المثال", "2025-09-04T12:00:00+03:00", teasers),
        fetched_at=datetime(2025, 9, 4, 12, 30, tzinfo=UTC),
        feed=FeedItem(feed_url="https://news.example/rss"),
    )
    pick = [display_form(line) for i, line in enumerate(lines) if i in boilerplate]
    news = [display_form(line) for i, line in enumerate(lines) if i not in boilerplate and i != title_index]
    return page, pick, news


def evaluate(seed_dir: Path = SEED_DIR, settings: CleanSettings | None = None) -> list[SeedResult]:
    settings = settings or CleanSettings()
    results = []
    for path in sorted(seed_dir.glob("*.txt")):
        page, boilerplate, news = seed_page(path)
        article = clean_page(page, settings)
        body = set(article.paragraphs)
        result = SeedResult(path.name)
        for line in boilerplate:
            (result.kept if any(line in p for p in article.paragraphs) else result.removed).append(line)
        for line in news:
            (result.survived if line in body else result.lost).append(line)
        result.extra = [p for p in article.paragraphs if p not in set(news)]
        results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seed_dir", nargs="?", type=Path, default=SEED_DIR)
    parser.add_argument(
        "--fast",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="trafilatura's fast mode (default: the clean.fast setting's default)",
    )
    args = parser.parse_args()
    if not args.seed_dir.is_dir():
        sys.exit(f"no seeds at {args.seed_dir}")
    settings = CleanSettings() if args.fast is None else CleanSettings(fast=args.fast)
    print(f"clean.fast={settings.fast}")
    results = evaluate(args.seed_dir, settings)
    print(f"{'seed':<28} {'bp removed':>10} {'bp kept':>8} {'news kept':>10} {'news lost':>10} {'chrome':>7}")
    for r in results:
        print(
            f"{r.name:<28} {len(r.removed):>10} {len(r.kept):>8} {len(r.survived):>10} {len(r.lost):>10} "
            f"{len(r.extra):>7}"
        )
        for line in r.kept:
            print(f"    KEPT boilerplate: {line[:90]}")
        for line in r.lost:
            print(f"    LOST news: {line[:90]}")
        for line in r.extra:
            print(f"    CHROME kept: {line[:90]}")
    total = [
        sum(len(getattr(r, f)) for r in results) for f in ("removed", "kept", "survived", "lost", "extra")
    ]
    print(f"{'total':<28} {total[0]:>10} {total[1]:>8} {total[2]:>10} {total[3]:>10} {total[4]:>7}")


if __name__ == "__main__":
    main()
