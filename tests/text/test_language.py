import random

import pytest

from newsmon.settings.clean import CleanSettings
from newsmon.text.language import _LETTER, _letters_at_least, arabic_or_english, identify_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Short text.", "und"),
        ("12 34 5678 " * 50 + "a b c", "und"),  # long, but fewer letters than min_language_letters
        ("The European Union agreed new sanctions against Russia on Thursday.", "en"),
        ("أعلن الرئيس الفرنسي التزام 26 دولة بالمشاركة في قوة طمأنة.", "ar"),
    ],
)
def test_too_few_letters_is_undetermined(text: str, expected: str) -> None:
    settings = CleanSettings()
    language = identify_language(
        text,
        settings.language_candidates,
        min_confidence=settings.min_language_confidence,
        min_letters=settings.min_language_letters,
        sample_chars=settings.language_sample_chars,
    )
    assert language == expected


def test_letter_threshold_counts_letters_like_findall() -> None:
    rng = random.Random(2)
    for _ in range(5_000):
        text = "".join(rng.choice("ab1 _.،ب٣\u0301\n") for _ in range(rng.randint(0, 60)))
        count = rng.randint(1, 30)
        assert bool(_letters_at_least(count).match(text)) == (len(_LETTER.findall(text)) >= count), (
            text,
            count,
        )


def test_arabic_or_english_by_share_of_letters():
    assert arabic_or_english("أعلنت فرنسا إرسال قوات") == "ar"
    assert arabic_or_english("France will send troops") == "en"
