"""URL identity (newsmon.connectors.urls.canonical_url): courlan's normal form, then newsmon's rules."""

import pytest
from newsmon.connectors.urls import canonical_url, same_site


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        # courlan: case, default port, query order, tracking parameters it knows
        ("HTTPS://Example.COM:443/World/Story?b=2&a=1", "https://example.com/World/Story?a=1&b=2"),
        ("http://example.com/news?fbclid=abc&id=5", "http://example.com/news?id=5"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        # newsmon: fragment, utm_* and the rest of its list, AMP switches and variants, trailing slash
        ("https://example.com/p/?utm_campaign=z&utm_source=x#top", "https://example.com/p"),
        ("https://example.com/a?ns_campaign=x&ito=1&page=2", "https://example.com/a?page=2"),
        ("https://m.example.com/2026/story.amp.html?amp=1", "https://www.example.com/2026/story.html"),
        ("https://amp.example.com/2026/story/amp", "https://www.example.com/2026/story"),
        ("https://example.com/", "https://example.com"),
        ("https://m.co/x", "https://m.co/x"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_same_site_ignores_www_and_mobile_prefixes_not_other_sites():
    assert same_site("https://m.example.com/a", "https://www.example.com/b")
    assert not same_site("https://example.co.uk/a", "https://other.co.uk/b")
