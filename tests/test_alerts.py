"""The Prometheus alert rules are valid and each one fires, and stays silent, as its unit tests
in deploy/prometheus/alerts_test.yml say (`promtool test rules`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "deploy" / "prometheus"


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: run scripts/ensure-promtool.sh (or `make test`)"
    return subprocess.run(
        [promtool, *args], cwd=RULES, capture_output=True, text=True, timeout=120, check=False
    )


def test_alert_rules_are_valid() -> None:
    checked = _promtool("check", "rules", "alerts.yml")

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 6 rules found" in checked.stdout


def test_every_alert_fires_and_stays_silent_as_tested() -> None:
    tested = _promtool("test", "rules", "alerts_test.yml")

    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_every_alert_has_a_unit_test() -> None:
    rules = (RULES / "alerts.yml").read_text()
    tests = (RULES / "alerts_test.yml").read_text()
    names = [line.split(":", 1)[1].strip() for line in rules.splitlines() if "- alert:" in line]

    assert len(names) == 6
    for name in names:
        assert f"alertname: {name}\n        exp_alerts: []" in tests, f"{name} never silent"
        assert f"alertname: {name}\n        exp_alerts:\n" in tests, f"{name} never fires"
