"""The transport bench's rounds, medians and table, on made-up figures."""

from __future__ import annotations

from bench.provider_transports import (
    ADAPTERS,
    CONCURRENCY_LEVELS,
    SECTION,
    Sample,
    combinations,
    figures,
    render,
)
from sanad_analyzer.providers.adapter import HttpTransport


def _sample(adapter: str, transport: str, concurrency: int, round_: int, cpu: float) -> Sample:
    return Sample(adapter, transport, concurrency, round_, 100, cpu, cpu * 5)


def test_every_round_runs_every_combination_first_in_turn() -> None:
    rounds = [combinations(round_) for round_ in range(6)]

    expected = {(kind, transport.value) for kind in ADAPTERS for transport in HttpTransport}
    assert all(set(order) == expected and len(order) == len(expected) for order in rounds)
    assert len({order[0] for order in rounds}) == len(expected)


def test_a_figure_is_the_median_of_the_rounds_with_their_range() -> None:
    samples = [_sample("openai", "httpx", 1, index, cpu) for index, cpu in enumerate((3, 1, 2))]

    figure = figures(samples)[("openai", "httpx", 1)]

    assert (figure.median, figure.low, figure.high) == (2, 1, 3)


def test_the_table_gives_each_adapter_and_concurrency_its_ratio() -> None:
    samples = [
        _sample(kind, transport, concurrency, 0, 4.0 if transport == "httpx" else 3.0)
        for kind in ADAPTERS
        for transport in ("httpx", "aiohttp")
        for concurrency in CONCURRENCY_LEVELS
    ]

    section = render(samples, "python -m bench.provider_transports", calls=100, rounds=1)

    assert section.startswith(SECTION + "\n")
    rows = [line for line in section.splitlines() if line.startswith("| ") and "0.75" in line]
    assert len(rows) == len(ADAPTERS) * len(CONCURRENCY_LEVELS)
    assert "| gemini | 16 | 4.00 (4.00–4.00) | 3.00 (3.00–3.00) | 0.75 |" in rows
