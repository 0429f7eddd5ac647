from newsmon.streams.extract.engine import extract_events
from newsmon.streams.extract.events import WARM_UP_SENTENCES, article_events, corroborating_events

from newsmon.records import DedupVerdict
from tests.factories import make_article, make_event

TEXT = "The European Union adopted its 20th package of sanctions against Russia on Thursday."


def test_a_copy_gives_no_events_of_its_own():
    copy = make_article(
        "http://b/x",
        text=TEXT,
        paragraphs=[TEXT],
        sentences=[{"start": 0, "end": len(TEXT)}],
        dedup=DedupVerdict(duplicate_of="id:http://a/x", method="text_hash", story_id="s"),
    )
    assert article_events(copy) == []


def test_a_copy_corroborates_its_originals_events_under_its_own_outlet():
    original_event = make_event("north")
    copy = make_article(
        "http://harbor/x",
        outlet="Harbor Wire",
        dedup=DedupVerdict(duplicate_of=original_event.article.article_id, method="text_hash", story_id="s"),
    )
    [sighting] = corroborating_events([original_event], copy)
    assert sighting.event_key == original_event.event_key and sighting.sentence == original_event.sentence
    assert (sighting.article.outlet, sighting.article.url) == ("Harbor Wire", "http://harbor/x")
    assert sighting.event_id != original_event.event_id
    assert corroborating_events([original_event], copy) == [
        sighting
    ]  # deterministic: a redelivery repeats it


def test_each_warm_up_sentence_goes_through_the_whole_engine_to_an_event():
    # The pool's warm-up (events.warm_up) must reach the sentence model and the role rules, not stop at a
    # sentence without a trigger.
    found = {lang: extract_events(sentence, lang=lang) for lang, sentence in WARM_UP_SENTENCES.items()}
    assert [(m.type, [actor.code for actor in m.actors]) for m in found["en"]] == [("commitment", ["NOR"])]
    assert [m.type for m in found["ar"]] == ["sanction"]
