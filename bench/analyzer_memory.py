"""Analyzer memory at start: what each import costs, and the process once it serves.

Two measurements, each in a fresh interpreter:

* the resident memory (VmRSS) each import adds, in the order the analyzer meets them, after
  ``lean_process`` has kept out what the services never use (as each service's ``main`` does),
  in an interpreter run as the services are (``sanad_launcher.suite.SERVICE_PYTHON_ENV``);
* the real ``python -m sanad_analyzer`` with OpenAI and Gemini configured, an SQLite store and
  tracing off, once it reports SERVING (its VmRSS, anonymous and file-backed parts, threads).

The soak (``bench.memory_soak``) shows the same process under load; this shows where the
start-up figure comes from. Writes its section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench.report import provenance, write_section
from sanad_launcher.ports import free_port
from sanad_launcher.suite import SERVICE_PYTHON_ENV

IMPORTS = (
    "grpc",
    "structlog",
    "pydantic",
    "opentelemetry.sdk.metrics",
    "prometheus_client",
    "aiohttp",
    "sanad_common.server",
    "sanad_analyzer.app",
    "openai",
    "google.genai",
    "sanad_analyzer.providers.openai_provider",
    "sanad_analyzer.providers.gemini_provider",
)
"""What the analyzer imports, in the order it meets them (each row costs what it adds to the
rows above it)."""

_MEASURE_IMPORTS = """
import importlib, json, sys
from sanad_common.lean_process import keep_out_unused_modules

def rss():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS"))
    return int(line.split()[1]) / 1024

keep_out_unused_modules()
rows = [("interpreter", rss())]
for name in sys.argv[1:]:
    before = rss()
    importlib.import_module(name)
    rows.append((name, rss() - before))
rows.append(("total", rss()))
print(json.dumps(rows))
"""


def _status(pid: int) -> dict[str, str]:
    with Path(f"/proc/{pid}/status").open() as status:
        return {
            key: value.strip()
            for key, _, value in (line.partition(":") for line in status)
            if key in {"VmRSS", "RssAnon", "RssFile", "Threads"}
        }


def measure_imports() -> list[tuple[str, float]]:
    """RSS (MiB) added by each of IMPORTS in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE_IMPORTS, *IMPORTS],
        env={**os.environ, **SERVICE_PYTHON_ENV},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return [(name, float(mib)) for name, mib in json.loads(result.stdout)]


async def _wait_serving(target: str, process: subprocess.Popen[bytes]) -> None:
    async with grpc.aio.insecure_channel(target) as channel:
        # The typeshed stub declares no methods on HealthStub.
        stub: Any = health_pb2_grpc.HealthStub(channel)
        while process.poll() is None:
            try:
                reply = await stub.Check(health_pb2.HealthCheckRequest(), timeout=2)
            except grpc.aio.AioRpcError:
                reply = None
            if reply is not None and reply.status == health_pb2.HealthCheckResponse.SERVING:
                return
            await asyncio.sleep(0.1)
        raise RuntimeError("the analyzer exited before serving")


def measure_process() -> dict[str, str]:
    """The serving analyzer's /proc status lines, two providers configured."""
    with tempfile.TemporaryDirectory() as scratch:
        port = free_port()
        providers = [
            {"name": "openai", "kind": "openai", "model": "gpt-4o-mini", "api_key": "sk-bench"},
            {"name": "gemini", "kind": "gemini", "model": "gemini-2.5-flash", "api_key": "bench"},
        ]
        env = {
            **os.environ,
            "SANAD_HOST": "127.0.0.1",
            "SANAD_ANALYZER_PORT": str(port),
            "SANAD_ANALYZER_METRICS_PORT": "0",
            "SANAD_STORE_URL": f"sqlite:///{Path(scratch) / 'store.db'}",
            "SANAD_PROVIDERS": json.dumps(providers),
            "OTEL_TRACES_EXPORTER": "none",
            **SERVICE_PYTHON_ENV,
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "sanad_analyzer"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            asyncio.run(_wait_serving(f"127.0.0.1:{port}", process))
            return _status(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)


def render(imports: list[tuple[str, float]], process: dict[str, str], command: str) -> str:
    """The benchmarks.md section."""
    lines = [
        "## Analyzer memory at start",
        "",
        *provenance(command),
        "",
        "RSS each import adds in a fresh interpreter, in the analyzer's order (rich and Pillow",
        "kept out as each service's main does; tracing off imports no trace SDK; PYTHONOPTIMIZE=2",
        "as the services run):",
        "",
        "| import | MiB |",
        "| --- | ---: |",
        *(f"| {name} | {mib:.1f} |" for name, mib in imports),
        "",
        "`python -m sanad_analyzer` with OpenAI and Gemini, SQLite, tracing off, once SERVING:",
        "",
        "| VmRSS | RssAnon | RssFile | threads |",
        "| ---: | ---: | ---: | ---: |",
        f"| {process['VmRSS']} | {process['RssAnon']} | {process['RssFile']} "
        f"| {process['Threads']} |",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Measure both and write the section."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    args = parser.parse_args()
    command = f"make bench  (python -m bench.analyzer_memory --output {args.output})"
    section = render(measure_imports(), measure_process(), command)
    write_section(args.output, section)
    sys.stdout.write(section)


if __name__ == "__main__":
    main()
