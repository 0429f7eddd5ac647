"""How the labelled real-news sets (`labelled/{ar,en}.jsonl`) are drawn and grown: the sampling recipe.

Owns the per-language readers of the public corpora (SaudiNewsNet, Al Mayadeen and BBC Arabic for Arabic;
BBC News, AG News, FNC-1, the Reuters part of ISOT, Reuters of 2006-13, Al Jazeera English of 2025 and the
news-feed descriptions of the RSS link databases of 2020-23 for English), the sentence splitter giving
character spans into an article's text, the candidate filters (our own word lists, deliberately not the
engine's lexicon, so that the sample is not biased towards what the engine already finds), the seeded
selection (sentences already labelled are excluded, at most three sentences per article counting those), the
batch files handed to labellers, and merging their labels back as pointers with ids and a dev/test split.
The pointer format and reading sentences back belong to `realtext`.

    python -m newsmon.streams.extract.sampling draw --lang en --kind phrase --count 400 --seed 20261206 \\
        --out-dir /work/corpus_work/batches
    python -m newsmon.streams.extract.sampling merge --lang en --labels LABELLED_BATCH.jsonl ...

Kinds of draw. `broad`: the sentence names a state, a leader's seat or an international organisation.
`phrase`: it also holds one of our hand-written event phrases, so that the set gets enough events. The first
draws of the committed sets additionally sorted `broad` sentences into tiers by wider word lists with fixed
quotas per tier, and one Arabic draw kept only sentences with strong provision/restriction words; those
one-off tiers are not kept here.

Batch files hold third-party text (`text`, beside the pointer fields): they are written outside the
repository only. `labelled/LABELLING.md` is what labellers are told; `merge` keeps the pointer fields and the
labels (type, status, actors, targets), never the text.
"""

from __future__ import annotations

import argparse
import collections
import csv
import dataclasses
import hashlib
import io
import json
import random
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path

from newsmon.streams.extract import realtext

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
MIN_CHARS = 40
MAX_CHARS = 400
MAX_PER_ARTICLE = 3
TEST_TENTHS = 3  # an article goes to test when the hash of its name modulo 10 is below this: ~30 % test
TYPES = ("commitment", "sanction")
STATUSES = ("announced", "proposed", "threatened", "called_for", "refused", "lifted")
CODE = re.compile(r"[A-Z][A-Z0-9_]*")  # ISO 3166-1 alpha-3 or an organisation code (EU, ARAB_LEAGUE)
EVENT_KEYS = {"type", "status", "actors", "targets", "trigger"}  # trigger: the labeller's evidence, not kept

# ------------------------------------------------------------------------------------------ word lists (data)

# States, capitals, leaders and organisations, matched anywhere in the sentence after `_fold_ar`.
AR_PARTIES = """أمريك أميرك الولايات المتحدة واشنطن أوباما كيري روسي موسكو بوتين لافروف الصين بكين صيني
إيران إيراني طهران روحاني ظريف خامنئي السعودي المملكة الرياض خادم الحرمين الملك سلمان ولي
العهد ولي ولي العهد الإمارات الإماراتي أبوظبي قطر القطري الدوحة الكويت البحرين عمان سلطنة
اليمن اليمني صنعاء عدن مصر المصري القاهرة السيسي الأردن عمّان العراق العراقي بغداد سوريا
السوري دمشق الأسد لبنان اللبناني بيروت تركيا التركي أنقرة أردوغان فرنسا الفرنسي باريس
ألمانيا الألماني برلين ميركل بريطانيا البريطاني لندن كاميرون إيطاليا اليابان الياباني
طوكيو الهند باكستان أفغانستان كوريا الاتحاد الأوروبي أوروبا الأوروبي الأمم المتحدة مجلس
الأمن الناتو الأطلسي صندوق النقد البنك الدولي الجامعة العربية مجلس التعاون التحالف
أوكرانيا كييف إسرائيل الإسرائيلي فلسطين الفلسطيني السودان ليبيا تونس الجزائر المغرب
إثيوبيا الصومال نيجيريا كوبا فنزويلا البرازيل كندا أستراليا الحكومة الوزير وزارة الخارجية""".split()

# The same for English: case-sensitive, from a word start.
EN_PARTIES = (
    r"US|U\.S\.|America|American|Washington|Bush|White House|Pentagon|Britain|British|UK|London|Blair|"
    r"Downing Street|Straw|France|French|Paris|Chirac|Germany|German|Berlin|Schroeder|Russia|Russian|"
    r"Moscow|Putin|Kremlin|China|Chinese|Beijing|Japan|Japanese|Tokyo|India|Indian|Delhi|Pakistan|Iran|"
    r"Iranian|Tehran|Iraq|Iraqi|Baghdad|Syria|Syrian|Israel|Israeli|Palestinian|Egypt|Saudi|Libya|Libyan|"
    r"Sudan|Zimbabwe|Mugabe|North Korea|South Korea|Korea|Ukraine|Ukrainian|Kiev|Belarus|Cuba|Burma|"
    r"Myanmar|Afghanistan|Afghan|Turkey|Turkish|Italy|Italian|Spain|Spanish|Canada|Australia|Brazil|"
    r"Indonesia|Sri Lanka|Thailand|Somalia|Ethiopia|Kenya|Nigeria|Uganda|Congo|Venezuela|Chavez|EU|"
    r"European Union|European Commission|Brussels|Nato|NATO|UN|United Nations|Security Council|IMF|"
    r"World Bank|G7|G8|WTO|Opec|OPEC|African Union|government|ministers?|chancellor|Foreign Office|"
    r"Treasury"
)

