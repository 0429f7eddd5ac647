"""Commitment and sanction events in one article's text: the extraction pipeline.

Owns turning text into `EventMention`s, in a small pipeline of steps:
normalise → pre-filter → per candidate sentence: lexicon hits → clauses → object and category →
licensing → status cues → actors/targets → quantity → confidence → article-level merge.
Everything lexical lives in `data/`; this module holds only the syntax: which cue governs which object,
who the subject of a clause is, and when a sentence is background rather than news.
"""

from __future__ import annotations

import json
import logging
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache, partial

from newsmon.records import Party, Quantity
from newsmon.text.language import arabic_or_english
from newsmon.text.normalize import NormalisedText, normalise
from newsmon.text.phrases import Hit, Lexicon, Token
from newsmon.text.sentences import split_sentences_at_spaces

from .lexicon import CONTRASTIVE_CONJUNCTIONS, DATA_DIR, load_lexicon
from .model import TYPES, Combination, SentenceModel, SentenceScores, load_sentence_model
from .quantity import nearest_quantity
from .roles import Roles, assign_roles, likely_provider, receiving_verb, sentence_subject

LOGGER = logging.getLogger(__name__)

LICENSING_VERBS = {"commitment": ("provide",), "sanction": ("impose", "ban", "embargo", "freeze")}
# Tags of the words that may stand between a lifting verb and what it lifts, besides determiners and parties
# (Arabic VSO: "رفعت الولايات المتحدة العقوبات"): the measure's own words ("lifted the asset freeze").
MEASURE_WORDS = frozenset(
    {
        "energy",
        "travel",
        "assets",
        "trade_goods",
        "provide",
        "financial_measure",
        "novelty",
        "package",
        "arms_embargo",
        "ban",
        "embargo",
        "blacklist",
    }
)
# "New" makes "new sanctions" news, but "a new force" is no pledge: novelty licenses sanctions only.
WEAK_LICENSING = {"commitment": ("announce", "package"), "sanction": ("announce", "novelty", "package")}
# Objects a lifting verb can govern: "lift sanctions", "withdraw troops", "suspend aid".
LIFTABLE = frozenset(
    {
        "sanctions",
        "embargo",
        "ban",
        "export_controls",
        "tariffs",
        "freeze",
        "troops",
        "weapons",
        "aid",
        "money",
        "humanitarian",
        "training",
        "air_defence",
        "guarantees",
        "blacklist",
        "financial_measure",
        "arms_embargo",
    }
)
_YEAR_RE = re.compile(r"(?:19|20)\d\d")
# A stock ticker in brackets ("General Motors ( GM.N )", "Bank of China ( 601988.SS )"): a listed company.
_TICKER_RE = re.compile(r"\(\s*[A-Z0-9]{1,6}\.[A-Z]{1,2}\s*\)")
# Cue distances, in tokens before the governed verb or object. Negation and lifting govern the next few
# words only ("refused to send", "lift the sanctions"); requests and threats govern their whole clause.
REFUSAL_REACH = 6
LIFTING_REACH = 3
INCURSION_REACH = 3  # "sent tanks and troops into Gaza"
EFFECT_REACH = 4  # "sanctions over Ukraine bite", "sanctions have led to"
EVASION_REACH = 3  # "evading sanctions", "violate U.S. export controls": the measure is the verb's object
BLACKLIST_LIFTING_REACH = 6  # "removed Cuba from its list of state sponsors of terrorism"
PROPOSAL_REACH = 10
# A quarter of the Arabic dev events name no actor, and requiring one cost 0.05 F1 out of fold; but an
# unnamed subject is as often one the gazetteer does not know ("Google donated $10 million to groups working
# in Ukraine"), so the model must be surer of those than of the rest.
UNNAMED_ACTOR_PROBABILITY = 0.85
REACTION_OVERRIDE_PROBABILITY = 0.9
STATUS_LICENSING_REACH = 8  # a bare object becomes an event only next to its status cue ("Kyiv asks for …")
MIN_CONFIDENCE = 0.5
# Words after which an English participle is a verb, not an adjective: "has sanctioned", "it blacklisted".
_BEFORE_VERB = frozenset(
    "has have had is are was were be been being will would also formally officially newly already again or "
    "jointly recently then just swiftly quickly separately it they he she we which who that and monday "
    "tuesday wednesday thursday friday saturday sunday".split()
)
# Words a lifting verb may have between itself and its object: "lift all the remaining sanctions".
_DETERMINERS = frozenset(
    {
        "the",
        "all",
        "its",
        "their",
        "some",
        "of",
        "remaining",
        "these",
        "those",
        "existing",
        "gradual",
        "a",
        "an",
        "broad",
        "economic",
        "financial",
        "international",
        "temporary",
        "partial",
        "certain",
        "several",
        "military",
        "foreign",
        "western",
        "growing",
        "tough",
        "unprecedented",
        "crippling",
        "severe",
        "stringent",
        "heavy",
        "many",
        "most",
        "majority",
        "تدريجي",
        "تدريجيا",
        "التدريجي",
        "جميع",
        "كل",
        "بعض",
        "كافه",
    }
)
_ROUGH_NUMBERS = frozenset({"dozens", "hundreds", "thousands"})
_RELATION_MARKERS = frozenset({"related", "linked"})
REQUEST_REACH = 18
# Categories whose need is reported of people, not asked by a state (`_reported_need`).
NEED_REPORTED = frozenset({"humanitarian_aid"})
NEED_REACH = 3  # "بحاجة ماسة إلى الأغذية": the need word governs the relief next to it
OPINION_REACH = 6  # "support the U.S. continuing to send"
_OPINION_LINKS = frozenset({"for", "continuing", "to"})
TOPIC_REACH = 4
# Tokens from a failure word to the agreeing it failed at: "فشلت، اليوم الأربعاء، في الاتفاق على".
FAILURE_REACH = 6
# "التوصل" (reaching, as in "reaching an agreement") with its clitics, in the normalised text.
_REACHING = frozenset({"التوصل", "للتوصل", "والتوصل"})
REACTION_REACH = 8


@dataclass(frozen=True)
class EventMention:
    """Everything of an Event that the text alone determines."""

    type: str
    category: str
    status: str
    actors: tuple[Party, ...]
    targets: tuple[Party, ...]
    object: str | None
    quantity: Quantity | None
    condition: str | None
    sentence: str
    span: tuple[int, int]
    lang: str
    confidence: float


@dataclass(frozen=True)
class CategoryRule:
    type: str
    category: str
    when: tuple[frozenset[str], ...]
    self_licensing: bool
    requires_target: bool


@dataclass
class SentenceAnalysis:
    """One sentence's tokens and lexicon hits, with per-token lookups."""

    text: str
    normalised: NormalisedText
    tokens: list[Token]
    hits: list[Hit]

    def __post_init__(self) -> None:
        self.hit_at: list[Hit | None] = [None] * len(self.tokens)
        for hit in self.hits:
            for position in range(hit.first, hit.last + 1):
                self.hit_at[position] = hit

    def hits_tagged(self, tag: str, first: int = 0, last: int | None = None) -> list[Hit]:
        last = len(self.tokens) - 1 if last is None else last
        return [hit for hit in self.hits if tag in hit.tags and first <= hit.first <= last]

    def original_span(self, first_token: int, last_token: int) -> tuple[int, int]:
        return self.normalised.to_original(self.tokens[first_token].start, self.tokens[last_token].end)


@dataclass(frozen=True)
class Candidate:
    """An object of a commitment or sanction, the clause scope it lives in, and what licenses it."""

    rule: CategoryRule
    object_hit: Hit
    scope_first: int
    scope_last: int
    licenser: Hit | None


