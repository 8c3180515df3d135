"""Certificate rotation under load: every process's certificate replaced on disk mid-run.

A suite of real processes with TLS on every link (quota and health require the suite's client
certificate) takes fresh Analyze calls from concurrent callers, each opening a new channel now
and then, so new connections keep being made throughout. Halfway, a new certificate and key
from the same CA replace the files every process reads (the key first, then the certificate,
each with a rename, as a certificate manager writes them). The run counts every answer and
failure, answers paid from the local safe budget (the analyzer could not reach quota), and
checks that new connections to each service get the new certificate.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from bench.procstat import command_line, percentile, suite_env
from bench.report import provenance, write_section
from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad_launcher.certificates import (
    CertificateAuthority,
    Leaf,
    SuiteTls,
    served_certificate_serial,
)
from sanad_launcher.suite import LocalSuite, SuitePorts

SECTION = "## Certificate rotation under load"
POLICY = "Returns are accepted within 3 days of delivery if unopened; refunds as store credit."
NEW_CHANNEL_EVERY = 10
"""Calls a caller makes on one channel before it opens a new one (a new connection)."""
SERVICES = ("analyzer", "quota", "health")


@dataclass
class Tally:
    """What the callers saw, before and after the files were replaced."""

    answered: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    local: int = 0
    """Answers paid from the analyzer's local safe budget: quota could not be reached."""
    latencies_ms: list[float] = field(default_factory=list)
    channels: Counter[str] = field(default_factory=Counter)
    """Channels (new connections) opened, before and after."""


@dataclass(frozen=True)
class Result:
    """A run's outcome."""

    seconds: float
    concurrency: int
    tally: Tally
    old_serial: int
    new_serial: int
    served: dict[str, int]
    """The serial each service showed a new connection after the rotation."""
    reloads: dict[str, int]
    """"TLS certificates reloaded" lines in each service's log (the analyzer's listener and
    its channels each log one)."""

    @property
    def ok(self) -> bool:
        """No call failed, none went without quota, every service shows the new serial and
        every process reloaded its files."""
        return (
            not self.tally.failed
            and self.tally.local == 0
            and set(self.served.values()) == {self.new_serial}
            and self.reloads == {"analyzer": 2, "quota": 1, "health": 1}
        )


def _tls_suite(workdir: Path, authority: CertificateAuthority, leaf: Leaf) -> LocalSuite:
    tls = SuiteTls(authority.ca_file, leaf)
    ports = SuitePorts.free()
    return LocalSuite(
        store_url=f"sqlite:///{workdir}/rotation.db",
        ports=ports,
        log_dir=workdir / "logs",
        with_emulator=True,
        # Info level: each reload is an info line, which the run counts.
        env={**suite_env("rotation", {"SANAD_LOG_LEVEL": "INFO"}), **tls.env("optional")},
        service_env_overrides={
            name: {"SANAD_TLS_CLIENT_AUTH": "require"} for name in ("quota", "health")
        },
    )


async def _caller(
    index: int,
    *,
    target: str,
    credentials: grpc.ChannelCredentials,
    stop_at: float,
    rotated: asyncio.Event,
    tally: Tally,
) -> None:
    count = 0
    while time.monotonic() < stop_at:
        phase = "after" if rotated.is_set() else "before"
        tally.channels[phase] += 1
        async with grpc.aio.secure_channel(target, credentials) as channel:
            stub = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
            for _ in range(NEW_CHANNEL_EVERY):
                if time.monotonic() >= stop_at:
                    return
                count += 1
                phase = "after" if rotated.is_set() else "before"
                request = analyzer_pb2.AnalyzeRequest(
                    shop_name="Rotation",
                    policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
                    policy_text=f"{POLICY} (caller {index}, call {count})",
                )
                started = time.perf_counter()
                try:
                    response = await stub.Analyze(request, timeout=30)
                except grpc.aio.AioRpcError as error:
                    tally.failed[f"{phase}: {error.code().name}"] += 1
                    continue
                tally.latencies_ms.append((time.perf_counter() - started) * 1000)
                tally.answered[phase] += 1
                tally.local += response.quota_accounted_locally


