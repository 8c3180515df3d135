"""The memory soak's verdicts (throughput kept, the RSS limit, flat over the last half), its
report and its saved runs."""

from __future__ import annotations

import json

from bench.memory_soak import (
    GROWTH_TOLERANCE_MIB,
    RSS_LIMIT_MIB,
    SAMPLES,
    KeyKind,
    Soak,
    StoreRun,
    key_kind,
    render,
)


def _soak(half: float, end: float, process: str = "analyzer") -> Soak:
    """Ten samples rising to ``half`` at N/2, then to ``end`` at N."""
    first = [half * (k + 1) / (SAMPLES // 2) for k in range(SAMPLES // 2)]
    second = [half + (end - half) * (k + 1) / (SAMPLES // 2) for k in range(SAMPLES // 2)]
    return Soak("redis", process, first + second, peak_mib=max(half, end) + 1)


def _run(throughput: list[float], redis_bytes: list[int]) -> StoreRun:
    return StoreRun(
        "redis",
        1000,
        throughput,
        [_soak(80.0, 90.0)],
        redis_bytes,
        [KeyKind("answer", 1000, 3000.0)],
    )


def test_half_and_end_are_the_samples_at_n_over_two_and_n() -> None:
    soak = _soak(80.0, 82.0)
    assert (soak.half, soak.end, soak.growth_mib) == (80.0, 82.0, 2.0)


def test_growth_within_tolerance_and_under_the_limit_is_met() -> None:
    assert _soak(80.0, 80.0 + GROWTH_TOLERANCE_MIB).met
    assert _soak(80.0, 79.0).met


def test_growth_over_the_last_half_or_a_high_end_is_not_met() -> None:
    assert not _soak(80.0, 80.0 + GROWTH_TOLERANCE_MIB + 0.5).met
    assert not _soak(RSS_LIMIT_MIB + 5, RSS_LIMIT_MIB + 5).met


def test_the_limit_is_for_service_processes_only() -> None:
    assert _soak(RSS_LIMIT_MIB + 5, RSS_LIMIT_MIB + 5, "store (redis-server)").met


def test_throughput_is_met_at_ninety_percent_of_the_first_tenth() -> None:
    assert _run([100.0] * 9 + [90.0], []).throughput_met
    assert not _run([100.0] * 9 + [89.0], []).throughput_met


def test_bytes_per_answer_is_redis_growth_over_the_requests() -> None:
    assert _run([1.0] * 10, [1_000_000] + [0] * 9 + [11_000_000]).bytes_per_answer == 10_000
    assert _run([1.0] * 10, []).bytes_per_answer is None


def test_key_kinds_drop_the_namespace_and_the_ids() -> None:
    assert key_kind("ns-1:e:answer:return_exchange:t:abc") == "answer"
    assert key_kind("ns-1:set:similarity:band:{return_exchange:t}:3:ab") == "similarity:band"
    assert key_kind("ns-1:s:quota:{openai}:res:0dd9") == "quota:{openai}:res"


def test_the_report_has_throughput_memory_and_redis_per_answer() -> None:
    run = _run([100.0] * 9 + [95.0], [0] * 10 + [10_000_000])
    text = render([run], "make bench")
    assert text.startswith("## Memory soak\n")
    assert "| redis | 1,000 | 100.0 |" in text and "| 95% | yes |" in text
    assert "| redis | analyzer | 80.0 | 90.0 | +10.0 | 91.0 | no |" in text
    assert "grew by 10,000 bytes per fresh answer" in text
    assert "| `answer` | 1,000 | 3,000 | 3,000 |" in text


def test_a_saved_run_renders_as_the_run_did() -> None:
    run = _run([100.0] * 10, [0] * 11)
    saved = StoreRun.from_json(json.loads(json.dumps(run.to_json())))
    assert saved == run


def _cpu_run(cpu_ms: list[float]) -> StoreRun:
    return StoreRun("sqlite", 1000, [100.0] * SAMPLES, [_soak(80.0, 80.0)], [], [], cpu_ms=cpu_ms)


def test_cpu_per_request_is_met_while_the_last_tenth_costs_at_most_a_ninth_more() -> None:
    assert _cpu_run([3.0] * 9 + [3.0 / 0.9]).cpu_met
    assert not _cpu_run([3.0] * 9 + [3.0 / 0.9 + 0.05]).cpu_met
    assert _cpu_run([3.0] * 9 + [2.0]).cpu_ratio == 2.0 / 3.0


def test_cpu_per_request_is_not_met_when_a_tenth_is_missing() -> None:
    run = _cpu_run([3.0] * (SAMPLES - 1))
    assert run.cpu_ratio is None and not run.cpu_met


def test_the_report_shows_cpu_per_tenth_only_for_runs_that_measured_it() -> None:
    text = render([_cpu_run([2.0] * 9 + [2.5])], "make bench")
    assert "### CPU per fresh request per tenth" in text
    assert "| sqlite | 2.00 |" in text and "| 125% | no |" in text
    assert "### CPU per fresh request" not in render([_run([1.0] * 10, [])], "make bench")


def test_a_run_saved_before_cpu_was_measured_still_renders() -> None:
    saved = _run([1.0] * 10, []).to_json()
    del saved["cpu_ms"]
    assert StoreRun.from_json(saved).cpu_ms == []
    assert (
        StoreRun.from_json(json.loads(json.dumps(_cpu_run([1.0] * 10).to_json()))).cpu_ms
        == [1.0] * 10
    )


def _measured_run(
    cpu_ms: list[float],
    process_cpu_ms: dict[str, list[float]] | None = None,
    calibration_ms: list[float] | None = None,
) -> StoreRun:
    """A Redis run with the CPU per request measured, per process and beside the probe."""
    return StoreRun(
        "redis",
        1000,
        [100.0] * SAMPLES,
        [_soak(80.0, 80.0)],
        [0] * (SAMPLES + 1),
        [],
        cpu_ms=cpu_ms,
        process_cpu_ms=process_cpu_ms or {},
        calibration_ms=calibration_ms or [],
    )


def test_the_report_splits_cpu_per_tenth_by_process_when_measured() -> None:
    run = _measured_run(
        [3.0] * SAMPLES,
        process_cpu_ms={"analyzer": [2.0] * SAMPLES, "store (redis-server)": [1.0] * 9 + [2.0]},
    )
    text = render([run], "make bench")
    assert "| redis | store (redis-server) | 1.00 |" in text and "| 200% |" in text
    assert StoreRun.from_json(json.loads(json.dumps(run.to_json()))) == run
    assert "The same per process" not in render([_cpu_run([2.0] * SAMPLES)], "make bench")


def test_the_machines_own_slowdown_is_divided_out_of_the_cpu_ratio() -> None:
    run = _measured_run([4.0] * 9 + [6.0], calibration_ms=[20.0] * 9 + [30.0])
    assert run.cpu_ratio == 1.5 and run.calibrated_cpu_ratio == 1.0
    assert not run.cpu_met and run.calibrated_cpu_met
    text = render([run], "make bench")
    assert "| 150% | 100% | yes |" in text
    assert StoreRun.from_json(json.loads(json.dumps(run.to_json()))) == run
    assert _cpu_run([2.0] * SAMPLES).calibrated_cpu_ratio is None
