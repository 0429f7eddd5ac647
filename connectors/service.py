"""The feed connector: schedules feed polls, detects new items, fetches their pages and publishes RawPages.

An item is marked seen only after Kafka acknowledged its RawPage, so a broker outage or a crash costs a
re-poll, never a lost item; and it is kept from the poll that found it new until then (connectors/state.py),
so a feed that stops listing it meanwhile does not take it away. Pages are streamed: each one is published
as soon as it is fetched and fitted to the size policy (newsmon.limits), then its item marked seen, a few
pages in flight at a time; a poll handles at most `max_items_per_poll` items and `max_bytes_per_poll` page
bytes, and the feed is polled again soon for the rest. A feed's new ETag/Last-Modified are stored only once
every new item of the poll is done, so an interrupted or capped poll gets the feed again and goes on where it
stopped (seen items are skipped).

A fault of the environment (newsmon.faults: the state disk full, say) is not a feed's: it is logged in one
line, counted, and the feed polled again later; the connector keeps running.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from newsmon.connectors import metrics
from newsmon.connectors.errors import FetchError, HttpStatusError, PublishError, RobotsDisallowed
from newsmon.connectors.feeds import ParsedFeed, ParsedItem, item_keys, parse_feed
from newsmon.connectors.http import Fetcher, Response
from newsmon.connectors.pages import check_html, decode_html, page_canonical_url
from newsmon.connectors.publisher import RawPagePublisher
from newsmon.connectors.robots import RobotsCache
from newsmon.connectors.state import ConnectorState, FeedState, feed_health
from newsmon.connectors.urls import canonical_url

from newsmon.broker_identity import record_cluster, recorded_cluster
from newsmon.faults import STATE_STORE, environment_fault
from newsmon.limits import fit_raw_page, payload_head
from newsmon.metrics import ENVIRONMENT_FAULTS, OVERSIZE_RECORDS, initialise_faults, initialise_size_policy
from newsmon.records import DeadLetter, FeedItem, RawPage, stable_id
from newsmon.redact import redact_url
from newsmon.settings import Settings
from newsmon.settings.connector import FeedConfig

LOGGER = logging.getLogger(__name__)

_FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, "
    "text/xml;q=0.8, */*;q=0.1"
)
_PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
_PAGE_HEADERS = ("content-type", "last-modified", "etag", "date", "content-language")
_MAX_AGE = re.compile(r"max-age\s*=\s*(\d+)", re.IGNORECASE)
STAGE = "connector"  # the stage label of its dead letters and environment faults


@dataclass
class PollSummary:
    feeds_polled: int = 0
    not_modified: int = 0
    new_items: int = 0
    pages_published: int = 0
    feed_only: int = 0
    items_remaining: int = 0  # new items not done: left by a cap or a publish failure for a later poll
    page_bytes: int = 0  # page bodies fetched (what max_bytes_per_poll caps)
    errors: Counter[str] = field(default_factory=Counter)

    def add(self, other: PollSummary) -> None:
        self.feeds_polled += other.feeds_polled
        self.not_modified += other.not_modified
        self.new_items += other.new_items
        self.pages_published += other.pages_published
        self.feed_only += other.feed_only
        self.items_remaining += other.items_remaining
        self.page_bytes += other.page_bytes
        self.errors.update(other.errors)


def _now() -> datetime:
    return datetime.now(UTC)


def _told_apart(items: list[ParsedItem]) -> tuple[list[ParsedItem], set[str]]:
    """`items`, where a GUID is carried by items with different links (a CMS giving every item of a section
    one GUID), with that GUID left out of those items' identity: keyed by it, all but the first would be
    dropped as seen, silently. They are identified by their link (else title and date) instead, so each is
    published once. A GUID whose link changes from one poll to the next (an article moved) is not a
    collision and stays one item. Returns the items and the shared GUIDs."""
    links: defaultdict[str, set[str | None]] = defaultdict(set)
    for item in items:
        if item.guid:
            links[item.guid].add(canonical_url(item.link) if item.link else None)
    shared = {guid for guid, seen in links.items() if len(seen) > 1}
    if not shared:
        return items, shared
    return [
        replace(item, keys=item_keys(None, item.link, item.title, item.published))
        if item.guid in shared
        else item
        for item in items
    ], shared


# How long the connector trusts that its broker is the cluster that acknowledged its seen items. Items
# published to a new cluster before the next check are published once more after it (dedup drops repeats).
CLUSTER_CHECK_SECONDS = 10.0


class FeedConnector:
    def __init__(self, settings: Settings, publisher: RawPagePublisher) -> None:
        self._feeds = list(settings.feeds)
        self._config = settings.connector
        self._limits = settings.limits
        self._publisher = publisher
        self._state = ConnectorState(
            settings.state_dir,
            retention_seconds=self._config.seen_retention_days * 86400,
            keep_per_feed=self._config.seen_keep_per_feed,
        )
        self._fetcher = Fetcher(self._config)
        self._robots = RobotsCache(self._fetcher, self._config.user_agent, self._config.robots_cache_seconds)
        self._feed_slots = asyncio.Semaphore(self._config.max_concurrent_feeds)
        self._label_feeds = len(self._feeds) < self._config.metrics_feed_label_limit
        self._remaining: dict[str, int] = {}  # per feed: new items of its latest poll not done yet
        # After an environment fault a feed waits in memory: the state store may be what failed.
        self._retry_at: dict[str, float] = {}
        self._faulty = False  # an environment fault is going on: logged once, until a poll succeeds
        self._cluster_marker = settings.state_dir / "connector" / "cluster-id"
        self._worker_group = settings.worker.app_id  # whose committed offsets on raw-pages say "finished"
        self._cluster_checked_at = float("-inf")
        self._cluster_lock = asyncio.Lock()
        self._clusters_lost = 0  # new clusters met so far: an acknowledgement from before one is void
        self._publish_failures: dict[str, int] = {}  # per feed: polls in a row whose publishing failed
        initialise_faults(STAGE)
        initialise_size_policy()
        configured = {feed.url for feed in self._feeds}
        self._unhealthy = {
            state.url
            for state in self._state.feeds()
            if state.url in configured and state.consecutive_failures >= self._config.unhealthy_after_failures
        }
        metrics.FEEDS_UNHEALTHY.set(len(self._unhealthy))
        # Every configured feed gets its state now: a never-polled one is `pending`, not missing.
        self._health = metrics.FeedHealthGauges(self._label_feeds)
        for feed in self._feeds:
            self._track_health(feed.url)

    def _track_health(self, url: str) -> None:
        """Report the feed's health from its persisted state, after each recorded success or failure."""
        self._health.set(url, feed_health(self._state.feed(url), self._config.unhealthy_after_failures))

    async def aclose(self) -> None:
        # The gauge counts this connector's unfinished items; once it is closed, they are the next one's.
        metrics.ITEMS_REMAINING.dec(sum(self._remaining.values()))
        await self._fetcher.aclose()
        self._state.close()

    async def poll_all_once(self) -> PollSummary:
        """Poll every configured feed once, whatever its schedule (politeness still applies)."""
        summary = PollSummary()
        for result in await asyncio.gather(*(self._poll_guarded(feed) for feed in self._feeds)):
            summary.add(result)
        try:
            await asyncio.to_thread(self._publisher.flush)
        except PublishError as exc:
            LOGGER.error("flush failed", extra={"reason": exc.reason, "error": str(exc)})
        return summary

    async def run(self, stop: asyncio.Event) -> None:
        """Poll each feed on its own schedule (persisted, so restarts keep backoffs) until `stop` is set."""
        if not self._feeds:
            LOGGER.warning("no feeds configured: add [[feeds]] to the config file or `newsmon feeds import`")
        await asyncio.gather(stop.wait(), *(self._feed_loop(feed, stop) for feed in self._feeds))

    async def _feed_loop(self, feed: FeedConfig, stop: asyncio.Event) -> None:
        while not stop.is_set():
            delay = self._next_poll(feed) - time.time()
            if delay > 0:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=delay)
                    return
                except TimeoutError:
                    pass
            await self._poll_guarded(feed)

    def _next_poll(self, feed: FeedConfig) -> float:
        """The feed's persisted schedule, but not before its retry after an environment fault."""
        try:
            scheduled = self._state.feed(feed.url).next_poll or 0.0
        except Exception as exc:
            fault = environment_fault(exc)
            if fault is None:
                raise
            self._environment_fault(feed, fault, exc)
            scheduled = 0.0
        return max(scheduled, self._retry_at.get(feed.url, 0.0))

    async def _poll_guarded(self, feed: FeedConfig) -> PollSummary:
        async with self._feed_slots:
            try:
                try:
                    summary = await self._poll_feed(feed)
                except Exception as exc:  # a bug on one feed must not stop the others
                    if environment_fault(exc) is not None:
                        raise
                    summary = self._crashed(feed)
            except Exception as exc:
                # Not the feed's fault, and not recordable against it when the state store is what failed.
                fault = environment_fault(exc)
                if fault is None:
                    raise
                return self._environment_fault(feed, fault, exc)
            if self._faulty:
                self._faulty = False
                LOGGER.info("environment fault cleared; polls succeed again", extra={"feed": feed.url})
            return summary

    def _crashed(self, feed: FeedConfig) -> PollSummary:
        LOGGER.exception("feed poll crashed", extra={"feed": feed.url, "reason": "internal_error"})
        metrics.ERRORS.labels("internal_error").inc()
        summary = PollSummary(feeds_polled=1)
        summary.errors["internal_error"] += 1
        self._state.record_failure(
            feed.url,
            error="internal_error",
            next_poll=time.time() + self._config.backoff_initial_seconds,
        )
        self._track_health(feed.url)
        return summary

    def _environment_fault(self, feed: FeedConfig, fault: str, exc: Exception) -> PollSummary:
        """Count the fault and poll the feed again after the initial backoff; log one line per episode (a full
        disk fails every feed's poll), without a traceback: the cause is outside the code."""
        ENVIRONMENT_FAULTS.labels(STAGE, fault).inc()
        retry_in = self._config.backoff_initial_seconds
        self._retry_at[feed.url] = time.time() + retry_in
        if not self._faulty:
            self._faulty = True
            LOGGER.error(
                "state store unavailable; polls are retried"
                if fault == STATE_STORE
                else "environment fault; polls are retried",
                extra={"fault": fault, "error": f"{type(exc).__name__}: {exc}", "retry_in_seconds": retry_in},
            )
        summary = PollSummary(feeds_polled=1)
        summary.errors[f"environment_{fault}"] += 1
        return summary

    async def _follow_cluster(self) -> None:
        """Before a poll (at most every CLUSTER_CHECK_SECONDS, and after a failed publish): forget the
        unfinished items the worker has finished since; and when the broker is a new cluster, the lost one's
        acknowledgements are void: forget them, so that every feed's next poll publishes what it lists and
        what it published but the pipeline had not finished again."""
        async with self._cluster_lock:
            if time.monotonic() < self._cluster_checked_at + CLUSTER_CHECK_SECONDS:
                return
            # Read before the cluster id: offsets read from a cluster that replaced the recorded one are then
            # not applied, since the id read after them is not the recorded one either.
            committed = await asyncio.to_thread(self._publisher.committed, self._worker_group)
            current = await asyncio.to_thread(self._publisher.cluster_id)
            if current is None:
                return  # no broker now: the poll's publishes fail and are retried
            self._cluster_checked_at = time.monotonic()
            recorded = recorded_cluster(self._cluster_marker)
            if recorded == current:
                if committed:
                    self._state.finished(committed)
                return
            if recorded is not None:
                self._clusters_lost += 1
                forgotten = self._state.forget_published()
                LOGGER.warning(
                    "the broker is a new cluster (its data is lost): items it had acknowledged are published "
                    "again",
                    extra={
                        "previous_cluster_id": recorded,
                        "cluster_id": current,
                        "forgotten_keys": forgotten,
                        "unfinished_items": self._state.unfinished_count(),
                    },
                )
            record_cluster(self._cluster_marker, current)

    async def _poll_feed(self, feed: FeedConfig) -> PollSummary:
        summary = PollSummary(feeds_polled=1)
        await self._follow_cluster()
        state = self._state.feed(feed.url)
        started = time.monotonic()
        try:
            response = await self._fetcher.get(
                feed.url, accept=_FEED_ACCEPT, etag=state.etag, last_modified=state.last_modified
            )
            metrics.FETCHED_BYTES.inc(len(response.body))
            if response.status == 304:
                metrics.NOT_MODIFIED.inc()
                metrics.POLLS.labels("not_modified").inc()
                summary.not_modified = 1
                self._succeeded(
                    feed, response, state.hint_seconds, etag=state.etag, last_modified=state.last_modified
                )
                # DEBUG: an unchanged feed is the common case, and every feed's every poll would bury the
                # lines that matter (issue 20).
                LOGGER.debug("feed polled: not modified", extra={"feed": feed.url})
                return summary
            parsed = parse_feed(response.body, feed.url, response.headers.get("content-type"))
        except FetchError as exc:
            await self._failed(feed, state, exc, summary)
            return summary
        finally:
            metrics.FETCH_DURATION.labels("feed").observe(time.monotonic() - started)

        new_items = self._new_items(feed, parsed)
        summary.new_items = len(new_items)
        metrics.NEW_ITEMS.inc(len(new_items))
        failure = await self._stream(feed, parsed, new_items, summary)
        if failure is not None:
            # Not the feed's fault: keep the validators and the unpublished items unseen, and try again soon.
            LOGGER.error(
                "publish failed; items stay unseen",
                extra={
                    "feed": feed.url,
                    "reason": failure.reason,
                    "error": str(failure),
                    "published": summary.pages_published,
                    "remaining": summary.items_remaining,
                },
            )
            metrics.ERRORS.labels(failure.reason).inc()
            metrics.POLLS.labels("error").inc()
            self._cluster_checked_at = float("-inf")  # the broker may come back as another cluster
            summary.errors[failure.reason] += 1
            self._state.set_next_poll(feed.url, time.time() + self._publish_retry_in(feed))
            return summary
        self._publish_failures.pop(feed.url, None)
        metrics.POLLS.labels("ok").inc()
        if summary.items_remaining:
            metrics.ITEMS_DEFERRED.inc(summary.items_remaining)
            # The old validators stay, so the next poll (soon) gets the feed again and finds the rest unseen.
            self._succeeded(
                feed,
                response,
                parsed.ttl_seconds,
                etag=state.etag,
                last_modified=state.last_modified,
                backlog=True,
            )
        else:
            self._succeeded(
                feed,
                response,
                parsed.ttl_seconds,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
            )
        # INFO only when the poll found something: polls of unchanged feeds stay at DEBUG (issue 20).
        LOGGER.log(
            logging.INFO if new_items else logging.DEBUG,
            "feed polled",
            extra={
                "feed": feed.url,
                "items": len(parsed.items),
                "new": len(new_items),
                "published": summary.pages_published,
                "remaining": summary.items_remaining,
            },
        )
        return summary

    def _publish_retry_in(self, feed: FeedConfig) -> float:
        """Seconds until a feed whose items could not be published is polled again:
        backlog_poll_delay_seconds, doubling while publishing keeps failing, up to backoff_initial_seconds. A
        broker restart is over in seconds, and a feed goes on listing new items meanwhile: one that lists less
        than a minute of them lost the rest when it waited backoff_initial_seconds (60 s) after a restart
        (bench_soak, 5 items per feed)."""
        failures = self._publish_failures[feed.url] = self._publish_failures.get(feed.url, 0) + 1
        return min(
            self._config.backlog_poll_delay_seconds * 2 ** (failures - 1),
            self._config.backoff_initial_seconds,
        )

    async def _stream(
        self, feed: FeedConfig, parsed: ParsedFeed, items: list[ParsedItem], summary: PollSummary
    ) -> PublishError | None:
        """Fetch, fit, publish and mark seen `items` one by one, `per_host_concurrency` at a time (pages
        in flight, hence memory, stay bounded whatever the feed's size), until the poll's caps are reached.
        Returns the publish failure that stopped it, if any; `summary.items_remaining` counts the items not
        done."""
        pending = iter(items)
        taken = 0
        failure: PublishError | None = None
        summary.items_remaining = len(items)
        self._set_remaining(feed, summary.items_remaining)
        self._state.keep_unpublished(feed.url, [(item.keys[0], item.to_json()) for item in items])

        async def worker() -> None:
            nonlocal taken, failure
            while (
                failure is None
                and taken < self._config.max_items_per_poll
                and summary.page_bytes < self._config.max_bytes_per_poll
            ):
                item = next(pending, None)
                if item is None:
                    return
                taken += 1
                page = await self._fitted(await self._page(feed, parsed, item, summary))
                clusters_lost = self._clusters_lost
                if page is not None:
                    try:
                        (where,) = await asyncio.to_thread(
                            self._publisher.publish_confirmed, [page], self._config.publish_timeout_seconds
                        )
                    except PublishError as exc:
                        failure = failure or exc
                        return
                    if self._clusters_lost != clusters_lost:
                        continue  # acknowledged by the cluster just lost, maybe: stays unseen, comes again
                    self._state.mark_unfinished(
                        feed.url, item.keys[0], item.to_json(), where.partition, where.offset
                    )
                    summary.pages_published += 1
                    metrics.PAGES_PUBLISHED.inc()
                    if page.feed_only:
                        summary.feed_only += 1
                        metrics.FEED_ONLY.inc()
                else:
                    self._state.drop_unfinished(feed.url, item.keys[0])
                # Published, or dead-lettered by _fitted: a page that cannot be made to fit never will.
                pruned = self._state.mark_seen(feed.url, [item.keys])
                if pruned:
                    metrics.SEEN_PRUNED.inc(pruned)
                    LOGGER.info("old seen items forgotten", extra={"keys": pruned})
                summary.items_remaining -= 1
                self._set_remaining(feed, summary.items_remaining)

        workers = [
            asyncio.create_task(worker()) for _ in range(min(self._config.per_host_concurrency, len(items)))
        ]
        try:
            await asyncio.gather(*workers)
        finally:
            # One worker's exception (a bug, a full state disk) or the poll's cancellation stops them all.
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        return failure

    def _set_remaining(self, feed: FeedConfig, remaining: int) -> None:
        previous = self._remaining.get(feed.url, 0)
        self._remaining[feed.url] = remaining
        metrics.ITEMS_REMAINING.inc(remaining - previous)
        if self._label_feeds:
            metrics.FEED_ITEMS_REMAINING.labels(redact_url(feed.url)).set(remaining)

    async def _fitted(self, page: RawPage) -> RawPage | None:
        """`page` cut to the size policy, or None after dead-lettering a reference to it when even its
        uncuttable fields (URLs, title) are too large."""
        fitted = fit_raw_page(page, self._limits)
        key_bytes = len(page.canonical_url.encode("utf-8"))
        if fitted is not None and len(fitted[1]) + key_bytes <= self._limits.record_bytes:
            if fitted[0] is not page:
                OVERSIZE_RECORDS.labels("raw_page", "truncated").inc()
                LOGGER.info(
                    "page cut to the size cap", extra={"url": page.url[:500], "feed": page.feed.feed_url}
                )
            return fitted[0]
        OVERSIZE_RECORDS.labels("raw_page", "dead_lettered").inc()
        encoded = page.to_bytes()
        letter = DeadLetter(
            stage=STAGE,
            reason="too_large",
            error=f"a RawPage above limits.record_bytes={self._limits.record_bytes} even when cut",
            key=payload_head(page.canonical_url, self._limits),
            payload=payload_head(encoded, self._limits),
            payload_bytes=len(encoded),
            failed_at=_now(),
        )
        await asyncio.to_thread(self._publisher.dead_letter, letter)
        return None

    def _new_items(self, feed: FeedConfig, parsed: ParsedFeed) -> list[ParsedItem]:
        items, shared = _told_apart(parsed.items)
        # What an earlier poll found new and could not publish, or a lost broker held unfinished, comes again
        # whether the feed still lists it or not.
        candidates = items + [ParsedItem.from_json(text) for text in self._state.to_publish_again(feed.url)]
        unseen = self._state.unseen(feed.url, [item.keys for item in candidates])
        batch: set[str] = set()  # a feed listing one article twice yields one record
        new_items = []
        for item, is_new in zip(candidates, unseen, strict=True):
            if is_new and batch.isdisjoint(item.keys):
                new_items.append(item)
                batch.update(item.keys)
        collided = sum(1 for item in new_items if item.guid in shared)
        if collided:
            metrics.GUID_COLLISIONS.inc(collided)
            LOGGER.info(
                "items sharing a GUID with other links are told apart by link",
                extra={"feed": feed.url, "guids": len(shared), "new": collided},
            )
        return new_items

    async def _page(
        self, feed: FeedConfig, parsed: ParsedFeed, item: ParsedItem, summary: PollSummary
    ) -> RawPage:
        fetched_at = _now()
        feed_item = FeedItem(
            # raw-pages is read by every consumer: credentials or a token in a feed URL stay in the config.
            feed_url=redact_url(feed.url),
            feed_name=feed.name or parsed.title,
            guid=item.guid,
            title=item.title,
            summary=item.summary,
            published=item.published,
            language_hint=feed.language or parsed.language,
            tags=list(dict.fromkeys([*feed.tags, *item.tags])),
        )
        if not item.link:
            # No page to fetch: the item is identified within its feed.
            return RawPage(
                url=feed.url,
                final_url=feed.url,
                canonical_url=f"{canonical_url(feed.url)}#item-{stable_id(*item.keys)}",
                feed_only=True,
                fetch_error="no_link: the item has no link",
                fetched_at=fetched_at,
                feed=feed_item,
            )
        try:
            if not self._config.fetch_pages:
                raise FetchError("page fetching is disabled (connector.fetch_pages)", item.link)
            response = await self._fetch_page(item.link)
        except FetchError as exc:
            metrics.ERRORS.labels(exc.reason).inc()
            summary.errors[exc.reason] += 1
            LOGGER.warning(
                "page not fetched; publishing the feed's item",
                extra={"feed": feed.url, "url": item.link, "reason": exc.reason, "error": str(exc)},
            )
            return RawPage(
                url=item.link,
                final_url=item.link,
                canonical_url=canonical_url(item.link),
                http_status=exc.status if isinstance(exc, HttpStatusError) else None,
                feed_only=True,
                fetch_error=f"{exc.reason}: {exc}",
                fetched_at=fetched_at,
                feed=feed_item,
            )
        summary.page_bytes += len(response.body)
        html = decode_html(response.body, response.headers.get("content-type"))
        return RawPage(
            url=item.link,
            final_url=response.final_url,
            canonical_url=page_canonical_url(html, response.final_url),
            http_status=response.status,
            headers={name: response.headers[name] for name in _PAGE_HEADERS if name in response.headers},
            html=html,
            fetched_at=fetched_at,
            feed=feed_item,
        )

    async def _fetch_page(self, url: str) -> Response:
        if self._config.obey_robots_txt and not await self._robots.allowed(url):
            raise RobotsDisallowed("robots.txt disallows this page", url)
        started = time.monotonic()
        try:
            response = await self._fetcher.get(url, accept=_PAGE_ACCEPT)
        finally:
            metrics.FETCH_DURATION.labels("page").observe(time.monotonic() - started)
        metrics.FETCHED_BYTES.inc(len(response.body))
        check_html(response.headers.get("content-type"), response.final_url)
        metrics.PAGES_FETCHED.inc()
        return response

    def _interval(self, feed: FeedConfig, hint_seconds: float | None) -> float:
        interval = feed.interval_seconds or self._config.poll_interval_seconds
        if hint_seconds:
            # A feed asking to be polled less often (<ttl>, max-age) is obeyed, up to the cap.
            interval = max(interval, min(hint_seconds, self._config.max_poll_interval_seconds))
        return self._jitter(interval)

    def _jitter(self, seconds: float) -> float:
        fraction = self._config.poll_jitter_fraction
        return seconds * (1 + random.uniform(-fraction, fraction))

    def _succeeded(
        self,
        feed: FeedConfig,
        response: Response,
        ttl_seconds: float | None,
        *,
        etag: str | None,
        last_modified: str | None,
        backlog: bool = False,
    ) -> None:
        """`backlog`: the poll left new items, so the next one comes after backlog_poll_delay_seconds."""
        max_age = _MAX_AGE.search(response.headers.get("cache-control", ""))
        hint = max(float(max_age.group(1)) if max_age else 0.0, ttl_seconds or 0.0) or None
        delay = self._config.backlog_poll_delay_seconds if backlog else self._interval(feed, hint)
        self._state.record_success(
            feed.url, etag=etag, last_modified=last_modified, hint_seconds=hint, next_poll=time.time() + delay
        )
        self._track_health(feed.url)
        self._unhealthy.discard(feed.url)
        metrics.FEEDS_UNHEALTHY.set(len(self._unhealthy))
        if self._label_feeds:
            metrics.LAST_SUCCESS.labels(redact_url(feed.url)).set(time.time())

    async def _failed(
        self, feed: FeedConfig, state: FeedState, exc: FetchError, summary: PollSummary
    ) -> None:
        failures = state.consecutive_failures + 1
        backoff = min(
            self._config.backoff_initial_seconds * 2 ** (failures - 1), self._config.backoff_max_seconds
        )
        retry_after = exc.retry_after if isinstance(exc, HttpStatusError) else None
        if retry_after:
            backoff = max(backoff, min(retry_after, self._config.backoff_max_seconds))
        self._state.record_failure(
            feed.url, error=f"{exc.reason}: {exc}", next_poll=time.time() + self._jitter(backoff)
        )
        self._track_health(feed.url)
        metrics.ERRORS.labels(exc.reason).inc()
        metrics.POLLS.labels("error").inc()
        summary.errors[exc.reason] += 1
        unhealthy = failures >= self._config.unhealthy_after_failures
        if unhealthy:
            self._unhealthy.add(feed.url)
            metrics.FEEDS_UNHEALTHY.set(len(self._unhealthy))
        LOGGER.log(
            logging.ERROR if unhealthy else logging.WARNING,
            "feed poll failed",
            extra={
                "feed": feed.url,
                "url": exc.url,
                "reason": exc.reason,
                "error": str(exc),
                "failures": failures,
                "retry_in_seconds": round(backoff),
            },
        )
        letter = DeadLetter(
            stage=STAGE,
            reason=exc.reason,
            error=str(exc),
            key=feed.url,
            payload=payload_head(exc.body, self._limits),
            payload_bytes=len(exc.body),
            failed_at=_now(),
        )
        await asyncio.to_thread(self._publisher.dead_letter, letter)
