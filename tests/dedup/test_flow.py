"""The partitioned flow (index hop ⇄ join hop) in memory: copies found whatever the delivery order, stories
joined, redeliveries repeat their output exactly, upstream repeats change nothing."""

from __future__ import annotations

import json
import random

import pytest
from newsmon.streams.dedup.logic import (
    InMemoryDedup,
    JoinState,
    Send,
    UndecidedArticles,
    deadline_message,
    fingerprint,
    index_probes,
    join_overdue,
    judge_by_text,
    text_sends,
)

from newsmon.records import DedupVerdict, MessageOrigin
from newsmon.settings.dedup import DedupSettings
from newsmon.topics import ARTICLES_DEDUPED
from tests.dedup.corpus import OTHER_EVENT, RETOLD, STORIES, syndicated_copy, text
from tests.factories import make_article

SETTINGS = DedupSettings()
PARTITIONS = 4


def article(url: str, paragraphs: list[str]):
    body = text(paragraphs)
    return make_article(url, text_hash=f"h:{url}", text=body, paragraphs=paragraphs)


def first_sends(item) -> list[Send]:
    judged = judge_by_text(item, None, MessageOrigin("by-text", 0, 0)).article
    return text_sends(judged, index_probes(judged, SETTINGS, PARTITIONS))


def run_interleaved(items, seed: int) -> dict[str, object]:
    """Deliver the messages of several articles in a random interleaving, per-key order kept (as Kafka
    does within a partition), as if each article's first hop ran on another worker."""
    dedup = InMemoryDedup(SETTINGS, PARTITIONS)
    rng = random.Random(seed)
    queues: dict[object, list[Send]] = {}

    def queue_of(send: Send) -> object:
        return (send.topic, send.partition) if send.partition is not None else send.key

    for send in (s for item in items for s in first_sends(item)):
        queues.setdefault(queue_of(send), []).append(send)
    while any(queues.values()):
        key = rng.choice([k for k, q in queues.items() if q])
        send = queues[key].pop(0)
        for out in dedup.handle(send, dedup._origin(send.topic), now=0.0):
            if out.topic != ARTICLES_DEDUPED:
                queues.setdefault(queue_of(out), []).append(out)
            else:
                dedup.deduped.append(out.record)
    return {a.article_id: a for a in dedup.deduped}


@pytest.mark.parametrize("seed", range(12))
def test_copies_and_stories_are_found_in_any_delivery_order(seed: int):
    items = []
    for story in STORIES:
        items += [article(f"o/{story}", STORIES[story]), article(f"m/{story}", syndicated_copy(story))]
    items += [article(f"r/{story}", RETOLD[story]) for story in RETOLD]
    items += [article(f"x/{story}", OTHER_EVENT[story]) for story in OTHER_EVENT]
    out = run_interleaved(items, seed)
    assert len(out) == len(items)
    for story in STORIES:
        first, second = out[f"id:o/{story}"], out[f"id:m/{story}"]
        # Exactly one of the pair is the original, the other its near-duplicate; one story.
        assert sorted([first.dedup.duplicate_of, second.dedup.duplicate_of], key=str) in (
            [None, first.article_id],
            [None, second.article_id],
        ), story
        assert first.dedup.story_id == second.dedup.story_id
    for story in RETOLD:
        assert out[f"id:r/{story}"].dedup.duplicate_of is None
        assert out[f"id:r/{story}"].dedup.story_id == out[f"id:o/{story}"].dedup.story_id
    for story in OTHER_EVENT:
        assert out[f"id:x/{story}"].dedup.story_id != out[f"id:o/{story}"].dedup.story_id


def test_redelivered_join_message_republishes_and_upstream_repeat_does_not():
    dedup = InMemoryDedup(SETTINGS)
    dedup.add(article("o/a", STORIES["en_grain"]), now=0.0)
    sends = first_sends(article("m/a", syndicated_copy("en_grain")))
    origins, outputs = {}, []
    queue = list(sends)
    while queue:
        send = queue.pop(0)
        origin = dedup._origin(send.topic)
        result = dedup.handle(send, origin, now=0.0)
        origins[id(send)] = (send, origin, result)
        queue += [s for s in result if s.topic != ARTICLES_DEDUPED]
        outputs += [s for s in result if s.topic == ARTICLES_DEDUPED]
    assert len(outputs) == 1 and outputs[0].record.dedup.method == "near_duplicate"
    for send, origin, result in origins.values():
        if send.topic != "dedup.bands":
            assert dedup.handle(send, origin, now=0.0) == result  # redelivery: the same output again
            repeat = dedup.handle(send, origin._replace(offset=origin.offset + 10_000), now=0.0)
            # An upstream repeat publishes nothing new: nothing, or — an ask to a decided article, answered
            # from its verdict without a state write — the very same answer, which the asker ignores.
            assert repeat == [] or repeat == result and send.record.kind == "ask"


