import random

from newsmon.text.normalize import (
    display_form,
    matching_form,
    matching_form_of_display,
    normalise,
    normalise_term,
)


def test_display_form_strips_invisibles_and_unifies_quotes_and_dashes() -> None:
    raw = "\u200fقال\u200b «السلام» \u201cقريب\u201d \u2014 ‘yes’\u00a0\u00a0now\u202a\r\nسطر"
    assert display_form(raw) == 'قال "السلام" "قريب" - \'yes\' now\nسطر'


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


def test_matching_form_of_display_text_equals_matching_form() -> None:
    # clean skips the display pass for text that is already in display form (lines, titles, the article text):
    # the result must be the very same (text_hash is compared across articles and restarts).
    alphabet = (
        list("aAsSΣσςİIiß ﬁ\u0301\u0308\u0651\u064b\u0640\n\r\t\v\f.,-\"'أإآٱىةیکابت٠١۱")
        + [
            chr(c)
            for c in [
                *range(0x200B, 0x2070),
                *range(0xFB50, 0xFB58),
                *range(0xFDF0, 0xFE00),
                *range(0xFE70, 0xFF00, 3),
                *range(0xFF01, 0xFF20),
                *range(0x0300, 0x0370, 5),
            ]
        ]
        + ["\u00a0", "\u3000", "\u0085", "\u2028", "\x1c", "\ud800", "\u00ad", "\ufeff"]
    )
    rng = random.Random(5)
    for _ in range(20_000):
        display = display_form("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 20))))
        for text in (display, *display.splitlines(), " ".join(display.split())):
            assert matching_form_of_display(text) == matching_form(text), repr(text)


# The extraction engine's offset-preserving form.


def test_arabic_forms_are_unified():
    assert normalise("أعلنت إيطاليا آلية ٱلدعم").text == "اعلنت ايطاليا اليه الدعم"
    assert normalise("مستشفى").text == "مستشفي"
    assert normalise("٢٦ دولة و۱۵").text == "26 دوله و15"


def test_dropped_marks_keep_offsets():
    original = "متعهِّداً بتقديم ضمانات"
    normalised = normalise(original)
    assert normalised.text == "متعهدا بتقديم ضمانات"
    start = normalised.text.index("بتقديم")
    mapped = normalised.to_original(start, start + len("بتقديم"))
    assert original[mapped[0] : mapped[1]] == "بتقديم"


def test_tatweel_and_latin_case():
    normalised = normalise("الـ19 Sanctions")
    assert normalised.text == "ال19 sanctions"
    start, end = normalised.to_original(5, 14)
    assert "الـ19 Sanctions"[start:end] == "Sanctions"


def test_identity_map_without_dropped_marks():
    assert normalise("Kyiv asks").origin is None


def test_terms_collapse_hyphens_and_spaces():
    assert normalise_term("Air-Defence   systems") == "air defence systems"
