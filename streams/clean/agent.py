"""Clean agent: `raw-pages` → `articles`, clean_page running in the process pool.

The per-site boilerplate table is learned in this worker process from the articles it cleans: raw pages are
keyed by URL, so one site's pages spread over partitions and each worker learns from its share — a heuristic
that needs no exact global count.
"""

from __future__ import annotations

import faust
from newsmon.streams.clean.boilerplate import SiteBoilerplate, site_of
from newsmon.streams.clean.logic import clean_page
from newsmon.streams.runtime import StageRuntime

from newsmon.records import RawPage
from newsmon.topics import ARTICLES, RAW_PAGES

STAGE = "clean"


def install(runtime: StageRuntime) -> None:
    articles_topic = runtime.topic(ARTICLES)
    clean_settings = runtime.settings.clean
    site_boilerplate = SiteBoilerplate.from_settings(clean_settings)

    @runtime.app.agent(runtime.topic(RAW_PAGES), name="clean", concurrency=runtime.pool_concurrency)
    async def clean(stream: faust.StreamT) -> None:
        async for event, page in runtime.records(STAGE, RawPage, stream):
            learned = site_boilerplate.frequent(site_of(page.canonical_url))
            article = await runtime.attempt(
                STAGE, event, runtime.in_pool, clean_page, page, clean_settings, learned
            )
            if article is None:
                continue
            site_boilerplate.observe_article(article)
            await runtime.send(STAGE, articles_topic, article.canonical_url, article)
