from streams.clean.normalize import display_form, matching_form


def test_display_form_strips_invisibles_and_unifies_quotes_and_dashes() -> None:
    raw = "\u200fقال\u200b «السلام» \u201cقريب\u201d \u2014 ‘yes’\u00a0\u00a0now\u202a\r\nسطر"
    assert display_form(raw) == "قال \"السلام\" \"قريب\" - 'yes' now\nسطر"


def test_display_form_keeps_original_arabic_letters() -> None:
    text = "أُعلن إيرانُ آلافَ مدرسةٍ على ـــ"
    assert display_form(text) == text


def test_display_form_decomposes_presentation_forms_only() -> None:
    assert display_form("ﻻ ½ Ａ") == "لا ½ A"


def test_matching_form_folds_arabic_variants() -> None:
    assert matching_form("أَعلنَ إِيران آلاف ٱلمدرسة على مبنى") == "اعلن ايران الاف المدرسه علي مبني"
    assert matching_form("المـــــنطقة ٢٠٢٥ ۱۹") == "المنطقه 2025 19"


def test_matching_form_lowercases_latin_and_collapses_whitespace() -> None:
    assert matching_form("  EU\tSanctions\n\n on   Russia ") == "eu sanctions on russia"


def test_matching_form_equal_for_spelling_variants() -> None:
    a = "وأكدت ميلوني أن الاجتماع سيعزز “السلام”."
    b = "وأكّدت ميلونى ان الاجتماع سيعزز «السلام»."
    assert matching_form(a) == matching_form(b)
