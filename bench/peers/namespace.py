"""One gateway in a loopback-only network namespace: its emulators, itself and the load.

``python -m bench.peers`` runs ``unshare --net -- python -m bench.peers.namespace GATEWAY``
for each gateway. A new network namespace has only a loopback interface, and it is down:
this module brings it up, checks that it is alone, starts everything on 127.0.0.1, measures,
stops everything by PID and prints the figures as one JSON document on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import shutil
import signal
import socket
import struct
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from bench.peers import load
from bench.peers.gateways import Target, Upstreams, client_session, direct, emulators, gateway
from bench.peers.gateways import tree_cpu_seconds as cpu_of
from bench.peers.table import GATEWAYS, HEALTHY, OUTAGE, GatewayRun, Outage
from bench.procstat import STORES

SIOCGIFFLAGS: Final = 0x8913
SIOCSIFFLAGS: Final = 0x8914
IFF_UP: Final = 0x1
IFREQ: Final = struct.Struct("16sH22x")
"""struct ifreq with its flags member (the union is 24 bytes on 64-bit Linux)."""
LOOPBACK: Final = "lo"
OPEN_BATCH: Final = 10
"""Requests per opening batch: one that leaves the primary untouched ends the opening."""
CONCURRENCY: Final = (1, 16)


def isolate() -> None:
    """Bring the namespace's loopback up and refuse to run where anything else is reachable."""
    names = {name for _, name in socket.if_nameindex()}
    if names != {LOOPBACK}:
        raise SystemExit(f"not a loopback-only network namespace: interfaces {sorted(names)}")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = IFREQ.pack(LOOPBACK.encode(), 0)
        _, flags = IFREQ.unpack(fcntl.ioctl(sock, SIOCGIFFLAGS, request))
        fcntl.ioctl(sock, SIOCSIFFLAGS, IFREQ.pack(LOOPBACK.encode(), flags | IFF_UP))


def command(gateway: str, arguments: list[str]) -> list[str]:
    """The command that runs one gateway's measurement in a network namespace of its own."""
    unshare = shutil.which("unshare") or "unshare"
    return [
        unshare,
        "--net",
        "--",
        sys.executable,
        "-m",
        "bench.peers.namespace",
        gateway,
        *arguments,
    ]


@dataclass(frozen=True)
class Options:
    """How much to send."""

    requests: int
    """Requests of each measured run."""
    warmup: int
    """Requests each target gets before anything is measured."""
    open_batches: int
    """Opening batches at most before the outage is measured."""
    seconds: float
    """Longest a run may take; it stops early, with what it answered."""
    store: str
    """Sanad's store: redis or sqlite."""


async def open_primary(target: Target, upstreams: Upstreams, options: Options) -> tuple[int, bool]:
    """Requests after the fault until a batch leaves the primary untouched (or the batches run
    out): how many were sent, and whether the gateway stopped asking the primary."""
    sent = 0
    for batch in range(options.open_batches):
        before, _ = await upstreams.counts()
        sample = await load.run(
            target.name,
            "opening",
            target.call,
            concurrency=1,
            requests=OPEN_BATCH,
            seconds=options.seconds,
            tag=str(batch),
        )
        sent += sample.requests
        after, _ = await upstreams.counts()
        if after == before:
            return sent, True
    return sent, False


async def measure(name: str, options: Options, workdir: Path) -> GatewayRun:
    """Healthy at c=1 and c=16 (the direct call, then the gateway), then the outage."""
    samples: list[load.Sample] = []
    async with (
        client_session() as session,
        emulators(workdir, session) as upstreams,
        gateway(name, upstreams, workdir, session, options.store) as target,
    ):
        floor = direct(session, upstreams)

        async def sample(t: Target, phase: str, concurrency: int, tag: str = "") -> load.Sample:
            return await load.run(
                t.name,
                phase,
                t.call,
                concurrency=concurrency,
                requests=options.requests,
                seconds=options.seconds,
                tag=tag,
            )

        for t in (floor, target):
            await load.run(
                t.name,
                "warmup",
                t.call,
                concurrency=4,
                requests=options.warmup,
                seconds=options.seconds,
                tag="",
            )
        cpu_ms: float | None = None
        for concurrency in CONCURRENCY:
            samples.append(await sample(floor, HEALTHY, concurrency))
            before = cpu_of(target.pids)
            mine = await sample(target, HEALTHY, concurrency)
            spent = cpu_of(target.pids) - before
            if concurrency == 16 and mine.requests > mine.failures:
                cpu_ms = spent * 1000 / (mine.requests - mine.failures)
            samples.append(mine)

        await upstreams.primary.inject("openai", "server_error", status=503)
        try:
            opening, skipped = await open_primary(target, upstreams, options)
            primary, fallback = await upstreams.counts()
            outage = [await sample(target, OUTAGE, c) for c in CONCURRENCY]
            primary_after, fallback_after = await upstreams.counts()
        finally:
            await upstreams.primary.clear("openai")
        samples += outage
    return GatewayRun(
        gateway=name,
        samples=tuple(samples),
        outage=Outage(
            opening_requests=opening,
            primary_skipped=skipped,
            measured_requests=sum(s.requests for s in outage),
            primary_requests=primary_after - primary,
            fallback_requests=fallback_after - fallback,
        ),
        cpu_ms_per_request=cpu_ms,
    )


async def main_async(name: str, options: Options, workdir: Path) -> GatewayRun:
    """measure(), cancelled cleanly (every process stopped) on SIGTERM."""
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    return await measure(name, options, workdir)


def main() -> None:
    """Parse arguments, isolate, measure, print the JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("gateway", choices=GATEWAYS)
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--warmup", type=int, required=True)
    parser.add_argument("--open-batches", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--store", choices=STORES, required=True)
    parser.add_argument("--workdir", type=Path, required=True, help="logs of every process")
    args = parser.parse_args()
    isolate()
    options = Options(args.requests, args.warmup, args.open_batches, args.seconds, args.store)
    args.workdir.mkdir(parents=True, exist_ok=True)
    result = asyncio.run(main_async(args.gateway, options, args.workdir))
    sys.stdout.write(json.dumps(asdict(result)) + "\n")


if __name__ == "__main__":
    main()