@lru_cache(maxsize=1)
def _category_rules() -> tuple[CategoryRule, ...]:
    data = json.loads((DATA_DIR / "lexicon.json").read_text(encoding="utf-8"))
    return tuple(
        CategoryRule(
            rule["type"],
            rule["category"],
            tuple(frozenset(tags) for tags in rule["when"]),
            rule["self_licensing"],
            rule.get("requires_target", False),
        )
        for rule in data["categories"]
    )


def extract_events(
    text: str,
    lang: str = "auto",
    sentences: Sequence[tuple[int, int]] | None = None,
    combination: Combination | None = None,
    model: SentenceModel | None = None,
) -> list[EventMention]:
    """Commitment and sanction events in `text`, one per distinct event in the article.

    Each sentence is read twice: by the rules (who does what to whom, when a trigger word licenses it) and
    by the sentence model (is this an event at all). `combination` (default: the one trained with `model`,
    default the shipped one, for the text's language) says how the two agree: the model vetoes rule events
    it finds unlikely and adds events the rules missed; the status is always the rules' reading of the
    sentence's cues."""
    lexicon, model = load_lexicon(), model or load_sentence_model()
    language = arabic_or_english(text) if lang == "auto" else lang
    combination = combination or model.combination_for(language)
    spans = list(sentences) if sentences is not None else split_sentences_at_spaces(text)
    analyses: dict[int, SentenceAnalysis] = {}
    mentions: list[EventMention] = []
    whole = normalise(text)
    triggered = _candidate_sentences(lexicon, whole, spans)
    # Without dropped marks the whole text's normal form slices like the text itself.
    forms = [
        NormalisedText(whole.text[spans[index][0] : spans[index][1]], None, spans[index][1] - spans[index][0])
        if whole.origin is None
        else normalise(text[spans[index][0] : spans[index][1]])
        for index in triggered
    ]
    for index, sentence_form, scores in zip(
        triggered, forms, model.score_many([form.text for form in forms]), strict=True
    ):
        start, end = spans[index]
        analysis = _analyse(lexicon, text[start:end], sentence_form)
        analyses[index] = analysis
        context_actors = partial(_context_actors, lexicon, text, spans, index, analyses)
        by_rules = [
            _mention(analysis, candidate, language, (start, end), context_actors)
            for candidate in _candidates(analysis)
        ]
        by_rules = _one_per_actor(mention for mention in by_rules if mention is not None)
        mentions.extend(_combine(analysis, by_rules, scores, combination, language, (start, end)))
    return _merge(mentions)


def _combine(
    analysis: SentenceAnalysis,
    by_rules: list[EventMention],
    scores: SentenceScores,
    combination: Combination,
    language: str,
    span: tuple[int, int],
) -> list[EventMention]:
    """The sentence's events, per type: the rules' ones unless the model vetoes them, else the model's."""
    kept: list[EventMention] = []
    for event_type in TYPES:
        probability = scores.of_type(event_type)
        of_type = [mention for mention in by_rules if mention.type == event_type]
        if of_type:
            kept.extend(combination.kept(of_type, probability))
        elif combination.adds(probability):
            learned = _learned_mention(analysis, event_type, probability, language, span)
            if learned is not None:
                kept.append(learned)
    return kept


def _learned_mention(
    analysis: SentenceAnalysis,
    event_type: str,
    probability: float,
    language: str,
    span: tuple[int, int],
) -> EventMention | None:
    """An event the model sees where the rules found its object but did not license it (no verb they know,
    an unusual status phrase, no actor they could place): its roles from that object, its status from the
    rules' cues. The rules' own vetoes still hold: background, a topic or reaction, a company or sports body,
    a deployment at home. Its actor is the subject, else the object's owner, else the party the sentence
    names as the source ("the fourth Saudi relief plane"); else it is left unnamed, as the guidelines allow
    ("sanctions on Iran will be lifted gradually"), when the model is sure (`UNNAMED_ACTOR_PROBABILITY`) and a
    target is named or a status cue governs a sanction ("وهدد المجلس بعواقب قد تشمل فرض عقوبات"): a headline
    such as "Do sanctions work?" has neither."""
    # The object the rules licensed, when they did (and dropped it for want of an actor), else the first one:
    # "… يعني إرسال مئات الأشخاص …، ولن يقوم الغرب بإرسال قوات" is the refused troops, not the jets.
    candidate = next((c for c in _candidates(analysis) if c.rule.type == event_type), None) or next(
        (c for c in _objects(analysis) if c.rule.type == event_type), None
    )
    if (
        candidate is None
        or _compound_participle(analysis, candidate.object_hit)
        or _in_a_relative_passive(analysis, candidate.object_hit)
        or _is_background(analysis, candidate)
        or _is_topic_or_reaction(analysis, candidate, reactions=probability < REACTION_OVERRIDE_PROBABILITY)
    ):
        return None
    status, cue = _status(analysis, candidate)
    anchor = cue or candidate.licenser or candidate.object_hit
    roles = assign_roles(analysis, event_type, candidate.object_hit, anchor, status)
    if roles.blocked or _calls_for_an_end(analysis, candidate, status, language):
        return None
    # A receiving verb names the giver only after "from" or "by": no other party is the source.
    actors = (
        roles.actors
        or roles.owner
        or (
            ()
            if roles.received or status == "called_for"
            else likely_provider(analysis, candidate.object_hit, roles)
        )
    )
    actor_codes = {party.code for party in actors}
    unnamed_too_weak = probability < UNNAMED_ACTOR_PROBABILITY or not (
        roles.targets or _new_sanctions(analysis, candidate) or (event_type == "sanction" and cue is not None)
    )
    if (not actors and status != "called_for" and unnamed_too_weak) or (
        candidate.rule.category == "troops"
        and status != "called_for"
        and _is_domestic(analysis, candidate, roles, actor_codes)
    ):
        return None
    targets = tuple(party for party in roles.targets if party.code not in actor_codes)
    if _for_home_beneficiaries(analysis, candidate, actor_codes, targets) or _is_incursion(
        analysis, candidate
    ):
        return None
    object_start, object_end = _object_span(analysis, candidate.object_hit)
    return EventMention(
        type=event_type,
        category=candidate.rule.category,
        status=status,
        actors=actors,
        targets=targets,
        object=analysis.text[object_start:object_end],
        quantity=nearest_quantity(
            analysis.text,
            analysis.normalised,
            event_type,
            analysis.tokens[candidate.object_hit.first].start,
            (analysis.tokens[candidate.scope_first].start, analysis.tokens[candidate.scope_last].end),
        ),
        condition=_condition(analysis),
        sentence=analysis.text,
        span=span,
        lang=language,
        confidence=round(probability, 3),
    )


def _candidate_sentences(
    lexicon: Lexicon, normalised: NormalisedText, spans: Sequence[tuple[int, int]]
) -> list[int]:
    """Indexes of the sentences holding a trigger word: one pre-filter scan over the whole text."""
    hits = [
        normalised.to_original(match.start(), match.end())[0]
        for match in lexicon.prefilter.finditer(normalised.text)
    ]
    starts = [start for start, _end in spans]
    found: set[int] = set()
    for position in hits:
        index = bisect_right(starts, position) - 1
        if index >= 0 and position < spans[index][1]:
            found.add(index)
    return sorted(found)


def _one_per_actor(mentions: Iterable[EventMention]) -> list[EventMention]:
    """Several measures of one actor in one sentence ("imposed trade sanctions …, freezing state assets",
    "asked for more weapons … and 12 air-defence systems") are one event, named by its most specific
    category (the categories' order in the data)."""
    order = {(rule.type, rule.category): rank for rank, rule in enumerate(_category_rules())}
    kept: dict[tuple, EventMention] = {}
    for mention in mentions:
        key = (mention.type, frozenset(p.code for p in mention.actors))
        if key not in kept or order[(mention.type, mention.category)] < order[(key[0], kept[key].category)]:
            kept[key] = mention
    return list(kept.values())


