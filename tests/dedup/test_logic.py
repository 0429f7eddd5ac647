from newsmon.streams.dedup.logic import UrlDecision, judge_by_text, judge_by_url

from newsmon.records import MessageOrigin
from tests.factories import make_article

ORIGIN_A = MessageOrigin("articles", 0, 10)
ORIGIN_B = MessageOrigin("articles", 1, 4)


def test_first_sighting_of_a_url_is_forwarded_and_claimed():
    judgement = judge_by_url(make_article("u1"), None, ORIGIN_A)
    assert judgement.decision is UrlDecision.FORWARD
    assert judgement.state.origin == ORIGIN_A


def test_same_url_same_text_from_another_message_is_dropped():
    first = judge_by_url(make_article("u1"), None, ORIGIN_A)
    again = judge_by_url(make_article("u1"), first.state, ORIGIN_B)
    assert again.decision is UrlDecision.SAME_PAGE_AGAIN
    assert again.state == first.state


def test_redelivery_of_the_claiming_message_is_forwarded_again():
    first = judge_by_url(make_article("u1"), None, ORIGIN_A)
    assert judge_by_url(make_article("u1"), first.state, ORIGIN_A).decision is UrlDecision.FORWARD


def test_revised_text_on_a_known_url_goes_on():
    first = judge_by_url(make_article("u1", "h1"), None, ORIGIN_A)
    revised = judge_by_url(make_article("u1", "h2"), first.state, ORIGIN_B)
    assert revised.decision is UrlDecision.FORWARD
    assert revised.state.text_hash == "h2"


def test_copy_under_another_url_is_marked_duplicate_of_the_first():
    first = judge_by_text(make_article("u1"), None, ORIGIN_A)
    assert first.article.dedup.duplicate_of is None
    copy = judge_by_text(make_article("u2"), first.state, ORIGIN_B)
    assert copy.article.dedup.duplicate_of == "id:u1"
    assert copy.article.dedup.method == "text_hash"
    assert copy.article.dedup.story_id == first.article.dedup.story_id
    assert copy.state == first.state


def test_same_article_again_by_text_passes_nothing_on():
    first = judge_by_text(make_article("u1"), None, ORIGIN_A)
    assert judge_by_text(make_article("u1"), first.state, ORIGIN_B).article is None


def test_text_redelivery_repeats_the_original_verdict():
    first = judge_by_text(make_article("u1"), None, ORIGIN_A)
    again = judge_by_text(make_article("u1"), first.state, ORIGIN_A)
    assert again.article == first.article
