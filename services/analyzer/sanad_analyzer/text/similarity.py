"""How alike two policy texts are, and the MinHash bands that find candidates quickly.

A text's features are its words and word pairs in the matching form (`normalise.py`): words
make a renamed shop or an added sentence cost little, pairs keep some word order. Two texts'
similarity is the cosine (Ochiai) coefficient of their feature sets, |A∩B| / sqrt(|A|·|B|):
unlike Jaccard it does not halve when one text gains a sentence the other lacks.

Searching every stored text is too slow, so candidates come from locality-sensitive hashing:
a MinHash signature of the feature set is cut into bands of a few values each, and texts
sharing any band are candidates. With 20 bands of 3 values, a pair whose Jaccard similarity
is 0.64 (about where the cosine reaches 0.8) becomes a candidate with probability
1 - (1 - 0.64³)²⁰ ≈ 0.998; unrelated texts (Jaccard below 0.1) almost never do. Candidates
are then scored exactly, and the numbers rule (`numbers.py`) vetoes any whose numbers differ,
so a band shared by chance costs a comparison, never a wrong answer.

The signature is one-permutation MinHash with optimal densification (Shrivastava, ICML 2017):
each feature is hashed once, the hash picks one of the signature's bins, and each bin keeps
the smallest hash it was given; a bin no feature reached takes the value of the first
reached bin in its own fixed donor order. Two sets then agree on a bin with probability
equal to their Jaccard similarity, as with one hash function per value, for one hash per
feature instead of one per feature and value: fast enough in plain Python that the analyzer
needs no numpy (docs/decisions.md).
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
from typing import Final

from sanad_analyzer.text.normalise import words
from sanad_analyzer.text.numbers import number_signature

BANDS: Final = 20
"""MinHash bands: more bands find lower similarities, at one index set per band."""
ROWS_PER_BAND: Final = 3
"""Signature values per band: more rows make a shared band rarer between unrelated texts."""
BINS: Final = BANDS * ROWS_PER_BAND
"""Values in a signature, one per bin."""
_SEED: Final = 20261129
_UNREACHED: Final = (1 << 64) - 1
"""A bin no feature hashed to; above every 64-bit hash."""


def _donor_orders(seed: int) -> tuple[tuple[int, ...], ...]:
    """For each bin, every other bin in a fixed random order: where an unreached bin borrows.

    Both texts of a comparison borrow in the same order, which is what keeps a borrowed
    value's chance of agreeing equal to the Jaccard similarity.
    """
    generator = random.Random(seed)
    orders = []
    for bin_ in range(BINS):
        others = [other for other in range(BINS) if other != bin_]
        generator.shuffle(others)
        orders.append(tuple(others))
    return tuple(orders)


_DONORS: Final = _donor_orders(_SEED)


def signature(feature_set: frozenset[str]) -> tuple[int, ...]:
    """The MinHash signature (BINS 64-bit values) of a feature set.

    A feature's hash is an eight-byte BLAKE2b digest (the same in every process, unlike
    ``hash``). Its remainder by BINS picks its bin; within a bin every hash has that
    remainder, so the smallest hash is the smallest of the rest of its bits as well.
    """
    minima = [_UNREACHED] * BINS
    blake2b, from_bytes = hashlib.blake2b, int.from_bytes
    for feature in feature_set:
        value = from_bytes(blake2b(feature.encode(), digest_size=8).digest(), "little")
        bin_ = value % BINS
        if value < minima[bin_]:  # noqa: PLR1730 - min() would be a quarter slower here
            minima[bin_] = value
    if _UNREACHED not in minima or not feature_set:
        return tuple(minima)
    reached = tuple(minima)
    for bin_, value in enumerate(reached):
        if value == _UNREACHED:
            minima[bin_] = next(reached[d] for d in _DONORS[bin_] if reached[d] != _UNREACHED)
    return tuple(minima)


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
        packed = b"".join(value.to_bytes(8, "little") for value in chunk)
        digest = hashlib.blake2b(packed, digest_size=6).hexdigest()
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