# Event-like phrases, one alternative a line (Arabic: matched after `_fold_ar`, as is the pattern).
AR_PHRASES = (
    r"فرض\S* (?:\S+ ){0,2}عقوبات",
    r"عقوبات (?:جديدة|اقتصادية|مالية|أمريكية|أميركية|أوروبية|دولية|على)",
    r"رفع\S* (?:\S+ ){0,2}العقوبات",
    r"تخفيف العقوبات",
    r"حظر (?:\S+ ){0,1}(?:السلاح|الأسلحة|تصدير|استيراد|السفر|النفط)",
    r"تجميد (?:\S+ ){0,1}(?:أرصدة|الأرصدة|أصول|الأصول|أموال)",
    r"قائمة (?:الإرهاب|سوداء|العقوبات)",
    r"مساعدات (?:إنسانية|عسكرية|مالية|غذائية|طبية|إغاثية|اقتصادية)",
    r"معونات",
    r"منحة",
    r"وديعة",
    r"قرض",
    r"قروض",
    r"تبرع\S* (?:\S+ ){0,2}(?:بمبلغ|ب\d)",
    r"دعم\S* (?:\S+ ){0,1}(?:مالي|عسكري)",
    r"إرسال (?:\S+ ){0,1}(?:قوات|جنود|قوة)",
    r"نشر (?:\S+ ){0,1}(?:قوات|جنود)",
    r"سحب (?:\S+ ){0,1}(?:قوات|القوات)",
    r"قوات (?:حفظ السلام|برية)",
    r"تسليح",
    r"أسلحة (?:إلى|ل)",
    r"صواريخ (?:إلى|ل)",
    r"تدريب (?:\S+ ){0,1}(?:القوات|قوات|عناصر|المعارضة)",
    r"ضمانات أمنية",
    r"جسر جوي",
    r"الجسر الجوي",
    r"طائرة إغاثية",
    r"سفينة (?:إغاثية|مساعدات)",
    r"إعادة الإعمار",
    r"تعهد\S* (?:\S+ ){0,2}(?:بتقديم|بدفع|بإرسال|بمبلغ)",
    r"هدد\S* (?:\S+ ){0,2}(?:بفرض|بعقوبات)",
    r"طالب\S* (?:\S+ ){0,3}(?:بفرض|بتقديم|بإرسال|برفع)",
    r"دعا\S* (?:\S+ ){0,3}(?:إلى فرض|لفرض|إلى تقديم|إلى رفع|إلى إرسال)",
    r"رفض\S* (?:\S+ ){0,2}(?:إرسال|فرض|رفع|تقديم)",
)

# English phrases, case-insensitive.
EN_PHRASES = (
    r"sanction",
    r"embargo",
    r"asset freeze",
    r"froze (?:\w+ ){0,2}assets",
    r"blacklist",
    r"travel ban",
    r"(?:import|export|arms|oil|trade) ban",
    r"punitive tariff",
    r"retaliatory tariff",
    r"(?:humanitarian|military|food|emergency|financial|economic|foreign) (?:aid|assistance)",
    r"aid (?:to|for|package)",
    r"relief (?:aid|supplies|effort|fund)",
    r"pledg\w+ (?:\w+ ){0,4}(?:\$|£|€|\d|aid|troops|support|million|billion)",
    r"(?:loan|grant)s? (?:of|to|worth)",
    r"debt relief",
    r"donat\w+ (?:\$|£|€|\d)",
    r"(?:send|sent|sending|deploy\w*|dispatch\w*|withdraw\w*|pull\w* out) "
    r"(?:\w+ ){0,3}(?:troops|soldiers|peacekeepers|forces|warships)",
    r"peacekeep",
    r"(?:arms|weapons) (?:to|sales? to|supplies)",
    r"train(?:ing)? (?:\w+ ){0,2}(?:forces|troops|police|army)",
    r"security guarantee",
    r"threaten\w* (?:\w+ ){0,3}(?:sanction|embargo|tariff|to cut)",
    r"urg\w+ (?:\w+ ){0,4}(?:sanction|aid|troops|to impose|to send)",
    r"(?:refus|reject)\w* (?:\w+ ){0,3}(?:to send|to impose|sanction|troops|aid)",
    r"lift\w* (?:\w+ ){0,3}(?:sanction|embargo|ban)",
    r"impos\w+ (?:\w+ ){0,3}(?:sanction|embargo|ban|tariff)",
)


def _fold_ar(text: str) -> str:
    """Alef with hamza or madda as bare alef: the spelling of news text varies."""
    return re.sub("[أإآ]", "ا", text)


_AR_PARTY = re.compile(
    "|".join(sorted({re.escape(_fold_ar(word)) for word in AR_PARTIES}, key=lambda w: (-len(w), w)))
)
_EN_PARTY = re.compile(rf"\b(?:{EN_PARTIES})")
_AR_PHRASE = re.compile(_fold_ar("|".join(AR_PHRASES)), re.I)
_EN_PHRASE = re.compile("|".join(EN_PHRASES), re.I)


def qualifies(lang: str, kind: str, sentence: str) -> bool:
    """Whether a sentence belongs to a draw of `kind`: it names a party, and for `phrase` holds a phrase."""
    if lang == "ar":
        folded = _fold_ar(sentence)
        return bool(_AR_PARTY.search(folded)) and (kind == "broad" or bool(_AR_PHRASE.search(folded)))
    return bool(_EN_PARTY.search(sentence)) and (kind == "broad" or bool(_EN_PHRASE.search(sentence)))