def _analyse(lexicon: Lexicon, sentence: str, normalised: NormalisedText) -> SentenceAnalysis:
    tokens = lexicon.tokenise(normalised.text)
    return SentenceAnalysis(
        sentence, normalised, tokens, lexicon.match(tokens, sentence, normalised.to_original)
    )


def _clauses(analysis: SentenceAnalysis) -> list[tuple[int, int]]:
    """[first, last] token ranges between clause punctuation and contrastive conjunctions."""
    clauses: list[tuple[int, int]] = []
    first = 0
    for position, token in enumerate(analysis.tokens):
        if token.is_punctuation or token.text in CONTRASTIVE_CONJUNCTIONS:
            if position > first:
                clauses.append((first, position - 1))
            first = position + 1
    if first < len(analysis.tokens):
        clauses.append((first, len(analysis.tokens) - 1))
    return clauses


def _candidates(analysis: SentenceAnalysis) -> list[Candidate]:
    """The objects that something licenses (a verb, a status cue, or the object itself)."""
    objects = _objects(analysis)
    return _drop_sanctioned_deeds(
        analysis,
        _drop_embargoed_deliveries([candidate for candidate in objects if _licensed(analysis, candidate)]),
        [candidate for candidate in objects if candidate.rule.type == "sanction"],
    )


def _licensed(analysis: SentenceAnalysis, candidate: Candidate) -> bool:
    """A verb, a status cue or the object itself makes the object an action. An English participle used as
    an adjective ("through sanctioned Russian banks", "did not know a sanctioned ship") names a measure taken
    before: only a verb of its type makes that one news, not a status cue or a weak word ("one another")."""
    licenser = candidate.licenser
    if _attributive(analysis, candidate.object_hit):
        return licenser is not None and bool(licenser.tags & set(LICENSING_VERBS[candidate.rule.type]))
    return licenser is not None or candidate.rule.self_licensing or _licensed_by_status(analysis, candidate)


def _objects(analysis: SentenceAnalysis) -> list[Candidate]:
    """At most one object per event type and clause; a clause without an object of that type widens the
    scope of the next one ("Macron announced, on Thursday, that 26 countries pledged troops")."""
    candidates: list[Candidate] = []
    scope_first = {"commitment": 0, "sanction": 0}
    for first, last in _clauses(analysis):
        tags = set().union(
            *(
                hit.tags
                for hit in analysis.hits
                if first <= hit.first <= last and not _hyphenated_modifier(analysis, hit)
            )
        )
        for event_type in ("sanction", "commitment"):
            matching = [
                (rule, _object_hit(analysis, rule, tags, first, last))
                for rule in _category_rules()
                if rule.type == event_type and any(needed <= tags for needed in rule.when)
            ]
            # Forces fighting or fought are at war, not given ("Russian forces killed four adults", "as it
            # continues to fight Russian forces"): the clause's other object, if any, is the measure.
            matching = [
                pair
                for pair in matching
                if not (pair[0].category == "troops" and _in_combat(analysis, pair[1]))
            ]
            if not matching:
                continue
            # A measure the clause only evades or breaches yields to one it takes ("a sanctions package will
            # include companies violating export bans").
            taken = [pair for pair in matching if not _acts_on_a_measure_in_force(analysis, pair[1].first)]
            rule, object_hit = _main_measure(analysis, taken or matching)
            scope = (scope_first[event_type], last)
            scope_first[event_type] = last + 1
            trainer = (
                _training_of_foreign_forces(analysis, first, last) if event_type == "commitment" else None
            )
            if trainer is not None:
                training = next(rule for rule in _category_rules() if rule.category == "training_monitoring")
                candidates.append(Candidate(training, trainer, scope[0], scope[1], trainer))
                continue
            candidates.append(
                Candidate(rule, object_hit, scope[0], scope[1], _licenser(analysis, rule, object_hit, scope))
            )
    return candidates


_TRAINING_VERBS = frozenset({"train", "trains", "trained", "training"})


def _training_of_foreign_forces(analysis: SentenceAnalysis, first: int, last: int) -> Hit | None:
    """A verb of training whose object is another party's forces ("will start training Ukraine troops",
    "is training Russian troops", "combat training for Ukrainian forces") provides training, whatever arms
    the clause names: the verb, which the lexicon lists only as the measure's noun."""
    tokens = analysis.tokens
    for hit in analysis.hits_tagged("training", first, last):
        if hit.first != hit.last or tokens[hit.first].text.lower() not in _TRAINING_VERBS:
            continue
        position = hit.last + 1
        if position <= last and tokens[position].text.lower() in ("for", "the"):
            position += 1
        named = False
        while position <= last and (party := analysis.hit_at[position]) is not None and party.parties:
            named, position = True, party.last + 1
        forces = analysis.hit_at[position] if position <= last else None
        if named and forces is not None and "troops" in forces.tags:
            return hit
    return None


_COMBAT_BEFORE = frozenset("fight fighting fought battle battling repel attack attacking".split())
_COMBAT_AFTER = frozenset(
    "killed kill seized seizing captured capturing engaged fighting fought attacked attacking shelled "
    "stormed advancing advanced clashed".split()
)


def _in_combat(analysis: SentenceAnalysis, hit: Hit) -> bool:
    """Forces named as fighting ("Russian forces killed …", "its troops engaged in fierce fighting") or fought
    ("to fight Russian forces")."""
    tokens = analysis.tokens
    before = [token.text.lower() for token in tokens[max(0, hit.first - 3) : hit.first]]
    after = [token.text.lower() for token in tokens[hit.last + 1 : hit.last + 3]]
    return bool(_COMBAT_BEFORE.intersection(before) or _COMBAT_AFTER.intersection(after))


def _main_measure(
    analysis: SentenceAnalysis, matching: list[tuple[CategoryRule, Hit]]
) -> tuple[CategoryRule, Hit]:
    """Of the categories a clause matches, the first listed, unless an earlier word of the clause is itself
    the verb of another sanction ("The U.S. sanctioned several companies for supplying a blacklisted firm":
    the clause sanctions the companies; the blacklisting is their customer's). Not for commitments, whose
    giving verbs double as objects ("will grant Ukraine security guarantees")."""
    first_listed = matching[0]
    verbs = [
        (rule, hit)
        for rule, hit in matching
        if rule.type == "sanction"
        and hit.first < first_listed[1].first
        and hit.tags & set(LICENSING_VERBS[rule.type])
        and not _attributive(analysis, hit)
    ]
    return min(verbs, key=lambda pair: pair[1].first) if verbs else first_listed


def _attributive(analysis: SentenceAnalysis, hit: Hit) -> bool:
    """An English participle used as an adjective ("a sanctioned oligarch", "blacklisted firms") names a
    measure taken before, not one taken now; after its subject, an auxiliary or with its agent ("the U.S.
    sanctioned", "the U.S. government sanctioned", "has blacklisted", "firms sanctioned by Washington") it is
    the verb."""
    word = analysis.tokens[hit.last].text.lower()
    if hit.first != hit.last or not word.endswith("ed"):
        return False
    if _compound_participle(analysis, hit) or _in_a_relative_passive(analysis, hit):
        return True
    before = hit.first - 1
    after = hit.last + 1
    if after < len(analysis.tokens) and analysis.tokens[after].text.lower() == "by":
        return False
    if before < 0:
        return True
    previous = analysis.hit_at[before]
    return not (
        (previous is not None and (previous.parties or "office" in previous.tags))
        or analysis.tokens[before].text.lower() in _BEFORE_VERB
    )


# Words between a relative pronoun and its passive participle: "who was previously sanctioned".
_RELATIVE_PASSIVE_WORDS = frozenset(
    {"is", "are", "was", "were", "been", "has", "have", "had", "previously", "already"}
)


