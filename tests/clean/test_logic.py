import pickle
from datetime import UTC, datetime

import pytest
from newsmon.streams.clean.logic import CleanError, article_from_document, clean_page, warm_up

from newsmon.text.normalize import matching_form

from .conftest import AR_BODY, AR_KEPT, EN_BODY, EN_KEPT, FETCHED, page_html

AR_HEAD = '<meta property="article:published_time" content="2025-09-04T10:15:00+03:00">'


def test_arabic_page_keeps_exactly_the_news(make_page, settings) -> None:
    page = make_page(
        page_html(AR_BODY, "ar", "ماكرون: 26 دولة تلتزم بنشر قوة طمأنة", AR_HEAD), feed_name="Feed AR"
    )
    article = clean_page(page, settings)
    assert article.paragraphs == AR_KEPT
    assert article.text == "\n\n".join(AR_KEPT)
    assert article.title == "ماكرون: 26 دولة تلتزم بنشر قوة طمأنة"
    assert article.language == "ar" and article.direction == "rtl" and article.flags == []
    assert (
        article.published_at == datetime(2025, 9, 4, 7, 15, tzinfo=UTC) and article.published_source == "page"
    )
    assert article.outlet == "Feed AR" and article.site_name == "The Site"
    assert "اقرأ أيضًا:" in article.removed_boilerplate and "تابعنا" in article.removed_boilerplate
    assert [article.text[s.start : s.end] for s in article.sentences][:2] == AR_KEPT[:2]
    assert article.text_hash == __import__("hashlib").sha256(matching_form(article.text).encode()).hexdigest()


def test_english_page_keeps_exactly_the_news(make_page, settings) -> None:
    page = make_page(page_html(EN_BODY, "en", "EU agrees 19th sanctions package against Russia"))
    article = clean_page(page, settings)
    assert article.paragraphs == EN_KEPT
    assert article.language == "en" and article.direction == "ltr"
    assert article.outlet == "The Site"
    sentences = [article.text[s.start : s.end] for s in article.sentences]
    assert sentences[1:3] == [
        '"This is the toughest package so far," Kaja Kallas told reporters.',
        "Mr. Smith of the U.S. Treasury welcomed it.",
    ]
    assert {
        "Read also:",
        "Ukraine asks allies for more air defence",
        "Photo: Reuters",
        "Share this article",
        "Reporting by Jane Doe; Editing by John Roe",
        "Follow us on X",
    } <= set(article.removed_boilerplate)


def test_unbalanced_markup_still_yields_exactly_the_news(make_page, settings) -> None:
    # An unclosed <div> in the navigation: trafilatura's own extractor then returns the whole page as one
    # run-on paragraph, headline and boilerplate included; its fallback extractors, which fast mode skips,
    # recover the paragraphs. This is why `clean.fast` is off by default (it fails under
    # bench/fast_clean_plugin.py).
    html = page_html(AR_BODY, "ar", "t").replace("<nav>", "<nav><div>", 1)
    article = clean_page(make_page(html), settings)
    assert article.paragraphs == AR_KEPT
    assert "اقرأ أيضًا:" in article.removed_boilerplate


def test_lone_surrogates_in_the_body_become_replacement_characters(make_page, settings) -> None:
    body = AR_BODY.replace("الخميس،", "الخميس\ud800،", 1)
    article = clean_page(make_page(page_html(body, "ar", "t")), settings)
    assert article.paragraphs[0].startswith("أعلن الرئيس الفرنسي إيمانويل ماكرون، الخميس\ufffd،")
    assert article.to_bytes()  # encodable: no surrogate reaches the wire


def test_same_body_on_two_outlets_has_one_text_hash(make_page, settings) -> None:
    first = clean_page(make_page(page_html(AR_BODY, "ar", "عنوان أول")), settings)
    other_body = AR_BODY.replace("<p>تابعنا</p>", "<p>تابعونا على فيسبوك</p>").replace("أعلن", "أعلن")
    second = clean_page(
        make_page(page_html(other_body, "ar", "عنوان ثان"), url="https://other.example/x"), settings
    )
    assert first.text_hash == second.text_hash and first.article_id != second.article_id


