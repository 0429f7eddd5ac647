"""Load generator for pipeline benchmarks: a synthetic Arabic/English news site served on loopback.

It serves F RSS feeds (`/f<feed>/feed.xml`, half Arabic, half English) and their article pages
(`/f<feed>/a/<index>.html`): 50–150 KB of HTML — menu, most-read sidebar, "read also" links, share line,
footer, analytics scripts and mega-menus — around an article body composed from this module's own sentence
templates. A configurable share of pages carry a commitment or a sanction the extract engine recognises
("Germany pledged 500 million euros in military aid to Ukraine", "فرضت بريطانيا عقوبات على ..."), and a share
are near-duplicates of a recent page (same body, one paragraph and the title reworded, another outlet).

Page `i` is a pure function of (seed, i), so pages are rendered on request and any number can be served. With
`rate == 0` every page is listed from the start (as-fast-as-possible load); with `rate > 0` page `i` appears
in its feed `i / rate` seconds after the first feed poll (fixed-rate load), each feed listing its newest
items, with an ETag: a conditional poll of a feed without a new item is answered 304, as news sites answer.
The pipeline reads it through its real connector: `loadgen_settings` points the feeds at the server and lifts
the connector's loopback refusal and one-host politeness.

Standalone (for `newsmon run --config FILE`): `.venv/bin/python bench/loadgen.py --rate 20 --write-config F`.
"""

from __future__ import annotations

import argparse
import html
import multiprocessing
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from newsmon.records import FeedItem, RawPage
from newsmon.settings import Settings
from newsmon.settings.connector import FeedConfig

try:  # a sibling script when run as bench/…; a package module under pytest
    from eval_clean_seeds import news_page
except ImportError:  # pragma: no cover - imported as bench.loadgen
    from bench.eval_clean_seeds import news_page

# Parties as the engine's gazetteers name them: (English, Arabic).
ACTORS = [
    ("Germany", "ألمانيا"),
    ("France", "فرنسا"),
    ("Britain", "بريطانيا"),
    ("Japan", "اليابان"),
    ("Italy", "إيطاليا"),
    ("Canada", "كندا"),
    ("Spain", "إسبانيا"),
    ("the Netherlands", "هولندا"),
    ("Sweden", "السويد"),
    ("Norway", "النرويج"),
    ("Poland", "بولندا"),
    ("Turkey", "تركيا"),
]
TARGETS = [
    ("Ukraine", "أوكرانيا"),
    ("Sudan", "السودان"),
    ("Estonia", "إستونيا"),
    ("Lebanon", "لبنان"),
    ("Jordan", "الأردن"),
    ("Moldova", "مولدوفا"),
    ("Somalia", "الصومال"),
    ("Yemen", "اليمن"),
]
SANCTIONED = [
    ("Russia", "روسيا"),
    ("Iran", "إيران"),
    ("Belarus", "بيلاروسيا"),
    ("North Korea", "كوريا الشمالية"),
    ("Syria", "سوريا"),
    ("Myanmar", "ميانمار"),
]
SANCTIONERS = [
    *ACTORS[:6],
    ("The European Union", "الاتحاد الأوروبي"),
    ("The United States", "الولايات المتحدة"),
]