def _in_a_relative_passive(analysis: SentenceAnalysis, hit: Hit) -> bool:
    """A passive participle in a relative clause describes its noun ("a general who was previously sanctioned
    by the U.S.", "individuals that have been sanctioned for abuses"): a measure taken before."""
    tokens = analysis.tokens
    position = hit.first - 1
    while position >= 0 and tokens[position].text.lower() in _RELATIVE_PASSIVE_WORDS:
        position -= 1
    return position < hit.first - 1 and position >= 0 and tokens[position].text.lower() in _RELATIVES


def _compound_participle(analysis: SentenceAnalysis, hit: Hit) -> bool:
    """A participle joined to a name by a hyphen is an adjective ("a US-sanctioned general", "US-provided
    weapons"): it describes a measure taken before and makes nothing news."""
    word, before = analysis.tokens[hit.last].text.lower(), hit.first - 1
    return (
        hit.first == hit.last
        and word.endswith("ed")
        and before >= 0
        and analysis.normalised.text[analysis.tokens[before].end : analysis.tokens[hit.first].start] == "-"
    )


def _hyphenated_modifier(analysis: SentenceAnalysis, hit: Hit) -> bool:
    """ "Sanctions" joined by a hyphen to the next word ("sanctions-hit exports", "sanction-hit countries")
    qualifies a noun: it names no measure."""
    after = hit.last + 1
    return (
        "sanctions" in hit.tags
        and after < len(analysis.tokens)
        and analysis.normalised.text[analysis.tokens[hit.last].end : analysis.tokens[after].start] == "-"
    )


def _object_hit(analysis: SentenceAnalysis, rule: CategoryRule, tags: set[str], first: int, last: int) -> Hit:
    needed = next(needed for needed in rule.when if needed <= tags)
    # The head of the measure: "ban" in "ban on Russian oil", "imports" in "stop buying oil".
    preference = (
        "sanctions",
        "ban",
        "embargo",
        "export_controls",
        "tariffs",
        "freeze",
        "blacklist",
        "financial_measure",
        "imports",
    )
    ordered = [tag for tag in preference if tag in needed] + sorted(needed)
    for tag in ordered:
        hits = [
            hit for hit in analysis.hits_tagged(tag, first, last) if not _hyphenated_modifier(analysis, hit)
        ]
        if hits:
            return hits[0]
    raise AssertionError("a matched rule always has a hit")  # pragma: no cover


def _licenser(
    analysis: SentenceAnalysis, rule: CategoryRule, object_hit: Hit, scope: tuple[int, int]
) -> Hit | None:
    """The verb or word that makes the object an action: the object itself when it is a verb ("sanctioned"),
    the nearest strong licenser before the object (or just after it: "sanctions imposed on …"), else a weak
    one (announce, new, package)."""
    if object_hit.tags & set(LICENSING_VERBS[rule.type]) and not _attributive(analysis, object_hit):
        return object_hit
    if rule.type == "sanction" and _noun_read_as_verb(analysis, object_hit):
        return Hit(object_hit.first, object_hit.last, object_hit.tags | {"impose"}, (), object_hit.prefix)
    for tags in (LICENSING_VERBS[rule.type], WEAK_LICENSING[rule.type]):
        before = [
            hit
            for hit in analysis.hits
            if scope[0] <= hit.first < object_hit.first
            and hit is not object_hit
            and hit.tags & set(tags)
            and not _compound_participle(analysis, hit)
        ]
        if before:
            return before[-1]
        after = [
            hit
            for hit in analysis.hits
            if object_hit.last < hit.first <= min(object_hit.last + 3, scope[1])
            and hit.tags & set(tags)
            and not hit.parties
        ]
        if after:
            return after[0]
    return None


_VERB_NOUNS = frozenset({"sanctions", "blacklists"})
_NOUN_PHRASE_OPENERS = frozenset({"a", "an", "the", "two", "three", "several", "dozens"})


def _noun_read_as_verb(analysis: SentenceAnalysis, hit: Hit) -> bool:
    """ "the UK sanctions President Putin's ex-wife", "the U.S. blacklists 28 entities": between a party
    and its object, a measure's noun is the verb (a headline's present tense), not "U.S. sanctions on …"."""
    tokens = analysis.tokens
    if hit.first != hit.last or tokens[hit.first].text.lower() not in _VERB_NOUNS or hit.first == 0:
        return False
    subject, after = analysis.hit_at[hit.first - 1], hit.last + 1
    if subject is None or not subject.parties or tokens[hit.first - 1].text.lower().endswith("'s"):
        return False
    if after >= len(tokens):
        return False
    following = analysis.hit_at[after]
    word = tokens[after].text
    return (
        (following is not None and (bool(following.parties) or "office" in following.tags))
        or word.lower() in _NOUN_PHRASE_OPENERS
        or word.isdigit()
    )


def _licensed_by_status(analysis: SentenceAnalysis, candidate: Candidate) -> bool:
    # A blocking licenses nothing ("have blocked or seized $58 billion of assets"); a cue behind it may.
    status, cue = _status(analysis, candidate, with_obstruction=False)
    return (
        status != "announced"
        and cue is not None
        and "conditional" not in cue.tags
        and candidate.object_hit.first - cue.last <= STATUS_LICENSING_REACH
    )


# Words that give the reason for a sanction: "sanctions on contractors for supplying weapons to Taiwan",
# "… on the entities involved in the transfer of drones", "could sanction China if it moves to provide".
_SANCTION_CAUSES = frozenset({"for", "over", "if", "accused", "involved", "suspected", "believed", "ability"})
_FINITE_MARKERS = frozenset({"will", "would", "has", "have", "had", "is", "are", "was", "were", "also"})


def _drop_sanctioned_deeds(
    analysis: SentenceAnalysis, candidates: list[Candidate], sanctions: list[Candidate]
) -> list[Candidate]:
    """Arms or aid named after a sanction as its reason are what the sanctioned party did or might do, not a
    commitment: between the two a word of cause and no clause break, nor a verb of the sanctioning party's
    own ("imposed sanctions on Russia over its invasion and pledged aid to Ukraine" keeps the pledge)."""
    tokens = analysis.tokens

    def own_verb_after_and(position: int) -> bool:
        word = tokens[position + 1].text.lower() if position + 1 < len(tokens) else ""
        return word.endswith("ed") or word in _FINITE_MARKERS or word in ("sent", "gave", "lent")

    def reason_of(sanction: Candidate, commitment: Candidate) -> bool:
        between = range(sanction.object_hit.last + 1, commitment.object_hit.first)
        if not between or any(tokens[p].is_punctuation for p in between):
            return False
        words = [tokens[p].text.lower() for p in between]
        return bool(_SANCTION_CAUSES.intersection(words)) and not any(
            words[k] == "and" and own_verb_after_and(position) for k, position in enumerate(between)
        )

    return [
        c for c in candidates if not (c.rule.type == "commitment" and any(reason_of(s, c) for s in sanctions))
    ]


def _drop_embargoed_deliveries(candidates: list[Candidate]) -> list[Candidate]:
    """An arms embargo or an export ban on arms ("حظر تصدير الأسلحة") is a sanction, not a delivery."""
    embargoes = [
        c for c in candidates if c.rule.type == "sanction" and c.rule.category == "trade_restriction"
    ]
    return [
        c
        for c in candidates
        if not (
            c.rule.type == "commitment"
            and any(
                e.scope_first <= c.object_hit.first <= e.scope_last
                and ({"ban", "embargo", "export_controls"} & e.object_hit.tags)
                for e in embargoes
            )
        )
    ]


