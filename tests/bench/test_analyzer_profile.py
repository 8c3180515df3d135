"""The profile report's arithmetic: frames named without line numbers or paths, and each
frame's inclusive share counted once per sample even when it recurs in a stack."""

from __future__ import annotations

from bench.analyzer_profile import frame_name, inclusive_shares, render

MAIN = "main (/srv/checkout/services/analyzer/sanad_analyzer/__main__.py:10)"
COLLAPSED = (
    f"{MAIN};a (/v/site-packages/pkg/m.py:3);b (/v/site-packages/pkg/m.py:9) 6\n"
    f"{MAIN};a (/v/site-packages/pkg/m.py:4);a (/v/site-packages/pkg/m.py:5) 4\n"
)


def test_frames_lose_line_numbers_and_paths() -> None:
    assert frame_name("a (/v/lib/python3.11/site-packages/pkg/m.py:3)") == "a (pkg/m.py)"
    assert (
        frame_name("run (/any/checkout/services/analyzer/sanad_analyzer/pipeline.py:88)")
        == "run (sanad_analyzer/pipeline.py)"
    )


def test_shares_are_inclusive_and_counted_once_per_sample() -> None:
    total, shares = inclusive_shares(COLLAPSED + "not a line\n")

    assert total == 10
    assert shares["a (pkg/m.py)"] == 10
    assert shares["b (pkg/m.py)"] == 6


def test_the_report_lists_frames_by_share_without_the_loop() -> None:
    report = render(COLLAPSED, answered=42, seconds=20, command="python -m bench.analyzer_profile")

    rows = [line for line in report.splitlines() if line.startswith("| ") and "%" in line]
    # 10 samples at 200 Hz over 42 requests: 1.19 ms of sampled time per request.
    assert rows[0] == "| 100.0 % | 1.19 | `a (pkg/m.py)` |"
    assert rows[1] == "| 60.0 % | 0.71 | `b (pkg/m.py)` |"
    assert not any("__main__" in row for row in rows)
