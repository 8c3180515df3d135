"""The latency bench's goals, JSON round trip and before/after table, on made-up figures."""

from __future__ import annotations

import json

from bench.analyze_latency import (
    CLIENT,
    DIRECT,
    FRESH,
    OUTAGE,
    PROVIDER,
    REPLAY,
    Cpu,
    Goal,
    Memory,
    Outage,
    Result,
    Run,
    evaluate_goals,
    render,
    render_before_after,
)
from bench.procstat import STORE


def _result(case: str, store: str, concurrency: int, figures: tuple[float, float, float]) -> Result:
    """p50, p99 and requests/s of one case (the mean is the p50)."""
    p50, p99, rps = figures
    return Result(case, store, concurrency, 100, p50, p99, p50, rps)


def _run(*, fresh_p50: float = 5.0, replay_rps: float = 2000.0, leaked: int = 0) -> Run:
    """Two stores; sqlite meets every goal with the defaults, redis misses some."""
    run = Run(command="make bench", machine="test", requests=100, cpu_requests=600)
    for store, extra in (("sqlite", 0.0), ("redis", 10.0)):
        run.results += [
            _result(DIRECT, store, 1, (3.0, 6.0, 300)),
            _result(FRESH, store, 1, (fresh_p50 + extra, 11.0 + extra, 150)),
            _result(REPLAY, store, 1, (1.0, 2.0, 900)),
            _result(DIRECT, store, 16, (30.0, 40.0, 500)),
            _result(FRESH, store, 16, (40.0, 50.0, 400 - 20 * extra)),
            _result(REPLAY, store, 16, (9.0, 12.0, replay_rps)),
            _result(OUTAGE, store, 1, (fresh_p50 - 1 + extra, 10.0 + extra, 160)),
            _result(OUTAGE, store, 16, (39.0, 49.0, 400 - 20 * extra)),
        ]
        fresh = {"analyzer": 2.0, "quota": 1.0, "health": 1.0, PROVIDER: 0.5, CLIENT: 0.5}
        if store == "redis":
            fresh[STORE] = 0.5 + extra
        run.cpu += [Cpu(store, FRESH, name, ms) for name, ms in fresh.items()]
        run.cpu += [
            Cpu(store, DIRECT, name, ms)
            for name, ms in {"analyzer": 0.0, PROVIDER: 0.5, CLIENT: 2.0}.items()
        ]
        run.outages.append(Outage(store, leaked if store == "sqlite" else 0, True, {"gemini": 200}))
        run.memory += [Memory(store, "analyzer", 100.0 + 3 * extra)]
    return run


def _goals(run: Run) -> dict[str, Goal]:
    return {goal.name: goal for goal in evaluate_goals(run)}


def test_every_goal_is_checked_per_store() -> None:
    goals = _goals(_run())
    assert len(goals) == 11
    assert all(set(goal.measured) == {"sqlite", "redis"} for goal in goals.values())
    overhead = goals["fresh − direct, c=1, p50"]
    assert overhead.measured == {"sqlite": "2.0 ms", "redis": "12.0 ms"}
    assert overhead.met == {"sqlite": True, "redis": False}
    assert overhead.verdict == "no (redis)"


def test_a_store_meeting_every_goal_says_yes() -> None:
    goals = _goals(_run())
    for name in (
        "fresh − direct, c=1, p50",
        "fresh − direct, c=1, p99",
        "fresh ÷ direct throughput, c=16",
        "openai down − healthy fresh, c=1, p50",
        "openai down ÷ healthy fresh throughput, c=16",
        "requests openai received while its circuit was open",
        "replay throughput, c=16",
        "replay p99, c=16",
        "largest peak RSS (VmHWM) of a process after this run",
    ):
        assert goals[name].met["sqlite"], name


def test_throughput_share_and_cpu_ratio() -> None:
    goals = _goals(_run())
    share = goals["fresh ÷ direct throughput, c=16"]
    assert share.measured == {"sqlite": "80%", "redis": "40%"}
    ratio = goals["CPU per fresh request: services ÷ (direct client + provider)"]
    # sqlite: (2 + 1 + 1) / (2 + 0.5); redis adds its store: (4 + 10.5) / 2.5.
    assert ratio.measured == {"sqlite": "1.60", "redis": "5.80"}
    assert ratio.verdict == "no (redis)"


def test_a_dead_provider_that_got_requests_or_a_circuit_that_reopened_fails() -> None:
    goal = _goals(_run(leaked=3))["requests openai received while its circuit was open"]
    assert goal.measured["sqlite"] == "3"
    assert goal.verdict == "no (sqlite)"
    run = _run()
    run.outages[0] = Outage("sqlite", 0, False, {"gemini": 200})
    goal = _goals(run)["requests openai received while its circuit was open"]
    assert goal.measured["sqlite"] == "0 (circuit reopened)"
    assert goal.verdict == "no (sqlite)"


def test_a_figure_not_measured_is_a_dash_and_not_a_verdict() -> None:
    run = _run()
    run.outages = []
    goal = _goals(run)["requests openai received while its circuit was open"]
    assert goal.measured == {"sqlite": "—", "redis": "—"}
    assert goal.verdict == "not measured"


def test_json_round_trip_keeps_every_figure() -> None:
    run = _run()
    again = Run.from_json(json.loads(json.dumps(run.to_json())))
    assert again == run


def test_before_after_pairs_the_headline_figures_of_both_runs() -> None:
    before, after = _run(fresh_p50=20.0, replay_rps=1000.0), _run()
    rows = render_before_after(before, after)
    assert "| sqlite | Analyze fresh, c=1, p50 ms | 20.00 | 5.00 | -75% |" in rows
    assert "| redis | Analyze replay, c=16, req/s | 1,000.00 | 2,000.00 | +100% |" in rows
    assert (
        "| sqlite | CPU ratio: services ÷ (direct client + provider) | 1.60 | 1.60 | +0% |" in rows
    )
    assert not any("direct request: analyzer" in row for row in rows)
    assert (
        "| redis | CPU ms per fresh request: store (redis-server) | 10.50 | 10.50 | +0% |" in rows
    )


def test_before_after_shows_figures_one_run_lacks_as_a_dash() -> None:
    before, after = _run(), _run()
    before.cpu = []
    after.results = [r for r in after.results if r.store == "sqlite"]
    rows = render_before_after(before, after)
    assert "| sqlite | CPU ms per fresh request: analyzer | — | 2.00 | — |" in rows
    assert "| redis | Analyze fresh, c=1, p50 ms | 15.00 | — | — |" in rows


def test_the_section_keeps_its_parts_in_order() -> None:
    text = render(_run(), before=_run(fresh_p50=20.0))
    parts = [
        "## Analyze latency",
        "Command: `make bench`",
        "### Goals",
        "### Before → after",
        "### Latency and throughput",
        "### Outage path",
        "### CPU per request",
        "### Memory",
        "### What is measured",
    ]
    positions = [text.index(part) for part in parts]
    assert positions == sorted(positions)
    assert "| sqlite | direct SDK call | 1 |" in text
    assert "| store (SQLite) | in process | in process |" in text
    assert "| store (redis-server) | 10.50 |" in text
