"""Deduplication and story clustering as pure functions over table state (no Faust).

Exact copies — two keyed hops, because an exact copy can match on either key and each key lives on its own
partition:
1. by canonical URL (the `articles` key): the same page seen again — refetched, listed by two feeds — is
   dropped; a changed text on the same URL is a revision and goes on;
2. by text hash (the `articles.by-text` key): the same body under another URL — a syndicated copy — is marked
   `duplicate_of` the first article and joins its story.

Each state remembers the origin (topic, partition, offset) of the message that claimed the key, so a
redelivery of that very message repeats its output instead of being mistaken for a copy of itself.

Near-duplicates and stories — the index of MinHash band keys and story phrases, partitioned by key through
Kafka, and the per-article join that verifies candidates; see the flow below and streams/dedup/README.md.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal, NamedTuple, Self, TypeVar

from newsmon.streams.dedup import containment, crosslingual, minhash, stories
from newsmon.streams.dedup.crosslingual import Anchors
from newsmon.streams.dedup.stories import StoryProfile
from newsmon.streams.dedup.words import hashed_words, matching_words
from pydantic import BaseModel, ConfigDict, Field, field_validator

from newsmon.partitioner import partition_of
from newsmon.records import Article, DedupVerdict, MessageOrigin, Record
from newsmon.settings.dedup import DedupSettings
from newsmon.topics import ARTICLES, ARTICLES_BY_TEXT, ARTICLES_DEDUPED, DEDUP_BANDS, DEDUP_CANDIDATES


class UrlDecision(Enum):
    FORWARD = "forward"
    SAME_PAGE_AGAIN = "same_page_again"


class TableState(BaseModel):
    """A typed table value: `encode` gives its table form (JSON-ready, unset fields left out), `decode` reads
    it back."""

    model_config = ConfigDict(extra="forbid")

    def encode(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)

    @classmethod
    def decode(cls, stored: dict[str, Any]) -> Self:
        return cls.model_validate(stored)


StateT = TypeVar("StateT", bound=TableState)


class UrlClaim(TableState):
    """What the URL table holds for a canonical URL: the text last seen there and the message that brought
    it."""

    model_config = ConfigDict(frozen=True)

    text_hash: str
    article_id: str
    origin: MessageOrigin
    claimed_at: float = (
        0.0  # when the claiming article was fetched (0: a claim from before claims were dated)
    )


class TextClaim(TableState):
    """What the text table holds for a text hash: the first article with that text, its story, and the
    message that brought it."""

    model_config = ConfigDict(frozen=True)

    article_id: str
    story_id: str
    origin: MessageOrigin
    claimed_at: float = 0.0  # as UrlClaim's


def claim_expired(stored: dict[str, Any], partition: int, now: float, settings: DedupSettings) -> bool:
    """True when a URL or text claim, as its table stores it, lives on `partition` (that of the message that
    made it) and is older than `article_state_seconds`: the article's index entries and join state are gone
    by then, and a page seen again is judged anew."""
    _topic, claimed_on, _offset = stored["origin"]
    return claimed_on == partition and stored.get("claimed_at", 0.0) < now - settings.article_state_seconds


@dataclass(frozen=True)
class UrlJudgement:
    decision: UrlDecision
    state: UrlClaim


def judge_by_url(article: Article, state: UrlClaim | None, origin: MessageOrigin) -> UrlJudgement:
    """Decide on an article keyed by canonical URL; `state` is what the URL table holds for that URL."""
    claim = UrlClaim(
        text_hash=article.text_hash,
        article_id=article.article_id,
        origin=origin,
        claimed_at=article.fetched_at.timestamp(),
    )
    if state is None or state.origin == origin or state.text_hash != article.text_hash:
        return UrlJudgement(UrlDecision.FORWARD, claim)
    return UrlJudgement(UrlDecision.SAME_PAGE_AGAIN, state)


@dataclass(frozen=True)
class TextJudgement:
    article: Article | None  # the article with its verdict, or None when there is nothing to pass on
    state: TextClaim


def judge_by_text(article: Article, state: TextClaim | None, origin: MessageOrigin) -> TextJudgement:
    """Decide on an article keyed by text hash; `state` is what the text table holds for that hash."""
    if state is None or state.origin == origin:
        claim = TextClaim(
            article_id=article.article_id,
            story_id=article.article_id,
            origin=origin,
            claimed_at=article.fetched_at.timestamp(),
        )
        verdict = DedupVerdict(story_id=article.article_id)
        return TextJudgement(article.model_copy(update={"dedup": verdict}), claim)
    if state.article_id == article.article_id:
        # The same article reached us twice (its URL was revised back to a text we know): nothing new.
        return TextJudgement(None, state)
    verdict = DedupVerdict(
        duplicate_of=state.article_id, method="text_hash", similarity=1.0, story_id=state.story_id
    )
    return TextJudgement(article.model_copy(update={"dedup": verdict}), state)


# --- Near-duplicate and story index, partitioned through Kafka ------------------------------------------
#
# by-text hop (first article of a text) ──one Probe per index partition──▶ dedup.bands (explicit partition)
#                                        ──JoinMessage "self"──▶ dedup.candidates (key: article id)
# index hop (partition p): insert the article under each of its index keys that live on p, keep a copy of its
#   fingerprint on p, compare it with every earlier entry under those keys (their fingerprints are on p too,
#   for the same reason) and reply once — with the candidates that look like a copy or the same story — to the
#   article's join.
# join hop (key: article id): once every probed partition replied, "ask" each such candidate for its verdict
#   (root, story); each candidate answers once it is decided itself; with every answer in, the verdict goes to
#   articles.deduped, and waiting askers and exact copies are answered.
#
# An article costs 2 messages per index partition it touches plus 2 per look-alike, instead of 2 per index key
# plus 2 per candidate: comparing where the candidates' fingerprints already are is what makes that possible.
#
# Articles are ordered by (published_at, article_id). An article waits for the verdict of earlier candidates
# only; a later candidate answers at once — with its answer if decided, else "deferred", and it then asks the
# earlier article itself. Whichever of two articles reaches a shared key second learns of the other, so a pair
# is never missed, and waits only point back in the order, so they never form a cycle. Every hop is
# idempotent: the index hop is a set insert with a deterministic reply, the join keeps the first message of
# each kind per sender and replays, for a redelivered message, exactly the outputs that message produced
# (recorded by offset; all messages of one article share one partition, in order).


class Fingerprint(Record):
    """What the index needs of an article to compare it: signature, sentence sketch, story profile, index
    keys, date."""

    signature: str = Field(min_length=1)
    sentences: str = Field(
        default="",
        description="containment.sketch of the text; empty in fingerprints indexed before it existed, which "
        "are then compared by resemblance only.",
    )
    profile: StoryProfile
    anchors: Anchors | None = Field(
        default=None, description="Cross-language story anchors, when dedup.cross_language_stories is on."
    )
    keys: list[str]
    published: float = Field(description="published_at as a POSIX timestamp.")

    _packed = field_validator("signature", "sentences")(minhash.check_packed)


def fingerprint(article: Article, settings: DedupSettings) -> Fingerprint:
    """Signature, story profile and index keys of an article (CPU work: run it in the process pool)."""
    hashed = hashed_words(article.text)  # once, for the signature and the sketch
    sig = minhash.signature(hashed.hashes, settings.num_perm, settings.shingle_words)
    profile, story_keys = stories.features(
        matching_words(article.text), settings.story_features, settings.story_keys
    )
    keys = minhash.band_keys(sig, settings.bands, settings.rows) + story_keys
    anchors = (
        crosslingual.anchors(article.text, article.language) if settings.cross_language_stories else None
    )
    if anchors is not None:
        keys += crosslingual.keys(anchors)
    return Fingerprint(
        signature=minhash.encode(sig),
        sentences=containment.sketch(hashed),
        profile=profile,
        anchors=anchors,
        keys=list(dict.fromkeys(keys)),
        published=article.published_at.timestamp(),
    )


def fingerprint_salts(article_id: str, partitions_wanted: set[int], partitions: int) -> dict[int, int]:
    """Per partition wanted, the salt that puts the article's fingerprint copy there: the first for which the
    partitioner maps `fingerprint_key` to it. One pass over the salts for all of them (~8 hashes for 4
    partitions, where a search per partition took ~16; computed once, in the pool)."""
    salts: dict[int, int] = {}
    salt = 0
    while len(salts) < len(partitions_wanted):
        partition = partition_of(fingerprint_key(article_id, salt), partitions)
        if partition in partitions_wanted:
            salts.setdefault(partition, salt)
        salt += 1
    return salts


def fingerprint_key(article_id: str, salt: int) -> str:
    """The index-table key of an article's fingerprint copy (see `fingerprint_salts`)."""
    return f"fp:{article_id}:{salt}"