def _mention(
    analysis: SentenceAnalysis,
    candidate: Candidate,
    language: str,
    span: tuple[int, int],
    context_actors: Callable[[], tuple[Party, ...]],
) -> EventMention | None:
    """The event a candidate names, or None when it is background, a topic, a reaction, someone else's, a
    domestic deployment, or has no state or organisation behind it."""
    if _is_background(analysis, candidate) or _is_topic_or_reaction(analysis, candidate):
        return None
    status, cue = _status(analysis, candidate)
    roles = assign_roles(
        analysis,
        candidate.rule.type,
        candidate.object_hit,
        cue or candidate.licenser or candidate.object_hit,
        status,
    )
    if roles.blocked or _calls_for_an_end(analysis, candidate, status, language):
        return None
    actors, actor_source = roles.actors, "sentence"
    # Without a governing verb or cue the sentence's subject is only its topic: "Kyiv coordinates on the EU's
    # 19th package and new measures from Japan" names the EU and Japan as the ones who sanction.
    governed = cue is not None or (
        candidate.licenser is not None and candidate.licenser.tags & set(LICENSING_VERBS[candidate.rule.type])
    )
    if roles.owner and (not actors or not governed):
        actors, actor_source = roles.owner, "owner"
    # A request with no party asked has no actor (its asker is none): not the speaker of the sentence before.
    # "The new sanctions take effect next month" is news in itself, whoever imposes them.
    news_unnamed = _new_sanctions(analysis, candidate)
    if not actors and not roles.received and status != "called_for":
        actors = context_actors()
        actor_source = "context" if actors or not news_unnamed else "sentence"
    # A sanction by an unnamed actor is still an event ("sanctions on Iran will be lifted gradually") when a
    # verb or cue governs the measure and its target is named: only states and organisations sanction. A
    # commitment without a named giver is not, as companies and charities give too, unless the sentence
    # reports a state receiving it ("Iraqi forces received international military aid") or a construction
    # names its receiving side ("… in exchange for reforms by Athens").
    unnamed_allowed = (
        (candidate.rule.type == "sanction" and governed) or roles.received or roles.receiving_side
    )
    if not actors and not roles.requester and not (unnamed_allowed and roles.targets) and not news_unnamed:
        return None
    if actors and status != "called_for" and _is_someone_elses(analysis, candidate, roles, actors, status):
        return None
    actor_codes = {party.code for party in actors}
    targets = tuple(party for party in roles.targets if party.code not in actor_codes)
    if (
        candidate.rule.category == "troops"
        and status != "called_for"
        and _is_domestic(analysis, candidate, roles, actor_codes)
    ) or _is_incursion(analysis, candidate):
        return None
    if (candidate.rule.requires_target and not targets) or _for_home_beneficiaries(
        analysis, candidate, actor_codes, targets
    ):
        return None
    quantity = nearest_quantity(
        analysis.text,
        analysis.normalised,
        candidate.rule.type,
        analysis.tokens[candidate.object_hit.first].start,
        (analysis.tokens[candidate.scope_first].start, analysis.tokens[candidate.scope_last].end),
    )
    object_start, object_end = _object_span(analysis, candidate.object_hit)
    confidence = _confidence(
        candidate, cue, actor_source, targets, quantity, _stated_passive(analysis, candidate)
    )
    if confidence < MIN_CONFIDENCE:
        return None
    return EventMention(
        type=candidate.rule.type,
        category=candidate.rule.category,
        status=status,
        actors=actors,
        targets=targets,
        object=analysis.text[object_start:object_end],
        quantity=quantity,
        condition=_condition(analysis),
        sentence=analysis.text,
        span=span,
        lang=language,
        confidence=confidence,
    )


def _object_span(analysis: SentenceAnalysis, hit: Hit) -> tuple[int, int]:
    """Original span of the object without its clitics ("بصواريخ" → "صواريخ"); the article stays, and so
    does ل+ال, whose letters merge ("للمساعدات")."""
    first = analysis.tokens[hit.first]
    clitics = 0 if hit.prefix.endswith("ال") else len(hit.prefix)
    return analysis.normalised.to_original(first.start + clitics, analysis.tokens[hit.last].end)


def _status(
    analysis: SentenceAnalysis, candidate: Candidate, with_obstruction: bool = True
) -> tuple[str, Hit | None]:
    """The status and the cue that decided it. Precedence: a refusal governs everything after it ("refused
    to call for"); a request or threat frames the whole clause; a proposal is weaker; lifting must govern the
    object directly; a condition alone makes a sanction a threat and a commitment an offer."""
    object_first = candidate.object_hit.first
    governed = min(object_first, candidate.licenser.first) if candidate.licenser else object_first

    def cue_before(tag: str, reach: int, anchor: int = governed, same_clause: bool = False) -> Hit | None:
        return _cue_before(analysis, tag, reach, anchor, same_clause)

    refusal = cue_before("refusal", REFUSAL_REACH, same_clause=True)
    if refusal is not None:
        return "refused", refusal
    # A legislature blocking aid ("senators blocked the aid package") refuses it; a blocked asset is frozen.
    obstruction = cue_before("obstruction", REFUSAL_REACH, same_clause=True) if with_obstruction else None
    if obstruction is not None and candidate.rule.type == "commitment":
        return "refused", obstruction
    # Of a request and a threat both before the object, the nearer one governs it: "إيران تدعو مجلس الأمن
    # إلى … وواشنطن تلوح بالعقوبات" threatens.
    framing = [
        (cue, status)
        for tag, status in (("request", "called_for"), ("threat", "threatened"))
        if (cue := cue_before(tag, REQUEST_REACH, object_first)) is not None
        and not _reported_need(cue, candidate)
    ]
    if framing:
        cue, status = max(framing, key=lambda found: found[0].last)
        return status, cue
    failed = _failed_agreement(analysis, object_first)
    if failed is not None:
        return "proposed", failed
    lifting = _lifting(analysis, candidate)
    condition = next(_conditions(analysis), None)
    # Cutting aid off under a condition warns ("poised to cut off humanitarian assistance to Niger if its
    # elected leader is not restored", labelled threatened).
    if candidate.rule.type == "commitment" and lifting is not None and condition is not None:
        return "threatened", condition
    proposal = cue_before("proposal", PROPOSAL_REACH, object_first) or _arabic_modal(analysis, object_first)
    if proposal is not None:
        receiving = receiving_verb(analysis, candidate.object_hit)
        if receiving is not None and proposal.last < receiving.first:
            return "called_for", proposal  # "Ukraine is trying to secure more aid": the receiver asks for it
        if condition is not None and _is_modal(analysis, proposal):
            # "could enact sanctions should it support Russia" warns, as "could consider supplying lethal aid
            # if Russia attacks civilians" does (labelled threatened); "proposed sanctions if …" proposes.
            return "threatened", condition
        return "proposed", proposal
    if lifting is not None:
        return "lifted", lifting
    if condition is not None:
        return ("threatened" if candidate.rule.type == "sanction" else "proposed"), condition
    return "announced", None


def _cue_before(
    analysis: SentenceAnalysis, tag: str, reach: int, anchor: int, same_clause: bool = False
) -> Hit | None:
    """The last hit of `tag` ending within `reach` tokens before `anchor` (with `same_clause`, with no
    punctuation between them)."""
    found = [
        hit
        for hit in analysis.hits
        if tag in hit.tags
        and anchor - reach <= hit.last < anchor
        and "ignore" not in hit.tags
        and not (
            same_clause and any(token.is_punctuation for token in analysis.tokens[hit.last + 1 : anchor])
        )
    ]
    return found[-1] if found else None


def _reported_need(cue: Hit, candidate: Candidate) -> bool:
    """ "25 million Yemenis need humanitarian aid" reports a need, as agencies do, and asks no one; a state
    stating what it needs of weapons or money ("بلاده بحاجة إلى أربع بطاريات") does ask."""
    return "need" in cue.tags and candidate.rule.category in NEED_REPORTED


