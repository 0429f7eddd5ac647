"""Deduplication and story clustering as pure functions over table state (no Faust).

Exact copies — two keyed hops, because an exact copy can match on either key and each key lives on its own partition:
1. by canonical URL (the `articles` key): the same page seen again — refetched, listed by two feeds — is dropped;
   a changed text on the same URL is a revision and goes on;
2. by text hash (the `articles.by-text` key): the same body under another URL — a syndicated copy — is marked
   `duplicate_of` the first article and joins its story.

Each state remembers the origin (topic, partition, offset) of the message that claimed the key, so a redelivery
of that very message repeats its output instead of being mistaken for a copy of itself.

Near-duplicates and stories — the index of MinHash band keys and story phrases, partitioned by key through
Kafka, and the per-article join that verifies candidates; see the flow below and streams/dedup/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from pydantic import Field

from newsmon.records import Article, DedupVerdict, Record
from newsmon.topics import ARTICLES_DEDUPED, DEDUP_BANDS, DEDUP_CANDIDATES
from streams.dedup import minhash, stories
from streams.dedup.minhash import matching_words
from streams.dedup.settings import DedupSettings
from streams.dedup.stories import StoryProfile


class UrlDecision(Enum):
    FORWARD = "forward"
    SAME_PAGE_AGAIN = "same_page_again"


@dataclass(frozen=True)
class UrlJudgement:
    decision: UrlDecision
    state: dict[str, Any]


def judge_by_url(article: Article, state: dict[str, Any] | None, origin: list[Any]) -> UrlJudgement:
    """Decide on an article keyed by canonical URL; `state` is what the URL table holds for that URL."""
    claim = {"text_hash": article.text_hash, "article_id": article.article_id, "origin": origin}
    if state is None or state["origin"] == origin or state["text_hash"] != article.text_hash:
        return UrlJudgement(UrlDecision.FORWARD, claim)
    return UrlJudgement(UrlDecision.SAME_PAGE_AGAIN, state)


@dataclass(frozen=True)
class TextJudgement:
    article: Article | None  # the article with its verdict, or None when there is nothing to pass on
    state: dict[str, Any]


def judge_by_text(article: Article, state: dict[str, Any] | None, origin: list[Any]) -> TextJudgement:
    """Decide on an article keyed by text hash; `state` is what the text table holds for that hash."""
    if state is None or state["origin"] == origin:
        claim = {"article_id": article.article_id, "story_id": article.article_id, "origin": origin}
        verdict = DedupVerdict(story_id=article.article_id)
        return TextJudgement(article.model_copy(update={"dedup": verdict}), claim)
    if state["article_id"] == article.article_id:
        # The same article reached us twice (its URL was revised back to a text we know): nothing new.
        return TextJudgement(None, state)
    verdict = DedupVerdict(duplicate_of=state["article_id"], method="text_hash", similarity=1.0,
                           story_id=state["story_id"])
    return TextJudgement(article.model_copy(update={"dedup": verdict}), state)


# --- Near-duplicate and story index, partitioned through Kafka -------------------------------------------------
#
# by-text hop (first article of a text) ──Probe per index key──▶ dedup.bands (key: index key)
#                                        ──JoinMessage "self"──▶ dedup.candidates (key: article id)
# band hop: remember the article under the key, reply with the earlier entries ──"candidates"──▶ the article
# join hop (key: article id): once every key replied, "ask" each candidate (on its own partition) to compare
#   signatures and story profiles; each candidate "answer"s once it is decided itself; with every answer in,
#   the verdict goes to articles.deduped, and waiting askers and exact copies are answered.
#
# Articles are ordered by (published_at, article_id). An article waits for the verdict of earlier candidates
# only; a later candidate answers at once — with its answer if decided, else "deferred", and it then asks the
# earlier article itself. Whichever of two articles reaches a shared key second learns of the other, so a pair
# is never missed, and waits only point back in the order, so they never form a cycle. Every hop is idempotent: the band hop is a set insert with a deterministic reply, the join
# keeps the first message of each kind per sender and replays, for a redelivered message, exactly the outputs
# that message produced (recorded by offset; all messages of one article share one partition, in order).


class Fingerprint(Record):
    """What the join needs of an article to compare it: signature, story profile, index keys, date."""

    signature: str
    profile: StoryProfile
    keys: list[str]
    published: float = Field(description="published_at as a POSIX timestamp.")


def fingerprint(article: Article, settings: DedupSettings) -> Fingerprint:
    """Signature, story profile and index keys of an article (CPU work: run it in the process pool)."""
    words = matching_words(article.text)
    sig = minhash.signature(article.text, settings.num_perm, settings.shingle_words)
    profile, story_keys = stories.features(words, settings.story_features, settings.story_keys)
    keys = minhash.band_keys(sig, settings.bands, settings.rows) + story_keys
    return Fingerprint(signature=minhash.encode(sig), profile=profile, keys=list(dict.fromkeys(keys)),
                       published=article.published_at.timestamp())


class Probe(Record):
    """To `dedup.bands`, keyed by one index key of the article."""

    article_id: str
    published: float


class JoinMessage(Record):
    """To `dedup.candidates`, keyed by the article it concerns; `sender` is the article it comes from."""

    kind: Literal["self", "candidates", "ask", "answer", "copy", "deadline"]
    sender: str
    article: Article | None = None          # self, copy
    fingerprint: Fingerprint | None = None  # self, ask
    index_key: str | None = None            # candidates
    candidates: list[tuple[str, float]] = Field(default_factory=list)  # candidates: (article_id, published)
    target_published: float | None = None   # ask: the receiver's published time, as the index knows it
    similarity: float | None = None         # answer; None: deferred (the receiver will ask the sender)
    story_score: float | None = None        # answer
    root: str | None = None                 # answer: what a near-duplicate of the sender is a duplicate of
    story_id: str | None = None             # answer


@dataclass(frozen=True)
class Send:
    topic: str  # a newsmon.topics constant
    key: str
    record: Record


def probes(article: Article, article_fingerprint: Fingerprint) -> list[Send]:
    """What the by-text hop sends for the first article of a text: its fingerprint to its own join, one probe
    per index key."""
    probe = Probe(article_id=article.article_id, published=article_fingerprint.published)
    own = JoinMessage(kind="self", sender=article.article_id, article=article, fingerprint=article_fingerprint)
    return [Send(DEDUP_CANDIDATES, article.article_id, own), *(Send(DEDUP_BANDS, key, probe) for key in article_fingerprint.keys)]


def copy_message(copy: Article) -> Send:
    """An exact copy (judged by text hash) goes to its original's join, which gives it the original's story."""
    return Send(DEDUP_CANDIDATES, copy.dedup.duplicate_of, JoinMessage(kind="copy", sender=copy.article_id,
                                                                       article=copy))


def _window_seconds(settings: DedupSettings) -> float:
    return settings.window_days * 86400.0


def index_probe(state: dict[str, Any] | None, probe: Probe, index_key: str, now: float,
                settings: DedupSettings) -> tuple[dict[str, Any], Send]:
    """Band hop: remember the article under `index_key` and reply with the other entries in the window.

    Entries are [article_id, published, indexed_at]; expired ones (indexed more than window_days ago) go, and
    a hot key keeps only its `max_entries_per_key` newest by publication."""
    horizon = now - _window_seconds(settings)
    entries = [entry for entry in (state or {}).get("entries", []) if entry[2] >= horizon]
    if not any(entry[0] == probe.article_id for entry in entries):
        entries.append([probe.article_id, probe.published, now])
        if len(entries) > settings.max_entries_per_key:
            entries = sorted(entries, key=lambda entry: (entry[1], entry[0]))[-settings.max_entries_per_key:]
    others = sorted((entry[0], entry[1]) for entry in entries if entry[0] != probe.article_id
                    and abs(probe.published - entry[1]) <= _window_seconds(settings))
    reply = JoinMessage(kind="candidates", sender=index_key, index_key=index_key, candidates=others)
    return {"entries": entries}, Send(DEDUP_CANDIDATES, probe.article_id, reply)


def index_expired(state: dict[str, Any], now: float, settings: DedupSettings) -> bool:
    """True when every entry under an index key has expired (delete the key; a key still in use is pruned
    when the next probe reaches it)."""
    horizon = now - _window_seconds(settings)
    return all(entry[2] < horizon for entry in state.get("entries", []))


@dataclass(frozen=True)
class JoinResult:
    state: dict[str, Any]
    sends: list[Send]


def join(state: dict[str, Any] | None, article_id: str, message: JoinMessage, origin: list[Any], now: float,
         settings: DedupSettings) -> JoinResult:
    """Join hop: one step of the decision on `article_id` (`state` is what the join table holds for it)."""
    state = state if state is not None else {"article_id": article_id, "created_at": now, "replies": {},
                                             "answers": {}, "waiting": {}, "answered": {}, "copies": {},
                                             "emitted": {}}
    position, last = origin[:2], state.get("origin")
    if last is not None and last[:2] == position and origin[2] <= last[2]:
        # A redelivery (crash before the offset commit): publish again exactly what it published before.
        recipes = state["emitted"].get(str(origin[2]), [])
        return JoinResult(state, [send for recipe in recipes for send in _render(state, recipe, settings)])
    state = {**state, "origin": origin}
    recipes = _apply(state, message, settings) + _advance(state, now, settings)
    if recipes:
        state["emitted"] = {**state["emitted"], str(origin[2]): recipes}
    return JoinResult(state, [send for recipe in recipes for send in _render(state, recipe, settings)])


def _apply(state: dict[str, Any], message: JoinMessage, settings: DedupSettings) -> list[list[str]]:
    """Record one message; a second message of a kind from the same sender (an upstream repeat) is ignored."""
    sender = message.sender
    if message.kind == "self" and "fingerprint" not in state:
        state["article"] = message.article.model_dump(mode="json")
        state["fingerprint"] = message.fingerprint.model_dump(mode="json")
    elif message.kind == "candidates":
        state["replies"] = {sender: [list(c) for c in message.candidates], **state["replies"]}
    elif message.kind == "answer" and sender not in state["answers"]:
        state["answers"] = {**state["answers"], sender: None if message.similarity is None else {
            "similarity": message.similarity, "story_score": message.story_score, "root": message.root,
            "story_id": message.story_id}}
    elif message.kind == "ask" and sender not in state["answered"] and sender not in state["waiting"]:
        asker = message.fingerprint.model_dump(mode="json")
        if "verdict" in state:
            state["answered"] = {**state["answered"], sender: _answer(state, asker, settings)}
            return [["answer", sender]]
        if (asker["published"], sender) < (message.target_published, state["article_id"]):
            # An earlier article asks an undecided later one: answer "deferred" now (it must not wait on us)
            # and ask it in turn, so the later article is the one that decides about the pair.
            state["answered"] = {**state["answered"], sender: None}
            state["earlier"] = {**state.get("earlier", {}), sender: asker["published"]}
            recipes = [["answer", sender]]
            if "asked" in state and sender not in state["asked"]:
                state["asked"] = [*state["asked"], sender]
                recipes.append(["ask", sender])
            return recipes
        state["waiting"] = {**state["waiting"], sender: asker}
    elif message.kind == "deadline":
        state["deadline_passed"] = True
    elif message.kind == "copy" and sender not in state["copies"]:
        state["copies"] = {**state["copies"], sender: message.article.model_dump(mode="json")}
        if "verdict" in state:
            return [["copy", sender]]
    return []


def _advance(state: dict[str, Any], now: float, settings: DedupSettings) -> list[list[str]]:
    """Move the decision on as far as the messages so far allow."""
    recipes: list[list[str]] = []
    if "fingerprint" not in state or "verdict" in state:
        return recipes
    # Past the deadline the article is decided with what has arrived: a lost or late reply or answer costs a
    # missed match, never the article.
    late = state.get("deadline_passed", False)
    if "asked" not in state:
        keys = state["fingerprint"]["keys"]
        if not late and not all(key in state["replies"] for key in keys):
            return recipes
        published = {c: p for key in keys for c, p in state["replies"].get(key, [])}
        published.update(state.get("earlier", {}))
        state["published_of"] = published
        state["asked"] = sorted(published)
        if state["asked"]:
            recipes.append(["asks"])
    if not late and not all(candidate in state["answers"] for candidate in state["asked"]):
        return recipes
    answers = [state["answers"][c] for c in state["asked"] if state["answers"].get(c) is not None]
    state["verdict"] = decide(state["article_id"], answers, settings).model_dump(mode="json")
    state["decided_at"] = now
    recipes.append(["verdict"])
    for asker, asker_fingerprint in state["waiting"].items():
        state["answered"] = {**state["answered"], asker: _answer(state, asker_fingerprint, settings)}
        recipes.append(["answer", asker])
    state["waiting"] = {}
    recipes.extend(["copy", copy] for copy in state["copies"])
    return recipes


def decide(article_id: str, answers: list[dict[str, Any]], settings: DedupSettings) -> DedupVerdict:
    """The verdict from the candidates' answers: the most similar near-duplicate if any, else the story with
    the highest score over the threshold, else a story of its own."""
    near = [a for a in answers if a["similarity"] >= settings.near_duplicate_threshold]
    if near:
        best = max(near, key=lambda a: (a["similarity"], a["story_score"]))
        return DedupVerdict(duplicate_of=best["root"], method="near_duplicate",
                            similarity=round(best["similarity"], 4), story_id=best["story_id"])
    related = [a for a in answers if a["story_score"] >= settings.story_threshold]
    if related:
        return DedupVerdict(story_id=max(related, key=lambda a: a["story_score"])["story_id"])
    return DedupVerdict(story_id=article_id)


def compare(first: Fingerprint, second: Fingerprint, settings: DedupSettings) -> tuple[float, float]:
    """(estimated Jaccard similarity, story score) of two fingerprints; the story score is 0 outside the
    story window."""
    sim = minhash.similarity(minhash.decode(first.signature), minhash.decode(second.signature))
    close = abs(first.published - second.published) <= settings.story_window_hours * 3600.0
    return sim, (stories.score(first.profile, second.profile) if close else 0.0)


def _answer(state: dict[str, Any], asker: dict[str, Any], settings: DedupSettings) -> dict[str, Any]:
    sim, story = compare(Fingerprint.model_validate(state["fingerprint"]), Fingerprint.model_validate(asker),
                         settings)
    verdict = state["verdict"]
    return {"similarity": sim, "story_score": story,
            "root": verdict["duplicate_of"] or state["article_id"], "story_id": verdict["story_id"]}


def _render(state: dict[str, Any], recipe: list[str], settings: DedupSettings) -> list[Send]:
    """The sends of one recipe, rebuilt from the state (so a replay publishes the very same records)."""
    own = state["article_id"]
    kind = recipe[0]
    if kind in ("asks", "ask"):
        article_fingerprint = Fingerprint.model_validate(state["fingerprint"])
        published = {**state["published_of"], **state.get("earlier", {})}
        return [Send(DEDUP_CANDIDATES, candidate, JoinMessage(kind="ask", sender=own, fingerprint=article_fingerprint,
                                                              target_published=published[candidate]))
                for candidate in (state["asked"] if kind == "asks" else recipe[1:])]
    if kind == "answer":
        answer = state["answered"][recipe[1]] or {}  # {}: deferred
        return [Send(DEDUP_CANDIDATES, recipe[1], JoinMessage(kind="answer", sender=own, **answer))]
    verdict = DedupVerdict.model_validate(state["verdict"])
    article = Article.model_validate(state["article"] if kind == "verdict" else state["copies"][recipe[1]])
    if kind == "copy":
        verdict = article.dedup.model_copy(update={"story_id": verdict.story_id})
    return [Send(ARTICLES_DEDUPED, verdict.story_id, article.model_copy(update={"dedup": verdict}))]


def join_overdue(state: dict[str, Any], now: float, settings: DedupSettings) -> bool:
    """True for an article still undecided `decision_deadline_seconds` after its join state was created: the
    agent then sends it a "deadline" message, which makes it decide with the answers in hand."""
    return ("fingerprint" in state and "verdict" not in state and not state.get("deadline_passed")
            and now - state["created_at"] > settings.decision_deadline_seconds)


def deadline_message(article_id: str) -> Send:
    return Send(DEDUP_CANDIDATES, article_id, JoinMessage(kind="deadline", sender=article_id))


def join_expired(state: dict[str, Any], now: float, settings: DedupSettings) -> bool:
    """True when an article's join state outlived the index entries that can lead an ask to it (one day more
    than the index window, so an ask in flight still finds it)."""
    return state["created_at"] < now - _window_seconds(settings) - 86400.0


def text_sends(judged: Article, article_fingerprint: Fingerprint | None) -> list[Send]:
    """What the by-text hop publishes for a judged article: an exact copy goes to its original's join, a first
    article (with its fingerprint, computed only for it) to the index and its own join."""
    if judged.dedup.duplicate_of is not None:
        return [copy_message(judged)]
    if article_fingerprint is None:
        raise ValueError("a first article needs its fingerprint")
    return probes(judged, article_fingerprint)


class InMemoryDedup:
    """Every dedup hop in one process over dicts, messages delivered in order per key as Kafka would: the
    offline command, the evaluation and the tests run exactly the stage's logic this way."""

    def __init__(self, settings: DedupSettings) -> None:
        self.settings = settings
        self.tables: dict[str, dict[str, Any]] = {"urls": {}, "texts": {}, "index": {}, "joins": {}}
        self.deduped: list[Article] = []
        self._offsets: dict[str, int] = {}

    def add(self, article: Article, now: float) -> None:
        """Run one article from the `articles` topic through every hop until nothing is in flight."""
        urls, texts = self.tables["urls"], self.tables["texts"]
        url_judgement = judge_by_url(article, urls.get(article.canonical_url), self._origin("articles"))
        urls[article.canonical_url] = url_judgement.state
        if url_judgement.decision is not UrlDecision.FORWARD:
            return
        if not article.text:
            self.deduped.append(article.model_copy(update={"dedup": DedupVerdict(story_id=article.article_id)}))
            return
        text_judgement = judge_by_text(article, texts.get(article.text_hash), self._origin("by-text"))
        texts[article.text_hash] = text_judgement.state
        if text_judgement.article is None:
            return
        judged = text_judgement.article
        article_fingerprint = None if judged.dedup.duplicate_of else fingerprint(judged, self.settings)
        self.deliver(text_sends(judged, article_fingerprint), now)

    def deliver(self, sends: list[Send], now: float) -> None:
        queue = list(sends)
        while queue:
            send = queue.pop(0)
            queue.extend(self.handle(send, self._origin(send.topic), now))

    def handle(self, send: Send, origin: list[Any], now: float) -> list[Send]:
        """Process one message as the stage's agent for its topic would; return what it publishes."""
        if send.topic == ARTICLES_DEDUPED:
            self.deduped.append(send.record)
            return []
        if send.topic == DEDUP_BANDS:
            state, reply = index_probe(self.tables["index"].get(send.key), send.record, send.key, now, self.settings)
            self.tables["index"][send.key] = state
            return [reply]
        result = join(self.tables["joins"].get(send.key), send.key, send.record, origin, now, self.settings)
        self.tables["joins"][send.key] = result.state
        return result.sends

    def _origin(self, topic: str) -> list[Any]:
        self._offsets[topic] = self._offsets.get(topic, -1) + 1
        return [topic, 0, self._offsets[topic]]
