"""Quota's CPU per Reserve and per Reserve + Commit: the code of an earlier commit against this
checkout's, alternated on one Redis so both see the same load on a shared machine.

The earlier quota package is taken with ``git archive`` into a scratch directory and put first
on the quota process's PYTHONPATH (the rest of the suite is this checkout's);
``--before-without-hiredis`` also hides hiredis from it, for a "before" that predates it.
Each round starts a fresh quota process per side and reads its utime + stime from /proc over
the calls (never wall time); then, in a fresh Python process per side, the servicer's own
path without gRPC (QuotaServicer.Reserve and Commit called directly, one at a time, on the
same Redis), whose CPU is less blurred by the shared machine. Writes its own section of
docs/benchmarks.md with the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.quota_reserve import CPU_CONCURRENCY, UNLIMITED, Measured, bench_service
from bench.report import write_section
from sanad.quota.v1 import quota_pb2
from sanad_common.config import ProviderLimits, ProviderSettings, load_settings
from sanad_common.storage import open_store
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


async def servicer_cpu(url: str, requests: int) -> Measured:
    """CPU ms of this process per direct Reserve, and per Reserve + Commit, without gRPC."""
    # Imported here: the probe's PYTHONPATH decides which quota package these are.
    from sanad_quota.ledger import QuotaLedger
    from sanad_quota.servicer import QuotaServicer
    from sanad_quota.watch import CrossingWatch

    store = await open_store(url, namespace=f"bench-quota-ab-{time.time_ns()}")
    unlimited = ProviderLimits(
        daily_requests=-1, daily_tokens=-1, hourly_requests=-1, hourly_tokens=-1
    )
    settings = load_settings(
        providers=(
            ProviderSettings(name="openai", kind="openai", model="gpt-4o-mini", limits=unlimited),
        )
    )
    ledger = QuotaLedger(store, settings)
    servicer = QuotaServicer(ledger, CrossingWatch(ledger))
    reserve = quota_pb2.ReserveRequest(provider="openai", estimated_tokens=500)
    context: Any = None
    try:
        for _ in range(200):
            await servicer.Reserve(reserve, context)
        started = time.process_time()
        for _ in range(requests):
            await servicer.Reserve(reserve, context)
        reserve_ms = (time.process_time() - started) * 1000 / requests
        started = time.process_time()
        for _ in range(requests):
            reserved = await servicer.Reserve(reserve, context)
            commit = quota_pb2.CommitRequest(
                reservation_id=reserved.reservation_id, actual_tokens=400
            )
            await servicer.Commit(commit, context)
        pair_ms = (time.process_time() - started) * 1000 / requests
    finally:
        await store.aclose()
    return Measured([], reserve_ms, pair_ms)


def probe(url: str, requests: int, pythonpath: str) -> Measured:
    """servicer_cpu in a fresh Python process with the given PYTHONPATH first."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [pythonpath, os.getcwd()]))}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.quota_cpu_before_after",
            "--probe",
            url,
            "--requests",
            str(requests),
        ],
        check=True,
        capture_output=True,
        env=env,
        text=True,
    ).stdout
    figures = json.loads(out)
    return Measured([], figures["reserve"], figures["pair"])


def main() -> None:
    """Parse arguments, alternate the two sides, write the section."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", help="git ref of the earlier quota code")
    parser.add_argument("--before-without-hiredis", action="store_true")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=800, help="calls per figure")
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--probe", metavar="REDIS_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        measured = asyncio.run(servicer_cpu(args.probe, args.requests))
        sys.stdout.write(
            json.dumps({"reserve": measured.reserve_cpu_ms, "pair": measured.pair_cpu_ms})
        )
        return
    if not args.before:
        parser.error("--before is required")
    sides: dict[str, list[Measured]] = {"before": [], "after": []}
    direct: dict[str, list[Measured]] = {"before": [], "after": []}
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
            direct["before"].append(probe(server.url, args.requests, str(old)))
            direct["after"].append(probe(server.url, args.requests, ""))
    command = " ".join(["python -m bench.quota_cpu_before_after", *sys.argv[1:]])
    section = render(sides, direct, args, command)
    write_section(args.output, section)
    sys.stdout.write(section)


def render(
    sides: dict[str, list[Measured]],
    direct: dict[str, list[Measured]],
    args: argparse.Namespace,
    command: str,
) -> str:
    """The section of docs/benchmarks.md, from its heading on."""
    lines = [
        SECTION,
        "",
        f"Quota's own CPU (utime + stime from /proc) per call, {args.requests} calls at "
        f"concurrency {CPU_CONCURRENCY}, median of {args.rounds} rounds; each round runs the",
        f"quota package of `{args.before}` and then this checkout's, each in a fresh process "
        "on the same Redis.",
        "The direct rows call QuotaServicer.Reserve and Commit in a probe process, one at a",
        "time, without gRPC: the servicer's, ledger's and redis-py's share alone.",
        "",
        f"Command: `{command}`",
        "",
        "| code | path | ms CPU per Reserve | ms CPU per Reserve + Commit | each round (Reserve) |",
        "|---|---|---:|---:|---|",
    ]
    rows_of = [(name, "gRPC, quota process", rows) for name, rows in sides.items()]
    rows_of += [(name, "servicer called directly", rows) for name, rows in direct.items()]
    for name, path, rows in rows_of:
        reserve = [row.reserve_cpu_ms for row in rows]
        pair = [row.pair_cpu_ms for row in rows]
        each = ", ".join(f"{value:.2f}" for value in reserve)
        lines.append(
            f"| {name} | {path} | {statistics.median(reserve):.2f} | "
            f"{statistics.median(pair):.2f} | "
            f"{each} |"
        )
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
