"""Article-page reading: content-type check, charset decoding and the page's own canonical link."""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import charset_normalizer
from newsmon.connectors.errors import UnsupportedContentType
from newsmon.connectors.urls import canonical_url, same_site

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def check_html(content_type: str | None, url: str) -> None:
    """Refuse bodies that are not HTML (PDF, images, feeds …). A missing Content-Type is given the benefit."""
    if content_type and content_type.split(";")[0].strip().lower() not in _HTML_TYPES:
        raise UnsupportedContentType(f"page is {content_type.split(';')[0].strip()}, not HTML", url)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(body: bytes, content_type: str | None) -> str:
    """Decode with the BOM, else the header charset, else <meta charset>, else UTF-8; a declared charset that
    does not fit the bytes (a wrong header) is skipped, and detection is the last resort."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    header = _HEADER_CHARSET.search(content_type or "")
    meta = _META_CHARSET.search(body[:4096])
    candidates = [
        header.group(1) if header else None,
        meta.group(1).decode("ascii") if meta else None,
        "utf-8",
    ]
    for name in candidates:
        codec = _codec(name)
        if codec is None:
            continue
        try:
            return body.decode(codec)
        except UnicodeDecodeError:
            continue
    best = charset_normalizer.from_bytes(body).best()
    return str(best) if best is not None else body.decode("utf-8", errors="replace")


class _CanonicalLink(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "link" and self.href is None:
            values = dict(attrs)
            if "canonical" in (values.get("rel") or "").lower().split() and values.get("href"):
                self.href = values["href"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "head" and self.href is None:
            self.href = ""  # the link belongs in <head>; stop looking past it


def page_canonical_url(html: str, final_url: str) -> str:
    """The page's <link rel=canonical> if present and on the same site, else canonical_url(final_url)."""
    parser = _CanonicalLink()
    head_end = html.lower().find("</head>")
    parser.feed(html[: head_end + 7] if head_end >= 0 else html[:200_000])
    if parser.href:
        declared = urljoin(final_url, parser.href.strip())
        if declared.startswith(("http://", "https://")) and same_site(declared, final_url):
            return canonical_url(declared)
    return canonical_url(final_url)
