"""The contract and its generated code: committed code is fresh, every RPC is exercised."""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
from pathlib import Path

import pytest
from google.protobuf.descriptor import ServiceDescriptor

from sanad.analyzer.v1 import analyzer_pb2
from sanad.health.v1 import health_pb2
from sanad.quota.v1 import quota_pb2

ROOT = Path(__file__).resolve().parent.parent
SERVICES: list[ServiceDescriptor] = [
    analyzer_pb2.DESCRIPTOR.services_by_name["AnalyzerService"],
    quota_pb2.DESCRIPTOR.services_by_name["QuotaService"],
    health_pb2.DESCRIPTOR.services_by_name["ProviderHealthService"],
]


def _files(root: Path) -> set[Path]:
    return {path.relative_to(root) for path in root.rglob("*") if path.is_file()}


def test_committed_generated_code_matches_the_protos(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHON": sys.executable}
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "gen-protos.sh"), str(tmp_path)],
        check=True,
        env=env,
        cwd=ROOT,
    )
    committed = ROOT / "clients" / "python" / "sanad"
    fresh = tmp_path / "sanad"
    committed_files = {p for p in _files(committed) if "__pycache__" not in p.parts}
    assert committed_files == _files(fresh), "run `make proto` and commit the result"
    _, mismatch, errors = filecmp.cmpfiles(
        committed, fresh, sorted(str(p) for p in committed_files), shallow=False
    )
    assert not mismatch and not errors, f"stale generated files: {mismatch + errors}"


@pytest.mark.parametrize(
    "method",
    [f"{service.name}.{method.name}" for service in SERVICES for method in service.methods],
)
def test_every_rpc_is_called_by_a_test(method: str) -> None:
    name = method.split(".")[1]
    sources = [
        path.read_text()
        for path in (ROOT / "tests").rglob("test_*.py")
        if path.name != Path(__file__).name
    ]
    assert any(f".{name}(" in source for source in sources), f"no test calls {method}"
