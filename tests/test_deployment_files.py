"""docker-compose.yml is valid Compose (loaded by compose-go, as Docker Compose loads it) and
matches what the services expect: their default ports, Redis as the store, each other's
addresses, and a command that starts each service; docker-compose.tls.yml over it serves TLS
from the files make tls-certs writes. The Kubernetes manifests decode strictly into the
Kubernetes API types and probe each service with the native gRPC probe; their overlays (built
by kubectl's kustomize) serve TLS with probes that speak it (deploy/k8s-tls), or leave mTLS to
an Istio mesh that lets only the analyzer reach quota and health (deploy/k8s-mesh)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sanad_launcher.certificates import suite_tls
from tests.support.manifests import k8s_check, kustomized, manifest_objects

ROOT = Path(__file__).resolve().parent.parent
SERVICES = {"analyzer": (50051, 9451), "quota": (50052, 9452), "health": (50053, 9453)}
OBSERVABILITY = {"otel-collector", "prometheus", "grafana"}
CLIENT_AUTH = {"analyzer": "optional", "quota": "require", "health": "require"}
"""The recommended production setting (docs/architecture.md §8)."""
TLS_SETTINGS = ("SANAD_TLS_CERT_FILE", "SANAD_TLS_KEY_FILE", "SANAD_TLS_CA_FILE")
TLS_MOUNT = "/etc/sanad/tls"
"""Where the TLS overlay mounts the Secret sanad-tls (tls.crt, tls.key, ca.crt)."""


def _compose(*files: str) -> dict[str, Any]:
    go = shutil.which("go")
    assert go, "Go is needed to load docker-compose.yml with compose-go"
    result = subprocess.run(
        [go, "run", ".", *(str(ROOT / name) for name in files)],
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


@pytest.fixture(scope="module")
def compose_project() -> dict[str, Any]:
    return _compose("docker-compose.yml")


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


def test_compose_tls_override_serves_tls_from_the_files_make_tls_certs_writes(
    tmp_path: Path,
) -> None:
    project = _compose("docker-compose.yml", "docker-compose.tls.yml")
    made = suite_tls(tmp_path)
    written = {
        "SANAD_TLS_CERT_FILE": made.leaf.cert_file.name,
        "SANAD_TLS_KEY_FILE": made.leaf.key_file.name,
        "SANAD_TLS_CA_FILE": made.ca_file.name,
    }

    assert "sanad_launcher.certificates var/tls" in (ROOT / "Makefile").read_text()
    for name in SERVICES:
        service = project["services"][name]
        environment = service["environment"]
        (folder,) = [
            Path(t) for t, source in _mounts(service).items() if source == ROOT / "var/tls"
        ]
        assert {setting: Path(environment[setting]) for setting in TLS_SETTINGS} == {
            setting: folder / file for setting, file in written.items()
        }
        assert environment["SANAD_TLS_CLIENT_AUTH"] == CLIENT_AUTH[name]
        assert environment["SANAD_STORE_URL"] == "redis://redis:6379/0"
        assert service["command"] == ["python", "-m", f"sanad_{name}"]


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


def test_kubernetes_manifests_probe_each_service_over_grpc() -> None:
    objects = manifest_objects(ROOT / "deploy" / "k8s" / "sanad.yaml")

    for name, (grpc_port, metrics_port) in SERVICES.items():
        (container,) = objects[("Deployment", name)]["containers"]
        assert container["command"] == ["python", "-m", f"sanad_{name}"]
        assert container["ports"] == {"grpc": grpc_port, "metrics": metrics_port}
        assert container["readiness"] == {"kind": "grpc", "port": grpc_port}
        assert container["startup"] == {"kind": "grpc", "port": grpc_port}
        assert container["liveness"] == {"kind": "tcp", "port": grpc_port}
        assert objects[("Service", name)]["ports"] == [grpc_port, metrics_port]


def test_each_service_runs_as_its_own_service_account() -> None:
    """A mesh names a workload by its ServiceAccount; the mesh overlay's policies need each
    service to have one of its own."""
    objects = kustomized("deploy/k8s")

    for name in SERVICES:
        assert objects[("Deployment", name)]["serviceAccount"] == name
        assert ("ServiceAccount", name) in objects
    assert objects == manifest_objects(ROOT / "deploy" / "k8s" / "sanad.yaml")


def _tls_probe(name: str, port: int, service: str) -> list[str]:
    """grpc-health-probe as a pod runs it: over TLS to its own port, verifying the service's
    name with the CA and presenting the pod's certificate (quota and health require one)."""
    return [
        "grpc-health-probe",
        f"-addr=127.0.0.1:{port}",
        "-tls",
        f"-tls-ca-cert={TLS_MOUNT}/ca.crt",
        f"-tls-client-cert={TLS_MOUNT}/tls.crt",
        f"-tls-client-key={TLS_MOUNT}/tls.key",
        f"-tls-server-name={name}",
        *([f"-service={service}"] if service else []),
    ]


