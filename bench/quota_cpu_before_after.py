"""Quota's CPU per Reserve and per Reserve + Commit: the code of an earlier commit against this
checkout's, alternated on one Redis so both see the same load on a shared machine.

The earlier quota package is taken with ``git archive`` into a scratch directory and put first
on the quota process's PYTHONPATH (the rest of the suite is this checkout's);
``--before-without-hiredis`` also hides hiredis from it, for a "before" that predates it.
Each round starts a fresh quota process per side and reads its utime + stime from /proc over
the calls (never wall time). Writes its own section of docs/benchmarks.md with the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from bench.quota_reserve import CPU_CONCURRENCY, UNLIMITED, Measured, bench_service
from bench.report import write_section
from sanad_launcher.redis_server import RedisServer
from sanad_launcher.suite import LocalSuite, SuitePorts

SECTION = "## Quota CPU per Reserve: before and after"
QUOTA_PACKAGE = "services/quota/sanad_quota"


def earlier_quota(ref: str, into: Path, *, without_hiredis: bool) -> Path:
    """The quota package of ref under into (a PYTHONPATH entry), hiredis hidden if asked."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref, QUOTA_PACKAGE], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    root = into / Path(QUOTA_PACKAGE).parent
    if without_hiredis:
        (root / "hiredis").mkdir()
        (root / "hiredis" / "__init__.py").write_text(
            'raise ImportError("hidden: the before case predates hiredis")\n'
        )
    return root


def one_side(server: RedisServer, log_dir: Path, requests: int, env: dict[str, str]) -> Measured:
    """A fresh suite's quota process measured once."""
    suite = LocalSuite(
        store_url=server.url,
        ports=SuitePorts.free(),
        log_dir=log_dir,
        with_emulator=False,
        env={
            "SANAD_STORE_NAMESPACE": f"bench-quota-ab-{time.time_ns()}",
            "SANAD_LOG_LEVEL": "WARNING",
            **UNLIMITED,
            **env,
        },
    )
    with suite:
        target = f"{suite.host}:{suite.ports.quota}"
        return asyncio.run(bench_service(target, suite.pids()["quota"], requests))


def main() -> None:
    """Parse arguments, alternate the two sides, write the section."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", required=True, help="git ref of the earlier quota code")
    parser.add_argument("--before-without-hiredis", action="store_true")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=800, help="calls per figure")
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    args = parser.parse_args()
    sides: dict[str, list[Measured]] = {"before": [], "after": []}
    with (
        tempfile.TemporaryDirectory(prefix="sanad-bench-quota-ab-") as tmp,
        RedisServer() as server,
    ):
        old = earlier_quota(args.before, Path(tmp), without_hiredis=args.before_without_hiredis)
        for _ in range(args.rounds):
            sides["before"].append(
                one_side(server, Path(tmp), args.requests, {"PYTHONPATH": str(old)})
            )
            sides["after"].append(one_side(server, Path(tmp), args.requests, {}))
    command = " ".join(["python -m bench.quota_cpu_before_after", *sys.argv[1:]])
    section = render(sides, args, command)
    write_section(args.output, section)
    sys.stdout.write(section)


def render(sides: dict[str, list[Measured]], args: argparse.Namespace, command: str) -> str:
    """The section of docs/benchmarks.md, from its heading on."""
    lines = [
        SECTION,
        "",
        f"Quota's own CPU (utime + stime from /proc) per call, {args.requests} calls at "
        f"concurrency {CPU_CONCURRENCY}, median of {args.rounds} rounds; each round runs the",
        f"quota package of `{args.before}` and then this checkout's, each in a fresh process "
        "on the same Redis.",
        "",
        f"Command: `{command}`",
        "",
        "| code | ms CPU per Reserve | ms CPU per Reserve + Commit | each round (Reserve) |",
        "|---|---:|---:|---|",
    ]
    for name, rows in sides.items():
        reserve = [row.reserve_cpu_ms for row in rows]
        pair = [row.pair_cpu_ms for row in rows]
        each = ", ".join(f"{value:.2f}" for value in reserve)
        lines.append(
            f"| {name} | {statistics.median(reserve):.2f} | {statistics.median(pair):.2f} | "
            f"{each} |"
        )
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