def served_serials(
    suite: LocalSuite, authority: CertificateAuthority, leaf: Leaf
) -> dict[str, int]:
    """The serial of the certificate each service shows a new connection (presenting the
    suite's certificate, which quota and health require)."""
    return {
        name: served_certificate_serial(getattr(suite.ports, name), authority.ca_file, leaf)
        for name in SERVICES
    }


async def run(seconds: float, concurrency: int, workdir: Path) -> Result:
    """The scenario of the module docstring."""
    authority = CertificateAuthority(workdir / "tls")
    first = authority.issue("sanad")
    tally = Tally()
    with _tls_suite(workdir, authority, first) as suite:
        credentials = grpc.ssl_channel_credentials(authority.ca_file.read_bytes())
        rotated = asyncio.Event()
        stop_at = time.monotonic() + seconds
        callers = [
            asyncio.create_task(
                _caller(
                    index,
                    target=suite.analyzer_target,
                    credentials=credentials,
                    stop_at=stop_at,
                    rotated=rotated,
                    tally=tally,
                )
            )
            for index in range(concurrency)
        ]
        await asyncio.sleep(seconds / 2)
        second = authority.issue("sanad")
        rotated.set()
        await asyncio.gather(*callers)
        served = await asyncio.to_thread(served_serials, suite, authority, second)
        reloads = {
            name: (workdir / "logs" / f"{name}.log").read_text().count("TLS certificates reloaded")
            for name in SERVICES
        }
    return Result(seconds, concurrency, tally, first.serial, second.serial, served, reloads)


def render(result: Result, command: str) -> str:
    """This benchmark's section of docs/benchmarks.md."""
    tally = result.tally
    failures = ", ".join(f"{name} {count}" for name, count in tally.failed.items()) or "none"
    lines = [
        SECTION,
        "",
        f"{result.concurrency} callers send fresh Analyze calls for {result.seconds:.0f} s to a "
        "suite with TLS on every link (quota and health require the suite's client "
        f"certificate); each caller opens a new channel every {NEW_CHANNEL_EVERY} calls. "
        "Halfway, a new key and certificate from the same CA replace every process's files "
        "(key first, then certificate, each by a rename).",
        "",
        *provenance(command),
        "",
        "| | before the rotation | after it |",
        "|---|---:|---:|",
        f"| answers | {tally.answered['before']} | {tally.answered['after']} |",
        f"| new channels opened | {tally.channels['before']} | {tally.channels['after']} |",
        "",
        f"- Failed calls: {failures}.",
        f"- Answers paid from the local safe budget (the analyzer could not reach quota with "
        f"its certificate): {tally.local}.",
        f"- Latency over the run: p50 {statistics.median(tally.latencies_ms):.1f} ms, "
        f"p99 {percentile(tally.latencies_ms, 0.99):.1f} ms.",
        "- Certificate a new connection gets after the rotation: "
        + ", ".join(
            f"{name} {'the new one' if serial == result.new_serial else 'the OLD one'}"
            for name, serial in result.served.items()
        )
        + ".",
        "- Reloads logged: "
        + ", ".join(f"{name} {count}" for name, count in result.reloads.items())
        + " (the analyzer's listener and its channels to quota and health each log one).",
        "",
        "Servers take the new files at the next connection (gRPC's certificate fetcher runs "
        "before each handshake); connections made before carry on. The analyzer's channels "
        "to quota and health look at their files at most once a second and open new "
        "connections with the new certificate, closing the old ones once their calls end. "
        "Between the two renames the key does not match the certificate, and the last good "
        "pair stays in use.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    """Parse arguments, run, write the section; exit 1 if any call failed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sanad-bench-rotation-") as workdir:
        result = asyncio.run(run(args.seconds, args.concurrency, Path(workdir)))
    section = render(result, command_line("bench.cert_rotation"))
    write_section(args.output, section)
    sys.stdout.write(section)
    if not result.ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