def test_the_tls_overlay_serves_tls_from_a_secret_with_probes_that_speak_it() -> None:
    base = manifest_objects(ROOT / "deploy" / "k8s" / "sanad.yaml")
    objects = kustomized("deploy/k8s-tls")
    config = objects[("ConfigMap", "sanad-config")]["data"]

    assert {setting: config[setting] for setting in TLS_SETTINGS} == {
        "SANAD_TLS_CERT_FILE": f"{TLS_MOUNT}/tls.crt",
        "SANAD_TLS_KEY_FILE": f"{TLS_MOUNT}/tls.key",
        "SANAD_TLS_CA_FILE": f"{TLS_MOUNT}/ca.crt",
    }
    for name, (grpc_port, metrics_port) in SERVICES.items():
        deployment = objects[("Deployment", name)]
        (container,) = deployment["containers"]
        (plain,) = base[("Deployment", name)]["containers"]
        assert deployment["secrets"] == {"tls": "sanad-tls"}
        assert container["mounts"] == {"tls": TLS_MOUNT}
        assert container["env"]["SANAD_TLS_CLIENT_AUTH"] == CLIENT_AUTH[name]
        for kind in ("startup", "readiness"):
            expected = _tls_probe(name, grpc_port, plain[kind].get("service", ""))
            assert container[kind] == {"kind": "exec", "command": expected}
        assert container["liveness"] == {"kind": "tcp", "port": grpc_port}
        assert container["ports"] == plain["ports"]
        service = objects[("Service", name)]
        assert service["ports"] == [grpc_port, metrics_port]
        assert "appProtocols" not in service, "the gRPC port is TLS, not h2c"


def test_the_mesh_overlay_leaves_mtls_to_istio_and_only_the_analyzer_calls_quota() -> None:
    """Quota and health (the internal RPCs) are open to the analyzer's identity alone."""
    objects = kustomized("deploy/k8s-mesh")
    namespace = objects[("Namespace", "sanad")]
    identity = f"cluster.local/ns/sanad/sa/{objects[('Deployment', 'analyzer')]['serviceAccount']}"

    assert namespace["labels"]["istio-injection"] == "enabled"
    assert {
        item.get("namespace") for (kind, _), item in objects.items() if kind != "Namespace"
    } == {"sanad"}
    assert objects[("PeerAuthentication", "sanad")]["spec"] == {"mtls": {"mode": "STRICT"}}
    assert not set(TLS_SETTINGS) & set(objects[("ConfigMap", "sanad-config")]["data"])
    for name in SERVICES:
        (container,) = objects[("Deployment", name)]["containers"]
        assert container["readiness"]["kind"] == "grpc", "Istio rewrites gRPC probes"
        assert objects[("Service", name)]["appProtocols"] == {"grpc": "grpc"}
    for name in ("quota", "health"):
        grpc_port, metrics_port = SERVICES[name]
        policy = objects[("AuthorizationPolicy", name)]["spec"]
        pods = objects[("Deployment", name)]["podLabels"]
        assert policy["selector"]["matchLabels"].items() <= pods.items()
        assert policy["action"] == "ALLOW"
        assert policy["rules"] == [
            {
                "from": [{"source": {"principals": [identity]}}],
                "to": [{"operation": {"ports": [str(grpc_port)]}}],
            },
            {"to": [{"operation": {"ports": [str(metrics_port)]}}]},
        ]
    assert ("AuthorizationPolicy", "analyzer") not in objects, "tenants prove themselves by key"


def test_the_image_has_the_pinned_grpc_health_probe() -> None:
    """The TLS overlay's probes run grpc-health-probe in the container; the image builds the
    version the tests use."""
    pin = re.search(r"^GRPC_HEALTH_PROBE := (\S+)$", (ROOT / "Makefile").read_text(), re.M)
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert pin is not None
    assert f"go install {pin.group(1)}" in dockerfile
    assert "/usr/local/bin/grpc-health-probe" in dockerfile


def test_kubernetes_check_refuses_an_unknown_field(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {prots: []}\n")

    result = k8s_check(str(broken))

    assert result.returncode == 1
    assert 'unknown field "spec.prots"' in result.stderr