def test_date_falls_back_to_feed_then_fetch_time(make_page, settings) -> None:
    html = page_html(EN_BODY, "en", "t")
    feed_time = datetime(2025, 9, 4, 18, 30, tzinfo=UTC)
    assert clean_page(make_page(html, published=feed_time), settings).published_source == "feed"
    article = clean_page(make_page(html), settings)
    assert (article.published_at, article.published_source) == (FETCHED, "fetched")


def test_feed_only_page_uses_the_summary(make_page, settings) -> None:
    page = make_page(
        None,
        feed_only=True,
        title="EU sanctions",
        summary="<p>The European Union agreed new sanctions against Russia on Thursday.</p>",
    )
    article = clean_page(page, settings)
    assert article.flags == ["feed_only", "summary_fallback"]
    assert article.paragraphs == ["The European Union agreed new sanctions against Russia on Thursday."]
    assert article.title == "EU sanctions"


def test_page_without_main_text_falls_back_or_is_flagged(make_page, settings) -> None:
    html = page_html("<p>Share this article</p>", "en", "Only a title")
    assert clean_page(make_page(html, summary="Summary from the feed, long enough."), settings).flags == [
        "summary_fallback"
    ]
    article = clean_page(make_page(html, title="Only a title"), settings)
    assert article.flags == ["no_main_text"] and article.paragraphs == [] and article.sentences == []


def test_unsupported_language_is_kept_and_flagged(make_page, settings) -> None:
    body = (
        "<p>L'Union européenne a adopté jeudi un nouveau paquet de sanctions contre la Russie, visant le gaz "
        "naturel liquéfié et des banques de pays tiers, selon des diplomates.</p>"
    )
    article = clean_page(make_page(page_html(body, "fr", "Sanctions")), settings)
    assert article.language == "fr" and article.flags == ["unsupported_language"]


@pytest.mark.parametrize(
    ("html", "headers", "reason"),
    [
        ("", {}, "empty"),
        ("just some words, no markup at all", {}, "not_html"),
        ("<html><body><p>x</p></body></html>", {"content-type": "application/pdf"}, "not_html"),
        ("\x00\x01\x02\x03garbage\x04\x05" * 50, {}, "binary"),
        ("<html>" + "<p>a</p>" * 500_000 + "</html>", None, "too_large"),
    ],
)
def test_bad_input_raises_clean_error(make_page, settings, html, headers, reason) -> None:
    with pytest.raises(CleanError) as error:
        clean_page(make_page(html, headers=headers), settings)
    assert error.value.reason == reason


def test_clean_error_survives_the_process_pool() -> None:
    error = pickle.loads(pickle.dumps(CleanError("too_large", "body too big")))
    assert (error.reason, str(error)) == ("too_large", "body too big")


def test_article_from_document_detects_plain_text(settings) -> None:
    text = "وأكد المتحدث باسم الحكومة أن القرار نهائي ولا رجعة فيه.\nاقرأ أيضًا:\nعنوان خبر آخر\nشاركها.\n"
    article = article_from_document(text, "/tmp/note.txt", settings)
    assert article.paragraphs == ["وأكد المتحدث باسم الحكومة أن القرار نهائي ولا رجعة فيه."]
    assert article.removed_boilerplate == ["اقرأ أيضًا:", "عنوان خبر آخر", "شاركها."]
    assert article.url == "file:///tmp/note.txt" and article.published_source == "fetched"


def test_article_from_document_reads_html(settings) -> None:
    article = article_from_document(page_html(EN_BODY, "en", "t"), "https://www.site.example/x", settings)
    assert article.paragraphs == EN_KEPT and article.outlet == "The Site"


def test_the_warm_up_pages_clean_into_one_article_per_language(settings) -> None:
    # A pool process cleans them before its first record (StageRuntime.warm_pool_with): a sample that stopped
    # cleaning would leave the first real pages to load trafilatura and the rules again.
    articles = warm_up(settings)
    assert sorted(article.language for article in articles) == ["ar", "en"]
    assert all(article.title and len(article.sentences) == 3 and not article.flags for article in articles)
