"""Clean agent: `raw-pages` → `articles`, clean_page running in the process pool.

The per-site boilerplate table is learned in this worker process from the articles it cleans: raw pages are
keyed by URL, so one site's pages spread over partitions and each worker learns from its share — a heuristic
that needs no exact global count.
"""

from __future__ import annotations

from functools import partial

import faust
from newsmon.streams.clean.boilerplate import SiteBoilerplate, site_of
from newsmon.streams.clean.logic import clean_page, warm_up
from newsmon.streams.runtime import StageRuntime

from newsmon.records import RawPage
from newsmon.topics import ARTICLES, RAW_PAGES

STAGE = "clean"


class CleanAgent:
    """The clean stage in one worker: its output topic and the site boilerplate it has learned so far."""

    def __init__(self, runtime: StageRuntime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings.clean
        self.articles_topic = runtime.topic(ARTICLES)
        self.site_boilerplate = SiteBoilerplate.from_settings(self.settings)

    async def process(self, stream: faust.StreamT) -> None:
        """Clean each raw page in the process pool and send its article on; learn the site's boilerplate."""
        runtime = self.runtime
        async for event, page in runtime.records(STAGE, RawPage, stream):
            learned = self.site_boilerplate.frequent(site_of(page.canonical_url))
            article = await runtime.attempt(
                STAGE, event, runtime.in_pool, clean_page, page, self.settings, learned
            )
            if article is None:
                continue
            self.site_boilerplate.observe_article(article)
            await runtime.send(STAGE, self.articles_topic, article.canonical_url, article)


def install(runtime: StageRuntime) -> CleanAgent:
    """Attach the clean agent to the runtime's app."""
    agent = CleanAgent(runtime)
    runtime.warm_pool_with(partial(warm_up, agent.settings))
    runtime.agent(runtime.topic(RAW_PAGES), STAGE, agent.process, in_pool=True)
    return agent