def copy_entry(copy_key: str, copy: dict[str, Any]) -> list[Any]:
    """The index entry [article_id, published, indexed_at, salt] of the fingerprint copy stored under
    `copy_key` (a `fingerprint_key`; article ids may hold colons, the salt does not)."""
    article_id, salt = copy_key.removeprefix("fp:").rsplit(":", 1)
    return [article_id, copy["fingerprint"]["published"], copy["indexed_at"], int(salt)]


class Probe(Record):
    """To `dedup.bands` on `partition`: the article's index keys that live there, and its fingerprint (kept
    there under the salted key)."""

    article_id: str
    partition: int
    keys: list[str]
    salt: int
    fingerprint: Fingerprint


def index_probes(article: Article, settings: DedupSettings, partitions: int) -> list[Probe]:
    """The fingerprint of a first article and its probes, one per index partition its keys live on (CPU work,
    murmur2 hashing included: run it in the process pool)."""
    return fingerprint_probes(article.article_id, fingerprint(article, settings), partitions)


def fingerprint_probes(article_id: str, article_fingerprint: Fingerprint, partitions: int) -> list[Probe]:
    """The probes of a fingerprinted article: one per index partition its keys live on, each with the keys
    there and the fingerprint (without keys) to keep there."""
    by_partition: dict[int, list[str]] = {}
    for key in article_fingerprint.keys:
        by_partition.setdefault(partition_of(key, partitions), []).append(key)
    salts = fingerprint_salts(article_id, set(by_partition), partitions)
    shared = article_fingerprint.model_copy(update={"keys": []})  # each probe carries its own keys
    return [
        Probe(
            article_id=article_id, partition=partition, keys=keys, salt=salts[partition], fingerprint=shared
        )
        for partition, keys in sorted(by_partition.items())
    ]


class Candidate(Record):
    """An earlier-indexed article that looks like a copy of the prober or like the same story."""

    article_id: str
    published: float
    similarity: float = Field(description="copy_scores: the prober as a copy of the candidate.")
    similarity_back: float = Field(
        default=0.0, description="copy_scores: the candidate as a copy of the prober (0: not known)."
    )
    story_score: float


