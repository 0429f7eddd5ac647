"""Normalisation and offset mapping."""

from newsmon.streams.extract.normalize import detect_language, normalise, normalise_term


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


def test_language_detection():
    assert detect_language("أعلنت فرنسا إرسال قوات") == "ar"
    assert detect_language("France will send troops") == "en"