def _calls_for_an_end(analysis: SentenceAnalysis, candidate: Candidate, status: str, language: str) -> bool:
    """An English request to withdraw troops, halt aid or lift sanctions ("demanded the withdrawal of Turkish
    forces from Syria"): the guidelines say neither called_for nor lifted, and the labels leave it out
    (labelled/LABELLING.md). Arabic news reports the host's request that the actor grants ("تلقت طلبا ...
    لسحب قواتها", labelled lifted), which costs more Arabic events than it saves false alarms."""
    return language == "en" and status == "called_for" and _lifting(analysis, candidate) is not None


def _lifting(analysis: SentenceAnalysis, candidate: Candidate) -> Hit | None:
    """The lifting verb that governs the object directly ("lift the sanctions", "withdraw its troops")."""
    object_first = candidate.object_hit.first
    governed = min(object_first, candidate.licenser.first) if candidate.licenser else object_first
    reach = BLACKLIST_LIFTING_REACH if "blacklist" in candidate.object_hit.tags else LIFTING_REACH
    reach += _parties_between(analysis, governed, object_first)
    lifting = _cue_before(analysis, "lifting", reach, object_first)
    if (
        lifting is not None
        and candidate.object_hit.tags & LIFTABLE
        and _governs_directly(analysis, lifting, object_first)
    ):
        return lifting
    # A lapse names the lifting right after its measure ("let the sanctions expire", "the sanction waivers").
    object_last = candidate.object_hit.last
    lapse = analysis.hits_tagged("lapse", object_last + 1, object_last + 1)
    return lapse[0] if lapse and candidate.object_hit.tags & LIFTABLE else None


def _parties_between(analysis: SentenceAnalysis, first: int, last: int) -> int:
    """Tokens taken by party names just before `last` (an Arabic verb's subject sits between verb and
    object)."""
    return sum(
        1
        for position in range(max(0, first - 4), last)
        if analysis.hit_at[position] is not None and analysis.hit_at[position].parties
    )


def _governs_directly(analysis: SentenceAnalysis, cue: Hit, object_first: int) -> bool:
    """Nothing but determiners, the subject, the measure's own words and its year between a lifting verb and
    its object: "lift the asset freeze", "lifting a 2019 ban", but not "raise the level of sanctions"."""
    for position in range(cue.last + 1, object_first):
        hit, word = analysis.hit_at[position], analysis.tokens[position].text
        following = analysis.hit_at[position + 1] if position + 1 < object_first else None
        if (
            word in _DETERMINERS
            or word in _ROUGH_NUMBERS
            or word.replace(",", "").isdigit()  # "withdraw its 400 troops", "hundreds of soldiers"
            or _YEAR_RE.fullmatch(word)
            or (hit is not None and (hit.parties or hit.tags & MEASURE_WORDS))
            or (word == "and" and following is not None and following.parties)  # "the U.S. and European"
            # "lifts Xinjiang-related sanctions": the hyphen is gone, the modifier stays
            or word in _RELATION_MARKERS
            or (position + 1 < object_first and analysis.tokens[position + 1].text in _RELATION_MARKERS)
        ):
            continue
        if analysis.tokens[position].text in ("from", "عن", "من") and position > cue.last + 1:
            continue  # "removed Cuba from its list"
        return False
    return True


def _is_modal(analysis: SentenceAnalysis, cue: Hit) -> bool:
    """A proposal cue that is a modal ("could", "may", "قد ترسل") rather than a proposing verb."""
    return any(
        hit is not None and "modal" in hit.tags
        for hit in analysis.hit_at[max(0, cue.first - 1) : cue.last + 1]
    )


def _arabic_modal(analysis: SentenceAnalysis, object_first: int) -> Hit | None:
    """قد before an imperfect verb is "may" ("قد ترسل"), a proposal; before a perfect verb it means "has"."""
    for position in range(max(0, object_first - PROPOSAL_REACH), object_first - 1):
        following = analysis.tokens[position + 1].text
        if analysis.tokens[position].text in ("قد", "وقد") and following[:1] in "يتن" and len(following) > 3:
            return analysis.hit_at[position + 1] or Hit(position, position, frozenset({"proposal"}), (), "")
    return None


def _failed_agreement(analysis: SentenceAnalysis, object_first: int) -> Hit | None:
    """The failure word of "EU states failed to agree on new sanctions" ("فشلت دول الاتحاد في الاتفاق على
    عقوبات جديدة", "يخفق في التوصل إلى اتفاق بشأن حزمة عقوبات"): the measure is still only proposed. The
    agreeing follows "في" (failed at): "فشل الاتفاق" is a deal that failed."""
    for failure in analysis.hits_tagged(
        "failure", max(0, object_first - PROPOSAL_REACH - FAILURE_REACH), object_first - 1
    ):
        for position in range(failure.last + 2, min(object_first, failure.last + 1 + FAILURE_REACH)):
            hit = analysis.hit_at[position]
            agreeing = analysis.tokens[position].text in _REACHING or (
                hit is not None and "agreement" in hit.tags
            )
            if agreeing and analysis.tokens[position - 1].text == "في":
                return failure if object_first - position <= PROPOSAL_REACH else None
    return None


def _conditions(analysis: SentenceAnalysis) -> Iterator[Hit]:
    """The sentence's condition cues. An Arabic particle never takes the article: "الحالي" (the current) read
    as ال + حال ("in case") is not one."""
    return (hit for hit in analysis.hits if "conditional" in hit.tags and not hit.prefix.endswith("ال"))


def _condition(analysis: SentenceAnalysis) -> str | None:
    """The conditional clause, from its cue to the end of its clause."""
    hit = next(_conditions(analysis), None)
    if hit is None:
        return None
    clause_last = next(
        (last for first, last in _clauses(analysis) if first <= hit.first <= last), len(analysis.tokens) - 1
    )
    start, end = analysis.original_span(hit.first, clause_last)
    return analysis.text[start:end]


def _new_sanctions(analysis: SentenceAnalysis, candidate: Candidate) -> bool:
    """ "The new sanctions take effect next month", "the latest sanctions target 250 firms": news of a
    measure even when the sentence does not say whose; only states and organisations sanction."""
    measure = candidate.object_hit
    return candidate.rule.type == "sanction" and any(
        hit.last == measure.first - 1 for hit in analysis.hits_tagged("novelty")
    )


def _is_background(analysis: SentenceAnalysis, candidate: Candidate) -> bool:
    """A measure recalled from the past: "since 2014", "imposed in 2022", "years ago" — unless the clause
    also reports it as recent ("last week", "on Tuesday")."""
    first, last = candidate.scope_first, candidate.scope_last
    tokens = analysis.tokens
    if analysis.hits_tagged("history", first, last):
        return True
    recent = bool(analysis.hits_tagged("recency", first, last))
    current_year = date.today().year
    for position in range(first, last + 1):
        text = tokens[position].text
        if not (_YEAR_RE.fullmatch(text) or _YEAR_RE.fullmatch(text.lstrip("وفبل"))):
            continue
        year = int(text[-4:])
        before = [analysis.hit_at[p] for p in range(max(first, position - 3), position)]
        if any(hit is not None and "since" in hit.tags for hit in before):
            return True
        marked = any(hit is not None and "year_marker" in hit.tags for hit in before) or text[0] in "وفبل"
        if year < current_year and marked and not recent:
            return True
    return False


