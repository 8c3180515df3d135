"""The /proc readers give this process's own figures, and percentiles are observed values."""

from __future__ import annotations

import os
import time

import pytest

from bench.procstat import (
    cpu_seconds,
    cpu_ticks,
    own_cpu_seconds,
    peak_rss_mib,
    percentile,
    rss_mib,
    stat_ticks,
    status_kib,
    suite_env,
)


def _burn_cpu(seconds: float) -> None:
    """Spin until this process has used ``seconds`` of CPU."""
    start = own_cpu_seconds()
    total = 0
    while own_cpu_seconds() - start < seconds:
        total += sum(range(1000))


def test_cpu_ticks_of_this_process_grow_as_it_works() -> None:
    before = cpu_ticks(os.getpid())
    _burn_cpu(0.1)
    assert cpu_ticks(os.getpid()) > before


def test_cpu_seconds_agree_with_this_process_own_clock() -> None:
    # /proc counts in clock ticks: the two readings agree to a few ticks.
    assert cpu_seconds(os.getpid()) == pytest.approx(own_cpu_seconds(), abs=0.1)


def test_resident_memory_of_this_process_is_read_and_peak_is_at_least_current() -> None:
    current = rss_mib(os.getpid())
    assert current > 0
    assert peak_rss_mib(os.getpid()) >= current


def test_resident_memory_grows_with_an_allocation() -> None:
    before = rss_mib(os.getpid())
    block = bytearray(64 * 1024 * 1024)
    block[::4096] = b"x" * len(block[::4096])  # touch every page
    assert rss_mib(os.getpid()) - before > 32
    del block


def test_an_unknown_status_field_is_an_error() -> None:
    with pytest.raises(LookupError, match="NoSuchField"):
        status_kib(os.getpid(), "NoSuchField")


def test_a_process_that_does_not_exist_is_an_error() -> None:
    # Above any pid_max, so no such process can exist.
    with pytest.raises(FileNotFoundError):
        cpu_ticks(2**31 - 1)


def test_percentile_is_the_nearest_observed_rank() -> None:
    samples = [float(n) for n in range(100, 0, -1)]
    assert percentile(samples, 0.50) == 50
    assert percentile(samples, 0.99) == 99
    assert percentile([7.0], 0.99) == 7
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 0.5)


def test_suite_env_lifts_the_quotas_and_keeps_extras() -> None:
    first = suite_env("bench", {"SANAD_BLACKLIST_DURATION": "3600"})
    time.sleep(0.001)
    second = suite_env("bench")
    assert first["MAX_DAILY_REQUESTS"] == first["MAX_HOURLY_TOKENS"] == "-1"
    assert first["SANAD_BLACKLIST_DURATION"] == "3600"
    assert first["SANAD_STORE_NAMESPACE"] != second["SANAD_STORE_NAMESPACE"]


def test_stat_fields_are_counted_after_a_command_name_with_spaces_and_parentheses() -> None:
    stat = "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 500 0 0 0 17 5 0 0 20 0 3 0 100 0 0"
    assert stat_ticks(stat) == 22