class JoinMessage(Record):
    """To `dedup.candidates`, keyed by the article it concerns; `sender` is the article (or, for
    "candidates", the index partition) it comes from."""

    kind: Literal["self", "candidates", "ask", "answer", "copy", "deadline"]
    sender: str
    article: Article | None = None  # self, copy
    partitions: list[int] = Field(default_factory=list)  # self: the index partitions probed
    published: float | None = None  # self, ask: the sender's published time
    candidates: list[Candidate] = Field(default_factory=list)  # candidates
    similarity: float | None = None  # ask: the sender as a copy of the receiver (copy_scores)
    similarity_back: float = 0.0  # ask: the receiver as a copy of the sender
    story_score: float | None = None  # ask
    target_published: float | None = None  # ask: the receiver's published time, as the index knows it
    root: str | None = None  # answer: what a near-duplicate of the receiver would be a copy of;
    story_id: str | None = None  # answer; both None: deferred (the sender will ask the receiver)


@dataclass(frozen=True)
class Send:
    topic: str  # a newsmon.topics constant
    key: str
    record: Record
    partition: int | None = None  # None: the partitioner decides from the key


def probes(article: Article, article_probes: list[Probe]) -> list[Send]:
    """What the by-text hop sends for the first article of a text: its probes, and the article to its own join
    (with the partitions to wait for)."""
    own = JoinMessage(
        kind="self",
        sender=article.article_id,
        article=article,
        partitions=[probe.partition for probe in article_probes],
        published=article.published_at.timestamp(),
    )
    return [
        Send(DEDUP_CANDIDATES, article.article_id, own),
        *(Send(DEDUP_BANDS, article.article_id, probe, probe.partition) for probe in article_probes),
    ]


def copy_message(copy: Article) -> Send:
    """An exact copy (judged by text hash) goes to its original's join, which gives it the original's
    story."""
    return Send(
        DEDUP_CANDIDATES,
        copy.dedup.duplicate_of,
        JoinMessage(kind="copy", sender=copy.article_id, article=copy),
    )


class FingerprintCopies:
    """The index table's fingerprint copies, decoded, by key: read through on a miss and kept for the next
    probes that meet them (each look-alike cost a table read, its JSON and a validation on the event loop).
    A copy never changes once written — one article, one fingerprint (a redelivered probe only rewrites its
    `indexed_at`, seconds later, against a window of days) — and is deleted only after it expired, which
    index_probe tells from the kept `indexed_at` as it would from the stored one. Bounded: the least recently
    used go first."""

    def __init__(self, size: int = 8192) -> None:
        self._size = size
        self._kept: OrderedDict[str, tuple[Fingerprint, float]] = OrderedDict()

    def get(self, key: str, read: Callable[[str], dict[str, Any] | None]) -> tuple[Fingerprint, float] | None:
        """(fingerprint, indexed_at) of the copy under `key`, None when the table has none."""
        kept = self._kept.get(key)
        if kept is not None:
            self._kept.move_to_end(key)
            return kept
        stored = read(key)
        if stored is None:
            return None
        kept = self._kept[key] = (Fingerprint.model_validate(stored["fingerprint"]), stored["indexed_at"])
        if len(self._kept) > self._size:
            self._kept.popitem(last=False)
        return kept


@dataclass(frozen=True)
class IndexResult:
    keys: dict[str, dict[str, Any]]  # new state of each index key probed
    fingerprint_key: str
    fingerprint: dict[str, Any]  # the prober's fingerprint copy on this partition, with the keys probed
    reply: Send


def _with_entry(
    state: dict[str, Any] | None, entry: list[Any], horizon: float, settings: DedupSettings
) -> dict[str, Any]:
    """An index key's state with `entry` in it: entries indexed before `horizon` go, and a hot key keeps only
    its `max_entries_per_key` newest by publication."""
    entries = [kept for kept in (state or {}).get("entries", []) if kept[2] >= horizon]
    if not any(kept[0] == entry[0] for kept in entries):
        entries.append(entry)
        if len(entries) > settings.max_entries_per_key:
            entries = sorted(entries, key=lambda kept: (kept[1], kept[0]))[-settings.max_entries_per_key :]
    return {"entries": entries}