def _is_topic_or_reaction(analysis: SentenceAnalysis, candidate: Candidate, reactions: bool = True) -> bool:
    """ "a meeting to discuss security guarantees", "the idea of sending troops" name a subject of talks;
    "Moscow condemned the sanctions" reacts to a measure someone else took; "violate U.S. sanctions",
    "evasion of sanctions", "exempted from Western sanctions" act on a measure already in force."""
    if (
        _acts_on_a_measure_in_force(analysis, candidate.object_hit.first)
        or _reports_a_need(analysis, candidate)
        or _is_an_opinion(analysis, candidate)
        or _talks_about_a_standing_measure(analysis, candidate.object_hit.first)
        or _describes_its_effect(analysis, candidate)
    ):
        return True
    head = (
        min(candidate.object_hit.first, candidate.licenser.first)
        if candidate.licenser
        else candidate.object_hit.first
    )
    # Aid merely let through ("safe passages for humanitarian aid", "facilitate the delivery of aid") is given
    # by no one in particular; the labels leave it out (labelled/LABELLING.md).
    topic_tags = {"topic", "passage"} if candidate.rule.type == "commitment" else {"topic"}
    failed = _failed_agreement(analysis, candidate.object_hit.first)
    topic = [
        hit
        for hit in analysis.hits
        if hit.tags & topic_tags
        and hit is not failed  # failing to agree on a measure proposes it
        and (
            head - TOPIC_REACH - _owners_before(analysis, head) <= hit.last < head
            or (candidate.licenser and candidate.licenser.last < hit.first < candidate.object_hit.first)
        )
    ]
    if topic:
        stronger = [
            hit
            for hit in analysis.hits
            if hit.tags & {"request", "threat", "proposal"}
            and topic[-1].last < hit.first < candidate.object_hit.first
        ]
        if not stronger:
            return True
    reaction = [
        hit
        for hit in analysis.hits
        if reactions
        and "reaction" in hit.tags
        and candidate.object_hit.first - REACTION_REACH <= hit.last < candidate.object_hit.first
    ]
    if reaction:
        licensing_after = [
            hit
            for hit in analysis.hits
            if hit.tags & set(LICENSING_VERBS[candidate.rule.type])
            and reaction[-1].last < hit.first < candidate.object_hit.first
        ]
        return not licensing_after
    return False


def _reports_a_need(analysis: SentenceAnalysis, candidate: Candidate) -> bool:
    """ "سبعة ملايين يمني يحتاجون إلى مساعدات إنسانية" (seven million Yemenis need humanitarian aid): a need
    word governing relief reports people's need, which gives nothing (`_reported_need` keeps it from being a
    request)."""
    measure = candidate.object_hit
    return candidate.rule.category in NEED_REPORTED and bool(
        analysis.hits_tagged("need", max(0, measure.first - NEED_REACH), measure.first - 1)
    )


def _is_an_opinion(analysis: SentenceAnalysis, candidate: Candidate) -> bool:
    """ "Most Americans support the U.S. sending weapons to Ukraine", "support for sending more aid": backing
    a giving verb's gerund is a view of the commitment, not one (backing a measure is taking part in it)."""
    licenser = candidate.licenser
    if candidate.rule.type != "commitment" or licenser is None or "provide" not in licenser.tags:
        return False
    for hit in analysis.hits_tagged(
        "participate", max(0, licenser.first - OPINION_REACH), licenser.first - 1
    ):
        between = range(hit.last + 1, licenser.first)
        if all(
            analysis.tokens[p].text in _OPINION_LINKS
            or analysis.tokens[p].text in _DETERMINERS
            or (analysis.hit_at[p] is not None and analysis.hit_at[p].parties)
            for p in between
        ) and (
            analysis.tokens[licenser.last].text.endswith("ing")
            or any(analysis.tokens[p].text == "continuing" for p in between)
        ):
            return True
    return False


def _describes_its_effect(analysis: SentenceAnalysis, candidate: Candidate) -> bool:
    """ "Sanctions hurt the West more than Russia", "EU sanctions were designed to starve Russia of spare
    parts": a measure as the subject of its effects, with nothing before it that takes it or calls it new."""
    measure = candidate.object_hit
    licensed_before = candidate.licenser is not None and candidate.licenser.first < measure.first
    # The measure's own target takes no reach ("sanctions on Russian exports has led to").
    following = analysis.hit_at[measure.last + 1 : measure.last + 1 + EFFECT_REACH]
    reach = EFFECT_REACH + sum(1 for hit in following if hit is not None and hit.parties)
    return (
        candidate.rule.type == "sanction"
        and not licensed_before
        and not analysis.hits_tagged("novelty", max(0, measure.first - EVASION_REACH), measure.first - 1)
        and bool(analysis.hits_tagged("effect", measure.last + 1, measure.last + reach))
    )


def _talks_about_a_standing_measure(analysis: SentenceAnalysis, object_first: int) -> bool:
    """ "Flynn discussed U.S. sanctions on Russia with Kislyak": talking about a party's measure names one in
    force, while "discussed new sanctions" proposes one."""
    return any(
        hit.last
        < object_first
        <= hit.last + 1 + EVASION_REACH + _parties_between(analysis, hit.last, object_first)
        and _parties_between(analysis, hit.last + 1, object_first) > 0
        and _governs_directly(analysis, hit, object_first)
        and not analysis.hits_tagged("novelty", hit.last + 1, object_first - 1)
        for hit in analysis.hits_tagged("talk")
    )


def _owners_before(analysis: SentenceAnalysis, head: int) -> int:
    """Party names among the few tokens before an English measure, its owners ("concerns about U.S. spending
    on aid"): they take no reach from the word that governs it. (An Arabic verb's subject stands there:
    "فشل الاتفاق دفع واشنطن إلى فرض عقوبات" is no failure to agree.)"""
    if arabic_or_english(analysis.tokens[head].text) == "ar":
        return 0
    before = analysis.hit_at[max(0, head - TOPIC_REACH) : head]
    return sum(1 for hit in before if hit is not None and hit.parties)


def _acts_on_a_measure_in_force(analysis: SentenceAnalysis, object_first: int) -> bool:
    """A verb or noun of evading, breaching or complying with the measure governs it directly; or a word
    of circumstance does, unless the measure is new or being imposed ("despite Western sanctions", "subject
    to U.S. sanctions", "the price tag of sanctions", but "amid new EU sanctions", "despite US sanctions
    imposed in the wake of …")."""

    def governs(hit: Hit) -> bool:
        reach = 1 + EVASION_REACH + _parties_between(analysis, hit.last, object_first)
        return hit.last < object_first <= hit.last + reach and _governs_directly(analysis, hit, object_first)

    imposed_now = analysis.hits_tagged("novelty", max(0, object_first - EVASION_REACH), object_first - 1) or [
        hit for hit in analysis.hits_tagged("impose", object_first + 1, object_first + 2) if not hit.parties
    ]
    # Enforcing a measure keeps one in force ("a new office to help enforce sanctions against Russia"); asked
    # of someone, it calls for it ("urged all countries to enforce the arms embargo", labelled called_for).
    enforced = [
        hit
        for hit in analysis.hits_tagged("enforcement")
        if governs(hit) and _cue_before(analysis, "request", REQUEST_REACH, hit.first) is None
    ]
    return (
        bool(enforced)
        or any(governs(hit) for hit in analysis.hits_tagged("evasion"))
        or (not imposed_now and any(governs(hit) for hit in analysis.hits_tagged("circumstance")))
    )


def _is_someone_elses(
    analysis: SentenceAnalysis, candidate: Candidate, roles: Roles, actors: tuple[Party, ...], status: str
) -> bool:
    """ "the presence of foreign troops" commits nobody; "Moscow rejects NATO troops" is no refusal to
    commit: the troops would not be Moscow's; "Russia rejected the EU sanctions" is the target's reaction,
    while "Turkey declined to join Western sanctions" is a refusal to take part."""
    adjacent = (candidate.object_hit.first - 1, candidate.object_hit.last + 1, candidate.object_hit.last + 2)
    foreign = any(
        0 <= p < len(analysis.tokens)
        and analysis.hit_at[p] is not None
        and "foreign" in analysis.hit_at[p].tags
        for p in adjacent
    )
    owned_by_other = bool(roles.owner) and not ({p.code for p in roles.owner} & {p.code for p in actors})
    if candidate.rule.type == "commitment":
        return foreign or (status == "refused" and owned_by_other)
    participation = analysis.hits_tagged("participate", candidate.scope_first, candidate.object_hit.first)
    return status == "refused" and (foreign or owned_by_other) and not participation


