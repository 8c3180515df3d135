"""The CLI keeps to what its package docstring allows: of Sanad's own code, the client
distribution and the settings sources only, never a service's package."""

from __future__ import annotations

import ast
from pathlib import Path

import sanad_cli

PACKAGE = Path(sanad_cli.__file__).parent
SANAD_PACKAGES = ("sanad_", "sanad.")
ALLOWED = ("sanad_cli", "sanad.", "sanad_client", "sanad_common.config")


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_cli_imports_only_the_client_and_the_settings_sources_of_sanad() -> None:
    outside = {
        f"{path.name}: {name}"
        for path in PACKAGE.glob("*.py")
        for name in _imported(path)
        if name.startswith(SANAD_PACKAGES) and not name.startswith(ALLOWED)
    }

    assert not outside
