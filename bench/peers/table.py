"""The peers' figures as data (JSON in and out) and as the Markdown section of the report."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from bench.peers.load import Sample

BEGIN: Final = "<!-- bench:peers -->"
END: Final = "<!-- /bench:peers -->"
HEADING: Final = "## Peers: Sanad beside LiteLLM and Portkey"
HEALTHY: Final = "healthy"
OUTAGE: Final = "outage"
DIRECT: Final = "direct"
GATEWAYS: Final = ("sanad", "litellm", "portkey")
"""Every gateway, in the order they run and are reported."""
LABELS: Final = {"sanad": "Sanad", "litellm": "LiteLLM", "portkey": "Portkey", DIRECT: "direct"}
OUTAGE_RATIO: Final = 1.5
"""Sanad's outage throughput against Portkey's, at concurrency 16, that the issue asks for."""


@dataclass(frozen=True)
class Outage:
    """Who received what while the primary answered every request with 503."""

    opening_requests: int
    """Requests sent after the fault and before the measurement, to let a breaker open."""
    primary_skipped: bool
    """A batch of the opening requests left the primary untouched: the gateway stopped
    asking it (a circuit open, a cooldown) before the measurement began."""
    measured_requests: int
    primary_requests: int
    """Requests the dead primary received during the measured outage runs."""
    fallback_requests: int


@dataclass(frozen=True)
class GatewayRun:
    """Everything measured in one gateway's namespace (its direct call included)."""

    gateway: str
    samples: tuple[Sample, ...]
    outage: Outage
    cpu_ms_per_request: float | None
    """CPU of the gateway's processes per answered request, over the healthy run at c=16."""

    def sample(self, target: str, phase: str, concurrency: int) -> Sample | None:
        """One run's figures, if measured."""
        for sample in self.samples:
            if (sample.target, sample.phase, sample.concurrency) == (target, phase, concurrency):
                return sample
        return None

    def added(self, attr: str) -> float | None:
        """The gateway's healthy latency at c=1 minus the direct call's beside it."""
        mine = self.sample(self.gateway, HEALTHY, 1)
        floor = self.sample(DIRECT, HEALTHY, 1)
        if mine is None or floor is None:
            return None
        a, b = getattr(mine, attr), getattr(floor, attr)
        return None if a is None or b is None else float(a - b)

    def throughput(self, target: str, phase: str = HEALTHY) -> float | None:
        """Answered requests per second at c=16."""
        sample = self.sample(target, phase, 16)
        return None if sample is None else sample.throughput

    def ratio(self, phase: str = HEALTHY) -> float | None:
        """The gateway's throughput at c=16 over the direct call's (healthy) beside it."""
        mine, floor = self.throughput(self.gateway, phase), self.throughput(DIRECT)
        return None if mine is None or not floor else mine / floor

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GatewayRun:
        """A run as ``asdict`` wrote it."""
        return cls(
            gateway=data["gateway"],
            samples=tuple(Sample(**item) for item in data["samples"]),
            outage=Outage(**data["outage"]),
            cpu_ms_per_request=data.get("cpu_ms_per_request"),
        )


@dataclass(frozen=True)
class PeersRun:
    """One run of the bench: every namespace's figures, and what could not be measured."""

    command: str
    machine: str
    versions: dict[str, str]
    """Each gateway's version as installed (Sanad's: its commit), and the runtimes'."""
    requests: int
    runs: tuple[GatewayRun, ...] = ()
    missing: dict[str, str] = field(default_factory=dict)
    """Gateways that were not measured, and why."""
    install: dict[str, list[str]] = field(default_factory=dict)
    """The commands that installed each peer."""
    start: dict[str, str] = field(default_factory=dict)
    """How each gateway was started and configured."""

    def run(self, gateway: str) -> GatewayRun | None:
        """One gateway's figures, if measured."""
        return next((run for run in self.runs if run.gateway == gateway), None)

    def to_json(self) -> dict[str, Any]:
        """Plain data for json.dump."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PeersRun:
        """A run as to_json wrote it."""
        return cls(
            command=data["command"],
            machine=data["machine"],
            versions=dict(data["versions"]),
            requests=data["requests"],
            runs=tuple(GatewayRun.from_json(item) for item in data["runs"]),
            missing=dict(data.get("missing", {})),
            install={name: list(lines) for name, lines in data.get("install", {}).items()},
            start=dict(data.get("start", {})),
        )


@dataclass(frozen=True)
class Goal:
    """One of the issue's goals for the peers table, with what was measured."""

    name: str
    target: str
    measured: str
    met: bool | None
    """None when a figure it needs was not measured."""

    @property
    def verdict(self) -> str:
        """yes, no, or not measured."""
        return "not measured" if self.met is None else "yes" if self.met else "no"


