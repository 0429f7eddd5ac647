import random

import pytest
from newsmon.streams.clean.language import _LETTER, _letters_at_least, identify_language

from newsmon.settings.clean import CleanSettings


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
    assert identify_language(text, CleanSettings()) == expected


def test_letter_threshold_counts_letters_like_findall() -> None:
    rng = random.Random(2)
    for _ in range(5_000):
        text = "".join(rng.choice("ab1 _.،ب٣\u0301\n") for _ in range(rng.randint(0, 60)))
        count = rng.randint(1, 30)
        assert bool(_letters_at_least(count).match(text)) == (len(_LETTER.findall(text)) >= count), (
            text,
            count,
        )
