"""The analyzer's import graph follows the layers its package docstring draws: no cycle between
modules or between parts, and no part importing one that stands above it. Quota and health
have no cycle either."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "services"
ANALYZER_LAYERS: tuple[frozenset[str], ...] = tuple(
    frozenset(layer.split())
    for layer in (
        "policy jurisdiction deadline text",
        "ports rules",
        "analysis prompt",
        "providers request",
        "memory attempt_log instrumentation retry settlements",
        "downstream answers attempt",
        "hedging",
        "pipeline system_health",
        "servicer",
        "app",
        "__main__",
    )
)
"""The analyzer's parts (a top-level module or subpackage), bottom layer first."""


def modules(package: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of a service package."""
    found = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> Iterator[str]:
    """The package's own modules a file imports, wherever in the file the import stands."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        yield from (name for name in names if name in known)


def graph(package: Path) -> dict[str, set[str]]:
    known = modules(package)
    return {
        name: {target for target in imports(path, known) if target != name}
        for name, path in known.items()
    }


def part(module: str) -> str:
    """The part a module belongs to: its top-level module or subpackage."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else ""


def cycle(edges: dict[str, set[str]]) -> list[str]:
    """One cycle of the graph, or [] when it has none."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        state[node] = 2
        path.pop()
        return []

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return []


def part_graph(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    parts: dict[str, set[str]] = {}
    for source, targets in edges.items():
        for target in targets:
            if part(source) and part(target) and part(source) != part(target):
                parts.setdefault(part(source), set()).add(part(target))
    return parts


@pytest.mark.parametrize(
    "package", ["analyzer/sanad_analyzer", "quota/sanad_quota", "health/sanad_health"]
)
def test_no_module_imports_itself_back(package: str) -> None:
    edges = graph(SERVICES / package)
    assert cycle(edges) == []
    assert cycle(part_graph(edges)) == []


def test_every_analyzer_part_stands_in_one_layer() -> None:
    parts = {part(name) for name in modules(SERVICES / "analyzer/sanad_analyzer")} - {""}
    layered = [name for layer in ANALYZER_LAYERS for name in layer]
    assert sorted(layered) == sorted(set(layered)), "a part is in two layers"
    assert parts == set(layered)


def test_no_analyzer_part_imports_one_above_or_beside_it() -> None:
    level = {name: index for index, layer in enumerate(ANALYZER_LAYERS) for name in layer}
    upward = sorted(
        f"{source} -> {target}"
        for source, targets in part_graph(graph(SERVICES / "analyzer/sanad_analyzer")).items()
        for target in targets
        if level[target] >= level[source]
    )
    assert upward == []
