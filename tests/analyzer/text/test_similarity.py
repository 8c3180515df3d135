"""The MinHash signature behind the near-duplicate bands is datasketch's "affine32" MinHash,
value for value, so band keys already in a store stay valid."""

from __future__ import annotations

import numpy as np
from datasketch import MinHash
from hypothesis import given
from hypothesis import strategies as st

from sanad_analyzer.text.similarity import NUM_PERM, bands, signature

SEED = 20261129
"""The seed similarity.py draws its permutations with."""


def datasketch_signature(features: frozenset[str]) -> np.ndarray:
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32")
    minhash.update_batch([feature.encode() for feature in sorted(features)])
    values: np.ndarray = minhash.hashvalues
    return values


@given(st.frozensets(st.text(min_size=1, max_size=30), max_size=80))
def test_the_signature_is_datasketch_s_affine32_minhash(features: frozenset[str]) -> None:
    ours = signature(features)

    assert ours.dtype == np.uint32
    assert np.array_equal(ours, datasketch_signature(features))


def test_bands_of_the_same_features_are_the_same_and_differ_for_others() -> None:
    text = frozenset({"returns", "within", "returns within", "14", "days"})
    other = frozenset({"shipping", "is", "free", "shipping is", "is free"})

    assert bands(text) == bands(frozenset(text))
    assert len(bands(text)) == 20
    assert set(bands(text)).isdisjoint(bands(other))
