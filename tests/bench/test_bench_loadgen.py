"""Smoke test of the benchmark load generator (bench/loadgen.py): deterministic pages of the advertised size
whose planted commitments and sanctions the real clean and extract stages find, served over loopback."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest
from newsmon.streams.clean.logic import clean_page
from newsmon.streams.extract.events import article_events

from bench.loadgen import Corpus, LoadServer, LoadSpec
from newsmon.records import DedupVerdict, FeedItem, RawPage
from newsmon.settings.clean import CleanSettings


def test_pages_are_deterministic_sized_and_carry_the_planted_events():
    corpus = Corpus(LoadSpec(pages=40, feeds=4, event_share=0.5))
    assert corpus.render_page(7, "http://h") == Corpus(corpus.spec).render_page(7, "http://h")
    planted = found = 0
    for index in range(12):
        html = corpus.render_page(index, "http://127.0.0.1:1")
        assert 45_000 <= len(html.encode()) <= 155_000
        url = f"http://127.0.0.1:1/f{index % 4}/a/{index}.html"
        article = clean_page(
            RawPage(
                url=url,
                final_url=url,
                canonical_url=url,
                html=html,
                headers={"Content-Type": "text/html"},
                fetched_at=datetime.now(UTC),
                feed=FeedItem(feed_url="http://127.0.0.1:1/f0/feed.xml"),
            ),
            CleanSettings(),
        )
        assert article.language == corpus.article(index).lang
        planted += corpus.article(index).events
        found += len(article_events(article.model_copy(update={"dedup": DedupVerdict(story_id="s")})))
    assert planted > 0 and found == planted


def test_server_releases_pages_at_the_configured_rate():
    with LoadServer(LoadSpec(pages=0, feeds=2, rate=1000.0)) as server:
        urllib.request.urlopen(f"{server.base_url}/f1/feed.xml", timeout=5).read()  # starts the clock
        time.sleep(0.05)  # ≈ 50 pages released
        feed = urllib.request.urlopen(f"{server.base_url}/f1/feed.xml", timeout=5).read().decode()
        assert f"{server.base_url}/f1/a/1.html" in feed and server.started_at > 0
        assert len(urllib.request.urlopen(f"{server.base_url}/f1/a/1.html", timeout=5).read()) > 45_000
        with pytest.raises(urllib.error.HTTPError):  # not released yet
            urllib.request.urlopen(f"{server.base_url}/f1/a/{10**7 + 1}.html", timeout=5)


def test_a_feed_answers_a_conditional_poll_304_until_it_has_a_new_item():
    # The connector polls each feed every second; a site renders the feed again only when it changed.
    with LoadServer(LoadSpec(pages=0, feeds=2, rate=10.0)) as server:
        url = f"{server.base_url}/f1/feed.xml"
        first = urllib.request.urlopen(url, timeout=5)  # starts the clock
        etag = first.headers["ETag"]
        conditional = urllib.request.Request(url, headers={"If-None-Match": etag})
        with pytest.raises(urllib.error.HTTPError) as not_modified:  # no new item within a few ms
            urllib.request.urlopen(conditional, timeout=5)
        assert not_modified.value.code == 304
        deadline = time.monotonic() + 10
        while True:  # feed 1 gets a new item every 0.2 s at 10 pages/s over 2 feeds
            try:
                changed = urllib.request.urlopen(conditional, timeout=5)
                break
            except urllib.error.HTTPError as exc:
                assert exc.code == 304 and time.monotonic() < deadline
                time.sleep(0.05)
        assert changed.headers["ETag"] != etag and "/f1/a/" in changed.read().decode()
