"""bench.analyzer_memory: it measures each import in the analyzer's order, and its section
shows every row."""

from __future__ import annotations

from bench.analyzer_memory import IMPORTS, measure_imports, render


def test_each_import_is_measured_in_order() -> None:
    rows = dict(measure_imports())

    assert list(rows) == ["interpreter", *IMPORTS, "total"]
    assert rows["grpc"] > 1.0  # gRPC's C core alone is several MiB
    assert rows["total"] > rows["interpreter"] + rows["grpc"]


def test_the_section_shows_every_import_and_the_process() -> None:
    process = {"VmRSS": "1000 kB", "RssAnon": "600 kB", "RssFile": "400 kB", "Threads": "7"}

    section = render([("interpreter", 10.0), ("grpc", 19.25)], process, "the command")

    assert section.startswith("## Analyzer memory at start\n")
    assert "Command: `the command`" in section
    assert "| grpc | 19.2 |" in section
    assert "| 1000 kB | 600 kB | 400 kB | 7 |" in section
