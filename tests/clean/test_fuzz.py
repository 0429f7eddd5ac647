"""Whatever arrives on `raw-pages`, clean_page returns an Article or raises CleanError — nothing else."""

import random

import pytest
from newsmon.streams.clean.logic import CleanError, clean_page

from newsmon.records import Article

from .conftest import AR_BODY, page_html

_PIECES = [
    "<p>",
    "</p>",
    "<div>",
    "<a href='x'>",
    "</a>",
    "<html>",
    "<script>",
    "<!--",
    "&amp;",
    "&#0;",
    "\x00",
    "\ufffd",
    "اقرأ أيضًا",
    "شاركها",
    "Mr.",
    "؟",
    "\u202e",
    "<?xml version='1.0' encoding='utf-8'?>",
    "<meta charset='latin-1'>",
    "]]>",
    "<![CDATA[",
    "\ud800",
    "<h1>",
    "Read also",
    "\n",
]


def _random_text(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:  # bytes decoded the way a careless connector would
        return bytes(rng.randrange(256) for _ in range(rng.randrange(2000))).decode("latin-1")
    if kind == 1:
        return "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randrange(500)))
    if kind == 2:
        return "".join(
            rng.choice(_PIECES) + rng.choice(["text ", "نص ", ""]) for _ in range(rng.randrange(300))
        )
    html = page_html(AR_BODY, "ar", "t")
    cut = rng.randrange(len(html))
    return html[:cut] + rng.choice(_PIECES) + html[cut + rng.randrange(50) :]


@pytest.mark.parametrize("seed", range(6))
def test_random_input_never_escapes_as_another_exception(make_page, settings, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(40):
        headers = rng.choice([{}, {"Content-Type": "text/html"}, {"content-type": "image/png"}])
        page = make_page(
            _random_text(rng),
            headers=headers,
            feed_only=rng.random() < 0.1,
            summary=rng.choice([None, "<p>" + _random_text(rng)[:300]]),
        )
        try:
            assert Article.from_bytes(clean_page(page, settings).to_bytes())
        except CleanError as error:
            assert error.reason in {
                "not_html",
                "too_large",
                "binary",
                "empty",
                "unparseable",
            }  # never "internal"
