"""The peers bench: its report and goals on made-up figures, its pins, and one quick run of
Sanad beside the direct call in a network namespace (no peer installed). No timing is
asserted: the figures of a run on a shared machine prove nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.peers import install
from bench.peers.gateways import PORTKEY_CONFIG, Upstreams, portkey_config, sanad_providers
from bench.peers.load import Sample
from bench.peers.table import (
    BEGIN,
    DIRECT,
    END,
    GATEWAYS,
    HEADING,
    HEALTHY,
    OUTAGE,
    GatewayRun,
    Outage,
    PeersRun,
    evaluate_goals,
    render,
)
from bench.report import write_section
from sanad_emulator.control import EmulatorControl

REPO = Path(__file__).resolve().parents[2]


def _gateway(
    name: str, *, added: float, rate: float, outage_rate: float, leaked: int
) -> GatewayRun:
    """A namespace whose direct call takes 2 ms (p99 4 ms) and carries 600 req/s."""

    def sample(target: str, phase: str, concurrency: int, p50: float, rps: float) -> Sample:
        return Sample(target, phase, concurrency, 100, 0, p50, 2 * p50, p50, rps)

    return GatewayRun(
        gateway=name,
        samples=(
            sample(DIRECT, HEALTHY, 1, 2.0, 400),
            sample(name, HEALTHY, 1, 2.0 + added, 200),
            sample(DIRECT, HEALTHY, 16, 20.0, 600),
            sample(name, HEALTHY, 16, 40.0, rate),
            sample(name, OUTAGE, 1, 2.0 + added, 200),
            sample(name, OUTAGE, 16, 40.0, outage_rate),
        ),
        outage=Outage(
            opening_requests=10,
            primary_skipped=leaked == 0,
            measured_requests=200,
            primary_requests=leaked,
            fallback_requests=200,
        ),
        cpu_ms_per_request=3.0,
    )


def _run(*, sanad_added: float = 2.0, sanad_outage: float = 300.0) -> PeersRun:
    return PeersRun(
        command="make bench",
        machine="test",
        versions={"sanad": "commit abc", "litellm": "1.0", "portkey": "2.0", "node": "v20"},
        requests=100,
        runs=(
            _gateway("sanad", added=sanad_added, rate=300, outage_rate=sanad_outage, leaked=0),
            _gateway("litellm", added=4.0, rate=200, outage_rate=200, leaked=0),
            _gateway("portkey", added=1.0, rate=400, outage_rate=150, leaked=200),
        ),
        install={"litellm": ["python3 -m venv x"], "portkey": ["npm ci"]},
        start={"sanad": "the suite"},
    )


def test_goals_are_met_when_sanad_is_ahead() -> None:
    goals = evaluate_goals(_run())
    assert [goal.verdict for goal in goals] == ["yes"] * 5
    assert goals[0].measured == "+2.0 ms against +4.0 ms"
    assert goals[4].measured == "0 of 200"


def test_goals_are_missed_when_sanad_is_behind() -> None:
    goals = {goal.name: goal for goal in evaluate_goals(_run(sanad_added=5.0, sanad_outage=200))}
    assert goals["added latency at c=1, p50: Sanad against LiteLLM"].verdict == "no"
    assert goals["outage throughput at c=16: Sanad against Portkey"].verdict == "no"


def test_a_gateway_not_measured_is_said_so() -> None:
    full = _run()
    run = PeersRun(
        command=full.command,
        machine=full.machine,
        versions=full.versions,
        requests=full.requests,
        runs=full.runs[:1],
        missing={"litellm": "install failed: no", "portkey": "exited with 1"},
    )
    section = render(run)
    assert "| LiteLLM | 1.0 | install failed: no |" in section
    assert "- Portkey: exited with 1" in section
    verdicts = [goal.verdict for goal in evaluate_goals(run)]
    assert verdicts == ["not measured"] * 4 + ["yes"]


def test_the_section_has_its_tables_between_its_markers(tmp_path: Path) -> None:
    section = render(_run())
    lines = section.splitlines()
    assert lines[:2] == [HEADING, BEGIN]
    assert lines[-1] == END
    tables = _tables(lines)
    goals, summary = tables[0], tables[1]
    assert len(goals) == 2 + 5
    assert [row.split(" | ")[0] for row in summary[2:]] == [
        "| Sanad",
        "| LiteLLM",
        "| Portkey",
        "| direct",
    ]
    assert summary[2] == "| Sanad | commit abc | +2.0 | +4.0 | 300 | 50% | 3.0 | 300 | 0 of 200 |"
    for table in tables:
        assert len({line.count("|") for line in table}) == 1, table
    path = tmp_path / "benchmarks.md"
    path.write_text("# Benchmarks\n\n## Other\n\nkept\n")
    write_section(path, section)
    write_section(path, section)
    text = path.read_text()
    assert text.count(BEGIN) == 1 and "## Other\n\nkept\n" in text


def _tables(lines: list[str]) -> list[list[str]]:
    tables: list[list[str]] = [[]]
    for line in lines:
        if line.startswith("|"):
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    return [table for table in tables if table]


def test_the_run_reads_back_from_its_json() -> None:
    run = _run()
    assert PeersRun.from_json(json.loads(json.dumps(run.to_json()))) == run


def test_the_peers_are_pinned_to_the_versions_the_report_names() -> None:
    constraints = install.LITELLM_CONSTRAINTS.read_text().splitlines()
    assert f"litellm=={install.LITELLM_VERSION}" in constraints
    package = json.loads(install.PORTKEY_PINS[0].read_text())
    assert package["dependencies"] == {install.PORTKEY_PACKAGE: install.PORTKEY_VERSION}
    lock = json.loads(install.PORTKEY_PINS[1].read_text())
    locked = lock["packages"][f"node_modules/{install.PORTKEY_PACKAGE}"]["version"]
    assert locked == install.PORTKEY_VERSION


def test_every_gateway_gets_a_primary_a_fallback_and_no_retry() -> None:
    upstreams = Upstreams(
        "http://127.0.0.1:1", "http://127.0.0.1:2", EmulatorControl("x"), EmulatorControl("y")
    )
    portkey = json.loads(portkey_config(upstreams))
    assert portkey["strategy"] == {"mode": "fallback"}
    assert [t["custom_host"] for t in portkey["targets"]] == [
        "http://127.0.0.1:1/v1",
        "http://127.0.0.1:2/v1",
    ]
    assert all("retry" not in target for target in portkey["targets"])
    assert "$" not in json.dumps(portkey) and "$primary_url" in PORTKEY_CONFIG.read_text()
    sanad = json.loads(sanad_providers(upstreams))
    assert [(p["name"], p["kind"], p["base_url"]) for p in sanad] == [
        ("primary", "openai", "http://127.0.0.1:1/v1"),
        ("fallback", "openai", "http://127.0.0.1:2/v1"),
    ]
    litellm = (install.PINS / "litellm.yaml").read_text()
    assert litellm.count("num_retries: 0") == 2
    assert 'fallbacks: [{"primary": ["fallback"]}]' in litellm


def _namespaces_work() -> bool:
    unshare = shutil.which("unshare")
    if os.geteuid() != 0 or unshare is None or shutil.which("redis-server") is None:
        return False
    return subprocess.run([unshare, "--net", "true"], check=False).returncode == 0


@pytest.mark.integration
@pytest.mark.timeout(600)
@pytest.mark.skipif(not _namespaces_work(), reason="needs root, unshare and redis-server")
def test_a_quick_run_measures_sanad_beside_the_direct_call(tmp_path: Path) -> None:
    output, data = tmp_path / "benchmarks.md", tmp_path / "peers.json"
    arguments = ["--quick", "--gateways", "sanad", "--no-install", "--output", str(output)]
    arguments += ["--json", str(data), "--runs", str(tmp_path / "runs")]
    done = subprocess.run(
        [sys.executable, "-m", "bench.peers", *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    run = PeersRun.from_json(json.loads(data.read_text()))
    assert [r.gateway for r in run.runs] == ["sanad"]
    assert set(run.versions) >= set(GATEWAYS)
    sanad = run.runs[0]
    cases = {(s.target, s.phase, s.concurrency) for s in sanad.samples}
    assert cases == {
        (DIRECT, HEALTHY, 1),
        ("sanad", HEALTHY, 1),
        (DIRECT, HEALTHY, 16),
        ("sanad", HEALTHY, 16),
        ("sanad", OUTAGE, 1),
        ("sanad", OUTAGE, 16),
    }
    assert sanad.outage.fallback_requests > 0
    assert BEGIN in output.read_text()
