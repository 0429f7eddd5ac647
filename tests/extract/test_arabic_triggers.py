"""Arabic trigger words and the constructions that make them an event or not (issue 15, real-news errors)."""

import numpy as np
import pytest
from newsmon.streams.extract.engine import extract_events
from newsmon.streams.extract.model import COLUMNS, FEATURE_BITS, Combination, SentenceModel

# A sentence model sure of both types (P ≈ 1 whatever the text), so that what the engine makes of a sure
# model (`engine._learned_mention`) is tested apart from the shipped weights.
SURE = SentenceModel(
    np.zeros((1 << FEATURE_BITS, len(COLUMNS)), dtype=np.float32),
    np.full(len(COLUMNS), 10.0, dtype=np.float32),
    {language: Combination(veto=0.4, protect=0.9, add=0.7) for language in ("ar", "en")},
)


def events_of(text: str, combination: Combination | None = None) -> list[tuple[str, str, tuple[str, ...]]]:
    return [
        (e.type, e.status, tuple(p.code for p in e.actors))
        for e in extract_events(text, "ar", combination=combination, model=SURE)
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


def test_a_sanction_a_cue_governs_needs_no_named_actor_when_the_model_is_sure():
    # "The council threatened consequences that may include sanctions": a threat, by a body the gazetteer
    # does not name, on no named target.
    text = "وهددت اللجنة بعواقب قد تشمل فرض عقوبات."
    assert events_of(text, Combination.rules_only()) == []
    assert events_of(text) == [("sanction", "threatened", ())]


def test_lifting_a_freeze_is_a_lifted_asset_freeze():
    text = "وقررت سويسرا رفع التجميد عن الأصول الليبية في مصارفها."
    assert events_of(text, Combination.rules_only()) == [("sanction", "lifted", ("CHE",))]


@pytest.mark.parametrize(
    "text",
    [
        # Sanctions as the subject of an assessment (their difficulty, the power to impose them, their
        # failure), not a measure taken.
        "وقال وزير الخارجية الفرنسي إنه أصبح من الصعب فرض عقوبات جديدة على إيران.",
        "وأقرت الخارجية الأمريكية بفشل العقوبات على كوبا.",
        "وتستخدم الصين قدرتها على فرض قيود تجارية على جيرانها.",
    ],
)
def test_sanctions_assessed_are_no_event(text):
    assert events_of(text, Combination.rules_only()) == events_of(text) == []


@pytest.mark.parametrize(
    "text",
    [
        # Criminal and disciplinary penalties are not sanctions (the guidelines: "عقوبة السجن").
        "وفرضت السلطات المصرية عقوبات جنائية على المتهمين في القضية.",
        "وقررت الحكومة الأردنية تشديد عقوبة السجن على مهربي المخدرات.",
    ],
)
def test_criminal_penalties_are_no_sanctions(text):
    assert events_of(text, Combination.rules_only()) == events_of(text) == []


def test_selling_arms_to_a_state_provides_them():
    text = "وقالت فرنسا إنها ستسرع بيع الأسلحة للجيش اللبناني."
    assert events_of(text, Combination.rules_only()) == [("commitment", "announced", ("FRA",))]


def test_arms_an_export_ban_names_are_no_delivery():
    text = "وطالب البرلمان الأوروبي الحكومة الفرنسية بحظر تصدير الأسلحة إلى السودان."
    assert [event[0] for event in events_of(text, Combination.rules_only())] == ["sanction"]


@pytest.mark.parametrize(
    "text",
    [
        # Words of a measure in another sense: "the use of force", guarantees of compliance.
        "وهددت الصين باستخدام القوة ضد تايوان إذا أعلنت استقلالها.",
        "وطالبت إيران الدول الأوروبية بضمانات تؤكد التزامها بتعهداتها.",
    ],
)
def test_force_and_guarantees_in_another_sense(text):
    assert events_of(text, Combination.rules_only()) == events_of(text) == []


def test_after_is_no_refusal():
    # "بعدما" (after) reads as ب + عدم + ا, "by not"; it dates the clause and refuses nothing.
    text = "وقال الوزير الياباني إن التوتر تصاعد بعدما فرضت الولايات المتحدة عقوبات جديدة على كوريا الشمالية."
    assert events_of(text, Combination.rules_only()) == [("sanction", "announced", ("USA",))]


def test_the_monetary_fund_without_international_is_the_imf():
    text = "وقال وزير المالية التونسي إن صندوق النقد سيقدم قرضا جديدا لبلاده الشهر المقبل."
    assert events_of(text, Combination.rules_only()) == [("commitment", "announced", ("IMF",))]


@pytest.mark.parametrize(
    "text",
    [
        # Failing to agree on a measure leaves it proposed, the failure word near it or not.
        "وفشل وزراء خارجية الاتحاد الأوروبي في الاتفاق على عقوبات جديدة ضد بيلاروسيا.",
        "والاتحاد الأوروبي يخفق مجددا في التوصل إلى اتفاق بشأن حزمة عقوبات جديدة على إيران.",
    ],
)
def test_failing_to_agree_on_sanctions_proposes_them(text):
    assert events_of(text, Combination.rules_only()) == [("sanction", "proposed", ("EU",))]


def test_an_approval_of_a_loan_provides_it():
    # "موافقة" (approval), the verbal noun of "وافق", licenses what it approves like the verb.
    text = "وأكد البنك الدولي موافقة مجلسه التنفيذي على قرض جديد للأردن بقيمة 500 مليون دولار."
    assert events_of(text, Combination.rules_only()) == [("commitment", "announced", ("WB",))]


@pytest.mark.parametrize(
    "text, expected",
    [
        # Refraining from or resisting a measure refuses it, as "refrained" and "resist" do in English.
        (
            "وتواصل الحكومة المجرية إحجامها عن فرض عقوبات جديدة على روسيا.",
            [("sanction", "refused", ("HUN",))],
        ),
        (
            "ولا تزال الحكومة النمساوية تقاوم إرسال أسلحة إلى أوكرانيا.",
            [("commitment", "refused", ("AUT",))],
        ),
    ],
)
def test_refraining_and_resisting_refuse(text, expected):
    assert events_of(text, Combination.rules_only()) == expected


def test_the_nearer_of_a_request_and_a_threat_governs():
    # A request in the first clause does not frame a threat that governs the measure in the second.
    text = "ودعت المعارضة البرلمان إلى التحقيق في الصفقة، فيما لوحت فرنسا بفرض عقوبات على مالي."
    assert events_of(text, Combination.rules_only()) == [("sanction", "threatened", ("FRA",))]


def test_a_deal_that_failed_is_no_failure_to_agree():
    text = "وقال الوزير إن فشل الاتفاق دفع واشنطن إلى فرض عقوبات جديدة على إيران."
    assert events_of(text, Combination.rules_only()) == [("sanction", "announced", ("USA",))]


def test_a_sure_model_adds_the_object_the_rules_licensed():
    # The rules find the refused troops but no state behind "the West"; the model's event is those troops,
    # not the fighter jets named first.
    text = "وقال الوزير إن المقاتلات تعني وجود مئات الفنيين، ولن يقوم الغرب بإرسال قوات إلى أوكرانيا."
    assert events_of(text) == [("commitment", "refused", ())]


def test_people_needing_relief_is_no_event():
    # A need word governing relief reports a need; the agency saying so gives nothing, even to a sure model.
    text = "وقالت منظمة الصحة العالمية إن نحو مليوني سوداني يحتاجون إلى مساعدات إنسانية عاجلة."
    assert events_of(text, Combination.rules_only()) == events_of(text) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        # "تلويح" is the verbal noun of "لوح" (brandished): a threat, like the verb.
        (
            "وانتقد رئيس الوزراء تلويح بريطانيا بفرض عقوبات جديدة على إيران.",
            [("sanction", "threatened", ("GBR",))],
        ),
        # Considering a measure proposes it ("ينظر في" already did).
        (
            "وقال مسؤولون إن فرنسا تفكر في فرض عقوبات على مالي.",
            [("sanction", "proposed", ("FRA",))],
        ),
    ],
)
def test_brandishing_threatens_and_considering_proposes(text, expected):
    assert events_of(text, Combination.rules_only()) == expected


def test_an_aid_package_keeps_its_kind():
    # The longest match "حزمة مساعدات" must not swallow the "عسكرية" that makes it weapons.
    text = "وأعلنت ألمانيا تزويد أوكرانيا بحزمة مساعدات عسكرية جديدة."
    (event,) = extract_events(text, "ar", combination=Combination.rules_only(), model=SURE)
    assert (event.category, tuple(p.code for p in event.actors)) == ("weapons", ("DEU",))
