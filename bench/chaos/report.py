"""The chaos table (Markdown) and one latency-over-time plot (PNG) per scenario."""

from __future__ import annotations

import platform
from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure

from bench.chaos.load import SOURCES
from bench.chaos.run import Phases, Report

COLOURS = {
    "FRESH": "tab:green",
    "IDEMPOTENCY_CACHE": "tab:blue",
    "DEGRADED_SIMILAR": "tab:olive",
    "RULES": "tab:purple",
    "LOST": "black",
}
REFUSED_COLOUR = "tab:red"


def plot(report: Report, folder: Path) -> Path:
    """Latency of every request against the time it was sent, coloured by what it got."""
    folder.mkdir(parents=True, exist_ok=True)
    # A Figure without pyplot renders with Agg and needs no display.
    figure = Figure(figsize=(8, 3.2), dpi=100)
    axes = figure.subplots()
    groups: dict[str, list[tuple[float, float]]] = {}
    for outcome in report.outcomes:
        label = outcome.result
        if outcome.accounted_locally:
            label = f"{label} (local quota)"
        groups.setdefault(label, []).append(
            (outcome.started - report.started_at, outcome.latency * 1000)
        )
    for label, points in sorted(groups.items()):
        base = label.split(" ")[0]
        axes.scatter(
            [p[0] for p in points],
            [p[1] for p in points],
            s=6,
            label=f"{label} ({len(points)})",
            color=COLOURS.get(base, REFUSED_COLOUR),
            marker="x" if "local" in label else "o",
        )
    axes.axvspan(
        report.fault_at - report.started_at,
        report.back_at - report.started_at,
        color="tab:red",
        alpha=0.12,
        label="fault",
    )
    axes.set_yscale("log")
    axes.set_xlabel("seconds since the load started")
    axes.set_ylabel("latency (ms)")
    axes.set_title(f"{report.scenario.name}: {report.scenario.description}", fontsize=9)
    axes.legend(fontsize=6, loc="upper left", markerscale=2)
    figure.tight_layout()
    path = folder / f"{report.scenario.name}.png"
    figure.savefig(path)
    return path


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def row(report: Report) -> str:
    """One Markdown table row."""
    answered = ", ".join(
        f"{source.lower()} {report.answered[source]}"
        for source in SOURCES
        if report.answered[source]
    )
    refused = ", ".join(f"{key} {count}" for key, count in sorted(report.refused.items()))
    if report.quota_requests is None:
        totals = f"? / {report.provider_requests}"
    else:
        totals = f"{report.quota_requests} / {report.provider_requests}"
    if not report.scenario.totals_kept:
        totals += " (store emptied)"
    serving = (
        None if report.services_serving_at is None else report.services_serving_at - report.back_at
    )
    return (
        f"| {report.scenario.name} | {report.scenario.description} | {len(report.outcomes)} "
        f"| {answered or '-'} | {report.locally_accounted} | {refused or '-'} | {report.lost} "
        f"| {totals} | {_seconds(report.fresh_again_after())} | {_seconds(serving)} "
        f"| {report.latency_ms(0.5):.0f} / {report.latency_ms(0.99):.0f} "
        f"| {', '.join(report.crashed) or 'none'} |"
    )


def markdown(reports: Sequence[Report], phases: Phases, command: str, plots: Path) -> str:
    """The whole docs/chaos.md."""
    lines = [
        "# Chaos suite",
        "",
        "What Sanad's callers get while its own parts fail. Each scenario runs the real",
        "processes (Redis with an append-only file, the provider emulator, quota, health and",
        "two analyzer replicas, every analyzer link through toxiproxy) under steady load:",
        f"{phases.concurrency} callers over a round-robin channel to both analyzers, 30 % repeats",
        "of answered policies, a 5 s deadline per request. Each scenario:",
        f"{phases.warm:g} s of load, the fault for {phases.fault:g} s, then {phases.recover:g} s",
        "more. A request whose answer was lost is retried once with the same idempotency key.",
        "",
        f"Command: `{command}` ({platform.machine()}, {platform.python_implementation()}"
        f" {platform.python_version()}; loopback only). Not part of `make test`; each scenario's",
        "invariant has a short test there (`tests/bench/test_chaos.py`).",
        "",
        "Columns: *sent* requests (retries included); *answered* by source; *local* answers",
        "paid from an analyzer's safe budget (`quota_accounted_locally`); *refused* by status",
        "code and ErrorInfo reason; *lost*: no answer and no status from Sanad by the deadline;",
        "*quota / providers*: requests quota counted against requests the providers received",
        "(after local spends were reconciled); *fresh after*: seconds from the dependency",
        "serving again to the first fresh answer accounted by quota itself; *SERVING after*:",
        "seconds from Redis answering to quota and health both reporting SERVING;",
        "*p50 / p99*: latency in ms; *crashed*: processes that exited on their own.",
        "",
        "| scenario | fault | sent | answered | local | refused | lost | quota / providers "
        "| fresh after (s) | SERVING after (s) | p50 / p99 (ms) | crashed |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        *(row(report) for report in reports),
        "",
        "Reading it: quota counts a reservation the provider refused (503) as given back, so",
        "while a provider fails, quota's total is below what the provider received; a request",
        "whose fate is unknowable (a timeout, an analyzer killed mid-call) stays counted.",
        "",
        "## Latency over time",
        "",
        "The shaded band is the fault; crosses are answers paid from the safe budget.",
        "",
        *(
            f"![{report.scenario.name}]({plots.name}/{report.scenario.name}.png)"
            for report in reports
        ),
        "",
    ]
    return "\n".join(lines)
