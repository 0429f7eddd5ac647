"""An event's package number, targets, object and quantity completed from its article's title and other
sentences (streams/extract/article_context.py), in English and Arabic; the resulting event keys."""

from __future__ import annotations

from newsmon.streams.alerts.logic import track
from newsmon.streams.extract.article_context import complete_mentions, is_amount_only
from newsmon.streams.extract.engine import extract_events
from newsmon.streams.extract.events import article_events

from newsmon.records import Event, MessageOrigin, Sentence
from newsmon.settings.alerts import AlertSettings
from tests.factories import NOW, make_article


def sentences_of(text: str) -> list[tuple[int, int]]:
    """One sentence per '. '-separated part: the tests' texts are written that way."""
    spans, start = [], 0
    for part in text.split(". "):
        end = start + len(part) + (1 if start + len(part) < len(text) else 0)
        spans.append((start, min(end, len(text))))
        start = end + 1
    return spans


def events_of(title: str | None, text: str, lang: str) -> list[Event]:
    spans = sentences_of(text)
    article = make_article(
        f"http://outlet/{abs(hash((title, text)))}",
        title=title,
        text=text,
        paragraphs=[text],
        sentences=[Sentence(start=start, end=end) for start, end in spans],
        language=lang,
        direction="rtl" if lang == "ar" else "ltr",
    )
    return article_events(article)


def completed(title: str | None, text: str, lang: str):
    spans = sentences_of(text)
    return complete_mentions(extract_events(text, lang=lang, sentences=spans), text, spans, title, lang)


PROPOSAL = "The European Commission on Tuesday proposed a 21st package of sanctions against Russia."


def test_a_package_number_only_in_the_title_joins_the_adoption_to_the_proposal():
    [proposal] = events_of("Brussels proposes more sanctions", PROPOSAL, "en")
    [adoption] = events_of(
        "EU adopts 21st sanctions package against Russia",
        "EU member states formally adopted new sanctions against Russia on Friday.",
        "en",
    )
    assert adoption.quantity is not None and (adoption.quantity.value, adoption.quantity.unit) == (
        21,
        "package",
    )
    assert adoption.event_key == proposal.event_key
    [without_title] = events_of(None, "EU member states formally adopted new sanctions against Russia.", "en")
    assert without_title.event_key != proposal.event_key  # what the title adds


def test_an_arabic_title_gives_the_package_number_across_languages():
    [proposal] = events_of(None, PROPOSAL, "en")
    [adoption] = events_of(
        "الاتحاد الأوروبي يعتمد الحزمة الـ21 من العقوبات على روسيا",
        "اعتمد الاتحاد الأوروبي عقوبات جديدة على روسيا يوم الجمعة.",
        "ar",
    )
    assert adoption.quantity is not None and adoption.quantity.value == 21
    assert adoption.event_key == proposal.event_key


def test_a_package_number_comes_from_an_earlier_sentence_before_a_later_one():
    text = (
        "The Commission unveiled its 21st package on Monday. "
        "EU ministers formally adopted new sanctions against Russia on Friday. "
        "The 22nd package is already being drafted."
    )
    [mention] = completed("Sanctions news", text, "en")
    assert mention.quantity is not None and mention.quantity.value == 21
    [later] = completed(
        None, "EU ministers adopted new sanctions against Russia. It is the 22nd package.", "en"
    )
    assert later.quantity is not None and later.quantity.value == 22


def test_a_sanction_without_a_package_number_anywhere_keeps_none():
    [mention] = completed(
        "US acts on Iran", "The United States imposed sanctions on Iran on Wednesday.", "en"
    )
    assert mention.quantity is None


def test_an_object_that_is_only_a_number_word_is_dropped_so_a_raised_amount_is_the_same_event():
    [pledge] = events_of(None, "أعلنت اليابان تقديم منحة بقيمة 500 مليون دولار لأوكرانيا.", "ar")
    [raised] = events_of(None, "رفعت اليابان منحتها لأوكرانيا إلى 700 مليون دولار.", "ar")
    assert pledge.object == "منحة" and raised.object is None  # not "مليون"
    assert raised.quantity is not None and (raised.quantity.value, raised.quantity.unit) == (700e6, "USD")
    assert raised.event_key == pledge.event_key
    settings = AlertSettings(debounce_seconds=0)
    decision = track(None, pledge, MessageOrigin(topic="events", partition=0, offset=1), NOW, settings)
    decision = track(
        decision.state, raised, MessageOrigin(topic="events", partition=0, offset=2), NOW, settings
    )
    assert decision.state is not None and len(decision.state.tracked) == 1  # one event, updated
    assert [alert.kind for alert in decision.alerts] == ["update"]


def test_the_title_completes_a_missing_quantity_normalised_in_both_languages():
    [english] = completed(
        "Japan pledges $2.5bn grant to Ukraine", "Japan announced a new grant for Ukraine.", "en"
    )
    assert english.quantity is not None and (english.quantity.value, english.quantity.unit) == (2.5e9, "USD")
    assert english.object == "grant"
    [arabic] = completed(
        "اليابان تتعهد بمنحة بقيمة ثلاثة مليارات يورو لأوكرانيا",
        "أعلنت اليابان تقديم منحة جديدة لأوكرانيا.",
        "ar",
    )
    assert arabic.quantity is not None and (arabic.quantity.value, arabic.quantity.unit) == (3e9, "EUR")


def test_a_title_about_another_event_completes_nothing():
    text = "Japan announced a new grant for Ukraine."
    [alone] = completed(None, text, "en")
    assert completed("US imposes $2bn sanctions on Iran", text, "en") == [alone]
    assert completed("Germany pledges $2bn in weapons to Ukraine", text, "en") == [alone]


def test_amount_only_objects():
    assert (
        is_amount_only("مليون") and is_amount_only("four") and is_amount_only("500") and is_amount_only(None)
    )
    assert not is_amount_only("منحة") and not is_amount_only("grant") and not is_amount_only("IRIS-T")


def test_a_model_name_is_not_a_count():
    [jets] = completed(None, "The Netherlands pledged F-16 fighter jets to Ukraine.", "en")
    assert jets.quantity is None  # not "16 aircraft"
    [counted] = completed(None, "تعهدت هولندا بتسليم 18 طائرة مقاتلة من طراز إف-16 إلى أوكرانيا.", "ar")
    assert counted.quantity is not None and (counted.quantity.value, counted.quantity.unit) == (
        18,
        "aircraft",
    )