def index_probe(
    probe: Probe,
    read: Callable[[str], dict[str, Any] | None],
    now: float,
    settings: DedupSettings,
    copies: FingerprintCopies | None = None,
) -> IndexResult:
    """Index hop: remember the article under its keys on this partition, and reply with the entries under
    those keys (in the window) that look most like a copy of it or like the same story (`best_look_alikes`).

    Entries are [article_id, published, indexed_at, salt]; expired ones (indexed more than window_days ago)
    go, and a hot key keeps only its `max_entries_per_key` newest by publication. An entry whose fingerprint
    copy has expired is skipped. `read` reads the index table, which holds both the keys and the fingerprint
    copies; `copies` keeps the copies decoded from one probe to the next."""
    copies = copies if copies is not None else FingerprintCopies()
    horizon = now - settings.window_seconds
    own = probe.fingerprint
    states: dict[str, dict[str, Any]] = {}
    others: dict[str, list[Any]] = {}
    for key in probe.keys:
        states[key] = _with_entry(
            read(key), [probe.article_id, own.published, now, probe.salt], horizon, settings
        )
        entries = states[key]["entries"]
        others.update(
            (entry[0], entry)
            for entry in entries
            if entry[0] != probe.article_id and abs(own.published - entry[1]) <= settings.window_seconds
        )
    look_alikes: list[tuple[str, float, Fingerprint]] = []
    for other, (_, published, _, salt) in sorted(others.items()):
        stored = copies.get(fingerprint_key(other, salt), read)
        if stored is not None and stored[1] >= horizon:
            look_alikes.append((other, published, stored[0]))
    earlier = [fingerprint for _, _, fingerprint in look_alikes]
    compared = [compare(own, fingerprint, settings) for fingerprint in earlier]
    copy_scores_ = copy_scores(own, earlier, [resemblance for resemblance, _ in compared], settings)
    candidates = [
        Candidate(
            article_id=other,
            published=published,
            similarity=round(similarity, 6),
            similarity_back=round(similarity_back, 6),
            story_score=round(story_score, 6),
        )
        for (other, published, _), (_, story_score), (similarity, similarity_back) in zip(
            look_alikes, compared, copy_scores_, strict=True
        )
        if max(similarity, similarity_back) >= settings.near_duplicate_threshold
        or story_score >= settings.story_threshold
    ]
    strongest = [candidate for _, candidate in best_look_alikes(candidates, settings)]
    reply = JoinMessage(kind="candidates", sender=f"partition:{probe.partition}", candidates=strongest)
    return IndexResult(
        states,
        fingerprint_key(probe.article_id, probe.salt),
        {
            "fingerprint": own.model_dump(mode="json", exclude_none=True),
            "indexed_at": now,
            "keys": probe.keys,
        },
        Send(DEDUP_CANDIDATES, probe.article_id, reply),
    )


def replayed_index_keys(
    copy_key: str,
    copy: dict[str, Any],
    read: Callable[[str], dict[str, Any] | None],
    now: float,
    settings: DedupSettings,
) -> dict[str, dict[str, Any]]:
    """The index keys the probe that stored this fingerprint copy wrote, rebuilt from the copy and the keys
    as they are now (`read`). The index table's changelog carries the copies only — one record per probe
    instead of one per key — and a worker restoring the table from it rebuilds the keys with this, copy by
    copy in changelog order. A copy stored before copies carried their keys rebuilds none: its keys are in
    the changelog themselves."""
    horizon = now - settings.window_seconds
    entry = copy_entry(copy_key, copy)
    if entry[2] < horizon:
        return {}
    return {key: _with_entry(read(key), entry, horizon, settings) for key in copy.get("keys", [])}


def is_fingerprint_copy(state: dict[str, Any]) -> bool:
    """True for an index-table value that is a fingerprint copy, False for an index key's entries."""
    return "fingerprint" in state


def index_expired(state: dict[str, Any], now: float, settings: DedupSettings) -> bool:
    """True when an index entry is past the window: an index key all of whose entries were indexed more than
    window_days ago (a key still in use is pruned when the next probe reaches it), or a fingerprint copy."""
    horizon = now - settings.window_seconds
    if is_fingerprint_copy(state):
        return state["indexed_at"] < horizon
    return all(entry[2] < horizon for entry in state.get("entries", []))


class Answer(BaseModel):
    """A decided article's answer to an asker: what a copy of it is a copy of, and its story."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    root: str
    story_id: str


class Recipe(NamedTuple):
    """One output of a join step, kept so that a redelivered message republishes it (rebuilt from the state
    by `_render`): the asks, an ask or an answer to `target`, the verdict, or a `target` copy's verdict."""

    kind: Literal["asks", "ask", "answer", "verdict", "copy"]
    target: str | None = None


class JoinState(TableState):
    """What the join table holds for one article. Updated copy on write: a step never changes the containers
    of the state it was given."""

    article_id: str
    created_at: float
    origin: MessageOrigin | None = None  # of the last message processed
    partitions: list[str] | None = None  # "self": the index partitions whose replies are awaited
    published: float | None = None  # "self": the article's published time; None until it arrives
    replies: dict[str, list[Candidate]] = Field(default_factory=dict)  # by index partition
    look_alikes: dict[str, Candidate] | None = None  # chosen once every reply is in
    asked: list[str] | None = None
    answers: dict[str, Answer | None] = Field(default_factory=dict)  # None: deferred
    earlier: dict[str, Candidate] = Field(default_factory=dict)  # earlier askers this article asked back
    waiting: list[str] = Field(default_factory=list)  # askers waiting for the verdict
    deferred: list[str] = Field(default_factory=list)  # earlier askers answered "deferred"
    copies: dict[str, Article] = Field(default_factory=dict)  # exact copies waiting for the story
    emitted: dict[int, list[Recipe]] = Field(default_factory=dict)  # by the offset of the message
    verdict: DedupVerdict | None = None
    decided_at: float | None = None
    deadline_passed: bool = False

    def answer(self) -> Answer:
        """The answer of a decided article."""
        if self.verdict is None:
            raise ValueError(f"{self.article_id} is not decided")
        return Answer(root=self.verdict.duplicate_of or self.article_id, story_id=self.verdict.story_id)


@dataclass(frozen=True)
class JoinResult:
    state: JoinState
    sends: list[Send]
    article: dict[str, Any] | None = None  # the article's body when it arrived with this message: keep it
    changed: bool = True  # False: the state need not be written back