# --------------------------------------------------------------------------------------------- sentences

# Arabic: up to a full stop, ! or ? (Latin or Arabic) or a line break. English: up to sentence punctuation,
# optionally a closing quote, followed by space and a capital, a quote or a parenthesis; or the text's end.
_SENTENCE = {
    "ar": re.compile(r"[^.!?؟\n]+[.!?؟]*"),
    "en": re.compile(r".+?(?:[.!?]+[\"']?(?=\s+[A-Z\"'(])|$)", re.S),
}


def sentence_spans(text: str, lang: str) -> Iterator[tuple[int, int]]:
    """(start, end) character offsets of the sentences of `text`, trimmed of white space, of 40-400 chars."""
    for match in _SENTENCE[lang].finditer(text):
        start, end = match.start(), match.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if MIN_CHARS <= end - start <= MAX_CHARS:
            yield start, end


# ---------------------------------------------------------------------------------------------- candidates


@dataclasses.dataclass(frozen=True)
class Candidate:
    """A sentence offered for labelling: the pointer fields of `realtext.Pointer` but id and split, and the
    text (which never enters the repository)."""

    lang: str
    repo: str
    commit: str
    path: str
    member: str | None
    article: int
    field: str
    start: int
    end: int
    sha256: str
    outlet: str | None
    text: str

    @property
    def article_key(self) -> tuple[str, str, int]:
        return (self.repo, self.path, self.article)

    @property
    def sentence_key(self) -> tuple[str, str, int, int]:
        return (self.repo, self.path, self.article, self.start)


_CANDIDATE_FIELDS = tuple(f.name for f in dataclasses.fields(Candidate))


@dataclasses.dataclass(frozen=True)
class SourceArticle:
    """One whole article of a public corpus with the pointer fields locating it (streams/dedup's real-text
    syndication set draws whole articles; the labelled sets draw their sentences)."""

    repo: str
    commit: str
    path: str
    member: str | None
    index: int
    field: str
    outlet: str | None
    text: str
    title: str | None = None

    def candidates(self, lang: str) -> Iterator[Candidate]:
        for start, end in sentence_spans(self.text, lang):
            sentence = self.text[start:end]
            yield Candidate(
                lang=lang,
                repo=self.repo,
                commit=self.commit,
                path=self.path,
                member=self.member,
                article=self.index,
                field=self.field,
                start=start,
                end=end,
                sha256=hashlib.sha256(sentence.encode("utf-8")).hexdigest(),
                outlet=self.outlet,
                text=sentence,
            )


