"""A Go platform calling Analyze through the generated Go client, against the real suite."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from sanad_launcher.suite import LocalSuite
from tests.integration.conftest import Clients
from tests.integration.test_scenarios import RETURN_POLICY

pytestmark = pytest.mark.integration

GO_MODULE = Path(__file__).resolve().parents[2] / "clients" / "go"


@pytest.fixture(scope="module")
def sanad_analyze(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example Go client, built once."""
    go = shutil.which("go")
    assert go, "Go is needed to build the Go client"
    binary = tmp_path_factory.mktemp("go") / "sanad-analyze"
    subprocess.run(
        [go, "build", "-o", str(binary), "./cmd/sanad-analyze"],
        cwd=GO_MODULE,
        check=True,
        timeout=600,
    )
    return binary


async def run(binary: Path, *args: str) -> tuple[int, str, str]:
    """Run the Go client; its exit code, stdout and stderr."""
    process = await asyncio.create_subprocess_exec(
        str(binary), *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_go_client_analyzes_a_policy(
    suite: LocalSuite, clients: Clients, sanad_analyze: Path
) -> None:
    code, out, err = await run(
        sanad_analyze, "-target", suite.analyzer_target, "-text", RETURN_POLICY
    )

    assert code == 0, err
    answer = json.loads(out)
    assert answer["source"] == "SOURCE_FRESH"
    assert answer["provider"] == "openai"
    assert answer["compliance_grade"] in {"A", "B", "C", "D", "F"}
    assert await clients.provider_requests() == {"openai": 1, "gemini": 0}


async def test_go_client_sees_the_status_of_bad_input(
    suite: LocalSuite, clients: Clients, sanad_analyze: Path
) -> None:
    code, _, err = await run(sanad_analyze, "-target", suite.analyzer_target, "-text", " ")

    assert code == 1
    assert err.startswith("InvalidArgument: invalid request: policy_text")
    assert "\n  field policy_text: " in err, err
