"""Who commits or sanctions, and whom: actors and targets from the syntax around an event's anchor.

Owns the role of every gazetteer hit in a sentence. A party after a target preposition ("to", "on",
"against", "إلى", "على", "ضد", the clitic ل) or after "in"/"في"/ب next to a commitment is a target; after
"with"/"مع" it is neither. The actor is the subject of the anchor (the status cue, else the licensing verb):
in English the nearest eligible party to its left; in an Arabic verb-initial clause the first eligible party
after the verb (VSO), else the nearest one before it. The party addressed by a request ("urged Europe to")
is neither actor nor target. Parties next to the object ("EU sanctions", "قوات إيطالية") are its owner.
The subject of a receiving verb ("Greece received a loan", "Beijing has been threatened with sanctions",
"حصلت اليونان على قرض") is the target, and the giver is then only the party after "from"/"by"; some
constructions name the receiving side wherever it stands (`_receiving_side`: "in exchange for", "grant
Ukraine", "تزويد القاهرة بالأسلحة"). English is subject-first: after the measure a party acts only as its
agent or as the reporting subject.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsmon.records import Party
from newsmon.text.phrases import Hit, PartyEntry

from .lexicon import CONTRASTIVE_CONJUNCTIONS

if TYPE_CHECKING:
    from .engine import SentenceAnalysis

LOGGER = logging.getLogger(__name__)

BLOCKER_CODE = "-"
ARABIC_VSO_REACH = 8  # tokens after an Arabic verb within which its subject is looked for
# A beneficiary named by a demonym follows the aid closely ("deposit in the Yemeni central bank"); further
# on, a demonym is usually someone else ("… to face the advance of Russian forces").
COMMITMENT_QUALIFIER_REACH = 5
_SKIPPED_WORDS = frozenset({"the", "a", "an", "its", "their"})
_THAT = frozenset({"ان", "أن", "إن", "بان", "بأن", "لان", "لأن", "وان", "وأن"})
_CONJUNCTIONS = frozenset({"and", "&", "،", ",", "as", "well", "plus"})
# An Arabic preposition carrying a pronoun governs the pronoun, not the party after it: "الوقت الذي فرضت فيه
# واشنطن عقوبات" (the time in which Washington imposed sanctions), "فرضت عليه الولايات المتحدة عقوبات".
_PRONOUN_PREPOSITIONS = frozenset(
    f"{preposition}{pronoun}"
    for preposition in ("في", "علي", "الي", "ضد", "عن", "من", "مع", "ل", "ب")
    for pronoun in ("ه", "ها", "هم", "هما", "هن")
)


@dataclass(frozen=True)
class Roles:
    actors: tuple[Party, ...]
    targets: tuple[Party, ...]
    owner: tuple[Party, ...]
    blocked: bool  # the subject is a company, a sports body, a court …: never an event
    received: bool = False  # a receiving verb governs the object: its subject is the target
    # A construction names the receiving side ("in exchange for", "grant Ukraine", "تزويد القاهرة بالأسلحة").
    receiving_side: bool = False
    # Of a request: the party asking ("X urged Y to impose …": X), not an actor by the guidelines (Y is).
    requester: tuple[Party, ...] = ()


@dataclass(frozen=True)
class Group:
    """Coordinated parties: "France and Britain", "فرنسا وبريطانيا", "French President Emmanuel Macron"."""

    hits: tuple[Hit, ...]

    @property
    def first(self) -> int:
        return self.hits[0].first

    @property
    def last(self) -> int:
        return self.hits[-1].last

    @property
    def parties(self) -> tuple[Party, ...]:
        seen: dict[str, Party] = {}
        for hit in self.hits:
            for entry in hit.parties:
                if entry.party.code != BLOCKER_CODE:
                    seen.setdefault(entry.party.code, entry.party)
        return tuple(seen.values())

    @property
    def blocked(self) -> bool:
        return any(entry.kind == "blocker" for hit in self.hits for entry in hit.parties)


def assign_roles(
    analysis: SentenceAnalysis, event_type: str, object_hit: Hit, anchor: Hit, status: str
) -> Roles:
    groups = _groups(analysis)
    marks = {id(group): _marking(analysis, group) for group in groups}
    exchanges = analysis.hits_tagged("exchange")
    receiving_side = [
        group for group in groups if _receiving_side(analysis, group, anchor, object_hit, exchanges)
    ]
    for group in receiving_side:
        marks[id(group)] = "target"
    owner_groups = [
        group
        for group in groups
        if group not in receiving_side
        and _owns(analysis, group, object_hit, marks[id(group)], event_type, status)
    ]
    # A party the sentence marks as the target ("تخفيف العقوبات على طهران") is not also its subject where it
    # is named again unmarked ("برنامج إيران النووي", Iran's programme, just before the lifting).
    # Only within the measure's clause: "on America's own stockpiles" after a comma marks nobody.
    clause_first = _clause_start(analysis, min(anchor.first, object_hit.first))
    clause_last = _clause_end(analysis, max(anchor.last, object_hit.last))
    marked_targets = {
        party.code
        for group in groups
        if marks[id(group)] == "target" and clause_first <= group.first <= clause_last
        for party in group.parties
    }
    eligible = [
        group
        for group in groups
        if marks[id(group)] is None
        and _can_be_subject(analysis, group)
        and not _qualifies_after_object(group, object_hit)
        and not {party.code for party in group.parties} <= marked_targets
    ]
    targets: list[Party] = []
    receiving = receiving_verb(analysis, object_hit)
    if receiving is not None:
        receiver = _subject(analysis, eligible, receiving)
        if receiver is not None:
            targets.extend(receiver.parties)
        givers = [
            group
            for group in groups
            if group.first > (receiver.last if receiver is not None else receiving.last)
            and group is not receiver
            and _after_source_word(analysis, group)
        ]
        # "تخوض اليونان مفاوضات مع الاتحاد الأوروبي للحصول على قروض", "signed a deal with the IMF to obtain a
        # loan": the party dealt with just before the receiving verb is the giver.
        partners = [
            group
            for group in groups
            if marks[id(group)] == "with"
            and receiving.first - PARTNER_REACH <= group.last < receiving.first
            and (receiver is None or group.first > receiver.last)
        ]
        actor = givers[0] if givers else partners[-1] if partners else None
        owner = tuple(party for group in owner_groups for party in group.parties)
        return Roles(
            actors=actor.parties if actor is not None else (),
            targets=_unique(targets),
            owner=_unique(owner),
            blocked=actor is not None and actor.blocked,
            received=receiver is not None,
        )
    if _is_passive(analysis, anchor):
        # "ويتم رفع العقوبات" (the sanctions are lifted): the agent, if named, follows "من قبل".
        agents = [
            group for group in eligible if group.first > anchor.last and _after_source_word(analysis, group)
        ]
        actor = agents[0] if agents else None
        subject = None
    elif status == "lifted" and (deal := _governing_deal(analysis, anchor)) is not None:
        # "الاتفاق الذي أبرمته إيران مع القوى الدولية الست … مقابل تخفيف العقوبات", "a deal between Iran and
        # the world powers to lift sanctions": the deal lifts, not the parties named around it; a party that
        # endorses it does ("وافق مجلس الأمن على اتفاق …", the labels' convention for adopted decisions).
        endorsement = _endorsement(analysis, deal)
        actor = subject = _subject(analysis, eligible, endorsement) if endorsement is not None else None
    else:
        actor = subject = _subject(analysis, eligible, anchor, object_hit)
    addressee: Group | None = None
    agent = _arabic_sanction_agent(analysis, eligible, object_hit) if event_type == "sanction" else None
    if agent is not None and status == "called_for":
        addressee = agent  # "دعت إلى فرض المجتمع الدولي عقوبات": the party asked to impose them
    elif agent is not None and subject is not None:
        actor = subject = agent
    if addressee is None and (actor is not None or status == "called_for"):
        after_verb = [
            group
            for group in eligible
            if group.first > max(actor.last if actor is not None else -1, anchor.last)
            and group.last < object_hit.first
            and group not in owner_groups
        ]
        if after_verb and status == "called_for":
            addressee = after_verb[0]  # "… urged Congress to send aid", its asker named or not
        elif after_verb:
            targets.extend(after_verb[0].parties)
    if status == "called_for" and addressee is None:
        # "طلب لبنان من فرنسا إرسال جنود", "sought financial assistance from the EU": the party asked is the
        # source of what is asked for — of a sanction only before the measure ("a ban on imports from Russia"
        # names its target).
        addressee = next(
            (
                group
                for group in groups
                if group.first > anchor.last
                and group is not actor
                and _after_source_word(analysis, group)
                and (event_type == "commitment" or group.last < object_hit.first)
            ),
            None,
        ) or next(
            (
                group
                for group in groups
                if anchor.last < group.first
                and group.last < object_hit.first
                and marks[id(group)] == "target"
                and _infinitive_subject(analysis, group)
            ),
            None,
        )
    for group in groups:
        mark = marks[id(group)]
        if group is actor or group is addressee or group in owner_groups:
            continue
        if mark == "target" or (mark == "in" and event_type == "commitment" and group.first > anchor.first):
            targets.extend(group.parties)
        elif (
            mark is None
            and _qualifies_after_object(group, object_hit)
            and (event_type == "sanction" or group.first - object_hit.last <= COMMITMENT_QUALIFIER_REACH)
        ):
            targets.extend(group.parties)  # "ban on Russian oil", "في البنك المركزي اليمني"
        elif (
            (event_type == "sanction" or status == "lifted")
            and mark == "from"
            and 0 < group.first - object_hit.last <= 4
        ):
            targets.extend(group.parties)  # "imports from Russia", "withdraw its troops from Mali"
    owner = tuple(party for group in owner_groups for party in group.parties)
    requester: tuple[Party, ...] = ()
    asked_first = not _is_arabic(analysis, anchor) and subject is not None and subject.first > anchor.last
    if status == "called_for" and subject is not None and "obligation" not in anchor.tags and not asked_first:
        # A request: its subject asks, which makes it an event, but the actor is the party asked when named
        # (the guidelines: "X urged Y to impose …" → Y; "Kyiv asked for more weapons" → none). Of an
        # obligation the subject is the party asked ("Washington should reimpose sanctions"), and so is an
        # English party right after the request verb when none asks before it ("… urged Congress to send").
        actor, requester = addressee, subject.parties
    elif status == "called_for" and actor is None:
        actor = addressee
    return Roles(
        actors=actor.parties if actor is not None else (),
        targets=_unique(targets),
        owner=_unique(owner),
        blocked=actor is not None and actor.blocked,
        receiving_side=bool(receiving_side),
        requester=requester,
    )


def _arabic_sanction_agent(
    analysis: SentenceAnalysis, eligible: list[Group], object_hit: Hit
) -> Group | None:
    """The party between a sanctioning verb or its verbal noun and the measure is its subject: "تدين فرض
    الاتحاد الأوروبي عقوبات" (the EU's imposing of sanctions), "بعدما فرضت منظمة الأمم المتحدة عقوبات" — not
    the party that reacts to it. A commitment verb may take the recipient there ("منح المغرب قرضا")."""
    if not _is_arabic(analysis, object_hit):
        return None
    group = next((g for g in eligible if g.last + 1 == object_hit.first), None)
    if group is None:
        return None
    verbs = analysis.hits_tagged("impose", max(0, group.first - 2), group.first - 1)
    return group if verbs and verbs[-1].last >= group.first - 2 else None


INFINITIVE_REACH = 4  # tokens from a party to its "to": "for the U.S. and its allies to provide"


def _infinitive_subject(analysis: SentenceAnalysis, group: Group) -> bool:
    """ "calling for South Korea to provide", "a plea to Congress to approve", "calls on France and its
    partners to press for": the party before an English infinitive is the one asked to act, though a
    preposition precedes it."""
    tokens = analysis.tokens
    position = _position_before(analysis, group.first)
    if position < 0 or tokens[position].text not in ("for", "on", "upon", "to"):
        return False
    for to in range(group.last + 1, min(len(tokens) - 1, group.last + INFINITIVE_REACH + 1)):
        if tokens[to].is_punctuation:
            return False
        if tokens[to].text == "to":
            following = analysis.hit_at[to + 1]
            return tokens[to + 1].text not in _SKIPPED_WORDS and not (
                following is not None and following.parties
            )
    return False


def _qualifies_after_object(group: Group, object_hit: Hit) -> bool:
    return group.first > object_hit.last and all(entry.kind == "demonym" for entry in group.hits[0].parties)


# Tokens from the party dealt with to the receiving verb ("مع صندوق النقد الدولي، للحصول على").
PARTNER_REACH = 3
EXCHANGE_REACH = 3  # tokens between the other side of a bargain and the exchange word after it
RECEIVING_REACH = 10  # "ستحصل إيطاليا على النسبة الأكبر من المساعدات": a receiving verb governs its clause


def receiving_verb(analysis: SentenceAnalysis, object_hit: Hit) -> Hit | None:
    """The receiving verb governing the object: "secured new pledges of weapons", "حصلوا على مساعدات"."""
    found = [
        hit
        for hit in analysis.hits_tagged(
            "receive", max(0, object_hit.first - RECEIVING_REACH), object_hit.first
        )
        if hit.last < object_hit.first
        and not any(token.is_punctuation for token in analysis.tokens[hit.last + 1 : object_hit.first])
    ]
    return found[-1] if found else None


def _after_source_word(analysis: SentenceAnalysis, group: Group) -> bool:
    """After "from", "by", من or من قبل: the source of what is received, the agent of a passive."""
    position = _position_before(analysis, group.first)
    return position >= 0 and analysis.tokens[position].text in ("from", "by", "من", "قبل")


def _position_before(analysis: SentenceAnalysis, position: int) -> int:
    """The token before `position`, past determiners ("the", "its"); -1 at the start."""
    position -= 1
    while position >= 0 and analysis.tokens[position].text in _SKIPPED_WORDS:
        position -= 1
    return position


def _receiving_side(
    analysis: SentenceAnalysis, group: Group, anchor: Hit, object_hit: Hit, exchanges: list[Hit]
) -> bool:
    """Constructions that name the receiving side whatever the party's place: the other side of a bargain;
    the trainees' state ("training Ukraine troops"); the one whose allies act ("Ukraine's Western allies",
    "حلفاء أوكرانيا"); the indirect object of an English giving verb ("offered the Indonesian government the
    assistance", "grant Ukraine") and the object of a sanctioning verb ("sanctioned Bosnian Serbs"); the
    Arabic recipient before a ب object ("تزويد القاهرة بالأسلحة")."""
    if _across_exchange(group, anchor, object_hit, exchanges):
        return True
    tokens = analysis.tokens
    arabic = _is_arabic(analysis, group.hits[0])
    before = _hit_before(analysis, group.first)
    if (
        group.last + 1 == object_hit.first
        and "troops" in object_hit.tags
        and analysis.hits_tagged("training", max(0, group.first - 2), group.first - 1)
    ):
        return True
    if arabic:
        if before is not None and "benefactor" in before.tags and before.last + 1 == group.first:
            return True
        return (
            object_hit.first == group.last + 1
            and object_hit.prefix.removesuffix("ال").endswith("ب")
            and before is not None
            and "provide" in before.tags
        )
    if tokens[group.last].text.endswith("'s") and analysis.hits_tagged(
        "benefactor", group.last + 1, min(len(tokens) - 1, group.last + 2)
    ):
        return True
    if before is object_hit and "impose" in object_hit.tags:
        return True  # "could sanction China": the object of a sanctioning verb
    # Right before the object a party owns it ("sending US troops") unless the verb takes two objects
    # ("grant Ukraine security guarantees").
    return (
        before is not None
        and "provide" in before.tags
        and group.last < object_hit.first
        and (group.last + 1 < object_hit.first or "ditransitive" in before.tags)
    )


def _hit_before(analysis: SentenceAnalysis, position: int) -> Hit | None:
    """The lexicon hit just before `position`, past determiners."""
    position = _position_before(analysis, position)
    return analysis.hit_at[position] if position >= 0 else None


def _is_passive(analysis: SentenceAnalysis, anchor: Hit) -> bool:
    """An Arabic passive auxiliary just before the measure: "يتم رفع", "تم إرسال"."""
    before = analysis.hit_at[anchor.first - 1] if anchor.first > 0 else None
    return before is not None and "passive" in before.tags


_CLAUSE_BREAKS = frozenset({",", "،", ";", "؛", ":", "."})


def _governing_deal(analysis: SentenceAnalysis, anchor: Hit) -> Hit | None:
    """The first agreement word before the measure in its clause (parentheses and quotes do not end it)."""
    return next(
        (
            hit
            for hit in analysis.hits_tagged("agreement", 0, anchor.first - 1)
            if _unbroken(analysis, hit.last + 1, anchor.first - 1)
        ),
        None,
    )


# Tokens between an endorsing verb and the deal it governs, asides included: "وافق مجلس الأمن الدولي، اليوم
# (الاثنين)، على اتفاق".
ENDORSEMENT_REACH = 12


def _endorsement(analysis: SentenceAnalysis, deal: Hit) -> Hit | None:
    found = analysis.hits_tagged("endorse", max(0, deal.first - ENDORSEMENT_REACH), deal.first - 1)
    return found[-1] if found else None


def _unbroken(analysis: SentenceAnalysis, first: int, last: int) -> bool:
    return not any(token.text in _CLAUSE_BREAKS for token in analysis.tokens[first : last + 1])


def _across_exchange(group: Group, anchor: Hit, object_hit: Hit, exchanges: list[Hit]) -> bool:
    """ "… in exchange for guarantees that Tehran …" (after the exchange word), "يحد من برنامج إيران النووي
    مقابل تخفيف العقوبات" (just before it, the measure after): the other side of the bargain. Further before
    it is the subject of the whole deal ("وافق مجلس الأمن على اتفاق …")."""
    first, last = min(anchor.first, object_hit.first), max(anchor.last, object_hit.last)
    return any(
        (group.last < hit.first and hit.first - group.last <= EXCHANGE_REACH and hit.last < first)
        or (last < hit.first and hit.last < group.first)
        for hit in exchanges
    )


POSSESSED_REACH = 3


def _can_be_subject(analysis: SentenceAnalysis, group: Group) -> bool:
    """A demonym is a subject only with an office: "the French president", "الحكومة الألمانية" — not in
    "Russian banks" or "شركات صينية". So is an English possessor: "Russia's ambassador warned", "Britain's
    decision to send", but not "Russia's war in Ukraine … and pledged"."""
    if analysis.tokens[group.last].text.endswith("'s"):
        # An office may be qualified: "Japan's finance minister", "China's commerce ministry".
        following = analysis.hit_at[group.last + 1] if group.last + 1 < len(analysis.tokens) else None
        return (following is not None and bool(following.tags & _GOVERNING_TAGS)) or any(
            hit is not None and "office" in hit.tags
            for hit in analysis.hit_at[group.last + 1 : group.last + 1 + POSSESSED_REACH]
        )
    if not all(entry.kind == "demonym" for hit in group.hits for entry in hit.parties):
        return True
    if _is_arabic(analysis, group.hits[0]):
        window = range(max(0, group.first - 3), group.first)
    else:
        window = range(group.last + 1, min(len(analysis.tokens), group.last + 3))
    return any(analysis.hit_at[p] is not None and "office" in analysis.hit_at[p].tags for p in window)


def likely_provider(analysis: SentenceAnalysis, object_hit: Hit, roles: Roles) -> tuple[Party, ...]:
    """When no subject governs the object, the party the sentence names as its source: "provided by the King
    Salman Centre" (من), or an unmarked party such as the demonym of "the fourth Saudi relief plane" or "U.S.
    weapons airdropped in Syria". The nearest such group to the object that is neither a target nor a
    company, court or sports body; used only for events the sentence model is sure of."""
    taken = {party.code for party in roles.targets}
    candidates = [
        group
        for group in _groups(analysis)
        if _marking(analysis, group) in (None, "from")
        and not group.blocked
        and not {party.code for party in group.parties} <= taken
    ]
    if not candidates:
        return ()
    nearest = min(candidates, key=lambda group: _distance(group, object_hit))
    return tuple(party for party in nearest.parties if party.code not in taken)


def _distance(group: Group, hit: Hit) -> int:
    return min(abs(group.first - hit.first), abs(group.last - hit.last))


def sentence_subject(analysis: SentenceAnalysis) -> tuple[Party, ...]:
    """The first unmarked party of a sentence: the speaker a later "he said" / "وأضاف" refers to."""
    for group in _groups(analysis):
        if _marking(analysis, group) is None and _can_be_subject(analysis, group):
            return () if group.blocked else group.parties
    return ()


def _groups(analysis: SentenceAnalysis) -> list[Group]:
    named = _grouped(analysis, [hit for hit in analysis.hits if hit.parties])
    own_country = _own_country_mentions(analysis, named)
    if not own_country:
        return named
    hits = [hit for group in named for hit in group.hits] + own_country
    return _grouped(analysis, sorted(hits, key=lambda hit: hit.first))


def _own_country_mentions(analysis: SentenceAnalysis, named: list[Group]) -> list[Hit]:
    """ "قال وزير الخارجية الإيراني إن بلاده ستواصل …": "his country" (بلاده) or "his government" (حكومته) is
    the state of the sentence's speaker, its first party that can be a subject, named before it."""
    own_country = [hit for hit in analysis.hits_tagged("own_country") if not hit.parties]
    if not own_country:
        return []
    speaker = next(
        (
            group
            for group in named
            if _marking(analysis, group) is None and _can_be_subject(analysis, group) and not group.blocked
        ),
        None,
    )
    if speaker is None:
        return []
    entries = tuple(PartyEntry(party, "country", None) for party in speaker.parties)
    mentions = [Hit(hit.first, hit.last, hit.tags, entries, hit.prefix) for hit in own_country]
    # Only as a subject ("إن بلاده تؤيد"): marked as a target or place it would add a beneficiary the
    # sentence does not name ("تدفق الأسلحة إلى بلاده" after a newspaper's name).
    return [hit for hit in mentions if hit.first > speaker.last and _marking(analysis, Group((hit,))) is None]


def _grouped(analysis: SentenceAnalysis, hits: list[Hit]) -> list[Group]:
    groups: list[list[Hit]] = []
    for hit in hits:
        if groups and _coordinated(analysis, groups[-1][-1], hit):
            groups[-1].append(hit)
        else:
            groups.append([hit])
    return [Group(tuple(group)) for group in groups]


def _coordinated(analysis: SentenceAnalysis, left: Hit, right: Hit) -> bool:
    gap = [analysis.tokens[p].text for p in range(left.last + 1, right.first)]
    same_code = {e.party.code for e in left.parties} & {e.party.code for e in right.parties}
    if (
        same_code
        and len(gap) <= 3
        and not any(word in (",", "،") for word in gap)
        and not _governs_between(analysis, left.last + 1, right.first - 1)
    ):
        return True  # "French President Emmanuel Macron", but not "the Biden administration urged Congress"
    if not gap:
        return right.prefix.startswith("و")
    if gap[-1] == "the" and len(gap) > 1:
        gap = gap[:-1]  # "the US and the European Union"
    if all(word in _CONJUNCTIONS for word in gap) and ("as" not in gap or "well" in gap):
        # "as well as" joins; a bare "as" opens a clause ("aid for Ukraine as the US announces …").
        return (
            "," not in gap
            and "،" not in gap
            or right.prefix.startswith("و")
            or _list_continues(analysis, right)
        )
    return False


# Tags of words that open a clause or a role of their own: two names of one state with one of these between
# them are two parties ("the Biden administration on Monday urged Congress to approve …").
_GOVERNING_TAGS = frozenset(
    {
        "request",
        "provide",
        "impose",
        "announce",
        "threat",
        "proposal",
        "lifting",
        "refusal",
        "reporting",
        "receive",
    }
)


def _governs_between(analysis: SentenceAnalysis, first: int, last: int) -> bool:
    return any(hit is not None and hit.tags & _GOVERNING_TAGS for hit in analysis.hit_at[first : last + 1])


def _list_continues(analysis: SentenceAnalysis, hit: Hit) -> bool:
    """ "France, Germany and Italy": a comma joins parties only when the list goes on."""
    following = analysis.tokens[hit.last + 1 : hit.last + 3]
    return bool(following) and following[0].text in ("and", ",", "،")


def _marking(analysis: SentenceAnalysis, group: Group) -> str | None:
    """How the preposition before a group marks it: "target", "in" (a place), "with", or None (unmarked)."""
    head = group.hits[0]
    bare_prefix = head.prefix.removesuffix("ال")
    if bare_prefix.endswith("ل"):
        # "المتحدث الرسمي لمركز الملك سلمان", "سفينة تابعة للأمم المتحدة": ل after these is "of", the owner.
        before = analysis.hit_at[head.first - 1] if head.first > 0 else None
        if before is None or "belonging" not in before.tags:
            return "target"
        owner = analysis.hit_at[before.first - 1] if before.first > 0 else None
        return "with" if owner is not None and owner.parties else None  # "مجلس الأمن التابع للأمم المتحدة"
    if bare_prefix.endswith("ب"):
        return "in"
    position = _position_before(analysis, head.first)
    if position >= 0 and analysis.tokens[position].text in _PRONOUN_PREPOSITIONS:
        return None
    previous = analysis.hit_at[position] if position >= 0 else None
    if previous is not None and previous.prefix.endswith("ال") and not previous.parties:
        previous = None  # a particle never takes the article: "اللجنة العليا" is not "على"
    if position >= 0 and analysis.tokens[position].text in ("من", "from"):
        return "from"
    if previous is None and position >= 0 and _is_arabic(analysis, head):
        # A demonym after the noun it qualifies takes that noun's marking: "للشعب اليمني" (for the Yemeni
        # people, ل + ال), "إلى الحكومة اليمنية" (to the Yemeni government) name the receiving side.
        noun = analysis.tokens[position].text
        before = analysis.hit_at[position - 1] if position >= 1 else None
        if noun in _THAT:  # "إلى أن أوكرانيا" (to [the fact] that Ukraine …) opens a clause: its subject
            return None
        if noun.startswith("لل") or (before is not None and "target_prep" in before.tags):
            return "target"
    if previous is None or previous.parties:
        return None
    if previous.tags & {"with", "join"}:
        return "with"
    if any(
        hit is not None and "join" in hit.tags for hit in analysis.hit_at[max(0, head.first - 4) : head.first]
    ):
        return "with"  # "joined the coalition of the willing": a member, not a beneficiary
    if "target_prep" in previous.tags:
        return "target"
    if "location" in previous.tags:
        return "in"
    return None


def _subject(
    analysis: SentenceAnalysis, eligible: list[Group], anchor: Hit, object_hit: Hit | None = None
) -> Group | None:
    before = [group for group in eligible if group.last < anchor.first]
    after = [group for group in eligible if group.first > anchor.last]
    if _is_arabic(analysis, anchor):
        clause_start = _clause_start(analysis, anchor.first)
        in_clause = [group for group in before if group.first >= clause_start]
        if in_clause:
            return in_clause[-1]
        close_after = [group for group in after if group.first - anchor.last <= ARABIC_VSO_REACH]
        if close_after:
            return close_after[0]
        # Further on, a party is the verb's complement or another clause's ("رغم الظروف التي تمر بها اليمن").
        return before[-1] if before else None
    # An English subject stays in its clause: "Explosions rocked Kyiv, while officials said the promises of
    # Western military aid …" names no giver.
    contrast = [p for p in range(anchor.first) if analysis.tokens[p].text in CONTRASTIVE_CONJUNCTIONS]
    before = [group for group in before if not contrast or group.first > contrast[-1]]
    agent = _passive_agent(analysis, after, anchor, object_hit)
    if agent is not None:
        return agent  # "Iran was sanctioned by the European Union", "sanctions imposed by the US on …"
    if before:
        # "NATO's Stoltenberg says Ukraine's allies have sent …": the reported clause has a subject of its own
        # that names no state (allies, partners, donors), so the speaker does not give.
        speaker = before[-1]
        reporting = analysis.hits_tagged("reporting", speaker.last + 1, anchor.first - 1)
        if reporting and analysis.hits_tagged("benefactor", reporting[-1].last + 1, anchor.first - 1):
            return None
        return speaker
    # English is subject-first: after the measure, a party acts only as the agent ("imposed by the EU") or the
    # reporting subject ("…, the EU said"), not as "over its invasion of Ukraine"; between a cue and the
    # measure it is the subject of the clause the cue governs ("warned that the U.S. could sanction").
    after = [
        group
        for group in after
        if (object_hit is not None and group.last < object_hit.first)
        or _after_source_word(analysis, group)
        or _reports(analysis, group)
    ]
    return after[0] if after else None


AGENT_REACH = 6  # tokens from the measure to "by" in "the aid package offered to Greece by the EU"
_IRREGULAR_PARTICIPLES = frozenset({"given", "sent", "lent", "made", "put", "set", "taken", "paid"})


def _passive_agent(
    analysis: SentenceAnalysis, after: list[Group], anchor: Hit, object_hit: Hit | None
) -> Group | None:
    """The English agent of a participle governing the measure: the first party after "by" in the measure's
    clause, close after it, with a participle between ("sanctioned by the U.S.", "offered to Greece by")."""
    end = max(anchor.last, object_hit.last if object_hit is not None else anchor.last)
    tokens = analysis.tokens
    for group in after:
        by = _position_before(analysis, group.first)
        if by <= end or by - end > AGENT_REACH or tokens[by].text != "by":
            continue
        between = tokens[min(anchor.first, end) : by]
        if any(token.is_punctuation for token in between):
            return None
        if any(t.text.endswith("ed") or t.text in _IRREGULAR_PARTICIPLES for t in between):
            return group
        return None
    return None


def _reports(analysis: SentenceAnalysis, group: Group) -> bool:
    return bool(
        analysis.hits_tagged("reporting", group.last + 1, min(len(analysis.tokens) - 1, group.last + 2))
    )


def _clause_start(analysis: SentenceAnalysis, position: int) -> int:
    while position > 0 and not analysis.tokens[position - 1].is_punctuation:
        position -= 1
    return position


def _clause_end(analysis: SentenceAnalysis, position: int) -> int:
    while position < len(analysis.tokens) - 1 and not analysis.tokens[position + 1].is_punctuation:
        position += 1
    return position


def _owns(
    analysis: SentenceAnalysis, group: Group, object_hit: Hit, mark: str | None, event_type: str, status: str
) -> bool:
    """ "EU sanctions", "Britain's missiles" (before the object); "قوات إيطالية", "العقوبات الأوروبية",
    "إجراءات عقابية من اليابان" (after)."""
    if mark == "from":
        # "مساعدات من اليابان", "military aid from the U.S.": the source; not "a ban on imports from Russia"
        # nor "the withdrawal of its peacekeepers from Mali" (a target, below).
        return object_hit.last < group.first <= object_hit.last + 3 and (
            _is_arabic(analysis, object_hit) or (event_type == "commitment" and status != "lifted")
        )
    if _is_arabic(analysis, object_hit):
        return (
            mark is None
            and group.first == object_hit.last + 1
            and all(entry.kind == "demonym" for hit in group.hits for entry in hit.parties)
        )
    return group.last == object_hit.first - 1 or (
        group.last == object_hit.first - 2
        and analysis.hit_at[object_hit.first - 1] is not None
        and "novelty" in analysis.hit_at[object_hit.first - 1].tags
    )


def _is_arabic(analysis: SentenceAnalysis, hit: Hit) -> bool:
    return "\u0621" <= analysis.tokens[hit.first].text[0] <= "\u064a"


def _unique(parties: list[Party] | tuple[Party, ...]) -> tuple[Party, ...]:
    seen: dict[str, Party] = {}
    for party in parties:
        seen.setdefault(party.code, party)
    return tuple(seen.values())
