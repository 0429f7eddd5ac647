"""MinHash signatures and LSH band keys for near-duplicate detection (numpy, no Faust, no state but caches).

A signature is `num_perm` unsigned 32-bit minima over the hashed word shingles of an article's matching form;
the fraction of equal positions between two signatures estimates the Jaccard similarity of their shingle
sets. Band keys cut the signature into `bands` slices of `rows` values: two articles share a band key with
probability 1 - (1 - J^rows)^bands, which is what makes the index a set of exact-match look-ups that can be
partitioned by key across workers.

Everything is deterministic across processes and machines (crc32 word hashes, see words.py; fixed permutation
seeds): the same text always gives the same signature and keys, which the idempotent Kafka hops rely on.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from functools import lru_cache

import numpy as np

_MIX_1 = np.uint64(0x9E3779B97F4A7C15)
_MIX_2 = np.uint64(0xC2B2AE3D27D4EB4F)
_SHIFT = np.uint64(32)
_SEED = 0x6E6577736D6F6E  # "newsmon": changing it changes every signature, so it is fixed forever


def shingle_hashes(hashed: np.ndarray, size: int) -> np.ndarray:
    """64-bit hashes of the `size`-word shingles of a text's word hashes, in text order (the whole text as one
    shingle when shorter). A repeated shingle repeats its hash: the signature takes minima, so it is the
    signature of the distinct set all the same, without the cost of deduplicating (~45 µs an article)."""
    if not hashed.size:
        return np.zeros(0, dtype=np.uint64)
    width = min(size, len(hashed))
    count = len(hashed) - width + 1
    combined = hashed[:count].copy()
    with np.errstate(over="ignore"):  # wrap-around multiplication is the mixing, not an error
        for offset in range(1, width):
            combined = combined * _MIX_1 + hashed[offset : offset + count] * _MIX_2
    return combined


@lru_cache(maxsize=8)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(_SEED)
    # Multiply-shift hashing: odd multipliers, the high 32 bits of a*x + b are a 2-universal hash of x.
    multipliers = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    offsets = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    return multipliers, offsets


def signature_of_hashes(hashes: np.ndarray, num_perm: int) -> np.ndarray:
    """The MinHash signature (uint32[num_perm]) of 64-bit shingle hashes; repeated hashes change nothing."""
    if hashes.size == 0:
        return np.full(num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    multipliers, offsets = _permutations(num_perm)
    # In place on one (num_perm x shingles) matrix: three times faster than building temporaries, and each
    # minimum a reduction along a contiguous row (a third faster than along columns). The shift to the high
    # 32 bits is monotonic, so it is applied to the minima only.
    permuted = np.multiply.outer(multipliers, hashes)
    permuted += offsets[:, np.newaxis]
    return (permuted.min(axis=1) >> _SHIFT).astype(np.uint32)


def signature(word_hashes: np.ndarray, num_perm: int, shingle_size: int) -> np.ndarray:
    """The MinHash signature of a text's `shingle_size`-word shingles, from its word hashes
    (`words.hashed_words`)."""
    return signature_of_hashes(shingle_hashes(word_hashes, shingle_size), num_perm)


def similarity(first: np.ndarray, second: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    return float(np.count_nonzero(first == second)) / len(first)


def band_keys(sig: np.ndarray, bands: int, rows: int) -> list[str]:
    """One index key per band: articles sharing any key are near-duplicate candidates."""
    if bands * rows > len(sig):
        raise ValueError(
            f"{bands} bands x {rows} rows need {bands * rows} values, the signature has {len(sig)}"
        )
    raw = sig.astype("<u4").tobytes()
    width = rows * 4
    return [
        f"nd:{band}:{hashlib.blake2b(raw[band * width : (band + 1) * width], digest_size=8).hexdigest()}"
        for band in range(bands)
    ]


def check_packed(text: str) -> str:
    """`text` if it is base64 of whole little-endian uint32s (how signatures and story features travel), else
    a ValueError: a record carrying anything else is refused when decoded, not when an index compares with
    it."""
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"not base64: {exc}") from exc
    if len(raw) % 4:
        raise ValueError(f"{len(raw)} bytes are not whole uint32 values")
    return text


def encode(sig: np.ndarray) -> str:
    """A signature as compact text for JSON messages and table values."""
    return base64.b64encode(sig.astype("<u4").tobytes()).decode("ascii")


@lru_cache(maxsize=16_384)  # the index decodes each entry's signature again for every later candidate
def decode(text: str) -> np.ndarray:
    signature = np.frombuffer(base64.b64decode(text), dtype="<u4")
    signature.flags.writeable = False  # shared through the cache
    return signature