def join(
    state: JoinState | None,
    article_id: str,
    message: JoinMessage,
    origin: MessageOrigin,
    now: float,
    settings: DedupSettings,
    read_article: Callable[[], dict[str, Any] | None],
) -> JoinResult:
    """Join hop: one step of the decision on `article_id` (`state` is what the join table holds for it).

    The article's body is not part of the state, which is rewritten on every message: it is returned once, to
    be kept apart, and read back (`read_article`) only to publish the verdict."""
    state = state if state is not None else JoinState(article_id=article_id, created_at=now)
    last = state.origin
    redelivered = last is not None and last[:2] == origin[:2] and origin.offset <= last.offset
    if redelivered and origin.offset in state.emitted:
        # A redelivery (crash before the offset commit): publish again exactly what it published before.
        recipes = state.emitted[origin.offset]
        return JoinResult(
            state,
            [send for recipe in recipes for send in _render(state, recipe, read_article)],
            changed=False,
        )
    if state.verdict is not None and message.kind != "copy":
        # Decided: an ask is answered from the verdict alone — the same answer for every asker, again on a
        # redelivery — and nothing else changes the state, so a much-asked original is not rewritten per ask.
        return JoinResult(
            state,
            _render(state, Recipe("answer", message.sender), read_article) if message.kind == "ask" else [],
            changed=False,
        )
    if redelivered:
        return JoinResult(state, [], changed=False)
    arrived = (
        message.article.model_dump(mode="json")
        if message.kind == "self" and state.published is None
        else None
    )
    state = state.model_copy(update={"origin": origin})
    recipes = _apply(state, message) + _advance(state, now, settings)
    if recipes:
        state.emitted = {**state.emitted, origin.offset: recipes}
    body = (lambda: arrived) if arrived is not None else read_article
    return JoinResult(state, [send for recipe in recipes for send in _render(state, recipe, body)], arrived)


def _apply(state: JoinState, message: JoinMessage) -> list[Recipe]:
    """Record one message; a second message of a kind from the same sender (an upstream repeat) is ignored."""
    sender = message.sender
    if message.kind == "self" and state.published is None:
        state.partitions = [f"partition:{partition}" for partition in message.partitions]
        state.published = message.published
    elif message.kind == "candidates":
        state.replies = {sender: list(message.candidates), **state.replies}
    elif message.kind == "answer" and sender not in state.answers:
        answer = None if message.story_id is None else Answer(root=message.root, story_id=message.story_id)
        state.answers = {**state.answers, sender: answer}
    elif message.kind == "ask" and sender not in state.deferred and sender not in state.waiting:
        if (message.published, sender) < (message.target_published, state.article_id):
            # An earlier article asks an undecided later one: answer "deferred" now (it must not wait on us)
            # and ask it in turn, so the later article is the one that decides about the pair.
            state.deferred = [*state.deferred, sender]
            asker = Candidate(
                article_id=sender,
                published=message.published,
                # Seen from this article: the sender's "back" is this article as a copy of the sender.
                similarity=message.similarity_back,
                similarity_back=message.similarity,
                story_score=message.story_score,
            )
            state.earlier = {**state.earlier, sender: asker}
            recipes = [Recipe("answer", sender)]
            if state.asked is not None and sender not in state.asked:
                state.asked = [*state.asked, sender]
                state.look_alikes = {**(state.look_alikes or {}), sender: asker}
                recipes.append(Recipe("ask", sender))
            return recipes
        state.waiting = [*state.waiting, sender]
    elif message.kind == "deadline":
        state.deadline_passed = True
    elif message.kind == "copy" and sender not in state.copies:
        state.copies = {**state.copies, sender: message.article}
        if state.verdict is not None:
            return [Recipe("copy", sender)]
    return []


def _advance(state: JoinState, now: float, settings: DedupSettings) -> list[Recipe]:
    """Move the decision on as far as the messages so far allow."""
    recipes: list[Recipe] = []
    if state.published is None or state.verdict is not None:  # no "self" message yet, or decided
        return recipes
    # Past the deadline the article is decided with what has arrived: a lost or late reply or answer costs a
    # missed match, never the article.
    late = state.deadline_passed
    if state.asked is None:
        if not late and not all(partition in state.replies for partition in state.partitions or []):
            return recipes
        found: dict[str, Candidate] = {}
        for partition in sorted(state.replies):  # a candidate found on several partitions: compared alike
            found.update((candidate.article_id, candidate) for candidate in state.replies[partition])
        # The verdict takes the best answer only; the next ones stand in for a best that answers "deferred".
        look_alikes = dict(best_look_alikes(list(found.values()), settings))
        look_alikes.update(state.earlier)
        state.look_alikes = look_alikes
        state.asked = sorted(look_alikes)
        if state.asked:
            recipes.append(Recipe("asks"))
    if not late and not all(candidate in state.answers for candidate in state.asked):
        return recipes
    look_alikes = state.look_alikes or {}
    answers = [
        (look_alikes[candidate], answer)
        for candidate in state.asked
        if (answer := state.answers.get(candidate)) is not None
    ]
    state.verdict = decide(state.article_id, answers, settings)
    state.decided_at = now
    recipes.append(Recipe("verdict"))
    recipes.extend(Recipe("answer", asker) for asker in state.waiting)
    state.waiting = []
    recipes.extend(Recipe("copy", copy) for copy in state.copies)
    return recipes


def _rank(candidate: Candidate, settings: DedupSettings) -> tuple[bool, float, float]:
    """How strongly a look-alike would decide the verdict: any near-duplicate before any same-story article,
    then by similarity (near-duplicates) or story score (stories)."""
    near = candidate.similarity >= settings.near_duplicate_threshold
    return (
        near,
        candidate.similarity if near else candidate.story_score,
        candidate.story_score if near else candidate.similarity,
    )


