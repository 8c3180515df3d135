"""The contract and its generated code: committed code is fresh, every RPC is exercised."""

from __future__ import annotations

import ast
import filecmp
import functools
import os
import shutil
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


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The API generated afresh from protos/ (Python in python/, Go in go/)."""
    assert shutil.which("protoc-gen-go") and shutil.which("protoc-gen-go-grpc"), (
        "the Go protoc plugins are not on PATH: run the tests with `make test`"
    )
    out = tmp_path_factory.mktemp("generated")
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "gen-protos.sh"), str(out / "python"), str(out / "go")],
        check=True,
        env={**os.environ, "PYTHON": sys.executable},
        cwd=ROOT,
    )
    return out


@pytest.mark.parametrize(
    ("committed", "fresh"),
    [("clients/python/sanad", "python/sanad"), ("clients/go/sanad", "go/sanad")],
)
def test_committed_generated_code_matches_the_protos(
    regenerated: Path, committed: str, fresh: str
) -> None:
    committed_root = ROOT / committed
    fresh_root = regenerated / fresh
    committed_files = {p for p in _files(committed_root) if "__pycache__" not in p.parts}
    assert committed_files == _files(fresh_root), "run `make proto` and commit the result"
    _, mismatch, errors = filecmp.cmpfiles(
        committed_root, fresh_root, sorted(str(p) for p in committed_files), shallow=False
    )
    assert not mismatch and not errors, f"stale generated files: {mismatch + errors}"


def _called_attributes(source: str, filename: str = "<test>") -> set[str]:
    """Names of attributes that are called in the source, such as ``Analyze`` for
    ``await stub.Analyze(request)``: real calls only, never comments or strings."""
    return {
        node.func.attr
        for node in ast.walk(ast.parse(source, filename=filename))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }


@functools.cache
def _attributes_called_by_tests() -> frozenset[str]:
    called: set[str] = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        if path.resolve() != Path(__file__).resolve():
            called |= _called_attributes(path.read_text(), str(path))
    return frozenset(called)


def test_only_real_calls_count_as_calling_an_rpc() -> None:
    source = """
# stub.Reserve(request) in a comment
note = "stub.Commit(request) in a string"
stub.Release
async def call(stub, request):
    await stub.GetUsage(request)
    async for event in stub.AnalyzeStream(request):
        pass
    return [await stub.Analyze(request, timeout=1)]
"""
    assert _called_attributes(source) == {"GetUsage", "AnalyzeStream", "Analyze"}


@pytest.mark.parametrize(
    "method",
    [f"{service.name}.{method.name}" for service in SERVICES for method in service.methods],
)
def test_every_rpc_is_called_by_a_test(method: str) -> None:
    name = method.split(".")[1]
    assert name in _attributes_called_by_tests(), f"no test calls {method}"
