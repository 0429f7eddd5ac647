"""The per-chunk caches of streams/dedup/words.py compute exactly what their definitions say."""

from __future__ import annotations

import re

import numpy as np
import pytest
from newsmon.streams.dedup import minhash, words

from newsmon.text.normalize import matching_form
from tests.dedup.corpus import STORIES, text

SAMPLES = [text(paragraphs) for paragraphs in STORIES.values()] + [
    "",
    "   ",
    "U.S.-led talks, 26 countries; «quoted» — done.",
    "وبالمفاوضات،الأمم المتحدة (٢٠٢٥) فالاتفاق!",
    "\nA headline\n\n — \nFirst «one.» Second (two!)  third\u2028last؟ one\n",
]


@pytest.mark.parametrize("sample", SAMPLES)
def test_matching_words_are_the_words_of_the_matching_form(sample: str):
    assert words.matching_words(sample) == re.findall(r"\w+", matching_form(sample))


@pytest.mark.parametrize("sample", SAMPLES)
def test_word_hashes_are_the_hashes_of_the_matching_words(sample: str):
    expected = np.array([words.word_hash(word) for word in words.matching_words(sample)], dtype=np.uint64)
    assert np.array_equal(words.hashed_words(sample).hashes, expected)


@pytest.mark.parametrize("sample", SAMPLES)
def test_sentence_ends_are_the_last_words_of_sentence_final_chunks_and_of_lines(sample: str):
    expected: list[bool] = []
    for line in sample.splitlines():
        marks: list[bool] = []
        for chunk in line.split():
            marks += [False] * len(words.chunk_words(chunk))
            if marks and words.chunk_words(chunk) and chunk.rstrip("\"')]»”’")[-1] in ".!?؟…":
                marks[-1] = True
        expected += marks[:-1] + [True] if marks else []
    assert words.hashed_words(sample).sentence_ends.tolist() == expected


@pytest.mark.parametrize("sample", SAMPLES)
def test_repeated_shingles_leave_the_signature_of_the_distinct_set(sample: str):
    hashes = minhash.shingle_hashes(words.hashed_words(sample + "\n\n" + sample).hashes, 3)
    assert np.array_equal(
        minhash.signature_of_hashes(hashes, 64), minhash.signature_of_hashes(np.unique(hashes), 64)
    )
