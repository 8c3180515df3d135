"""docker-compose.yml is valid Compose (loaded by compose-go, as Docker Compose loads it) and
matches what the services expect: their default ports, Redis as the store, each other's
addresses, and a command that starts each service."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVICES = {"analyzer": (50051, 9451), "quota": (50052, 9452), "health": (50053, 9453)}


@pytest.fixture(scope="module")
def compose_project() -> dict[str, Any]:
    go = shutil.which("go")
    assert go, "Go is needed to load docker-compose.yml with compose-go"
    result = subprocess.run(
        [go, "run", ".", str(ROOT / "docker-compose.yml")],
        cwd=ROOT / "tools" / "compose-check",
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        # Compose interpolates ${VARIABLES}; keep this machine's own settings out of it.
        env={
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("SANAD_", "OPENAI_", "GEMINI_"))
        },
    )
    assert result.returncode == 0, result.stderr
    project: dict[str, Any] = json.loads(result.stdout)
    return project


def test_compose_file_runs_redis_and_the_three_services(compose_project: dict[str, Any]) -> None:
    services = compose_project["services"]
    assert set(services) == {"redis", *SERVICES}
    for name, (grpc_port, metrics_port) in SERVICES.items():
        service = services[name]
        assert service["command"] == ["python", "-m", f"sanad_{name}"]
        published = {int(port["published"]) for port in service["ports"]}
        assert published == {grpc_port, metrics_port}
        environment = service["environment"]
        assert environment["SANAD_STORE_URL"] == "redis://redis:6379/0"
        assert environment["SANAD_HOST"] == "0.0.0.0"
        assert environment["SANAD_QUOTA_TARGET"] == "quota:50052"
        assert environment["SANAD_HEALTH_TARGET"] == "health:50053"
        assert "redis" in service["depends_on"]


def test_compose_check_refuses_an_invalid_file(tmp_path: Path) -> None:
    broken = tmp_path / "compose.yml"
    broken.write_text("services:\n  analyzer:\n    image: sanad\n    ports: 50051\n")
    go = shutil.which("go")
    assert go
    result = subprocess.run(
        [go, "run", ".", str(broken)],
        cwd=ROOT / "tools" / "compose-check",
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 1
    assert "ports must be a" in result.stderr
