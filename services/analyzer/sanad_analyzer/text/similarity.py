"""How alike two policy texts are, and the MinHash bands that find candidates quickly.

A text's features are its words and word pairs in the matching form (`normalise.py`): words
make a renamed shop or an added sentence cost little, pairs keep some word order. Two texts'
similarity is the cosine (Ochiai) coefficient of their feature sets, |A∩B| / sqrt(|A|·|B|):
unlike Jaccard it does not halve when one text gains a sentence the other lacks.

Searching every stored text is too slow, so candidates come from locality-sensitive hashing:
a MinHash signature of the feature set is cut into bands of a few values each,
and texts sharing any band are candidates. With 20 bands of 3 values, a pair whose Jaccard
similarity is 0.64 (about where the cosine reaches 0.8) becomes a candidate with probability
1 - (1 - 0.64³)²⁰ ≈ 0.998; unrelated texts (Jaccard below 0.1) almost never do. Candidates
are then scored exactly, and the numbers rule (`numbers.py`) vetoes any whose numbers differ.

The signature is datasketch's MinHash with its "affine32" scheme, value for value (a test
compares the two), computed here with numpy alone: importing datasketch imports scipy,
which cost the analyzer about 65 MiB of resident memory for the twenty lines used.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from sanad_analyzer.text.normalise import words
from sanad_analyzer.text.numbers import number_signature

BANDS = 20
"""MinHash bands: more bands find lower similarities, at one index set per band."""
ROWS_PER_BAND = 3
"""Signature values per band: more rows make a shared band rarer between unrelated texts."""
NUM_PERM = BANDS * ROWS_PER_BAND
_SEED = 20261129
_UINT32_MAX = np.uint32(0xFFFFFFFF)


def _mersenne_twister(seed: int) -> random.Random:
    """A Mersenne Twister in the state ``numpy.random.RandomState(seed)`` starts from.

    Both generators are MT19937; numpy seeds an integer with the reference ``init_genrand``,
    which is reproduced here, so ``getrandbits(32)`` yields numpy's 32-bit draws without
    importing numpy.random (2.5 MiB of the analyzer for 120 numbers drawn at import).
    """
    state = [seed & 0xFFFFFFFF]
    for index in range(1, 624):
        previous = state[-1]
        state.append((1812433253 * (previous ^ (previous >> 30)) + index) & 0xFFFFFFFF)
    generator = random.Random()
    generator.setstate((3, (*state, 624), None))
    return generator


def _permutations(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The affine permutations h -> a * h + b (mod 2**32), a odd, as datasketch draws them.

    datasketch draws ``RandomState(seed).randint(0, 2**31)`` then ``randint(0, 2**32)``, each
    ``count`` times as uint32; for those two ranges numpy's draw is one 32-bit output, masked
    to 31 bits for the first.
    """
    generator = _mersenne_twister(seed)
    a = np.array([generator.getrandbits(32) & 0x7FFFFFFF for _ in range(count)], dtype=np.uint32)
    b = np.array([generator.getrandbits(32) for _ in range(count)], dtype=np.uint32)
    return a * np.uint32(2) + np.uint32(1), b


_A, _B = _permutations(NUM_PERM, _SEED)


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (wrapping arithmetic), mixing each input hash once."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = values ^ (values >> np.uint32(16))
    return mixed


def signature(feature_set: frozenset[str]) -> np.ndarray:
    """The MinHash signature (NUM_PERM unsigned 32-bit values) of a feature set."""
    if not feature_set:
        return np.full(NUM_PERM, _UINT32_MAX, dtype=np.uint32)
    hashes = np.array(
        [
            int.from_bytes(hashlib.sha1(feature.encode()).digest()[:4], "little")
            for feature in sorted(feature_set)
        ],
        dtype=np.uint32,
    ).reshape(-1, 1)
    permuted: np.ndarray = _fmix32(hashes) * _A + _B
    minima: np.ndarray = permuted.min(axis=0)
    return minima


def features(tokens: Sequence[str]) -> frozenset[str]:
    """Words and adjacent word pairs of a text's words in matching form."""
    pairs = (f"{first} {second}" for first, second in itertools.pairwise(tokens))
    return frozenset((*tokens, *pairs))


def similarity(one: frozenset[str], other: frozenset[str]) -> float:
    """Cosine (Ochiai) coefficient of two feature sets: 1.0 for the same, 0.0 for disjoint."""
    if not one or not other:
        return 1.0 if one == other else 0.0
    return len(one & other) / math.sqrt(len(one) * len(other))


def bands(feature_set: frozenset[str]) -> list[str]:
    """The text's LSH band keys: "<band index>:<hash of its signature values>"."""
    values = signature(feature_set)
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS_PER_BAND : (band + 1) * ROWS_PER_BAND]
        digest = hashlib.blake2b(chunk.tobytes(), digest_size=6).hexdigest()
        keys.append(f"{band:02d}:{digest}")
    return keys


@dataclass(frozen=True)
class Fingerprint:
    """What the near-duplicate search keeps and compares of one text."""

    words: tuple[str, ...]
    """The words of the matching form, in order."""
    numbers: frozenset[tuple[Decimal, str]]
    """Every number with its unit (`numbers.number_signature`)."""

    @classmethod
    def of(cls, text: str) -> Fingerprint:
        """The fingerprint of a policy text."""
        return cls(tuple(words(text)), number_signature(text))

    @functools.cached_property
    def features(self) -> frozenset[str]:
        """Words and word pairs."""
        return features(self.words)

    def similarity_to(self, other: Fingerprint) -> float:
        """How alike the two texts are; 0.0 whenever their numbers differ (the numbers rule)."""
        if self.numbers != other.numbers:
            return 0.0
        return similarity(self.features, other.features)
