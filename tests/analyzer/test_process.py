"""The analyzer as a process refuses a provider of an unknown kind at start, with the known
kinds listed, instead of serving (or falling back to another SDK)."""

from __future__ import annotations

import json
from pathlib import Path

from sanad_analyzer.providers.registry import ADAPTERS
from sanad_launcher.ports import free_port
from tests.support.services import (
    START_TIMEOUT,
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
    "jsonschema",  # the analysis has its own validator
    "opentelemetry.sdk.trace",  # tracing is off
    "opentelemetry.instrumentation",
)


async def test_the_analyzer_process_imports_only_what_it_uses(tmp_path: Path) -> None:
    # The real process with two providers, SQLite, no TLS and tracing off; Python lists every
    # module it imports (PYTHONPROFILEIMPORTTIME) on stderr, which the log file holds.
    providers = [
        {"name": "openai", "kind": "openai", "model": "gpt-test", "api_key": "sk-test-0123"},
        {"name": "gemini", "kind": "gemini", "model": "gemini-test", "api_key": "sk-test-4567"},
    ]
    port = free_port()
    env = {
        "SANAD_HOST": "127.0.0.1",
        "SANAD_ANALYZER_PORT": str(port),
        "SANAD_ANALYZER_METRICS_PORT": "0",
        "SANAD_STORE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "SANAD_PROVIDERS": json.dumps(providers),
        "SANAD_LOG_FORMAT": "console",
        "OTEL_TRACES_EXPORTER": "none",
        "PYTHONPROFILEIMPORTTIME": "1",
    }
    log = tmp_path / "analyzer.log"
    with service_process("sanad_analyzer", env, log) as process:
        await wait_serving(f"127.0.0.1:{port}", process, log)
        assert stop_service_process(process) == 0

    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in log.read_text().splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert {"openai", "google.genai", "structlog", "sanad_analyzer.app"} <= imported
    # A package really imported imports modules of its own; the log also names the imports
    # only tried (structlog tries rich, which lean_process refuses), so the bare name is no proof.
    unwanted = {
        name for name in imported for prefix in _NEVER_IMPORTED if name.startswith(f"{prefix}.")
    }
    assert not unwanted, sorted(unwanted)
