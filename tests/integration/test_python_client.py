"""A platform that installs only sanad-client: a fresh virtualenv gets ./clients/python and no
provider SDK or Redis client, and a script run by its python calls the real suite through
sanad_client and decodes the rich errors the analyzer sends."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sanad_launcher.suite import NO_METRICS_PORTS, LocalSuite, SuitePorts, emulator_providers
from tests.integration.conftest import ADMIN_TOKEN, Clients

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("sanad_client_probe.py")
SERVER_ONLY = {"openai", "google-genai", "anthropic", "redis", "sanad"}
"""Distributions a platform must not get with the client: provider SDKs, Redis, the server."""


def clean_env() -> dict[str, str]:
    """This environment without the test's own virtualenv."""
    return {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}
    }


@pytest.fixture(scope="module")
def client_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a new virtualenv into which only ./clients/python was installed."""
    venv = tmp_path_factory.mktemp("client-venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "install", "--quiet", "-c", "constraints.txt", "./clients/python"],
        cwd=ROOT,
        env=clean_env(),
        check=True,
        timeout=480,
    )
    return python


def installed(python: Path) -> dict[str, str]:
    """Every distribution in python's environment, by lowercase name, with its version."""
    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return {entry["name"].lower(): entry["version"] for entry in json.loads(listed.stdout)}


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSuite]:
    """The suite on SQLite, with admin RPCs enabled and no rules answer, so that a request no
    provider can answer fails with the analyzer's full set of details."""
    workdir = tmp_path_factory.mktemp("python-client-suite")
    ports = SuitePorts.free()
    with LocalSuite(
        store_url=f"sqlite:///{workdir}/sanad.db",
        ports=ports,
        log_dir=workdir / "logs",
        with_emulator=True,
        env={
            "SANAD_PROVIDERS": emulator_providers(f"http://127.0.0.1:{ports.emulator}"),
            "SANAD_ADMIN_TOKEN": ADMIN_TOKEN,
            "SANAD_RULES_ANSWER_ENABLE": "false",
            **NO_METRICS_PORTS,
        },
    ) as running:
        yield running


def probe(python: Path, suite: LocalSuite, *args: str) -> dict[str, Any]:
    """The probe script's report, run isolated (-I: no script folder, no PYTHON* variables)."""
    result = subprocess.run(
        [str(python), "-I", str(PROBE), suite.analyzer_target, ADMIN_TOKEN, *args],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_the_client_installs_without_the_servers_dependencies(client_python: Path) -> None:
    found = installed(client_python)

    assert "sanad-client" in found
    assert {"grpcio", "grpcio-status", "protobuf", "googleapis-common-protos"} <= set(found)
    assert not SERVER_ONLY & set(found), sorted(SERVER_ONLY & set(found))
    site = next((client_python.parent.parent / "lib").glob("python3*/site-packages"))
    for typed in ("sanad/py.typed", "sanad_client/py.typed", "sanad/analyzer/v1/analyzer_pb2.pyi"):
        assert (site / typed).is_file(), typed


async def test_a_platform_analyzes_and_decodes_errors_through_the_client(
    client_python: Path, suite: LocalSuite, clients: Clients
) -> None:
    report = await asyncio.to_thread(probe, client_python, suite, "walk")

    assert Path(report["sanad_file"]).is_relative_to(client_python.parent.parent)
    assert report["source"] == "SOURCE_FRESH"
    assert report["provider"] == "openai"
    assert report["grade"] in {"A", "B", "C", "D", "F"}
    assert report["idempotency_entries"] == 1
    assert report["no_key"]["code"] == "UNAUTHENTICATED"
    assert report["no_key"]["reason"] == "ADMIN_TOKEN_INVALID"
    assert report["no_key"]["domain"] == "sanad.dev"
    bad_input = report["bad_input"]
    assert bad_input["code"] == "INVALID_ARGUMENT"
    assert bad_input["fields"] == ["policy_text"]
    assert bad_input["reason"] is None


async def test_a_platform_reads_why_no_provider_answered_in_arabic_and_english(
    client_python: Path, suite: LocalSuite, clients: Clients
) -> None:
    for provider in ("openai", "gemini"):
        await clients.emulator.inject(provider, "server_error")
    try:
        report = await asyncio.to_thread(
            probe, client_python, suite, "failing", "Exchanges only, never refunds."
        )
    finally:
        await clients.emulator.reset()

    assert report["code"] == "UNAVAILABLE"
    # The first attempt's own answer: the server's pushback keeps gRPC from retrying it.
    assert report["reason"] == "ALL_PROVIDERS_FAILED"
    assert report["metadata"] == {"openai": "SERVICE_CRASH", "gemini": "SERVICE_CRASH"}
    assert report["retry_delay"] > 0
    assert set(report["localized"]) == {"ar", "en-US"}
    assert report["arabic"] == report["localized"]["ar"]
    assert report["english"] == report["localized"]["en-US"]
    assert report["arabic"] != report["english"]
