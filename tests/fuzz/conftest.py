"""The fuzz suite's summary at the end of the run: messages per RPC, the statuses seen, crashes
and tracebacks; printed, and written to var/fuzz-report.txt to quote."""

from __future__ import annotations

from pathlib import Path

from _pytest.terminal import TerminalReporter

from tests.fuzz.report import REPORT

SUMMARY_FILE = Path(__file__).resolve().parents[2] / "var" / "fuzz-report.txt"


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    """Print and write the fuzz report when the fuzz suite ran."""
    if not REPORT.messages():
        return
    lines = REPORT.lines()
    terminalreporter.section("fuzz report")
    for line in lines:
        terminalreporter.write_line(line)
    SUMMARY_FILE.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY_FILE.write_text("\n".join(lines) + "\n")
    terminalreporter.write_line(f"written to {SUMMARY_FILE}")
