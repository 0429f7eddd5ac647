"""URL identity: `canonical_url` (the RawPage key and the article identity), the same-site test, and
`is_web_url`, the test a URL from a feed must pass to be used as a link at all."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from courlan import normalize_url

# Parameters that say where a click came from, never which article it is.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gclsrc",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ref_src",
        "ref_url",
        "cmpid",
        "ocid",
        "ns_source",
        "ns_mchannel",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        "ito",
        "smid",
        "sr_share",
        "at_medium",
        "at_campaign",
        "guccounter",
        "spm",
        "__twitter_impression",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_")
# AMP switches in the query; removing them gives the ordinary article.
_AMP_PARAMS = {("amp", ""), ("amp", "1"), ("amp", "true"), ("outputtype", "amp")}
# Sub-domains that serve a mobile/AMP copy of the www site.
_VARIANT_HOST_PREFIXES = ("m.", "mobile.", "amp.")
DEFAULT_PORTS = {"http": 80, "https": 443}  # also what the SSRF allowlist means by a port-less host
WEB_SCHEMES = frozenset(DEFAULT_PORTS)
_AMP_SUFFIX = re.compile(r"(?:/amp|\.amp)(?=(?:\.html?)?$)", re.IGNORECASE)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def _canonical_host(host: str) -> str:
    host = host.lower().rstrip(".")
    for prefix in _VARIANT_HOST_PREFIXES:
        rest = host[len(prefix) :]
        # only where a www twin is plausible: m.example.com -> www.example.com, never m.co -> www.co
        if host.startswith(prefix) and rest.count(".") >= 1:
            return "www." + rest
    return host


def canonical_url(url: str) -> str:
    """Normalise `url` to the article's identity.

    First courlan's `normalize_url` (the URL library trafilatura maintains: case of scheme and host, default
    port, percent-encoding, the tracking parameters it knows, query order), then newsmon's rules: drops the
    fragment, the tracking parameters courlan keeps (utm_*, fbclid, gclid, ns_*, …) and AMP switches, sorts
    the remaining query, strips a trailing slash and maps mobile/AMP variants (m.example.com, amp.example.com,
    …/article/amp, article.amp.html) to the ordinary page.
    """
    parts = urlsplit(normalize_url(url.strip()))
    scheme = parts.scheme.lower()
    host = _canonical_host(parts.hostname or "")
    port = parts.port if parts.port and parts.port != DEFAULT_PORTS.get(scheme) else None
    netloc = f"[{host}]" if ":" in host else host
    if port:
        netloc = f"{netloc}:{port}"
    path = _AMP_SUFFIX.sub("", parts.path) or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(name) and (name.lower(), value.lower()) not in _AMP_PARAMS
    )
    if path == "/" and not query:
        path = ""
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def _site(host: str) -> str:
    host = _canonical_host(host)
    return host.removeprefix("www.")


def same_site(url_a: str, url_b: str) -> bool:
    """True when both URLs are on one site: the same host up to www/mobile/AMP prefixes, or one a sub-domain
    of the other. (No public-suffix list: two unrelated *.co.uk sites never pass, as neither contains the
    other.)"""
    a, b = _site(urlsplit(url_a).hostname or ""), _site(urlsplit(url_b).hostname or "")
    if not a or not b:
        return False
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host. Anything else from a feed (`javascript:`, `data:`,
    `file:`, `mailto:`, `http:` without a host) is no article link: fetched, it was refused further down
    for the wrong reason (robots), and passed on, it reached alerts and chat messages as a link."""
    try:
        parts = urlsplit(url.strip())
        return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)
    except ValueError:  # an unparseable host, e.g. an unclosed IPv6 literal
        return False
