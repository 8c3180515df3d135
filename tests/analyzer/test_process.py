"""The analyzer as a process refuses a provider of an unknown kind at start, with the known
kinds listed, instead of serving (or falling back to another SDK)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sanad_analyzer.providers.registry import ADAPTERS
from sanad_launcher.ports import free_port
from tests.support.services import (
    START_TIMEOUT,
    STOP_TIMEOUT,
    service_process,
    stop_service_process,
    wait_serving,
)


def test_an_unknown_provider_kind_stops_the_analyzer_with_the_known_kinds(
    tmp_path: Path,
) -> None:
    providers = [{"name": "local", "kind": "mistral", "model": "small", "api_key": "key"}]
    env = {
        "SANAD_HOST": "127.0.0.1",
        "SANAD_ANALYZER_PORT": str(free_port()),
        "SANAD_ANALYZER_METRICS_PORT": "0",
        "SANAD_STORE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "SANAD_PROVIDERS": json.dumps(providers),
    }
    log = tmp_path / "analyzer.log"
    with service_process("sanad_analyzer", env, log) as process:
        code = process.wait(timeout=START_TIMEOUT)

    output = log.read_text()
    assert code == 2
    assert "provider 'local' has unknown kind 'mistral'" in output
    assert all(kind in output for kind in ADAPTERS)
    assert "Traceback" not in output


_NEVER_IMPORTED = (
    "anthropic",  # not configured
    "redis",  # the store is SQLite
    "cryptography",  # no TLS
    "rich",  # the CLI's; structlog would import it (lean_process keeps it out)
    "pygments",  # rich's
    "PIL",  # google-genai's, for images (lean_process keeps it out)
    "jsonschema",  # the analysis has its own validator
    "opentelemetry.sdk.trace",  # tracing is off
    "opentelemetry.instrumentation",
    "numpy",  # the MinHash is one hash per feature in plain Python
)


# ``python -m sanad_analyzer`` itself (runpy runs its __main__ as -m does), writing the names
# of the modules it imported (sys.modules without the refused, which are None there) to a file
# when it exits.
_RUN_AND_LIST_MODULES = """
import atexit, json, pathlib, runpy, sys
listing = pathlib.Path(sys.argv.pop(1))

def write_listing():
    listing.write_text(json.dumps([name for name, module in sys.modules.items() if module]))

atexit.register(write_listing)
runpy.run_module("sanad_analyzer", run_name="__main__", alter_sys=True)
"""


def _start_listing_modules(
    env: dict[str, str], log: Path, listing: Path
) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-c", _RUN_AND_LIST_MODULES, str(listing)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


async def test_the_analyzer_process_imports_only_what_it_uses(tmp_path: Path) -> None:
    # The real process with two providers, SQLite, no TLS and tracing off, until SERVING.
    providers = [
        {"name": "openai", "kind": "openai", "model": "gpt-test", "api_key": "sk-test-0123"},
        {"name": "gemini", "kind": "gemini", "model": "gemini-test", "api_key": "sk-test-4567"},
    ]
    port = free_port()
    env = {
        **os.environ,
        "SANAD_HOST": "127.0.0.1",
        "SANAD_ANALYZER_PORT": str(port),
        "SANAD_ANALYZER_METRICS_PORT": "0",
        "SANAD_STORE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "SANAD_PROVIDERS": json.dumps(providers),
        "SANAD_LOG_FORMAT": "console",
        "OTEL_TRACES_EXPORTER": "none",
    }
    log, listing = tmp_path / "analyzer.log", tmp_path / "modules.json"
    process = _start_listing_modules(env, log, listing)
    try:
        await wait_serving(f"127.0.0.1:{port}", process, log)
        assert stop_service_process(process) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)

    imported = set(json.loads(listing.read_text()))
    assert {"openai", "google.genai", "structlog", "sanad_analyzer.app"} <= imported
    unwanted = {
        name
        for name in imported
        for prefix in _NEVER_IMPORTED
        if name == prefix or name.startswith(f"{prefix}.")
    }
    assert not unwanted, sorted(unwanted)