# Event sentences: {a} actor, {t} target, {n} a number. Commitments take TARGETS, sanctions SANCTIONED.
COMMITMENTS = {
    "en": [
        "{a} pledged {n} million euros in military aid to {t}.",
        "{a} announced a grant of ${n} million in humanitarian aid to {t}.",
        "{a} will send {n} troops to {t}, the defence ministry said on {day}.",
        "{a} decided to deliver an air defence system to {t}, officials said.",
    ],
    "ar": [
        "أعلنت {a} تقديم {n} مليون يورو مساعدات عسكرية إلى {t}.",
        "تعهدت {a} بتقديم منحة بقيمة {n} مليون دولار مساعدات إنسانية إلى {t}.",
        "قررت {a} إرسال منظومة دفاع جوي إلى {t}.",
    ],
}
SANCTIONS = {
    "en": [
        "{a} imposed new sanctions on {t} on {day}, targeting its banking sector.",
        "{a} froze the assets of {n} officials from {t}.",
        "{a} threatened to impose sanctions on {t} over the crackdown.",
    ],
    "ar": [
        "فرضت {a} عقوبات جديدة على {t} تشمل قطاع الطاقة.",
        "{a} يفرض عقوبات جديدة على {t} تستهدف البنوك.",
        "فرضت {a} عقوبات على {n} مسؤولين من {t}.",
    ],
}
# Context sentences that carry no event. Slots: {p} a person, {o} an organisation, {x} a topic, {c} a place —
# mostly the article's story's own (generated) names, so that articles of one story share phrases and others
# do not, as in real news — and {w} a fresh word, {n} a number, {day} a weekday.
FILLER = {
    "en": [
        "{p} met his counterpart in {c} on {day} to discuss {x}.",
        "Officials said talks on {x} would continue next week in {c}, {p} told reporters.",
        "The meeting with {o} in {c} lasted more than {n} hours, according to a statement.",
        "Analysts at {o} said the discussions on {x} had made slow progress since {day}.",
        "Diplomats described the {w} talks with {p} as constructive but cautious.",
        "The {o} delegation is expected to return to {c} before the end of the month.",
        "A spokesperson for {o} declined to give details about the timetable for {x}.",
        "Local media in {c} reported that about {n} people attended the {w} conference.",
        "Several lawmakers called for a public debate on {x} before {p} takes any decision.",
        "{p} said {o} would publish a full report on {x} and the {w} district in the coming days.",
        "Residents of {c} said the {w} market had been closed for {n} days.",
        "The {w} committee of {o} will hold a hearing on {x} in {c} on {day}.",
        "{p}, who leads {o}, has visited {c} {n} times this year.",
        "Critics of {p} said the plan for {x} ignored the {w} region.",
    ],
    "ar": [
        "التقى {p} نظيره في {c} يوم {day} لبحث {x}.",
        "قال مسؤولون إن المحادثات حول {x} ستستمر الأسبوع المقبل في {c} بحسب {p}.",
        "استمر الاجتماع مع {o} في {c} أكثر من {n} ساعات بحسب بيان رسمي.",
        "قال محللون في {o} إن النقاشات حول {x} تتقدم ببطء منذ يوم {day}.",
        "وصف دبلوماسيون محادثات {w} مع {p} بأنها بناءة لكنها حذرة.",
        "ومن المتوقع أن يعود وفد {o} إلى {c} قبل نهاية الشهر.",
        "رفض متحدث باسم {o} الإدلاء بتفاصيل حول الجدول الزمني لملف {x}.",
        "ذكرت وسائل إعلام محلية في {c} أن نحو {n} شخص حضروا مؤتمر {w}.",
        "دعا عدد من النواب إلى نقاش عام حول {x} قبل أن يتخذ {p} أي قرار.",
        "قال {p} إن {o} ستنشر تقريرا كاملا حول {x} ومنطقة {w} خلال الأيام المقبلة.",
        "قال سكان في {c} إن سوق {w} مغلق منذ {n} أيام.",
        "ستعقد لجنة {w} التابعة لـ{o} جلسة استماع حول {x} في {c} يوم {day}.",
        "زار {p} الذي يرأس {o} مدينة {c} {n} مرات هذا العام.",
        "قال منتقدو {p} إن {x} تجاهلت منطقة {w}.",
    ],
}
# Syllables of generated names: people, places, organisations and topics no two stories share.
SYLLABLES = {
    "en": "ka lo ver dan mi ro tes sha bri ul nor gat pel zan qui mor al ten vi do ras bel fin hu".split(),
    "ar": "كا لو فر دان مي رو تس شا بري ول نور غات بل زان قو مور ال تن في دو راس بيل فين هو".split(),
}
ORGANISATIONS = {
    "en": ["the {} Authority", "the {} Council", "the {} Institute", "the {} Foundation"],
    "ar": ["هيئة {}", "مجلس {}", "معهد {}", "مؤسسة {}"],
}
TOPIC_FORMS = {
    "en": ["the {} {} plan", "the {} water deal", "{} {} reforms", "the {} corridor"],
    "ar": ["خطة {} {}", "اتفاق مياه {}", "إصلاحات {} {}", "ممر {}"],
}
CITIES = {
    "en": ["Paris", "Geneva", "Cairo", "Amman", "Brussels", "Vienna", "Doha", "Oslo"],
    "ar": ["باريس", "جنيف", "القاهرة", "عمان", "بروكسل", "فيينا", "الدوحة", "أوسلو"],
}
DAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "ar": ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة"],
}
CHROME = {  # labels of the page furniture around the article
    "en": {
        "related": "Read also:",
        "share": "Share this article",
        "site": "Daily Wire Service",
        "sections": ["World", "Politics", "Economy", "Sport", "Culture", "Opinion", "Video", "Podcasts"],
    },
    "ar": {
        "related": "اقرأ أيضا:",
        "share": "شارك هذا المقال",
        "site": "وكالة الأنباء اليومية",
        "sections": ["العالم", "سياسة", "اقتصاد", "رياضة", "ثقافة", "رأي", "فيديو", "بودكاست"],
    },
}
EPOCH = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class LoadSpec:
    """What the site serves. `pages == 0` with `rate > 0` serves an endless stream."""

    pages: int = 600
    feeds: int = 40
    rate: float = 0.0
    event_share: float = 0.3
    duplicate_share: float = 0.15
    feed_window: int = 50
    seed: int = 7