def _git(git_dir: Path, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", str(git_dir), *args], capture_output=True, check=True).stdout


def _head(git_dir: Path) -> str:
    return _git(git_dir, "rev-parse", "HEAD").decode().strip()


def saudinewsnet_articles(mirrors: Path) -> Iterator[SourceArticle]:
    """SaudiNewsNet: one zip a day under dataset/, holding a JSON list of articles (`content`, `source`,
    `title`), in file order."""
    repo = "parallelfold/SaudiNewsNet"
    git_dir = realtext.mirror_of(repo, mirrors)
    commit = _head(git_dir)
    for path in _git(git_dir, "ls-tree", "-r", "--name-only", commit, "dataset").decode().splitlines():
        bundle = zipfile.ZipFile(io.BytesIO(_git(git_dir, "show", f"{commit}:{path}")))
        member = bundle.namelist()[0]
        for index, item in enumerate(json.loads(bundle.read(member))):
            text = item.get("content") or ""
            yield SourceArticle(
                repo, commit, path, member, index, "content", item.get("source"), text, item.get("title")
            )


def _saudinewsnet(mirrors: Path, rng: random.Random) -> Iterator[Candidate]:
    """SaudiNewsNet's sentences. Every article is read: `rng` is not drawn from."""
    for article in saudinewsnet_articles(mirrors):
        yield from article.candidates("ar")


# An AG News item starts with its byline: "CITY (Agency) - ..." or "Agency - ...".
_AG_OUTLET = re.compile(
    r"^\s*(?:[A-Z][A-Za-z .]+ - )?(?:[A-Z ,.]+\((\w[\w ]*)\)"
    r"|(AP|AFP|Reuters|Canadian Press|USATODAY.com|washingtonpost.com|FT.com)) -"
)


def _csv_rows(git_dir: Path, commit: str, path: str) -> Iterator[dict[str, str]]:
    yield from csv.DictReader(io.StringIO(_git(git_dir, "show", f"{commit}:{path}").decode("utf-8")))


def _ag_news(mirrors: Path, rng: random.Random) -> Iterator[Candidate]:
    """AG News (world and business items only), without sentences holding escaped markup or backslashes."""
    repo = "HenryPengZou/JointMatch"
    git_dir = realtext.mirror_of(repo, mirrors)
    commit = _head(git_dir)
    for path in ("data/ag_news/dev.csv", "data/ag_news/test.csv"):
        for index, row in enumerate(_csv_rows(git_dir, commit, path)):
            if row["label"] not in ("1", "3"):
                continue
            text = row["content"]
            byline = _AG_OUTLET.match(text)
            outlet = (byline.group(1) or byline.group(2)) if byline else "unknown"
            article = SourceArticle(repo, commit, path, None, index, "content", outlet, text)
            yield from (c for c in article.candidates("en") if "&lt;" not in c.text and "\\" not in c.text)


def _bbc(mirrors: Path, rng: random.Random) -> Iterator[Candidate]:
    """BBC News 2004-05; 70 % of the sport and entertainment articles are dropped (drawn from `rng`)."""
    repo = "LTSACH/AILearningHub"
    git_dir = realtext.mirror_of(repo, mirrors)
    commit = _head(git_dir)
    for split in ("train", "val", "test"):
        path = f"datasets/bbcnews/data/{split}.csv"
        for index, row in enumerate(_csv_rows(git_dir, commit, path)):
            if row["category"] in ("sport", "entertainment") and rng.random() < 0.7:
                continue
            yield from SourceArticle(repo, commit, path, None, index, "text", "bbc", row["text"]).candidates(
                "en"
            )


FNC1_REPO = "FakeNewsChallenge/fnc-1"
FNC1_COMMIT = "29d473af2d15278f0464d5e41e4cbe7eb58231f2"  # pinned: the labelled pointers refer to it
# test_bodies.csv is the same blob as competition_test_bodies.csv: read once.
FNC1_PATHS = ("train_bodies.csv", "competition_test_bodies.csv")


def _fnc1_articles_of(commit: str, path: str, text: str) -> Iterator[SourceArticle]:
    """The articles of one FNC-1 bodies file (CSV: `Body ID`, `articleBody`); the article is the row."""
    for index, row in enumerate(csv.DictReader(io.StringIO(text))):
        body = row["articleBody"] or ""
        yield SourceArticle(FNC1_REPO, commit, path, None, index, "articleBody", "unknown", body)


def _fnc1_candidates(commit: str, path: str, text: str) -> Iterator[Candidate]:
    """The sentences of one FNC-1 bodies file."""
    for article in _fnc1_articles_of(commit, path, text):
        yield from article.candidates("en")


def fnc1_articles(mirrors: Path) -> Iterator[SourceArticle]:
    """FNC-1 article bodies (the Emergent rumour-tracking news of 2014-15: world news, conflict, health),
    at a pinned commit; the outlet is not recorded."""
    git_dir = realtext.mirror_of(FNC1_REPO, mirrors)
    for path in FNC1_PATHS:
        yield from _fnc1_articles_of(
            FNC1_COMMIT, path, _git(git_dir, "show", f"{FNC1_COMMIT}:{path}").decode()
        )


def _fnc1(mirrors: Path, rng: random.Random) -> Iterator[Candidate]:
    """FNC-1's sentences. Every article is read: `rng` is not drawn from."""
    for article in fnc1_articles(mirrors):
        yield from article.candidates("en")


ISOT_REPO = "Vatshayan/Fake-News-Prediction"
ISOT_COMMIT = "be794ed4fd40ea715d134873ed91609063953a9a"


def _isot_reuters(mirrors: Path, rng: random.Random) -> Iterator[Candidate]:
    """The Reuters part ("True.csv": `title`, `text`, `subject`, `date`) of the ISOT fake-news corpus in a
    copy holding 989 Reuters articles of 2017 (US politics and world news), at a pinned commit. Every article
    is read: `rng` is not drawn from."""
    git_dir = realtext.mirror_of(ISOT_REPO, mirrors)
    for index, row in enumerate(_csv_rows(git_dir, ISOT_COMMIT, "True.csv")):
        yield from SourceArticle(
            ISOT_REPO, ISOT_COMMIT, "True.csv", None, index, "text", "reuters", row["text"]
        ).candidates("en")


ALJAZEERA_2025 = ("basharulalammazu/Aljazeera-News-Analysis", "3c39b59cbe062550b3f21a373a5d5c96a5d117de")


def _aljazeera_2025(mirrors: Path, rng: random.Random) -> Iterator[Candidate]:
    """Al Jazeera English articles of May 2025 ("initial_content.csv": `category`, `title`, `date`,
    `content`), news, economy and features only (no sport, science or opinion), at a pinned commit. Each
    `content` ends in the boilerplate "Follow Al Jazeera English:", which a closing curly quote before it can
    leave inside the last sentence: such sentences are not offered. Every article is read: `rng` is not drawn
    from."""
    repo, commit = ALJAZEERA_2025
    git_dir = realtext.mirror_of(repo, mirrors)
    for index, row in enumerate(_csv_rows(git_dir, commit, "initial_content.csv")):
        if row["category"] in ("news", "economy", "features"):
            article = SourceArticle(
                repo, commit, "initial_content.csv", None, index, "content", "al jazeera", row["content"]
            )
            yield from (c for c in article.candidates("en") if "Follow Al Jazeera" not in c.text)


REUTERS_2006_13_REPO = "duynht/financial-news-dataset"
REUTERS_2006_13_COMMIT = "cf56327f683ab2ba128a1e9954dee8f36028a7a7"


def reuters_2006_13_articles(mirrors: Path) -> Iterator[SourceArticle]:
    """The 106,521 Reuters articles of October 2006 to November 2013 (business, markets, world news) of Ding
    et al. (2014), one file an article under ReutersNews106521/YYYYMMDD/, at a pinned commit, in path order.
    A file is four header lines ("-- " and the title, an empty one, the date, the URL), then the body, whose
    older paragraphs are broken into lines: the text is the whole file."""
    git_dir = realtext.mirror_of(REUTERS_2006_13_REPO, mirrors)
    names = _git(git_dir, "ls-tree", "-r", "--name-only", REUTERS_2006_13_COMMIT, "ReutersNews106521")
    paths = sorted(name for name in names.decode().splitlines() if not name.endswith(".DS_Store"))
    for path, blob in _blobs(git_dir, REUTERS_2006_13_COMMIT, paths):
        if blob.startswith(b"\x1f\x8b"):  # a few files are gzip archives, not articles
            continue
        text = blob.decode("utf-8")
        title = text.split("\n", 1)[0].removeprefix("-- ")
        yield SourceArticle(
            REUTERS_2006_13_REPO, REUTERS_2006_13_COMMIT, path, None, 0, "text", "reuters", text, title
        )


def _reuters_2006_13(mirrors: Path, rng: random.Random) -> Iterator[Candidate]:
    """Reuters 2006-13's body sentences: those of the header (title, date, URL) are not offered. Every article
    is read: `rng` is not drawn from."""
    for article in reuters_2006_13_articles(mirrors):
        url = article.text.find("\n-- http")
        body_start = article.text.find("\n", url + 1) + 1 if url >= 0 else 0
        yield from (c for c in article.candidates("en") if c.start >= body_start)


# The English news feeds of the RSS link databases (a JSON file a feed a day, named after the feed's URL)
# whose descriptions are plain sentences, and their outlets. Technology, video, blog and Polish feeds are left
# out, and so are feeds whose descriptions are HTML.
RSS_NEWS_FEEDS = {
    "http.feeds.abcnews.comabcnewstopstories": "abc news",
    "http.feeds.bbci.co.uknewsrss.xml": "bbc",
    "http.feeds.skynews.comfeedsrssworld.xml": "sky news",
    "http.rss.cnn.comrssedition.rss": "cnn",
    "http.rss.cnn.comrsscnn_world.rss": "cnn",
    "http.www.aljazeera.comxmlrssall.xml": "al jazeera",
    "https.allafrica.comtoolsheadlinesrdfafricaheadlines.rdf": "allafrica",
    "https.feeds.a.dj.comrssRSSWorldNews.xml": "wall street journal",
    "https.feeds.feedburner.comdcexaminerWorldNews": "washington examiner",
    "https.feeds.nbcnews.comnbcnewspublicworld": "nbc news",
    "https.feeds.npr.org1001rss.xml": "npr",
    "https.feeds.washingtonpost.comrssworld.itid.lk_inline_manual_36": "washington post",
    "https.japantoday.comfeed": "japan today",
    "https.moxie.foxnews.comgoogle-publisherlatest.xml": "fox news",
    "https.rss.nytimes.comservicesxmlrssnytWorld.xml": "new york times",
    "https.rss.politico.compolitics-news.xml": "politico",
    "https.thehill.comnewsfeed": "the hill",
    "https.time.comfeed": "time",
    "https.www.bloomberg.compoliticsfeedssite.xml": "bloomberg",
    "https.www.dailymail.co.uknewsindex.rss": "daily mail",
    "https.www.ft.comworld.format.rss": "financial times",
    "https.www.lemonde.frenrssune.xml": "le monde",
    "https.www.politico.eufeed": "politico europe",
    "https.www.scmp.comrss4feed": "south china morning post",
    "https.www.themoscowtimes.comrssnews": "moscow times",
}
_MARKUP = re.compile(r"[<>&\\]|https?:")


def _blobs(git_dir: Path, commit: str, paths: list[str]) -> Iterator[tuple[str, bytes]]:
    """The contents of many files at `commit`, through one `git cat-file --batch` per thousand files."""
    for first in range(0, len(paths), 1000):
        chunk = paths[first : first + 1000]
        request = "".join(f"{commit}:{path}\n" for path in chunk).encode()
        out = subprocess.run(
            ["git", "--git-dir", str(git_dir), "cat-file", "--batch"],
            input=request,
            capture_output=True,
            check=True,
        ).stdout
        position = 0
        for path in chunk:
            header_end = out.index(b"\n", position)
            size = int(out[position:header_end].split()[2])
            yield path, out[header_end + 1 : header_end + 1 + size]
            position = header_end + 1 + size + 1


def rss_link_database_articles(repo: str, commit: str, mirrors: Path) -> Iterator[SourceArticle]:
    """The entries of the news feeds of one year of an RSS link database (`rumca-js/RSS-Link-Database-YEAR`,
    one JSON file a feed a day, at the commit before the days were zipped), in path order: the text is the
    entry's description as the feed gives it (HTML entities escaped), the title its title. Feeds and days
    repeat entries: every occurrence is yielded."""
    git_dir = realtext.mirror_of(repo, mirrors)
    names = _git(git_dir, "ls-tree", "-r", "--name-only", commit).decode().splitlines()
    wanted = {f"{feed}_entries.json": outlet for feed, outlet in RSS_NEWS_FEEDS.items()}
    paths = sorted(name for name in names if name.rsplit("/", 1)[-1] in wanted)
    for path, blob in _blobs(git_dir, commit, paths):
        outlet = wanted[path.rsplit("/", 1)[-1]]
        for index, entry in enumerate(realtext.parse_articles(blob.decode("utf-8"), path)):
            yield SourceArticle(
                repo,
                commit,
                path,
                None,
                index,
                "description",
                outlet,
                entry.get("description") or "",
                entry.get("title") or None,
            )


def _rss_link_database(repo: str, commit: str, mirrors: Path) -> Iterator[Candidate]:
    """The sentences of the feed descriptions of one year of an RSS link database; a sentence met before
    (feeds and days repeat entries) or holding markup, entities or a URL is skipped."""
    seen: set[str] = set()
    for article in rss_link_database_articles(repo, commit, mirrors):
        yield from (c for c in _first_seen(article.candidates("en"), seen) if not _MARKUP.search(c.text))


def _first_seen(candidates: Iterable[Candidate], seen: set[str]) -> Iterator[Candidate]:
    """The candidates whose sentence is not in `seen` (sha256 values), which they are added to."""
    for candidate in candidates:
        if candidate.sha256 not in seen:
            seen.add(candidate.sha256)
            yield candidate


MAYADEEN_REPO = "hadialshaer/DataScience-NewsAnalytics"
MAYADEEN_COMMIT = "54f59e270cfc48dcd15e88c45bbd992404af6bf5"
MAYADEEN_DIR = "Data_Collection/data_articles"  # Task-1/data_articles holds the same blobs


def almayadeen_articles(mirrors: Path) -> Iterator[SourceArticle]:
    """Al Mayadeen (Beirut) articles, 600 a month from 2023-01 to 2024-08, one JSON array a month
    (`full_text`, `title`), at a pinned commit, in file order."""
    git_dir = realtext.mirror_of(MAYADEEN_REPO, mirrors)
    names = _git(git_dir, "ls-tree", "-r", "--name-only", MAYADEEN_COMMIT, MAYADEEN_DIR).decode().splitlines()
    for path, blob in _blobs(git_dir, MAYADEEN_COMMIT, sorted(names)):
        for index, item in enumerate(realtext.parse_articles(blob.decode("utf-8"), path)):
            yield SourceArticle(
                MAYADEEN_REPO,
                MAYADEEN_COMMIT,
                path,
                None,
                index,
                "full_text",
                "al mayadeen",
                item.get("full_text") or "",
                item.get("title") or None,
            )


def _almayadeen(mirrors: Path, rng: random.Random) -> Iterator[Candidate]:
    """Al Mayadeen's sentences; repeated paragraphs are read once. Every article is read: `rng` is not drawn
    from."""
    seen: set[str] = set()
    for article in almayadeen_articles(mirrors):
        yield from _first_seen(article.candidates("ar"), seen)


BBC_ARABIC_REPO = "motazsaad/bbc-crawler"
BBC_ARABIC_COMMIT = "e91a541c706636d0756197c93c5113dfa003cf73"
# An article's file is named after its section and BBC story number; the other files of out_Aug2017/ are
# section and topic index pages (lists of summaries). Sport is left out.
_BBC_ARABIC_ARTICLE = re.compile(r"out_Aug2017/(?:world|middleeast|business|inthepress|magazine)-\d+\.txt")


def bbc_arabic_articles(mirrors: Path) -> Iterator[SourceArticle]:
    """BBC Arabic articles of 2016-17 (world, Middle East, business, press review) crawled in August 2017, one
    text file an article, at a pinned commit, in path order. A file is the title (ending " - BBC Arabic"), the
    crawl date, then the body, a paragraph a line: the text is the whole file, the title is its first line."""
    git_dir = realtext.mirror_of(BBC_ARABIC_REPO, mirrors)
    names = _git(git_dir, "ls-tree", "-r", "--name-only", BBC_ARABIC_COMMIT).decode().splitlines()
    paths = sorted(name for name in names if _BBC_ARABIC_ARTICLE.fullmatch(name))
    for path, blob in _blobs(git_dir, BBC_ARABIC_COMMIT, paths):
        text = blob.decode("utf-8")
        title = text.split("\n", 1)[0].removesuffix(" - BBC Arabic")
        yield SourceArticle(
            BBC_ARABIC_REPO, BBC_ARABIC_COMMIT, path, None, 0, "text", "bbc arabic", text, title
        )


def _bbc_arabic(mirrors: Path, rng: random.Random) -> Iterator[Candidate]:
    """BBC Arabic's body sentences: the two header lines (title, crawl date) are not offered. Every article is
    read: `rng` is not drawn from."""
    for article in bbc_arabic_articles(mirrors):
        body_start = len("\n".join(article.text.split("\n", 2)[:2])) + 1
        yield from (c for c in article.candidates("ar") if c.start >= body_start)


# (repository, commit) of the 2023 RSS link database: streams/dedup's cross-language set also points into it.
RSS_2023 = ("rumca-js/RSS-Link-Database-2023", "08b89dd9bdbd20633c994bb4a74411f204225b0f")


def _rss_2020(mirrors: Path, rng: random.Random) -> Iterator[Candidate]:
    """News feed descriptions of 2020 (BBC, CNN and a few single days of others). `rng` is not drawn from."""
    yield from _rss_link_database(
        "rumca-js/RSS-Link-Database-2020", "619a819c87da1a42bacd565c3e07bd7236503d11", mirrors
    )


def _rss_2021(mirrors: Path, rng: random.Random) -> Iterator[Candidate]:
    """News feed descriptions of 2021 (BBC, CNN and a few single days of others). `rng` is not drawn from."""
    yield from _rss_link_database(
        "rumca-js/RSS-Link-Database-2021", "06229f4f3d3bba91e3e82563ee9fa5b1963a73f8", mirrors
    )


def _rss_2022(mirrors: Path, rng: random.Random) -> Iterator[Candidate]:
    """News feed descriptions of 2022 (BBC, CNN, New York Times, Fox News, ...). `rng` is not drawn from."""
    yield from _rss_link_database(
        "rumca-js/RSS-Link-Database-2022", "cbdcc337942489f64804e154335c303a621b3245", mirrors
    )


def _rss_2023(mirrors: Path, rng: random.Random) -> Iterator[Candidate]:
    """News feed descriptions of 2023 (some 25 outlets). `rng` is not drawn from."""
    yield from _rss_link_database(*RSS_2023, mirrors)


READERS: dict[str, tuple[Callable[[Path, random.Random], Iterator[Candidate]], ...]] = {
    "ar": (_saudinewsnet, _almayadeen, _bbc_arabic),
    "en": (
        _ag_news,
        _bbc,
        _fnc1,
        _isot_reuters,
        _reuters_2006_13,
        _aljazeera_2025,
        _rss_2020,
        _rss_2021,
        _rss_2022,
        _rss_2023,
    ),
}


# ------------------------------------------------------------------------------------------------- drawing


def select(
    pool: Iterable[Candidate],
    labelled: Iterable[realtext.Pointer | Candidate],
    count: int,
    rng: random.Random,
) -> list[Candidate]:
    """Up to `count` candidates in seeded random order: none already labelled (or handed out in a batch), and
    at most three sentences from one article counting those."""
    labelled = list(labelled)
    taken = {(p.repo, p.path, p.article, p.start) for p in labelled}
    per_article = collections.Counter((p.repo, p.path, p.article) for p in labelled)
    fresh = [candidate for candidate in pool if candidate.sentence_key not in taken]
    rng.shuffle(fresh)
    chosen = []
    for candidate in fresh:
        if len(chosen) >= count:
            break
        if per_article[candidate.article_key] >= MAX_PER_ARTICLE:
            continue
        per_article[candidate.article_key] += 1
        chosen.append(candidate)
    return chosen


def reader_names(lang: str) -> list[str]:
    return [reader.__name__.lstrip("_") for reader in READERS[lang]]


def draw(
    lang: str,
    kind: str,
    count: int,
    seed: int,
    mirrors: Path,
    labelled: Iterable[realtext.Pointer | Candidate],
    sources: Collection[str] = (),
) -> list[Candidate]:
    """The candidates of one draw, from the readers named in `sources` (all of the language's when empty);
    `seed` decides both the BBC articles dropped and the order."""
    rng = random.Random(seed)
    pool: list[Candidate] = []
    for reader in READERS[lang]:
        if sources and reader.__name__.lstrip("_") not in sources:
            continue
        found = [candidate for candidate in reader(mirrors, rng) if qualifies(lang, kind, candidate.text)]
        print(f"{reader.__name__.lstrip('_')}: {len(found)} {kind} candidates", file=sys.stderr)
        pool += found
    chosen = select(pool, labelled, count, rng)
    print(f"{lang} {kind} pool {len(pool)}, drawn {len(chosen)}", file=sys.stderr)
    if len(chosen) < count:
        print(
            f"fewer than {count}: the rest of the pool is labelled or over {MAX_PER_ARTICLE} per article",
            file=sys.stderr,
        )
    return chosen


def handed_out(batch_files: Iterable[Path]) -> list[Candidate]:
    """The sentences of batch files (labelled or not), to keep them out of a later draw."""
    return [
        Candidate(**{name: line[name] for name in _CANDIDATE_FIELDS})
        for path in batch_files
        for line in map(json.loads, path.read_text(encoding="utf-8").splitlines())
    ]


def earlier_batches(out_dir: Path, lang: str) -> list[Path]:
    """The `lang` batch files already in `out_dir`: a new draw there (of either kind) must not repeat their
    sentences, which one of them may hold although it is not merged yet."""
    return sorted(out_dir.glob(f"{lang}-*.jsonl")) if out_dir.is_dir() else []


def write_batches(chosen: list[Candidate], out_dir: Path, prefix: str, batch_size: int) -> list[Path]:
    """`<prefix>-NN.jsonl` of `batch_size` candidates each, written whole or not at all."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, first in enumerate(range(0, len(chosen), batch_size), start=1):
        path = out_dir / f"{prefix}-{number:02d}.jsonl"
        partial = path.with_suffix(".jsonl.partial")
        with partial.open("w", encoding="utf-8") as out:
            for candidate in chosen[first : first + batch_size]:
                out.write(json.dumps(dataclasses.asdict(candidate), ensure_ascii=False) + "\n")
        partial.replace(path)
        paths.append(path)
    return paths


# ------------------------------------------------------------------------------------------------- merging


_POINTER_FIELDS = tuple(f.name for f in dataclasses.fields(Candidate) if f.name != "text")


class MergeRefused(ValueError):
    """A labelled batch line that cannot become a pointer: nothing of that merge is written."""


def split_of(repo: str, path: str, article: int) -> str:
    """dev or test by a hash of the article, so that one article's sentences never straddle them."""
    digest = hashlib.sha256(f"{repo}:{path}:{article}".encode()).hexdigest()
    return "test" if int(digest, 16) % 10 < TEST_TENTHS else "dev"


def _events(where: str, events: object) -> list[dict]:
    def codes(event: dict, key: str) -> list[str]:
        value = event.get(key, [])
        if not isinstance(value, list) or not all(isinstance(c, str) and CODE.fullmatch(c) for c in value):
            raise MergeRefused(f"{where}: {key} must be a list of codes such as USA or EU, not {value!r}")
        return sorted(set(value))

    if not isinstance(events, list):
        raise MergeRefused(f"{where}: events must be a list, not {events!r}")
    kept = []
    for event in events:
        if not isinstance(event, dict) or not {"type", "status", "actors"} <= event.keys() <= EVENT_KEYS:
            raise MergeRefused(
                f"{where}: an event needs type, status, actors (and may have targets): {event!r}"
            )
        if event["type"] not in TYPES or event["status"] not in STATUSES:
            raise MergeRefused(f"{where}: no such type or status: {event['type']!r}, {event['status']!r}")
        kept.append(
            {
                "type": event["type"],
                "status": event["status"],
                "actors": codes(event, "actors"),
                "targets": codes(event, "targets"),
            }
        )
    return kept


def merge_records(
    lang: str, lines: Iterable[tuple[str, dict]], existing: list[dict]
) -> tuple[list[dict], int]:
    """The labelled-set records of labelled batch lines ((where, line) pairs) following `existing`, and the
    number of lines the labellers skipped. Refuses the whole merge at the first bad line."""
    next_id = max((int(record["id"].rsplit("-", 1)[1]) for record in existing), default=0) + 1
    seen = {(r["repo"], r["path"], r["article"], r["start"]) for r in existing}
    records, skipped = [], 0
    for where, line in lines:
        if line.get("skip"):
            skipped += 1
            continue
        missing = [key for key in ("text", "events", *_POINTER_FIELDS) if key not in line]
        if missing:
            raise MergeRefused(f"{where}: not a labelled batch line, missing {', '.join(missing)}")
        if line["lang"] != lang:
            raise MergeRefused(f"{where}: a {line['lang']} sentence in a merge into {lang}")
        if hashlib.sha256(line["text"].encode("utf-8")).hexdigest() != line["sha256"]:
            raise MergeRefused(f"{where}: the text does not match its sha256")
        if line["end"] - line["start"] != len(line["text"]):
            raise MergeRefused(f"{where}: the span {line['start']}-{line['end']} does not fit the text")
        key = (line["repo"], line["path"], line["article"], line["start"])
        if key in seen:
            raise MergeRefused(f"{where}: this sentence is already labelled")
        seen.add(key)
        record = {"id": f"{lang}-{next_id:05d}"}
        record |= {name: line[name] for name in _POINTER_FIELDS if name != "outlet"}
        record |= {"split": split_of(line["repo"], line["path"], line["article"]), "outlet": line["outlet"]}
        record["events"] = _events(where, line["events"])
        records.append(record)
        next_id += 1
    return records, skipped


def merge(lang: str, label_files: list[Path], labelled_path: Path) -> tuple[list[dict], int]:
    """Append the labelled batch files to the labelled set at `labelled_path`, checked first as a whole."""
    existing = [json.loads(line) for line in labelled_path.read_text(encoding="utf-8").splitlines() if line]
    lines = [
        (f"{path}:{number}", json.loads(line))
        for path in label_files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if line.strip()
    ]
    records, skipped = merge_records(lang, lines, existing)
    with labelled_path.open("a", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return records, skipped


# ----------------------------------------------------------------------------------------------------- CLI


def _inside_repository(path: Path) -> bool:
    return path.resolve().is_relative_to(REPOSITORY_ROOT)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m newsmon.streams.extract.sampling", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    drawing = commands.add_parser("draw", help="write batches of candidate sentences for labelling")
    drawing.add_argument("--lang", choices=("ar", "en"), required=True)
    drawing.add_argument("--kind", choices=("broad", "phrase"), required=True)
    drawing.add_argument("--count", type=int, required=True)
    drawing.add_argument("--seed", type=int, required=True)
    drawing.add_argument("--mirrors", type=Path, default=realtext.DEFAULT_MIRRORS)
    drawing.add_argument(
        "--out-dir", type=Path, required=True, help="outside the repository: batches hold text"
    )
    drawing.add_argument("--batch-size", type=int, default=100)
    drawing.add_argument(
        "--source", action="append", default=[], help="draw from this reader only (repeatable; default all)"
    )
    drawing.add_argument(
        "--exclude",
        type=Path,
        nargs="+",
        default=[],
        help="batch files elsewhere, handed out but not merged yet: their sentences are not drawn again "
        "(those already in --out-dir never are)",
    )
    merging = commands.add_parser("merge", help="append labelled batches to labelled/LANG.jsonl")
    merging.add_argument("--lang", choices=("ar", "en"), required=True)
    merging.add_argument("--labels", type=Path, nargs="+", required=True)
    args = parser.parse_args(argv)

    labelled_path = realtext.LABELLED_DIR / f"{args.lang}.jsonl"
    if args.command == "draw":
        if _inside_repository(args.out_dir):
            parser.error(
                f"--out-dir {args.out_dir} is inside the repository, which holds no third-party text"
            )
        unknown = set(args.source) - set(reader_names(args.lang))
        if unknown:
            parser.error(
                f"no {args.lang} source {', '.join(sorted(unknown))}; there are {reader_names(args.lang)}"
            )
        labelled = [item.pointer for item in realtext.read_labelled(labelled_path)]
        labelled += handed_out([*args.exclude, *earlier_batches(args.out_dir, args.lang)])
        chosen = draw(args.lang, args.kind, args.count, args.seed, args.mirrors, labelled, args.source)
        prefix = f"{args.lang}-{args.kind}-{args.seed}"
        for path in write_batches(chosen, args.out_dir, prefix, args.batch_size):
            print(path)
        return
    try:
        records, skipped = merge(args.lang, args.labels, labelled_path)
    except MergeRefused as error:
        sys.exit(f"merge refused, nothing written: {error}")
    splits = collections.Counter(record["split"] for record in records)
    print(
        f"{labelled_path}: {len(records)} added ({sum(1 for r in records if r['events'])} with events, "
        f"{splits['dev']} dev, {splits['test']} test), {skipped} skipped by the labellers"
    )


if __name__ == "__main__":
    main()
