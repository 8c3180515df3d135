"""The analyzer as a process refuses a provider of an unknown kind at start, with the known
kinds listed, instead of serving (or falling back to another SDK)."""

from __future__ import annotations

import json
from pathlib import Path

from sanad_analyzer.providers.registry import ADAPTERS
from sanad_launcher.ports import free_port
from tests.support.services import START_TIMEOUT, service_process


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
