"""The fuzz suite's summary at the end of the run: messages per RPC and the statuses seen."""

from __future__ import annotations

from _pytest.terminal import TerminalReporter

from tests.fuzz.report import REPORT


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    """Print the fuzz report when the fuzz suite ran."""
    if not REPORT.messages():
        return
    terminalreporter.section("fuzz report")
    for line in REPORT.lines():
        terminalreporter.write_line(line)
