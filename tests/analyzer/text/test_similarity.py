"""The one-permutation MinHash behind the near-duplicate bands: values agree as often as the
sets overlap (Jaccard), for large sets and for sets smaller than the signature, and bands
make near-identical texts candidates and unrelated ones not. Inputs come from fixed seeds, so
every run checks the same sets."""

from __future__ import annotations

import random
from statistics import fmean

from hypothesis import given
from hypothesis import strategies as st

from sanad_analyzer.text.similarity import BINS, bands, signature


def pair_with_jaccard(
    generator: random.Random, size: int, jaccard: float
) -> tuple[frozenset[str], frozenset[str]]:
    """Two sets of `size` features each whose Jaccard similarity is as close to `jaccard` as
    whole features allow."""
    shared = round(2 * size * jaccard / (1 + jaccard))
    features = [f"w{generator.getrandbits(48):x}" for _ in range(2 * size - shared)]
    common = features[:shared]
    return (
        frozenset(common + features[shared:size]),
        frozenset(common + features[size : 2 * size - shared]),
    )


def jaccard(one: frozenset[str], other: frozenset[str]) -> float:
    return len(one & other) / len(one | other)


def agreement(one: frozenset[str], other: frozenset[str]) -> float:
    return sum(a == b for a, b in zip(signature(one), signature(other), strict=True)) / BINS


def test_values_agree_as_often_as_large_sets_overlap() -> None:
    generator = random.Random(1)
    for target in (0.1, 0.5, 0.64, 0.9):
        pairs = [pair_with_jaccard(generator, 400, target) for _ in range(150)]
        truth = fmean(jaccard(*pair) for pair in pairs)
        estimate = fmean(agreement(*pair) for pair in pairs)
        assert abs(estimate - truth) < 0.02, (target, truth, estimate)


def test_values_agree_as_often_as_small_sets_overlap_with_unreached_bins_borrowed() -> None:
    generator = random.Random(2)
    for size in (3, 12, 40):
        for target in (0.2, 0.6):
            pairs = [pair_with_jaccard(generator, size, target) for _ in range(300)]
            truth = fmean(jaccard(*pair) for pair in pairs)
            estimate = fmean(agreement(*pair) for pair in pairs)
            assert abs(estimate - truth) < 0.04, (size, target, truth, estimate)


def candidate_share(pairs: list[tuple[frozenset[str], frozenset[str]]]) -> float:
    return fmean(not set(bands(one)).isdisjoint(bands(other)) for one, other in pairs)


def test_bands_make_near_identical_texts_candidates_and_unrelated_ones_not() -> None:
    generator = random.Random(3)
    alike = [pair_with_jaccard(generator, 300, 0.64) for _ in range(300)]
    unrelated = [pair_with_jaccard(generator, 300, 0.05) for _ in range(300)]

    assert candidate_share(alike) >= 0.98
    assert candidate_share(unrelated) <= 0.02


@given(st.frozensets(st.text(min_size=1, max_size=30), min_size=1, max_size=80))
def test_a_signature_holds_only_hashes_of_its_own_features(features: frozenset[str]) -> None:
    values = signature(features)
    own = {signature(frozenset({feature}))[0] for feature in features}

    assert len(values) == BINS
    assert set(values) <= own


def test_bands_of_the_same_features_are_the_same_and_differ_for_others() -> None:
    text = frozenset({"returns", "within", "returns within", "14", "days"})
    other = frozenset({"shipping", "is", "free", "shipping is", "is free"})

    assert bands(text) == bands(frozenset(text))
    assert len(bands(text)) == 20
    assert set(bands(text)).isdisjoint(bands(other))


def test_band_keys_stay_what_stores_already_hold() -> None:
    """Stored analyses are found by these keys: a change to the hash or the bins would leave
    every analysis already stored unreachable until it expires."""
    keys = bands(frozenset({"returns", "within", "returns within", "14", "days"}))

    assert keys[:3] == ["00:6345361f0877", "01:76040abe81ed", "02:76c5cf9b6675"]