def best_look_alikes(candidates: list[Candidate], settings: DedupSettings) -> list[tuple[str, Candidate]]:
    """The `max_look_alikes` strongest candidates, (article_id, candidate) best first (ties by id)."""
    by_id = sorted(candidates, key=lambda candidate: candidate.article_id)
    ranked = sorted(
        by_id, key=lambda candidate: _rank(candidate, settings), reverse=True
    )  # stable: ties by id
    return [(candidate.article_id, candidate) for candidate in ranked[: settings.max_look_alikes]]


def decide(article_id: str, answers: list[tuple[Candidate, Answer]], settings: DedupSettings) -> DedupVerdict:
    """The verdict from the look-alikes' answers: the most similar near-duplicate if any, else the story with
    the highest score over the threshold, else a story of its own.

    An article that contains an earlier one (the whole wire after its brief) is not its copy — extraction
    skips copies, and the text the brief lacks would go unread — but it joins the brief's story, whatever the
    story score."""
    near = [(c, a) for c, a in answers if c.similarity >= settings.near_duplicate_threshold]
    if near:
        best, answer = max(near, key=lambda pair: (pair[0].similarity, pair[0].story_score))
        return DedupVerdict(
            duplicate_of=answer.root,
            method="near_duplicate",
            similarity=round(best.similarity, 4),
            story_id=answer.story_id,
        )
    related = [
        (c, a)
        for c, a in answers
        if c.story_score >= settings.story_threshold or c.similarity_back >= settings.near_duplicate_threshold
    ]
    if related:
        return DedupVerdict(story_id=max(related, key=lambda pair: pair[0].story_score)[1].story_id)
    return DedupVerdict(story_id=article_id)


def _render(
    state: JoinState, recipe: Recipe, read_article: Callable[[], dict[str, Any] | None]
) -> list[Send]:
    """The sends of one recipe, rebuilt from the state (so a replay publishes the very same records)."""
    own = state.article_id
    if recipe.kind in ("asks", "ask"):
        look_alikes = state.look_alikes or {}
        return [
            Send(
                DEDUP_CANDIDATES,
                candidate,
                JoinMessage(
                    kind="ask",
                    sender=own,
                    published=state.published,
                    target_published=look_alikes[candidate].published,
                    similarity=look_alikes[candidate].similarity,
                    similarity_back=look_alikes[candidate].similarity_back,
                    story_score=look_alikes[candidate].story_score,
                ),
            )
            for candidate in (state.asked or [] if recipe.kind == "asks" else [recipe.target])
        ]
    if recipe.kind == "answer":
        answer = {} if recipe.target in state.deferred else state.answer().model_dump()  # {}: deferred
        return [Send(DEDUP_CANDIDATES, recipe.target, JoinMessage(kind="answer", sender=own, **answer))]
    verdict = state.verdict
    if verdict is None:
        raise ValueError(f"{own}: a {recipe.kind} recipe before the verdict")
    if recipe.kind == "verdict":
        article = Article.model_validate(read_article())
    else:
        article = state.copies[recipe.target]
        verdict = article.dedup.model_copy(update={"story_id": verdict.story_id})
    return [Send(ARTICLES_DEDUPED, verdict.story_id, article.model_copy(update={"dedup": verdict}))]


def awaiting_decision(state: JoinState) -> bool:
    """True for an article whose own message has arrived and that is neither decided nor told its deadline
    passed: one the deadline may concern."""
    return state.published is not None and state.verdict is None and not state.deadline_passed


def join_overdue(state: JoinState, now: float, settings: DedupSettings) -> bool:
    """True for an article still undecided `decision_deadline_seconds` after its join state was created: the
    agent then sends it a "deadline" message, which makes it decide with the answers in hand."""
    return awaiting_decision(state) and _past_deadline(state.created_at, now, settings)


def _past_deadline(created_at: float, now: float, settings: DedupSettings) -> bool:
    return now - created_at > settings.decision_deadline_seconds


class UndecidedArticles:
    """The articles of the join table awaiting their decision (`awaiting_decision`), each with the time its
    join state was created: what the deadline timer looks through, instead of decoding every join state
    (`article_state_seconds` of them, 8 days: ~700k at 1 page/s) every few seconds. `join_hop` notes each
    state it writes; a worker rebuilds it from its join table once the table is restored and its partitions
    assigned. An overdue article is handed out once (`overdue`): its deadline message is then in flight, and
    the state that message writes takes it out."""

    def __init__(self) -> None:
        self._created: dict[str, float] = {}
        self._handed_out: set[str] = set()
        self._noted_while_rebuilding: set[str] | None = None

    def __len__(self) -> int:
        return len(self._created)

    def note(self, article_id: str, state: JoinState) -> None:
        """Keep or drop `article_id` as its state, just written, says."""
        if awaiting_decision(state):
            self._created[article_id] = state.created_at
            if self._noted_while_rebuilding is not None:
                self._noted_while_rebuilding.add(article_id)
        else:
            self.forget(article_id)

    def forget(self, article_id: str) -> None:
        self._created.pop(article_id, None)
        self._handed_out.discard(article_id)
        if self._noted_while_rebuilding is not None:
            self._noted_while_rebuilding.add(article_id)

    def begin_rebuild(self) -> None:
        """The states for `rebuild` are about to be read: what is noted from now on is newer than they are."""
        self._noted_while_rebuilding = set()

    def rebuild(self, states: Iterable[JoinState]) -> None:
        """Start again from every join state the worker holds, except for the articles noted since
        `begin_rebuild`, which keep what their note said. An article handed out stays so."""
        noted, self._noted_while_rebuilding = self._noted_while_rebuilding or set(), None
        created = {
            state.article_id: state.created_at
            for state in states
            if awaiting_decision(state) and state.article_id not in noted
        }
        created.update((article_id, self._created[article_id]) for article_id in noted & self._created.keys())
        self._created = created
        self._handed_out &= created.keys()

    def overdue(self, now: float, settings: DedupSettings) -> list[str]:
        """The articles past their deadline (as `join_overdue` tells) not handed out yet, now handed out."""
        due = [
            article_id
            for article_id, created_at in self._created.items()
            if _past_deadline(created_at, now, settings) and article_id not in self._handed_out
        ]
        self._handed_out.update(due)
        return due


