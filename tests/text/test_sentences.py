import pytest

from newsmon.text.sentences import split_sentences


def texts(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


def test_arabic_comma_is_not_a_boundary_but_question_and_semicolon_are() -> None:
    text = "قال ماكرون، الخميس، إن 26 دولة ستشارك. هل تنجح المفاوضات؟ ربما؛ والقرار لموسكو!"
    assert texts(text) == [
        "قال ماكرون، الخميس، إن 26 دولة ستشارك.",
        "هل تنجح المفاوضات؟",
        "ربما؛",
        "والقرار لموسكو!",
    ]


def test_closing_quotes_stay_with_their_sentence() -> None:
    assert texts('وأضاف: «القوة دفاعية.» ثم غادر. وقال: "انتهى الأمر." ثم صمت.') == [
        "وأضاف: «القوة دفاعية.»",
        "ثم غادر.",
        'وقال: "انتهى الأمر."',
        "ثم صمت.",
    ]


def test_line_breaks_end_sentences_and_offsets_skip_whitespace() -> None:
    text = "عنوان فرعي\n\nأعلنت الحكومة القرار. ثم انتهى"
    sentences = split_sentences(text)
    assert [(s.start, s.end) for s in sentences] == [(0, 10), (12, 33), (34, 42)]
    assert texts(text) == ["عنوان فرعي", "أعلنت الحكومة القرار.", "ثم انتهى"]


def test_english_abbreviations_initials_and_numbers() -> None:
    text = (
        "Mr. Smith met U.S. officials on Jan. 5 in Washington, e.g. at the State Dept. building. "
        "They agreed on $1.5 billion for J. R. Jones. Next steps? See www.state.gov today."
    )
    assert texts(text) == [
        "Mr. Smith met U.S. officials on Jan. 5 in Washington, e.g. at the State Dept. building.",
        "They agreed on $1.5 billion for J. R. Jones.",
        "Next steps?",
        "See www.state.gov today.",
    ]


def test_arabic_full_stop_without_space_and_double_dot_pause() -> None:
    assert texts("انتهت الحرب.وقال ترمب.. والاستنتاجات بسيطة") == [
        "انتهت الحرب.",
        "وقال ترمب..",
        "والاستنتاجات بسيطة",
    ]


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []
