"""docker-compose.yml is valid Compose (loaded by compose-go, as Docker Compose loads it) and
matches what the services expect: their default ports, Redis as the store, each other's
addresses, and a command that starts each service. The Kubernetes manifests decode strictly
into the Kubernetes API types and probe each service with the native gRPC probe."""

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


def test_dashboard_and_alerts_use_only_documented_metrics() -> None:
    """docs/metrics.md lists what the services export (tests/integration/test_metrics.py
    scrapes it), so every name a panel or an alert queries must be there."""
    dashboard = json.loads((ROOT / "deploy/grafana/dashboards/sanad.json").read_text())
    documented = (ROOT / "docs/metrics.md").read_text()
    queries = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    queries.append((ROOT / "deploy/prometheus/alerts.yml").read_text())

    assert dashboard["uid"] == "sanad-overview"
    names = {
        re.sub(r"_(bucket|sum|count)$", "", word)
        for query in queries
        for word in re.findall(r"\b(?:sanad|gen_ai_client)_[a-z_]+", query)
    }
    assert "gen_ai_client_token_usage" in names
    for name in names:
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


def _k8s_check(manifest: Path) -> subprocess.CompletedProcess[str]:
    go = shutil.which("go")
    assert go, "Go is needed to check the Kubernetes manifests with the API types"
    return subprocess.run(
        [go, "run", ".", str(manifest)],
        cwd=ROOT / "tools" / "k8s-check",
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_kubernetes_manifests_probe_each_service_over_grpc() -> None:
    result = _k8s_check(ROOT / "deploy" / "k8s" / "sanad.yaml")
    assert result.returncode == 0, result.stderr
    objects = {(o["kind"], o["name"]): o for o in json.loads(result.stdout)}

    for name, (grpc_port, metrics_port) in SERVICES.items():
        (container,) = objects[("Deployment", name)]["containers"]
        assert container["command"] == ["python", "-m", f"sanad_{name}"]
        assert container["ports"] == {"grpc": grpc_port, "metrics": metrics_port}
        assert container["readiness"] == {"kind": "grpc", "port": grpc_port}
        assert container["startup"] == {"kind": "grpc", "port": grpc_port}
        assert container["liveness"] == {"kind": "tcp", "port": grpc_port}
        assert objects[("Service", name)]["ports"] == [grpc_port, metrics_port]


def test_kubernetes_check_refuses_an_unknown_field(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {prots: []}\n")

    result = _k8s_check(broken)

    assert result.returncode == 1
    assert 'unknown field "spec.prots"' in result.stderr
