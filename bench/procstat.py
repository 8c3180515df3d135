"""What the benchmarks share: percentiles, per-process CPU and memory from /proc, suite env.

CPU and memory are read from each process's own accounting in /proc rather than from a
profiler, so the figures cost nothing to collect and mean the same on every commit.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

from sanad_launcher.redis_server import RedisServer
from sanad_launcher.suite import NO_METRICS_PORTS, LocalSuite, SuitePorts

CLOCK_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
"""Unit of utime and stime in /proc/PID/stat."""
STORES = ("sqlite", "redis")
STORE = "store"
"""Name of the store's own process (redis-server) among a suite's pids."""


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile: a figure that was actually observed, not an interpolation."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def cpu_ticks(pid: int) -> int:
    """utime + stime of a process (every thread), in clock ticks, from /proc/PID/stat.

    The command name (field 2) may hold spaces and parentheses, so the fields are counted
    from the last ``)``; utime and stime are fields 14 and 15.
    """
    return stat_ticks(Path(f"/proc/{pid}/stat").read_text())


def stat_ticks(stat: str) -> int:
    """utime + stime from the text of a /proc/PID/stat file."""
    fields = stat[stat.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state), so field N is fields[N - 3].
    return int(fields[14 - 3]) + int(fields[15 - 3])


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far, in seconds."""
    return cpu_ticks(pid) / CLOCK_TICKS_PER_SECOND


def own_cpu_seconds() -> float:
    """CPU time of this process (every thread), for the load generator's own share."""
    return time.process_time()


def status_kib(pid: int, field: str) -> int:
    """One ``kB`` field of /proc/PID/status (VmRSS, VmHWM...), in KiB."""
    prefix = f"{field}:"
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(prefix):
            return int(line.split()[1])
    raise LookupError(f"no {field} for process {pid}")


def rss_mib(pid: int) -> float:
    """Resident memory of a live process now (VmRSS), in MiB."""
    return status_kib(pid, "VmRSS") / 1024


def peak_rss_mib(pid: int) -> float:
    """Peak resident memory of a live process (VmHWM), in MiB."""
    return status_kib(pid, "VmHWM") / 1024


def suite_env(namespace: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment of the services for a benchmark: its own store namespace, no quota limit
    (the bench measures the path, not the limits), no metrics ports, quiet logs."""
    return {
        "SANAD_STORE_NAMESPACE": f"{namespace}-{time.time_ns()}",
        "MAX_DAILY_REQUESTS": "-1",
        "MAX_DAILY_TOKENS": "-1",
        "MAX_HOURLY_REQUESTS": "-1",
        "MAX_HOURLY_TOKENS": "-1",
        **NO_METRICS_PORTS,
        "SANAD_LOG_LEVEL": "WARNING",
        **(extra or {}),
    }


def command_line(module: str) -> str:
    """How this run was started, for the report: the module's command line, and ``make bench``
    when make ran it (so a reader can repeat either)."""
    command = shlex.join(["python", "-m", module, *sys.argv[1:]])
    return f"make bench` runs `{command}" if os.environ.get("MAKELEVEL") else command


def add_store_argument(parser: argparse.ArgumentParser) -> None:
    """--stores: which stores to run the suite on, one after another."""
    parser.add_argument("--stores", nargs="+", choices=STORES, default=list(STORES))


def process_label(name: str) -> str:
    """A process's name for a report."""
    return "store (redis-server)" if name == STORE else name


@contextmanager
def bench_suite(
    store: str, workdir: Path, namespace: str, extra_env: Mapping[str, str] | None = None
) -> Iterator[tuple[LocalSuite, dict[str, int]]]:
    """The suite with the emulator on a new store of this kind (a Redis server of its own, or
    an SQLite file in ``workdir``), and the pid of each process, the Redis server's as STORE.
    Everything started here is stopped on exit, failure or not."""
    with ExitStack() as stack:
        pids: dict[str, int] = {}
        if store == "sqlite":
            url = f"sqlite:///{workdir}/{namespace}-{time.time_ns()}.db"
        else:
            server = stack.enter_context(RedisServer())
            url = server.url
            if server.pid is not None:
                pids[STORE] = server.pid
        suite = LocalSuite(
            store_url=url,
            ports=SuitePorts.free(),
            log_dir=workdir / f"logs-{namespace}-{store}",
            with_emulator=True,
            env=suite_env(namespace, extra_env),
        )
        stack.enter_context(suite)
        yield suite, {**suite.pids(), **pids}
