"""docs/benchmarks.md is written by several benchmarks: each owns one level-2 section."""

from __future__ import annotations

import os
import platform
from pathlib import Path

TITLE = "# Benchmarks\n"


def write_section(path: Path, section: str) -> None:
    """Replace the section that starts with ``section``'s first line (a ``## `` heading), up
    to the next ``## `` heading, or append it; every other section is left as it is."""
    heading = section.split("\n", 1)[0]
    if not heading.startswith("## "):
        raise ValueError(f"a section starts with a level-2 heading, not {heading!r}")
    text = path.read_text() if path.exists() else TITLE
    body = section.strip("\n") + "\n"
    start = text.find(f"\n{heading}\n")
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + body
    else:
        end = text.find("\n## ", start + len(heading) + 1)
        rest = "" if end < 0 else "\n" + text[end + 1 :]
        text = text[: start + 1] + body + rest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def provenance(command: str) -> list[str]:
    """The lines that say how a section's figures were made: the command, the machine and how
    busy it was (figures made beside other work compare within their run, not across runs)."""
    cores = os.cpu_count() or 1
    loads = os.getloadavg()
    busy = (
        f" The machine was busier than its {cores} cores (other work shared it): compare the "
        "rows of this run with each other, not with other runs."
        if loads[1] > cores
        else ""
    )
    return [
        f"Command: `{command}`",
        "",
        f"Machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}. "
        f"Load average when written (1, 5, 15 min): {loads[0]:.1f}, {loads[1]:.1f}, "
        f"{loads[2]:.1f}.{busy}",
    ]
