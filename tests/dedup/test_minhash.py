"""The per-chunk caches of streams/dedup/minhash.py compute exactly what their definitions say."""

from __future__ import annotations

import re

import numpy as np
import pytest
from newsmon.streams.dedup import minhash

from newsmon.text.normalize import matching_form
from tests.dedup.corpus import STORIES, text

SAMPLES = [text(paragraphs) for paragraphs in STORIES.values()] + [
    "",
    "   ",
    "U.S.-led talks, 26 countries; «quoted» — done.",
    "وبالمفاوضات،الأمم المتحدة (٢٠٢٥) فالاتفاق!",
]


@pytest.mark.parametrize("sample", SAMPLES)
def test_matching_words_are_the_words_of_the_matching_form(sample: str):
    assert minhash.matching_words(sample) == re.findall(r"\w+", matching_form(sample))


@pytest.mark.parametrize("sample", SAMPLES)
def test_word_hashes_are_the_hashes_of_the_matching_words(sample: str):
    expected = np.array(
        [minhash._word_hash(word) for word in minhash.matching_words(sample)], dtype=np.uint64
    )
    assert np.array_equal(minhash.word_hashes(sample), expected)


@pytest.mark.parametrize("sample", SAMPLES)
def test_repeated_shingles_leave_the_signature_of_the_distinct_set(sample: str):
    hashes = minhash.shingle_hashes(minhash.word_hashes(sample + "\n\n" + sample), 3)
    assert np.array_equal(
        minhash.signature_of_hashes(hashes, 64), minhash.signature_of_hashes(np.unique(hashes), 64)
    )
