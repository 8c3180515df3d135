"""The memory soak's verdict: the limit at the end, and flat over the last half."""

from __future__ import annotations

from bench.memory_soak import GROWTH_TOLERANCE_MIB, RSS_LIMIT_MIB, SAMPLES, Soak, render


def _soak(half: float, end: float) -> Soak:
    """Ten samples rising to ``half`` at N/2, then to ``end`` at N."""
    first = [half * (k + 1) / (SAMPLES // 2) for k in range(SAMPLES // 2)]
    second = [half + (end - half) * (k + 1) / (SAMPLES // 2) for k in range(SAMPLES // 2)]
    return Soak("redis", "analyzer", first + second, peak_mib=max(half, end) + 1)


def test_half_and_end_are_the_samples_at_n_over_two_and_n() -> None:
    soak = _soak(80.0, 82.0)
    assert (soak.half, soak.end, soak.growth_mib) == (80.0, 82.0, 2.0)


def test_growth_within_tolerance_and_under_the_limit_is_met() -> None:
    assert _soak(80.0, 80.0 + GROWTH_TOLERANCE_MIB).met
    assert _soak(80.0, 79.0).met


def test_growth_over_the_last_half_or_a_high_end_is_not_met() -> None:
    assert not _soak(80.0, 80.0 + GROWTH_TOLERANCE_MIB + 0.5).met
    assert not _soak(RSS_LIMIT_MIB + 5, RSS_LIMIT_MIB + 5).met


def test_the_table_has_one_row_per_process_with_its_verdict() -> None:
    text = render([_soak(80.0, 90.0)], "make bench", 1000)
    assert text.startswith("## Memory soak\n")
    assert "| redis | analyzer | 80.0 | 90.0 | +10.0 | +12.5% | 91.0 | no |" in text
    assert "RSS MiB at 500 | RSS MiB at 1,000" in text
