"""Each benchmark rewrites its own section of docs/benchmarks.md and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.report import write_section


def test_a_new_section_is_appended(tmp_path: Path) -> None:
    path = tmp_path / "benchmarks.md"
    write_section(path, "## One\n\nfirst\n")
    write_section(path, "## Two\n\nsecond\n")
    assert path.read_text() == "# Benchmarks\n\n## One\n\nfirst\n\n## Two\n\nsecond\n"


def test_a_section_is_replaced_with_its_subsections_and_the_others_kept(tmp_path: Path) -> None:
    path = tmp_path / "benchmarks.md"
    path.write_text(
        "# Benchmarks\n\n## One\n\nold\n\n### Reading\n\nold notes\n\n## Two\n\nsecond\n"
    )
    write_section(path, "## One\n\nnew\n")
    assert path.read_text() == "# Benchmarks\n\n## One\n\nnew\n\n## Two\n\nsecond\n"
    write_section(path, "## Two\n\nlast\n")
    assert path.read_text() == "# Benchmarks\n\n## One\n\nnew\n\n## Two\n\nlast\n"


def test_a_heading_that_only_starts_like_the_section_is_not_it(tmp_path: Path) -> None:
    path = tmp_path / "benchmarks.md"
    path.write_text("# Benchmarks\n\n## One more\n\nkept\n")
    write_section(path, "## One\n\nnew\n")
    assert "## One more\n\nkept\n" in path.read_text()
    assert path.read_text().endswith("## One\n\nnew\n")


def test_a_section_must_start_with_a_level_two_heading(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="level-2 heading"):
        write_section(tmp_path / "benchmarks.md", "no heading\n")