def _is_domestic(
    analysis: SentenceAnalysis, candidate: Candidate, roles: Roles, actor_codes: set[str]
) -> bool:
    """Deploying troops on one's own soil is no commitment to anyone; nor is sending them to a border ("to its
    Belarusian border", "to the U.S.-Mexico border"): a deployment to guard one's own."""
    if analysis.hits_tagged("domestic", candidate.scope_first, candidate.scope_last):
        return True
    if _sent_to_a_border(analysis, candidate):
        return True
    return bool(roles.targets) and all(party.code in actor_codes for party in roles.targets)


BORDER_REACH = 4  # "to its Belarusian border", "to the U.S.-Mexico border"


def _sent_to_a_border(analysis: SentenceAnalysis, candidate: Candidate) -> bool:
    tokens, last = analysis.tokens, min(candidate.scope_last, len(analysis.tokens) - 1)
    for position in range(candidate.object_hit.last + 1, last + 1):
        if tokens[position].text == "to":
            ahead = tokens[position + 1 : min(last, position + BORDER_REACH) + 1]
            return any(token.text in ("border", "borders") for token in ahead)
    return False


def _is_incursion(analysis: SentenceAnalysis, candidate: Candidate) -> bool:
    """Forces or arms sent into or toward a named state ("Moscow sent troops into Ukraine", "sending tanks and
    troops into northern Gaza", "warships toward Taiwan") invade or threaten it: no commitment to anyone."""
    if candidate.rule.category not in ("troops", "weapons"):
        return False
    measure_last = candidate.object_hit.last

    def names_a_party(first: int, last: int) -> bool:  # "into Ukraine", "into northern Gaza"
        return any(hit is not None and hit.parties for hit in analysis.hit_at[first : last + 1])

    return any(
        measure_last < hit.first <= measure_last + INCURSION_REACH
        and names_a_party(hit.last + 1, hit.last + 2)
        for hit in analysis.hits_tagged("incursion")
    )


def _for_home_beneficiaries(
    analysis: SentenceAnalysis, candidate: Candidate, actor_codes: set[str], targets: tuple[Party, ...]
) -> bool:
    """Money or aid for companies or a country's own people ("loan guarantees to its automakers", "aid for
    households hit by the floods") is domestic spending, not a commitment to another party, unless the
    clause names a receiving state or organisation, or any party besides the giver ("help Ireland cope with
    its banks"). A sentence naming a company by its stock ticker ("loans each for Renault and PSA Peugeot
    Citroen ( PEUP.PA )") reports company finance, whoever else it names."""
    first, last = candidate.scope_first, candidate.scope_last
    if candidate.rule.type == "commitment" and _TICKER_RE.search(analysis.text):
        return True  # a sentence naming a listed company by its ticker reports company finance
    return (
        candidate.rule.type == "commitment"
        and not targets
        and bool(analysis.hits_tagged("home_beneficiary", first, last))
        and not any(
            first <= hit.first <= last and any(entry.party.code not in actor_codes for entry in hit.parties)
            for hit in analysis.hits
        )
    )


def _confidence(
    candidate: Candidate,
    cue: Hit | None,
    actor_source: str,
    targets: tuple[Party, ...],
    quantity: Quantity | None,
    stated_passive: bool = False,
) -> float:
    score = 0.5
    strong = candidate.licenser is not None and candidate.licenser.tags & set(
        LICENSING_VERBS[candidate.rule.type]
    )
    score += 0.2 if strong or cue is not None or candidate.rule.self_licensing else 0.05
    score += {"sentence": 0.15, "owner": 0.05, "context": -0.1}[actor_source]
    # A finite passive with its agent states the act as plainly as a named target does.
    score += 0.05 if targets or stated_passive else 0.0
    score += 0.05 if quantity else 0.0
    return round(max(0.05, min(score, 0.97)), 3)


_PASSIVE_AUXILIARIES = frozenset({"is", "are", "was", "were", "been", "be"})
_RELATIVES = frozenset({"who", "which", "that"})


def _stated_passive(analysis: SentenceAnalysis, candidate: Candidate) -> bool:
    """The measure's own verb in a finite passive, its agent named right after "by" ("the oligarch was
    sanctioned by the UK government", "were blacklisted by the U.S."); not in a relative clause, which
    describes someone ("parliamentarians who have been sanctioned by Beijing")."""
    verb, tokens = candidate.object_hit, analysis.tokens
    if candidate.licenser is not verb or verb.first == 0 or verb.last + 2 >= len(tokens):
        return False
    if tokens[verb.first - 1].text.lower() not in _PASSIVE_AUXILIARIES or tokens[verb.last + 1].text != "by":
        return False
    if any(token.text.lower() in _RELATIVES for token in tokens[max(0, verb.first - 4) : verb.first]):
        return False
    agent = [hit for hit in analysis.hit_at[verb.last + 2 : verb.last + 4] if hit is not None]
    return any(hit.parties for hit in agent)


def _context_actors(
    lexicon: Lexicon,
    text: str,
    spans: Sequence[tuple[int, int]],
    index: int,
    analyses: dict[int, SentenceAnalysis],
) -> tuple[Party, ...]:
    """The nearest preceding named speaker, for "he said", "بدوره", "وأضاف"."""
    for previous in range(index - 1, max(-1, index - 5), -1):
        if previous not in analyses:
            start, end = spans[previous]
            analyses[previous] = _analyse(lexicon, text[start:end], normalise(text[start:end]))
        subject = sentence_subject(analyses[previous])
        if subject:
            return subject
    return ()


def _merge(mentions: list[EventMention]) -> list[EventMention]:
    """One event per type, category and actors in an article when the targets agree (the same, or one side
    naming fewer: a headline often drops the beneficiary): the headline, the lead and the body repeating an
    event give one mention, the most confident (the earliest among equals)."""
    kept: list[EventMention] = []
    for mention in sorted(mentions, key=lambda mention: mention.span):
        twin = next((index for index, other in enumerate(kept) if _same_event(mention, other)), None)
        if twin is None:
            kept.append(mention)
        elif mention.confidence > kept[twin].confidence:
            kept[twin] = mention
    return sorted(_fold_into_packages(kept), key=lambda mention: mention.span)


def _same_event(one: EventMention, other: EventMention) -> bool:
    # A request that the actors act is not their own step: "Trump urged the EU to stop buying Russian oil"
    # and "the Commission proposed ending imports" are two events of the EU.
    if (one.type, one.category, one.status == "called_for") != (
        other.type,
        other.category,
        other.status == "called_for",
    ):
        return False
    if {p.code for p in one.actors} != {p.code for p in other.actors}:
        return False
    targets, other_targets = {p.code for p in one.targets}, {p.code for p in other.targets}
    return targets <= other_targets or other_targets <= targets


def _fold_into_packages(mentions: Iterable[EventMention]) -> list[EventMention]:
    """A sanctions package is one event: the measures an article lists as its contents (asset freezes, bans …
    by the same actors on the same targets, with the same status) are parts of it, not further sanctions."""
    mentions = list(mentions)

    def parties_and_status(mention: EventMention) -> tuple:
        return (
            frozenset(p.code for p in mention.actors),
            frozenset(p.code for p in mention.targets),
            mention.status,
        )

    packages = {
        parties_and_status(m) for m in mentions if m.type == "sanction" and m.category == "sanctions_package"
    }
    return [
        m
        for m in mentions
        if m.type != "sanction" or m.category == "sanctions_package" or parties_and_status(m) not in packages
    ]
