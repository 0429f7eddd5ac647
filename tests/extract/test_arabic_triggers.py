"""Arabic trigger words and the constructions that make them an event or not (issue 15, real-news errors)."""

import pytest
from newsmon.streams.extract.engine import extract_events
from newsmon.streams.extract.model import Combination

# The combination a sure model gives: every object the rules find becomes an event, with the rules' roles
# and vetoes (what `engine._learned_mention` does when the model is at least `add` sure).
MODEL_SURE = Combination(veto=2.0, protect=2.0, add=0.0)


def events_of(text: str, combination: Combination = MODEL_SURE) -> list[tuple[str, str, tuple[str, ...]]]:
    return [
        (e.type, e.status, tuple(p.code for p in e.actors))
        for e in extract_events(text, "ar", combination=combination)
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        # A relief flight is aid given: "طائرة إغاثية", "المستلزمات الطبية", "الجسر الجوي".
        (
            "هبطت الطائرة الإغاثية الكويتية الثالثة في المطار محملة بالمستلزمات الطبية.",
            [("commitment", "announced", ("KWT",))],
        ),
        (
            "وتواصل الطائرات القطرية الجسر الجوي لنقل المستلزمات الطبية إلى غزة.",
            [("commitment", "announced", ("QAT",))],
        ),
    ],
)
def test_relief_deliveries(text, expected):
    assert events_of(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # A lifting named as a time, a condition, a cause or the subject of a claim is not the lifting itself.
        "وقال وزير النفط الفنزويلي إن بلاده ستضاعف صادراتها فور رفع العقوبات الأمريكية عنها.",
        "ويرى محللون أوروبيون أن رفع العقوبات عن سوريا سيجذب استثمارات خليجية كبيرة.",
        "وتتوقع روسيا انخفاض أسعار الغاز في حال رفع العقوبات الأوروبية عنها.",
        "وقالت الحكومة الكوبية إنها ستجني مكاسب كبيرة بفضل تخفيف العقوبات الأمريكية.",
    ],
)
def test_a_lifting_named_as_a_condition_or_a_claim_is_no_event(text):
    assert events_of(text, Combination.rules_only()) == events_of(text) == []


def test_a_lifting_agreed_on_stays_an_event():
    assert events_of("وافقت الدول الكبرى على رفع العقوبات عن طهران.", Combination.rules_only()) == [
        ("sanction", "lifted", ())
    ]


def test_a_measure_dated_from_the_start_of_a_war_is_background():
    text = "وفرضت الدول الغربية عقوبات على روسيا منذ بدء الحرب في أوكرانيا."
    assert events_of(text, Combination.rules_only()) == events_of(text) == []


def test_a_reported_need_for_relief_asks_no_one():
    # An agency reporting that people need aid is no request; a state stating its own need still asks.
    need = "وقالت الأمم المتحدة إن نحو ثلاثة ملايين سوداني في حاجة إلى مساعدات إنسانية عاجلة."
    assert events_of(need, Combination.rules_only()) == []
    asked = "وقال وزير الدفاع الأردني إن بلاده بحاجة إلى منظومات دفاع جوي إضافية."
    assert events_of(asked, Combination.rules_only()) == [("commitment", "called_for", ())]
