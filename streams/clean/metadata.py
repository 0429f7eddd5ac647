"""The page metadata the Article keeps — title, author, site name, date — exactly as trafilatura's
`extract_metadata` finds them, at a fraction of its cost.

`extract_metadata` also extracts categories, tags and a licence (~3 ms per page, unused here), and when no
meta tag or JSON-LD names an author it searches the whole DOM with three XPaths whose regular expressions call
back into Python for every element (~12 ms on a 100 KB page, most of the metadata time). `page_metadata`
repeats its steps in its order, minus the unused fields, and runs the author search on a copy of the page cut
down to the elements that search can select: the same result, in ~0.5 ms. Written against trafilatura 2.3;
tests/clean/test_metadata.py compares it with `extract_metadata` and pins the XPaths the cut relies on.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from copy import deepcopy
from typing import Any

from htmldate import find_date
from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.metadata import (
    META_URL,
    Document,
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)

LOGGER = logging.getLogger(__name__)

# Every element trafilatura's AUTHOR_XPATHS can select passes one of these tests: each of their conditions
# implies one (an equality or regular expression on @class implies one of the literals in it; `rel='me'` needs
# a <rel> child). The values are tested in Python: libxml2 pays ~0.2 µs per element and condition, so one
# predicate with twenty `contains` costs as much as the XPaths it is meant to spare.
_AUTHOR_ATTRIBUTE_TESTS: dict[str, Callable[[str], object]] = {
    "class": re.compile(
        "uthor|byl|yline|BBL|username|screenname|writer|channel-name|zuozhe|bianji|xiaobian"
        "|submitted-by|posted-by|journalist-name"
    ).search,
    "id": re.compile("uthor|zuozhe|bianji|xiaobian").search,
    "rel": re.compile("author").fullmatch,
    "itemprop": re.compile("author").search,
    "data-testid": re.compile("Author").search,
    "data-component": re.compile("Byline").search,
}
# Those attributes, <author> elements and parents of a <rel>, in document order (an element's attributes come
# right after it).
_AUTHOR_NODES = XPath(
    "|".join(f"descendant-or-self::*/@{name}" for name in _AUTHOR_ATTRIBUTE_TESTS)
    + "|descendant-or-self::author|descendant::rel/.."
)


def page_metadata(tree: HtmlElement, url: str | None, date_params: dict[str, Any]) -> Document:
    """trafilatura's `extract_metadata(tree, url, date_params)` without categories, tags and licence: the same
    title, author, sitename, url and date. Leaves `tree` unchanged."""
    metadata = examine_meta(tree)
    if metadata.author and " " not in metadata.author:
        metadata.author = None
    try:
        metadata = extract_meta_json(tree, metadata)
    except Exception as err:  # noqa: BLE001 - as extract_metadata: a JSON-LD bug loses those fields only
        LOGGER.warning("error in JSON metadata extraction: %s", err)
    if not metadata.title:
        metadata.title = extract_title(tree)
    if not metadata.author:
        metadata.author = _author(tree)
    if not metadata.url:
        metadata.url = extract_url(tree, url)
    # The URL matters to the date: htmldate reads dates out of URLs first.
    metadata.date = find_date(tree, **{**date_params, "url": metadata.url})
    if not metadata.sitename:
        metadata.sitename = extract_sitename(tree)
    if metadata.sitename:
        metadata.sitename = metadata.sitename.lstrip("@")
        if metadata.sitename and "." not in metadata.sitename and not metadata.sitename[0].isupper():
            metadata.sitename = metadata.sitename.title()
    elif metadata.url and (match := META_URL.match(metadata.url)):
        metadata.sitename = match[1]
    metadata.clean_and_trim()
    return metadata


def _author(tree: HtmlElement) -> str | None:
    """trafilatura's heuristic `extract_author(tree)`, run on the candidates' outline instead of the page."""
    candidates = _author_candidates(tree)
    if not candidates:
        return None
    return extract_author(_outline(tree, candidates))


def _author_candidates(tree: HtmlElement) -> list[HtmlElement]:
    """The elements of `tree` that trafilatura's author XPaths might select, in document order."""
    candidates: list[HtmlElement] = []
    for node in _AUTHOR_NODES(tree):
        if isinstance(node, str):  # an attribute value: lxml's string knows its name and element
            if not _AUTHOR_ATTRIBUTE_TESTS[node.attrname](node):
                continue
            node = node.getparent()
        if not candidates or candidates[-1] is not node:
            candidates.append(node)
    return candidates


def _outline(tree: HtmlElement, candidates: list[HtmlElement]) -> HtmlElement:
    """A copy of `tree` reduced to the outermost candidates, whole, and their ancestors, bare (tag and
    attributes only), in document order.

    `extract_author` gives the same answer on it as on `tree`: its pruning and author XPaths only test an
    element's own tag and attributes (or a <rel> child, which makes the parent a candidate), so they select
    the same elements in both; a selected element is a candidate or inside one, so its text — read after
    pruning, which moves a pruned element's tail onto its neighbour — comes from an identical subtree."""
    outermost: list[HtmlElement] = []
    for element in candidates:  # document order: those inside a candidate follow it before any outside
        if not outermost or not any(ancestor is outermost[-1] for ancestor in element.iterancestors()):
            outermost.append(element)
    if outermost[0] is tree:
        return tree
    copies: dict[HtmlElement, HtmlElement] = {}

    def bare(element: HtmlElement) -> HtmlElement:
        if element not in copies:
            copy = element.makeelement(element.tag, element.attrib)
            if element is not tree:
                bare(element.getparent()).append(copy)
            copies[element] = copy
        return copies[element]

    for element in outermost:
        bare(element.getparent()).append(deepcopy(element))
    return copies[tree]
