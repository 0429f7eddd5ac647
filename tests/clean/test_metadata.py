"""page_metadata must give what trafilatura's extract_metadata gives for the fields the Article keeps."""

import hashlib
import html
import inspect
import random
from datetime import UTC, datetime

import pytest
from newsmon.streams.clean.logic import clean_page
from newsmon.streams.clean.metadata import page_metadata
from trafilatura import metadata as trafilatura_metadata
from trafilatura.utils import load_html
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from .conftest import EN_BODY, page_html

_URL = "https://www.site.example/news/1"
_DATE_PARAMS = {
    "original_date": True,
    "extensive_search": False,
    "max_date": "2025-09-06",
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}
_FIELDS = ("title", "author", "sitename", "date", "url")
_HEAD = """<meta property="og:title" content="OG title"><meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2025-09-04T10:15:00+03:00">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "JSON headline", "author": {"@type": "Person", "name": "John Roe"},
"publisher": {"@type": "Organization", "name": "JSON Pub"},
"datePublished": "2025-09-01T08:00:00Z"}</script>"""


def _both(document: str) -> tuple[dict[str, str | None], dict[str, str | None]]:
    tree = load_html(document)
    theirs = trafilatura_metadata.extract_metadata(tree, _URL, dict(_DATE_PARAMS))
    ours = page_metadata(tree, _URL, _DATE_PARAMS)
    return {f: getattr(theirs, f) for f in _FIELDS}, {f: getattr(ours, f) for f in _FIELDS}


def test_meta_tags_and_json_ld_fill_the_article_in_trafilaturas_precedence(make_page, settings) -> None:
    byline = '<span class="author">Body Author</span>'
    document = page_html(EN_BODY.replace("</h1>", "</h1>" + byline, 1), "en", "Title tag", _HEAD)
    article = clean_page(make_page(document), settings)
    assert article.title == "OG title"  # a meta title wins over JSON-LD's headline and the <h1>
    assert article.author == "Jane Doe; John Roe"  # meta and JSON-LD authors add up; the byline is not read
    assert article.site_name == "The Site"  # og:site_name: JSON-LD's publisher replaces only a shorter name
    assert article.published_at == datetime(2025, 9, 4, 7, 15, tzinfo=UTC)
    assert article.published_source == "page"
    theirs, ours = _both(document)
    assert ours == theirs


@pytest.mark.parametrize(
    "byline, author",
    [
        ("", None),
        ('<div class="byline">By Sam Writer</div>', "Sam Writer"),
        ('<a rel="author" href="/a">Lee Link</a>', "Lee Link"),
        # Pruning drops <time>, <figure> and class="date" but keeps their tails, glued to the text before
        # them.
        ('<div class="byline"><time>2025-09-01</time> Tail Text</div>', "Tail Text"),
        ('<p class="author-name">Name<span class="date">x</span>Joined</p>', "NameJoined"),
        ('<div id="author-box"><figure>img</figure><span>Fig</span> Box Author</div>', "Fig Box Author"),
        ('<div class="sidebar"><span class="author">Hidden Author</span></div>', None),
        ('<span class="author">' + "x" * 130 + '</span><span class="writer">Second</span>', "Second"),
        ('<div data-component="Byline">Comp Byline</div>', "Comp Byline"),
        ("<div><rel>me</rel>Rel Me</div>", "Me Rel Me"),
    ],
)
def test_heuristic_author_is_trafilaturas(byline: str, author: str | None) -> None:
    document = page_html(EN_BODY.replace("</h1>", "</h1>" + byline, 1), "en", "Title tag")
    theirs, ours = _both(document)
    assert ours == theirs and ours["author"] == author


def test_random_markup_gives_trafilaturas_metadata() -> None:
    tags = [
        "div",
        "span",
        "p",
        "a",
        "section",
        "strong",
        "h3",
        "address",
        "time",
        "figure",
        "rel",
        "author",
        "li",
    ]
    classes = [
        "author",
        "byline",
        "Byline",
        "BBL",
        "username",
        "post-author",
        "AuthorName",
        "writer",
        "comments",
        "sidebar",
        "date",
        "title",
        "print",
        "category",
        "card",
        "is-hidden",
        "posted-by",
        "author sidebar",
    ]
    words = ["By", "Jane", "Doe", "me", "Smith", "", " ", "Ann Lee", "2025-01-01"]
    rng = random.Random(5)

    def element(depth: int) -> str:
        tag, attributes = rng.choice(tags), ""
        if rng.random() < 0.5:
            attributes += f' class="{rng.choice(classes)}"'
        if rng.random() < 0.1:
            attributes += f' id="{rng.choice(["author", "comments", "zuozhe", "main"])}"'
        if rng.random() < 0.05:
            attributes += rng.choice([' rel="author"', ' itemprop="author"', ' data-component="Figure"'])
        inner = html.escape(rng.choice(words))
        for _ in range(rng.randint(0, 3) if depth < 4 else 0):
            inner += element(depth + 1) + html.escape(rng.choice(words))
        return f"<{tag}{attributes}>{inner}</{tag}>"

    for _ in range(150):
        body = "".join(element(0) + rng.choice(words) for _ in range(rng.randint(1, 5)))
        theirs, ours = _both(f"<html><head><title>T</title></head><body>{body}</body></html>")
        assert ours == theirs, body


def test_trafilatura_code_that_page_metadata_mirrors_is_unchanged() -> None:
    # page_metadata repeats extract_metadata's steps, and its author candidates are derived from these XPaths:
    # after a trafilatura upgrade that changes them, re-derive both, then update the digest.
    source = "\n".join(
        [xpath.path for xpath in AUTHOR_XPATHS + AUTHOR_DISCARD_XPATHS]
        + [
            inspect.getsource(function)
            for function in (trafilatura_metadata.extract_metadata, trafilatura_metadata.extract_author)
        ]
    )
    assert hashlib.sha256(source.encode()).hexdigest() == (
        "976556afda13bb1c5f20b93a039cd8d69075447048222bfde362949c82559389"
    )