@dataclass(frozen=True)
class GeneratedArticle:
    index: int
    feed: int
    lang: str
    title: str
    paragraphs: list[str]
    published: datetime
    duplicate_of: int | None = None
    events: int = 0  # event sentences planted in the body
    teasers: list[str] = field(default_factory=list)


def offline_page(url: str, page_html: str, fetched_at: datetime, feed_url: str) -> RawPage:
    """A page as the connector would publish it, built without fetching: benches that run the stages in one
    process start from it."""
    return RawPage(
        url=url,
        final_url=url,
        canonical_url=url,
        headers={"Content-Type": "text/html"},
        html=page_html,
        fetched_at=fetched_at,
        feed=FeedItem(feed_url=feed_url),
    )


class Corpus:
    """Deterministic articles: `article(i)` is the same in every process for the same spec."""

    def __init__(self, spec: LoadSpec) -> None:
        self.spec = spec
        self.article = lru_cache(maxsize=512)(self._article)

    def feed_language(self, feed: int) -> str:
        return "ar" if feed % 2 else "en"

    def _rng(self, index: int, salt: int = 0) -> random.Random:
        return random.Random(self.spec.seed * 1_000_003 + index * 7 + salt)

    def _word(self, rng: random.Random, lang: str) -> str:
        word = "".join(rng.choices(SYLLABLES[lang], k=rng.randint(2, 3)))
        return word.capitalize() if lang == "en" else word

    def _story(self, lang: str, story: int) -> dict[str, list[str]]:
        """The names one story's articles share: two people, two places, an organisation, two topics."""
        rng = random.Random(self.spec.seed * 7_919 + story * 2 + (lang == "ar"))
        word = lambda: self._word(rng, lang)  # noqa: E731 - a local shorthand
        topics = [rng.choice(TOPIC_FORMS[lang]) for _ in range(2)]
        return {
            "p": [f"{word()} {word()}" for _ in range(2)],
            "c": [word(), rng.choice(CITIES[lang])],
            "o": [rng.choice(ORGANISATIONS[lang]).format(word())],
            "x": [form.format(*(word().lower() for _ in range(form.count("{}")))) for form in topics],
        }

    def _fill(
        self,
        rng: random.Random,
        template: str,
        lang: str,
        story: dict[str, list[str]],
        parties: tuple[list, list] | None = None,
    ) -> str:
        slots: dict[str, Any] = {key: rng.choice(names) for key, names in story.items()}
        slots.update(day=rng.choice(DAYS[lang]), n=rng.randint(2, 999), w=self._word(rng, lang).lower())
        if parties is not None:
            column = 0 if lang == "en" else 1
            slots["a"], slots["t"] = rng.choice(parties[0])[column], rng.choice(parties[1])[column]
        sentence = template.format(**slots)
        return sentence[0].upper() + sentence[1:]

    def _paragraphs(
        self, rng: random.Random, lang: str, story: dict[str, list[str]], events: int
    ) -> list[str]:
        sentences = [
            self._fill(rng, rng.choice(FILLER[lang]), lang, story) for _ in range(rng.randint(18, 45))
        ]
        for _ in range(events):  # an event sentence near the top, as a lede would carry it
            kind = rng.random() < 0.5
            templates, parties = (
                (COMMITMENTS, (ACTORS, TARGETS)) if kind else (SANCTIONS, (SANCTIONERS, SANCTIONED))
            )
            sentences.insert(
                rng.randint(0, 3), self._fill(rng, rng.choice(templates[lang]), lang, story, parties)
            )
        paragraphs, at = [], 0
        while at < len(sentences):
            step = rng.randint(2, 4)
            paragraphs.append(" ".join(sentences[at : at + step]))
            at += step
        return paragraphs

    def _article(self, index: int) -> GeneratedArticle:
        rng = self._rng(index)
        feed = index % self.spec.feeds
        lang = self.feed_language(feed)
        published = EPOCH + timedelta(seconds=index)
        # About six articles per story, a story running over ~30 consecutive pages, as coverage does.
        story = self._story(lang, max(0, index // 6 - rng.randint(0, 4)))
        teasers = [
            self._fill(rng, rng.choice(FILLER[lang]), lang, self._story(lang, -rng.randint(1, 10**6)))[:60]
            for _ in range(40)
        ]
        # A near-duplicate copies a recent page of the same language (another outlet) and rewords a little.
        if index >= 2 * self.spec.feeds and rng.random() < self.spec.duplicate_share:
            original = self.article(index - 2 * rng.randint(1, self.spec.feeds // 2))
            paragraphs = list(original.paragraphs)
            paragraphs[-1] = self._fill(rng, rng.choice(FILLER[lang]), lang, story)
            title = original.title.rstrip(".") + (" - تحديث" if lang == "ar" else " (updated)")
            return GeneratedArticle(
                index, feed, lang, title, paragraphs, published, original.index, original.events, teasers
            )
        events = 1 + (rng.random() < 0.3) if rng.random() < self.spec.event_share else 0
        paragraphs = self._paragraphs(rng, lang, story, events)
        title = re.split(r"[.،,]", paragraphs[0])[0][:110]
        return GeneratedArticle(index, feed, lang, title, paragraphs, published, None, events, teasers)

    def render_page(self, index: int, base_url: str) -> str:
        """The article page: 50–150 KB, most of it chrome as on real news sites."""
        article = self.article(index)
        chrome = CHROME[article.lang]
        rng = self._rng(index, salt=1)
        related = "".join(
            f'<li><a href="/f{article.feed}/a/{max(0, index - k)}.html">{html.escape(t)}</a></li>'
            for k, t in enumerate(article.teasers[:5], start=1)
        )
        body = (
            "".join(f"<p>{html.escape(p)}</p>" for p in article.paragraphs)
            + f'<div class="related"><p>{chrome["related"]}</p><ul>{related}</ul></div>'
            + f'<div class="share">{chrome["share"]}: Facebook · X · WhatsApp</div>'
        )
        site = f"{chrome['site']} {article.feed}"
        page = news_page(
            article.title, body, article.lang, site, article.published.isoformat(), article.teasers
        )
        page = page.replace(
            "</title>", f'</title><link rel="canonical" href="{base_url}/f{article.feed}/a/{index}.html">', 1
        )
        target = rng.randint(50_000, 150_000)
        # Tracking scripts, JSON state and mega-menus: most of a real page's bytes, none of its text.
        sections = "".join(
            f'<li><a href="/s/{i}">{s}</a><ul>'
            + "".join(
                f'<li><a href="/s/{i}/{j}">{html.escape(t[:30])}</a></li>'
                for j, t in enumerate(article.teasers[i::8][:5])
            )
            + "</ul></li>"
            for i, s in enumerate(chrome["sections"])
        )
        state = "".join(
            f'{{"id":{index * 100 + k},"slot":"{uuid.UUID(int=rng.getrandbits(128))}","v":"{"x" * 300}"}},'
            for k in range(10)
        )
        block = f"<script>window.__STATE__.push([{state}]);</script>"
        # A "more stories" grid of teaser cards below the article, as CMS templates append to every page.
        cards = "".join(
            f'<div class="card"><a href="/f{article.feed}/a/{max(0, index - k)}.html"><img src="/i/{k}.jpg" '
            f'alt=""></a><h3><a href="/f{article.feed}/a/{max(0, index - k)}.html">{html.escape(t)}</a>'
            f'</h3><span class="time">{k} h</span><p>{html.escape(article.teasers[-(k % 40)][:45])}</p></div>'
            for k, t in enumerate(article.teasers, start=1)
        )
        page = page.replace("<main>", f'<nav class="mega"><ul>{sections}</ul></nav><main>', 1)
        page = page.replace("<footer>", f'<section class="more">{cards}</section><footer>', 1)
        padding = block * max(0, (target - len(page.encode())) // len(block.encode()))
        return page.replace("</body>", padding + "</body>")

    def visible(self, now: float, started: float) -> int:
        """How many pages exist at `now`."""
        if self.spec.rate <= 0:
            return self.spec.pages
        if started <= 0:
            return 0
        released = int((now - started) * self.spec.rate)
        return min(released, self.spec.pages) if self.spec.pages else released

    def raw_page(self, index: int) -> RawPage:
        """Page `index` as the connector would publish it, without a site: for benches that run the stages
        in one process."""
        url = f"http://127.0.0.1:1/f{self.article(index).feed}/a/{index}.html"
        return offline_page(
            url,
            self.render_page(index, "http://127.0.0.1:1"),
            datetime.now(UTC),
            "http://127.0.0.1:1/f0/feed.xml",
        )

    def render_feed(self, feed: int, visible: int, base_url: str) -> str:
        newest = [i for i in range(feed, visible, self.spec.feeds)][-self.spec.feed_window :]
        items = "".join(
            f"<item><title>{html.escape(self.article(i).title)}</title>"
            f"<link>{base_url}/f{feed}/a/{i}.html</link><guid>{base_url}/f{feed}/a/{i}.html</guid>"
            f"<pubDate>{format_datetime(self.article(i).published)}</pubDate></item>"
            for i in reversed(newest)
        )
        return (
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Outlet {feed}</title>'
            f"<link>{base_url}/f{feed}/</link><language>{self.feed_language(feed)}</language>"
            f"{items}</channel></rss>"
        )


_FEED_PATH = re.compile(r"^/f(\d+)/feed\.xml$")
_PAGE_PATH = re.compile(r"^/f(\d+)/a/(\d+)\.html$")


def _serve(spec: LoadSpec, ready: Any, started_at: Any) -> None:
    """The server process: its own GIL, so rendering pages does not slow the harness down."""
    corpus = Corpus(spec)
    clock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the connector's httpx client expects

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            base = f"http://{self.headers.get('Host', '127.0.0.1')}"
            with clock:  # fixed-rate release starts at the first feed poll, not when the server is up
                if started_at.value == 0.0 and _FEED_PATH.match(self.path):
                    started_at.value = time.time()
            visible = corpus.visible(time.time(), started_at.value)
            content_type, body, etag = "text/plain; charset=utf-8", None, None
            if match := _FEED_PATH.match(self.path):
                feed = int(match[1])
                # As news sites do, a feed answers a conditional poll 304 while it has no new item: the
                # connector polls each feed every second, a feed gets a new item every `feeds / rate` s.
                etag = f'"{feed}-{len(range(feed, visible, spec.feeds))}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                content_type, body = (
                    "application/rss+xml; charset=utf-8",
                    corpus.render_feed(feed, visible, base),
                )
            elif (match := _PAGE_PATH.match(self.path)) and int(match[2]) < visible:
                content_type, body = "text/html; charset=utf-8", corpus.render_page(int(match[2]), base)
            elif self.path == "/robots.txt":
                body = "User-agent: *\nAllow: /\n"
            payload = (body or "not found").encode("utf-8")
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", content_type)
            if etag is not None:
                self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet by design
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    ready.put(server.server_address[1])
    server.serve_forever()


class LoadServer:
    """The load site in a child process on a free loopback port (context manager)."""

    def __init__(self, spec: LoadSpec) -> None:
        self.spec = spec
        self.corpus = Corpus(spec)
        context = multiprocessing.get_context("spawn")
        self._ready = context.Queue()
        self._started_at = context.Value("d", 0.0)
        self._process = context.Process(
            target=_serve, args=(spec, self._ready, self._started_at), name="loadgen", daemon=True
        )
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def started_at(self) -> float:
        """Epoch seconds of the first feed poll, when page 0 was released (0.0 before)."""
        return self._started_at.value

    def feed_configs(self) -> list[FeedConfig]:
        return [
            FeedConfig(
                url=f"{self.base_url}/f{feed}/feed.xml",
                name=f"Outlet {feed}",
                language=self.corpus.feed_language(feed),
            )
            for feed in range(self.spec.feeds)
        ]

    def __enter__(self) -> LoadServer:
        self._process.start()
        self.port = self._ready.get(timeout=30)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._process.terminate()
        self._process.join(timeout=5)


def loadgen_settings(
    base: Settings, server: LoadServer, state_dir: Path, poll_seconds: float = 1.0
) -> Settings:
    """`base` pointed at the load site: its feeds, a fresh topic prefix and consumer group (so runs never
    share state on a long-lived Kafka), loopback allowed and no one-host politeness (every feed is on one
    host)."""
    run_id = uuid.uuid4().hex[:8]
    return base.model_copy(
        update={
            "feeds": server.feed_configs(),
            "state_dir": state_dir,
            "kafka": base.kafka.model_copy(update={"topic_prefix": f"newsmon-bench-{run_id}."}),
            "worker": base.worker.model_copy(update={"app_id": f"newsmon-bench-{run_id}"}),
            "connector": base.connector.model_copy(
                update={
                    "allowed_hosts": [*base.connector.allowed_hosts, "127.0.0.1"],
                    "poll_interval_seconds": poll_seconds,
                    "poll_jitter_fraction": 0.1,
                    "per_host_min_delay_seconds": 0.0,
                    "per_host_concurrency": 16,
                    "max_concurrent_feeds": max(base.connector.max_concurrent_feeds, server.spec.feeds),
                    "obey_robots_txt": False,
                }
            ),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the synthetic news site until Ctrl-C.")
    parser.add_argument("--pages", type=int, default=0, help="0 with --rate: endless")
    parser.add_argument("--feeds", type=int, default=40)
    parser.add_argument("--rate", type=float, default=20.0, help="pages/s released; 0 = all at once")
    parser.add_argument("--event-share", type=float, default=0.3)
    parser.add_argument("--duplicate-share", type=float, default=0.15)
    parser.add_argument(
        "--write-config", type=Path, help="write a newsmon TOML config with the feeds and exit only on Ctrl-C"
    )
    args = parser.parse_args()
    spec = LoadSpec(
        pages=args.pages,
        feeds=args.feeds,
        rate=args.rate,
        event_share=args.event_share,
        duplicate_share=args.duplicate_share,
    )
    with LoadServer(spec) as server:
        print(f"serving {spec} at {server.base_url}", flush=True)
        if args.write_config:
            feeds = "".join(
                f'\n[[feeds]]\nurl = "{f.url}"\nname = "{f.name}"\nlanguage = "{f.language}"\n'
                for f in server.feed_configs()
            )
            args.write_config.write_text(
                '[connector]\nallowed_hosts = ["127.0.0.1"]\nper_host_min_delay_seconds = 0\n'
                f"per_host_concurrency = 16\npoll_interval_seconds = 1\nobey_robots_txt = false\n{feeds}",
                encoding="utf-8",
            )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