def join_expired(state: JoinState, now: float, settings: DedupSettings) -> bool:
    """True when an article's join state outlived the index entries that can lead an ask to it (one day more
    than the index window, so an ask in flight still finds it)."""
    return state.created_at < now - settings.article_state_seconds


def compare(first: Fingerprint, second: Fingerprint, settings: DedupSettings) -> tuple[float, float]:
    """(estimated Jaccard similarity, story score) of two fingerprints; the story score is 0 outside the
    story window. Reports in two languages score by their cross-language anchors when both carry them."""
    sim = minhash.similarity(minhash.decode(first.signature), minhash.decode(second.signature))
    if abs(first.published - second.published) > settings.story_window_hours * 3600.0:
        return sim, 0.0
    story = stories.score(first.profile, second.profile)
    if first.anchors is not None and second.anchors is not None:
        story = max(story, crosslingual.score(first.anchors, second.anchors))
    return sim, story


def copy_scores(
    prober: Fingerprint,
    earlier: Sequence[Fingerprint],
    resemblances: Sequence[float],
    settings: DedupSettings,
) -> list[tuple[float, float]]:
    """For each of `earlier` (with its resemblance to the prober): (the prober as a copy of that
    earlier-indexed article, the earlier one as a copy of the prober).

    Each is the resemblance (`compare`'s estimated Jaccard), raised to the sentence cover of that article in
    the other when the cover reaches `containment_threshold` — a brief, a trimmed copy or a copy-edited one
    is mostly contained in its original sentence by sentence although it resembles it less than 0.6 — or when
    only its start is missing from the other (`replaced_lead_share`: the outlet's own headline and lead) and
    the cover still reaches `near_duplicate_threshold`. And it is lowered to the cover when the cover falls
    short of `near_duplicate_threshold`: a copy resembling its original ≥ 0.6 is contained in it at least as
    much, so a lower cover means the 64-value estimate erred (σ ≈ 0.06: a brief of half its original's
    length then "resembles" it 0.62 and the whole, arriving after it, would be taken for its copy).

    The covers of all of `earlier` are computed at once (`containment.covers_and_leads`: the same values as
    pair by pair, at a fraction of numpy's cost per call). Without a sentence sketch on either side
    (fingerprints indexed before sketches existed) a pair keeps its resemblance both ways."""
    scores = [(resemblance, resemblance) for resemblance in resemblances]
    sketched = [index for index, other in enumerate(earlier) if prober.sentences and other.sentences]
    forward, backward = containment.covers_and_leads(
        prober.sentences,
        [earlier[index].sentences for index in sketched],
        settings.sentence_match,
        settings.min_contained_bigrams,
    )
    for index, as_copy, as_original in zip(sketched, forward, backward, strict=True):
        resemblance = resemblances[index]
        scores[index] = (
            _copy_score(resemblance, as_copy, settings),
            _copy_score(resemblance, as_original, settings),
        )
    return scores


def _copy_score(resemblance: float, cover_and_lead: tuple[float, float], settings: DedupSettings) -> float:
    """One direction of a pair's `copy_scores`, from that direction's cover and lead."""
    cover, lead = cover_and_lead
    if resemblance >= settings.near_duplicate_threshold:
        return resemblance if cover >= settings.near_duplicate_threshold else cover
    replaced_lead = lead <= settings.replaced_lead_share and cover >= settings.near_duplicate_threshold
    return (
        max(resemblance, cover) if cover >= settings.containment_threshold or replaced_lead else resemblance
    )


def deadline_message(article_id: str) -> Send:
    return Send(DEDUP_CANDIDATES, article_id, JoinMessage(kind="deadline", sender=article_id))


def text_sends(judged: Article, article_probes: list[Probe] | None) -> list[Send]:
    """What the by-text hop publishes for a judged article: an exact copy goes to its original's join, a first
    article (with its probes, computed only for it) to the index and its own join."""
    if judged.dedup.duplicate_of is not None:
        return [copy_message(judged)]
    if article_probes is None:
        raise ValueError("a first article needs its probes")
    return probes(judged, article_probes)


def url_sends(article: Article, judgement: UrlJudgement) -> list[Send]:
    """What the by-URL hop publishes: nothing for the same page again; an article without text as its own
    story (every empty text has the same hash: it is no copy); any other to the by-text hop."""
    if judgement.decision is not UrlDecision.FORWARD:
        return []
    if not article.text:
        own = article.model_copy(update={"dedup": DedupVerdict(story_id=article.article_id)})
        return [Send(ARTICLES_DEDUPED, article.article_id, own)]
    return [Send(ARTICLES_BY_TEXT, article.text_hash, article)]