def _ms(value: float | None, *, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def evaluate_goals(run: PeersRun) -> list[Goal]:
    """The issue's goals: ahead of LiteLLM on overhead and throughput ratio, 1.5x Portkey's
    outage throughput, and nothing sent to Sanad's dead primary while its circuit is open."""
    sanad, litellm, portkey = run.run("sanad"), run.run("litellm"), run.run("portkey")

    def versus(
        name: str,
        *,
        other: GatewayRun | None,
        figure: Callable[[GatewayRun], float | None],
        fmt: Callable[[float | None], str],
        met: Callable[[float, float], bool],
        target: str,
    ) -> Goal:
        mine = figure(sanad) if sanad else None
        theirs = figure(other) if other else None
        measured = f"{fmt(mine)} against {fmt(theirs)}"
        ok = None if mine is None or theirs is None else met(mine, theirs)
        return Goal(name, target, measured, ok)

    def ms(value: float | None) -> str:
        return f"{_ms(value, signed=True)} ms"

    goals = [
        versus(
            "added latency at c=1, p50: Sanad against LiteLLM",
            other=litellm,
            figure=lambda r: r.added("p50_ms"),
            fmt=ms,
            met=lambda a, b: a < b,
            target="Sanad lower",
        ),
        versus(
            "added latency at c=1, p99: Sanad against LiteLLM",
            other=litellm,
            figure=lambda r: r.added("p99_ms"),
            fmt=ms,
            met=lambda a, b: a < b,
            target="Sanad lower",
        ),
        versus(
            "throughput ÷ direct at c=16: Sanad against LiteLLM",
            other=litellm,
            figure=lambda r: r.ratio(),
            fmt=_share,
            met=lambda a, b: a > b,
            target="Sanad higher",
        ),
        versus(
            "outage throughput at c=16: Sanad against Portkey",
            other=portkey,
            figure=lambda r: r.throughput(r.gateway, OUTAGE),
            fmt=lambda v: f"{_rate(v)} req/s",
            met=lambda a, b: a >= OUTAGE_RATIO * b,
            target=f"≥ {OUTAGE_RATIO}× Portkey's",
        ),
    ]
    if sanad is None:
        goals.append(Goal("requests to Sanad's dead primary, circuit open", "0", "—", None))
    else:
        outage = sanad.outage
        goals.append(
            Goal(
                "requests to Sanad's dead primary, circuit open",
                "0",
                f"{outage.primary_requests} of {outage.measured_requests}",
                outage.primary_skipped and outage.primary_requests == 0,
            )
        )
    return goals


def _median(values: list[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def summary(run: PeersRun) -> list[str]:
    """One row per gateway and one for the direct call (the median over the namespaces)."""
    lines = [
        "| | version | added p50 ms, c=1 | added p99 ms, c=1 | req/s, c=16 | ÷ direct, c=16 "
        "| CPU ms per request, c=16 | outage req/s, c=16 | requests to the dead primary |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for gateway in GATEWAYS:
        result = run.run(gateway)
        label, version = LABELS[gateway], run.versions.get(gateway, "—")
        if result is None:
            why = run.missing.get(gateway, "not run")
            lines.append(f"| {label} | {version} | {why} | | | | | | |")
            continue
        cells = [
            label,
            version,
            _ms(result.added("p50_ms"), signed=True),
            _ms(result.added("p99_ms"), signed=True),
            _rate(result.throughput(gateway)),
            _share(result.ratio()),
            _ms(result.cpu_ms_per_request),
            _rate(result.throughput(gateway, OUTAGE)),
            f"{result.outage.primary_requests} of {result.outage.measured_requests}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    floors = [r.sample(DIRECT, HEALTHY, 1) for r in run.runs]
    p50 = _median([s.p50_ms if s else None for s in floors])
    p99 = _median([s.p99_ms if s else None for s in floors])
    rate = _median([r.throughput(DIRECT) for r in run.runs])
    lines.append(
        f"| direct | aiohttp | 0 (p50 {_ms(p50)}) | 0 (p99 {_ms(p99)}) | {_rate(rate)} | 100 % "
        "| | (does not fail over) | |"
    )
    return lines


def samples_table(run: PeersRun) -> list[str]:
    """Every run of every namespace."""
    lines = [
        "| namespace | called | phase | concurrency | requests | failed | p50 ms | p99 ms "
        "| mean ms | req/s |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in run.runs:
        namespace = LABELS.get(result.gateway, result.gateway)
        for s in result.samples:
            cells = [
                namespace,
                LABELS.get(s.target, s.target),
                s.phase,
                str(s.concurrency),
                str(s.requests),
                str(s.failures),
                _ms(s.p50_ms),
                _ms(s.p99_ms),
                _ms(s.mean_ms),
                _rate(s.throughput),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def outage_table(run: PeersRun) -> list[str]:
    """Who received the outage's requests."""
    lines = [
        "| gateway | opening requests | stopped asking the primary before the measurement "
        "| measured requests | to the dead primary | to the fallback |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for result in run.runs:
        o = result.outage
        lines.append(
            f"| {LABELS.get(result.gateway, result.gateway)} | {o.opening_requests} | "
            f"{'yes' if o.primary_skipped else 'no'} | {o.measured_requests} | "
            f"{o.primary_requests} | {o.fallback_requests} |"
        )
    return lines


def render(run: PeersRun) -> str:
    """The section of docs/benchmarks.md, between its markers."""
    versions = ", ".join(f"{LABELS.get(k, k)} {v}" for k, v in run.versions.items())
    lines = [
        HEADING,
        BEGIN,
        "",
        "Sanad, the LiteLLM proxy and the Portkey gateway, each given the same job: a primary",
        "and a fallback deployment of one OpenAI-compatible model (two provider emulators), no",
        "retries; measured with the primary healthy, then answering every request with 503.",
        "Each gateway runs in a loopback-only network namespace of its own (`unshare --net`)",
        "with its two emulators and the load generator, and each namespace measures the direct",
        "call to the same emulator beside its gateway: *added* latency is the gateway's minus",
        "that direct call's, in the same namespace and run.",
        "",
        f"Command: `{run.command}`",
        "",
        f"Machine: {run.machine}. Requests per run: {run.requests}. Versions: {versions}.",
        "",
        "### Goals",
        "",
        "| goal | target | measured | met |",
        "|---|---|---|---|",
        *(f"| {g.name} | {g.target} | {g.measured} | {g.verdict} |" for g in evaluate_goals(run)),
        "",
        "### Summary",
        "",
        *summary(run),
        "",
        "### Every run",
        "",
        *samples_table(run),
        "",
        "### Outage: the primary answers every request with 503",
        "",
        *outage_table(run),
        "",
    ]
    if run.missing:
        lines += ["### Not measured", ""]
        lines += [f"- {LABELS.get(k, k)}: {why}" for k, why in run.missing.items()]
        lines.append("")
    lines += [
        "### Installed and started with",
        "",
        "The bench installs a peer when it is missing or its pins changed, with:",
        "",
        "```sh",
    ]
    for name, commands in run.install.items():
        lines += [f"# {LABELS.get(name, name)}", *commands]
    lines += ["```", ""]
    lines += [f"- {LABELS.get(name, name)}: {how}" for name, how in run.start.items()]
    lines += [
        "",
        "### What is measured",
        "",
        "- Every HTTP path (the direct call, LiteLLM, Portkey) is one aiohttp client posting the",
        "  body the analyzer sends its provider for the same text (its system and user",
        "  messages, strict `response_format` with the analysis schema, `max_completion_tokens`);",
        "  Sanad is called through `Analyze` on grpc.aio with the same text. Every text is new,",
        "  so no cache answers; the emulator answers at once, so the figures are each gateway's",
        "  own cost.",
        "- Added latency: p50 and p99 of the gateway at concurrency 1 minus those of the direct",
        "  call in the same namespace. Throughput: answered requests per second at concurrency",
        "  16, and its share of the direct call's. CPU: utime + stime of the gateway's processes",
        "  (for Sanad analyzer, quota, health and Redis) over the healthy run at c=16, per",
        "  answered request.",
        "- Outage: the primary emulator answers every request with 503 until the end. Up to",
        "  five batches of ten requests are sent first, stopping at a batch that leaves the",
        "  primary untouched (a breaker open, a cooldown); then the outage runs at c=1 and c=16",
        "  are measured, and the requests each emulator received over those runs are counted",
        "  by the emulators themselves.",
        "- Sanad runs with a first ejection of 3600 s and LiteLLM with a cooldown of 3600 s, so",
        "  neither tries the primary again during the measurement; Portkey's open-source",
        "  gateway has no breaker (its circuit breaker is a hook the open-source build leaves",
        "  empty), so it tries the primary first on every request.",
        "- Figures move between runs on this shared 2-core machine, where the load generator,",
        "  the emulators and the gateway share the cores: compare the rows of one run.",
        END,
        "",
    ]
    return "\n".join(lines)
