"""docker-compose.yml is valid Compose (loaded by compose-go, as Docker Compose loads it) and
matches what the services expect: their default ports, Redis as the store, each other's
addresses, and a command that starts each service."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVICES = {"analyzer": (50051, 9451), "quota": (50052, 9452), "health": (50053, 9453)}
OBSERVABILITY = {"otel-collector", "prometheus", "grafana"}


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
    assert set(services) == {"redis", *SERVICES, *OBSERVABILITY}
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


def _mounts(service: dict[str, Any]) -> dict[str, Path]:
    """Each bind mount's target and the repository file or folder it shows there."""
    return {volume["target"]: Path(volume["source"]) for volume in service["volumes"]}


def test_compose_file_wires_traces_metrics_alerts_and_the_dashboard(
    compose_project: dict[str, Any],
) -> None:
    services = compose_project["services"]
    prometheus = _mounts(services["prometheus"])
    grafana = _mounts(services["grafana"])
    collector = _mounts(services["otel-collector"])

    for name in SERVICES:
        environment = services[name]["environment"]
        assert environment["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4317"
        assert environment["OTEL_TRACES_EXPORTER"] == "otlp"
    assert prometheus["/etc/prometheus/alerts.yml"] == ROOT / "deploy/prometheus/alerts.yml"
    assert prometheus["/etc/prometheus/prometheus.yml"].is_file()
    assert (grafana["/etc/grafana/provisioning"] / "dashboards" / "sanad.yml").is_file()
    assert (grafana["/var/lib/grafana/dashboards"] / "sanad.json").is_file()
    assert collector["/etc/otelcol/config.yaml"].is_file()


def test_prometheus_scrapes_each_service_and_loads_the_alerts() -> None:
    config = (ROOT / "deploy/prometheus/prometheus.yml").read_text()

    for name, (_, metrics_port) in SERVICES.items():
        assert f'"{name}:{metrics_port}"' in config
    assert "/etc/prometheus/alerts.yml" in config


def test_dashboard_queries_only_exported_metrics() -> None:
    dashboard = json.loads((ROOT / "deploy/grafana/dashboards/sanad.json").read_text())
    documented = (ROOT / "docs/metrics.md").read_text()
    queries = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]

    assert dashboard["uid"] == "sanad-overview"
    for name in {
        word.removesuffix("_bucket")
        for query in queries
        for word in re.findall(r"sanad_[a-z_]+", query)
    }:
        assert f"`{name}`" in documented, f"{name} is not documented in docs/metrics.md"


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