def test_an_answer_that_never_comes_delays_the_verdict_until_the_deadline_only():
    dedup = InMemoryDedup(SETTINGS)
    dedup.add(article("o/a", STORIES["en_grain"]), now=0.0)
    copy = article("m/a", syndicated_copy("en_grain"))
    queue, verdicts = list(first_sends(copy)), []
    while queue:
        send = queue.pop(0)
        if send.topic == "dedup.candidates" and send.record.kind == "answer":
            continue  # lost: the original's answer to the copy never arrives
        for out in dedup.handle(send, dedup._origin(send.topic), now=1.0):
            (verdicts if out.topic == ARTICLES_DEDUPED else queue).append(out)
    assert verdicts == []
    state = dedup.tables["joins"][copy.article_id]
    soon, late = 1.0 + SETTINGS.decision_deadline_seconds / 2, 1.0 + SETTINGS.decision_deadline_seconds * 2
    assert not join_overdue(state, now=soon, settings=SETTINGS)
    assert join_overdue(state, now=late, settings=SETTINGS)
    # The timer's index of undecided articles, kept by the join hop, tells the same, and hands it out once.
    undecided = dedup.state.undecided
    assert len(undecided) == 1
    assert undecided.overdue(soon, SETTINGS) == []
    assert undecided.overdue(late, SETTINGS) == [copy.article_id]
    assert undecided.overdue(late + 1.0, SETTINGS) == []

    deadline = deadline_message(copy.article_id)
    decided = dedup.handle(deadline, dedup._origin(deadline.topic), now=100.0)
    assert [out.record.article_id for out in decided if out.topic == ARTICLES_DEDUPED] == [copy.article_id]
    assert not join_overdue(dedup.tables["joins"][copy.article_id], now=1000.0, settings=SETTINGS)
    assert len(undecided) == 0


def test_the_undecided_articles_are_those_a_scan_of_every_join_state_finds_overdue():
    # The timer looks through the undecided articles the join hop noted, not every join state: after a flow
    # in which answers were lost, and after a rebuild from the states alone (a worker assigned the
    # partitions), it finds exactly the articles a full scan finds overdue, and never a decided one.
    dedup = InMemoryDedup(SETTINGS)
    rng = random.Random(7)
    items = [article(f"o/{story}", STORIES[story]) for story in STORIES]
    items += [article(f"m/{story}", syndicated_copy(story)) for story in STORIES]
    queue = [send for item in items for send in first_sends(item)]
    while queue:
        send = queue.pop(0)
        if send.topic == "dedup.candidates" and send.record.kind == "answer" and rng.random() < 0.5:
            continue  # lost
        queue += dedup.handle(send, dedup._origin(send.topic), now=1.0)
    joins = dedup.tables["joins"]
    late = 1.0 + SETTINGS.decision_deadline_seconds * 2
    overdue = sorted(key for key, state in joins.items() if join_overdue(state, late, SETTINGS))
    assert overdue and any(state.verdict is not None for state in joins.values())  # both kinds are there
    rebuilt = UndecidedArticles()
    rebuilt.rebuild(joins.values())
    kept = dedup.state.undecided
    assert sorted(kept.overdue(late, SETTINGS)) == sorted(rebuilt.overdue(late, SETTINGS)) == overdue
    assert kept.overdue(late, SETTINGS) == []  # handed out once
    # A rebuild keeps what this process handed out already: its deadline message is in flight.
    rebuilt.rebuild(joins.values())
    assert rebuilt.overdue(late, SETTINGS) == []
    assert len(rebuilt) == len(overdue)


def test_a_rebuild_keeps_what_the_join_noted_while_the_states_were_read():
    # A worker reads its join states while the event loop runs on: a state the join writes meanwhile is
    # newer than the one the scan read, and wins.
    undecided = UndecidedArticles()
    undecided.begin_rebuild()
    read = [
        JoinState(article_id="a", created_at=1.0, published=1.0),  # waiting, as read
        JoinState(article_id="b", created_at=2.0),  # its own message not yet arrived, as read
        JoinState(article_id="c", created_at=3.0, published=3.0),  # waiting, and still so
    ]
    undecided.note("a", read[0].model_copy(update={"verdict": DedupVerdict(story_id="a")}))  # decided since
    undecided.note("b", read[1].model_copy(update={"published": 2.0}))  # arrived since
    undecided.rebuild(read)
    assert sorted(undecided.overdue(100.0, SETTINGS)) == ["b", "c"]


