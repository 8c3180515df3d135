"""The Kubernetes manifests as the tests read them: decoded strictly into the Kubernetes API
types by tools/k8s-check, the overlays built first by kubectl's kustomize, as
``kubectl apply -k`` builds them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent

Objects = dict[tuple[str, str], dict[str, Any]]
"""Each object's description by (kind, name)."""


def k8s_check(manifest: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """tools/k8s-check on a manifest file, or on stdin when manifest is "-"."""
    go = shutil.which("go")
    assert go, "Go is needed to check the Kubernetes manifests with the API types"
    return subprocess.run(
        [go, "run", ".", manifest],
        cwd=ROOT / "tools" / "k8s-check",
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _objects(result: subprocess.CompletedProcess[str]) -> Objects:
    assert result.returncode == 0, result.stderr
    return {(item["kind"], item["name"]): item for item in json.loads(result.stdout)}


def manifest_objects(path: Path) -> Objects:
    """The objects of one manifest file."""
    return _objects(k8s_check(str(path)))


def kustomized(folder: str) -> Objects:
    """The objects of a kustomization folder of the repository, built as kubectl builds it."""
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (its built-in kustomize) is needed to build the overlays"
    built = subprocess.run(
        [kubectl, "kustomize", str(ROOT / folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    return _objects(k8s_check("-", built.stdout))