class TypedTable(MutableMapping[str, StateT]):
    """A table read and written as typed states over a table holding their `encode`d form (a Faust table;
    the in-memory stage keeps the states themselves in plain dicts)."""

    def __init__(self, table: MutableMapping[str, Any], state_type: type[StateT]) -> None:
        self._table = table
        self._state_type = state_type

    def __getitem__(self, key: str) -> StateT:
        return self._state_type.decode(self._table[key])

    def get(self, key: str, default: StateT | None = None) -> StateT | None:
        stored = self._table.get(key)
        return default if stored is None else self._state_type.decode(stored)

    def __setitem__(self, key: str, state: StateT) -> None:
        self._table[key] = state.encode()

    def __delitem__(self, key: str) -> None:
        del self._table[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


@dataclass(frozen=True)
class DedupTables:
    """The stage's state, as the agents (Faust tables) and InMemoryDedup (dicts) hold it: each hop function
    below reads and writes it the same way for both."""

    urls: MutableMapping[str, UrlClaim]  # canonical URL → judge_by_url's claim
    texts: MutableMapping[str, TextClaim]  # text hash → judge_by_text's claim
    index: MutableMapping[str, Any]  # index keys and fingerprint copies (index_probe); copies written here
    index_keys: MutableMapping[str, Any]  # the same table, where its index keys are written (see index_hop)
    joins: MutableMapping[str, JoinState]  # article id → its join state
    articles: MutableMapping[str, Any]  # article id → its body, written once
    copies: FingerprintCopies = field(default_factory=FingerprintCopies)  # decoded copies kept from `index`
    undecided: UndecidedArticles = field(default_factory=UndecidedArticles)  # of `joins`, kept by join_hop


def url_hop(tables: DedupTables, article: Article, origin: MessageOrigin) -> UrlJudgement:
    """The by-URL step: judge, remember the claim."""
    judgement = judge_by_url(article, tables.urls.get(article.canonical_url), origin)
    tables.urls[article.canonical_url] = judgement.state
    return judgement


def text_hop(tables: DedupTables, article: Article, origin: MessageOrigin) -> TextJudgement:
    """The by-text step: judge, remember the claim (the probes are computed by the caller, in its pool)."""
    judgement = judge_by_text(article, tables.texts.get(article.text_hash), origin)
    tables.texts[article.text_hash] = judgement.state
    return judgement


def index_hop(tables: DedupTables, probe: Probe, now: float, settings: DedupSettings) -> list[Send]:
    """One probe on this partition's index: insert, compare, write back; the reply to send. The keys go to
    `index_keys` (for the agent: the table's local store, without a changelog record each), the copy that
    lists them to `index` (one changelog record per probe, from which `replayed_index_keys` rebuilds them)."""
    result = index_probe(probe, tables.index.get, now, settings, tables.copies)
    for key, state in result.keys.items():
        tables.index_keys[key] = state
    tables.index[result.fingerprint_key] = result.fingerprint
    return [result.reply]


def join_hop(
    tables: DedupTables,
    article_id: str,
    message: JoinMessage,
    origin: MessageOrigin,
    now: float,
    settings: DedupSettings,
) -> list[Send]:
    """One join step on `article_id`: read its state, decide, write back what changed; what to send."""
    result = join(
        tables.joins.get(article_id),
        article_id,
        message,
        origin,
        now,
        settings,
        lambda: tables.articles.get(article_id),
    )
    if result.changed:
        tables.joins[article_id] = result.state
        tables.undecided.note(article_id, result.state)
    if result.article is not None:
        tables.articles[article_id] = result.article
    return result.sends


class InMemoryDedup:
    """Every dedup hop in one process over dicts, messages delivered in order per key as Kafka would: the
    offline command, the evaluation and the tests run exactly the stage's logic this way."""

    def __init__(self, settings: DedupSettings, partitions: int = 4) -> None:
        self.settings = settings
        self.partitions = partitions
        self.tables: dict[str, dict[str, Any]] = {
            "urls": {},
            "texts": {},
            "index": {},
            "joins": {},
            "articles": {},
        }
        self.state = DedupTables(**self.tables, index_keys=self.tables["index"])
        self.deduped: list[Article] = []
        self._offsets: dict[str, int] = {}

    def add(self, article: Article, now: float) -> None:
        """Run one article from the `articles` topic through every hop until nothing is in flight."""
        self.deliver([Send(ARTICLES, article.canonical_url, article)], now)

    def deliver(self, sends: list[Send], now: float) -> None:
        queue = list(sends)
        while queue:
            send = queue.pop(0)
            queue.extend(self.handle(send, self._origin(send.topic), now))

    def handle(self, send: Send, origin: MessageOrigin, now: float) -> list[Send]:
        """Process one message as the stage's agent for its topic would; return what it publishes."""
        if send.topic == ARTICLES:
            return url_sends(send.record, url_hop(self.state, send.record, origin))
        if send.topic == ARTICLES_BY_TEXT:
            judged = text_hop(self.state, send.record, origin).article
            if judged is None:
                return []
            article_probes = (
                None if judged.dedup.duplicate_of else index_probes(judged, self.settings, self.partitions)
            )
            return text_sends(judged, article_probes)
        if send.topic == ARTICLES_DEDUPED:
            self.deduped.append(send.record)
            return []
        if send.topic == DEDUP_BANDS:
            return index_hop(self.state, send.record, now, self.settings)
        return join_hop(self.state, send.key, send.record, origin, now, self.settings)

    def _origin(self, topic: str) -> MessageOrigin:
        self._offsets[topic] = self._offsets.get(topic, -1) + 1
        return MessageOrigin(topic, 0, self._offsets[topic])