def test_fingerprint_keys_land_on_the_partition_asked_for():
    from newsmon.streams.dedup.logic import fingerprint_key, fingerprint_salts

    from newsmon.partitioner import partition_of

    for wanted in ({0, 1, 2, 3}, {2}, {1, 3}):
        salts = fingerprint_salts("id:o/grain", wanted, PARTITIONS)
        assert set(salts) == wanted
        for partition, salt in salts.items():
            assert partition_of(fingerprint_key("id:o/grain", salt), PARTITIONS) == partition
            # the first such salt: the same keys as a search per partition found
            assert all(
                partition_of(fingerprint_key("id:o/grain", earlier), PARTITIONS) != partition
                for earlier in range(salt)
            )


def test_an_article_costs_messages_per_partition_and_per_look_alike_not_per_key():
    from newsmon.partitioner import partition_of

    dedup = InMemoryDedup(SETTINGS, PARTITIONS)
    for story in STORIES:
        dedup.add(article(f"o/{story}", STORIES[story]), now=0.0)
    sent: list[Send] = []
    queue = first_sends(article("m/en_grain", syndicated_copy("en_grain")))
    while queue:
        send = queue.pop(0)
        sent.append(send)
        queue += dedup.handle(send, dedup._origin(send.topic), now=0.0)
    kinds = [send.record.kind if send.topic == "dedup.candidates" else send.topic for send in sent]
    assert kinds.count("dedup.bands") <= PARTITIONS < len(fingerprint(sent[0].record.article, SETTINGS).keys)
    assert all(
        partition_of(key, PARTITIONS) == send.partition
        for send in sent
        if send.topic == "dedup.bands"
        for key in send.record.keys
    )
    assert kinds.count("candidates") == kinds.count("dedup.bands")
    # One look-alike (the original): one ask, one answer, then the verdict.
    assert (kinds.count("ask"), kinds.count("answer"), kinds.count(ARTICLES_DEDUPED)) == (1, 1, 1)
    assert sent[-1].record.dedup.duplicate_of == "id:o/en_grain"


def test_a_hot_story_costs_at_most_max_look_alikes_asks_and_no_writes_to_decided_articles():
    from newsmon.streams.dedup.logic import join

    dedup = InMemoryDedup(SETTINGS, PARTITIONS)
    for outlet in range(6):
        dedup.add(article(f"outlet{outlet}/grain", syndicated_copy("en_grain")), now=0.0)
    decided_states = {key: state for key, state in dedup.tables["joins"].items()}
    sent: list[Send] = []
    queue = first_sends(article("late/grain", syndicated_copy("en_grain")))
    while queue:
        send = queue.pop(0)
        sent.append(send)
        if send.topic == "dedup.candidates" and send.key in decided_states:
            result = join(
                dedup.tables["joins"][send.key],
                send.key,
                send.record,
                dedup._origin(send.topic),
                0.0,
                SETTINGS,
                lambda: None,
            )
            assert not result.changed and result.state is decided_states[send.key]
            queue += result.sends
        else:
            queue += dedup.handle(send, dedup._origin(send.topic), now=0.0)
    asks = [send for send in sent if send.topic == "dedup.candidates" and send.record.kind == "ask"]
    assert len(asks) == SETTINGS.max_look_alikes < 6
    verdict = sent[-1].record.dedup
    assert verdict.duplicate_of == "id:outlet0/grain" and verdict.method == "near_duplicate"


@pytest.mark.parametrize(
    "signature, profile_terms", [("!!not base64", ""), ("AAA=", ""), ("", ""), ("AAAAAA==", "AAA=")]
)
def test_a_probe_with_a_malformed_fingerprint_is_refused_when_decoded(signature: str, profile_terms: str):
    # Refused at decoding (→ dead-letter "undecodable"), before the index stores it and compares others with
    # it.
    from newsmon.streams.dedup.logic import Probe

    good = index_probes(article("o/a", STORIES["en_grain"]), SETTINGS, PARTITIONS)[0]
    payload = good.model_dump(mode="json")
    payload["fingerprint"]["signature"] = signature
    payload["fingerprint"]["profile"]["terms"] = profile_terms
    with pytest.raises(ValueError):
        Probe.from_bytes(json.dumps(payload).encode())
    assert Probe.from_bytes(good.to_bytes()) == good
