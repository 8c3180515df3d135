"""The sanad-client distribution: its dependency floors are what the generated code demands
when imported, and its helpers import nothing but what it depends on."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

CLIENT = Path(__file__).resolve().parents[3] / "clients" / "python"
DEPENDENCY_MODULES = {"grpc", "grpc_status", "google", "sanad", "sanad_client"}
"""Top-level modules of the client and its dependencies (google.rpc comes with grpcio-status)."""


def floors() -> dict[str, str]:
    """Each dependency's lowest accepted version, by name."""
    project = tomllib.loads((CLIENT / "pyproject.toml").read_text())["project"]
    found = {}
    for requirement in project["dependencies"]:
        match = re.fullmatch(r"([a-z-]+)>=([\d.]+),<\d+", requirement)
        assert match, f"{requirement}: a range with a floor and a major cap is expected"
        found[match[1]] = match[2]
    return found


def test_the_dependencies_are_grpc_and_protobuf_only() -> None:
    assert set(floors()) == {"grpcio", "grpcio-status", "protobuf"}


def test_the_grpcio_floor_is_what_the_generated_stubs_check() -> None:
    versions = {
        re.search(r"GRPC_GENERATED_VERSION = '([\d.]+)'", path.read_text())[1]  # type: ignore[index]
        for path in (CLIENT / "sanad").rglob("*_pb2_grpc.py")
    }

    assert versions == {floors()["grpcio"]}
    assert floors()["grpcio-status"] == floors()["grpcio"]


def test_the_protobuf_floor_is_what_the_generated_messages_check() -> None:
    pattern = r"ValidateProtobufRuntimeVersion\(\s*\S+,\s*(\d+),\s*(\d+),\s*(\d+),"
    versions = {
        ".".join(re.search(pattern, path.read_text()).groups())  # type: ignore[union-attr]
        for path in (CLIENT / "sanad").rglob("*_pb2.py")
    }

    assert versions == {floors()["protobuf"]}


def test_the_helpers_import_only_the_standard_library_and_the_dependencies() -> None:
    imported: set[str] = set()
    for path in (CLIENT / "sanad_client").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])

    assert imported - sys.stdlib_module_names - {"__future__"} <= DEPENDENCY_MODULES
    assert "sanad_client" in imported
