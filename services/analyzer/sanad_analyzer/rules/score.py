"""The compliance ratio and grade that follow from the checker's result.

ratio = 100 × (weight of the rules that passed) / (weight of the rules that passed or fired),
with weights critical 4, high 3, medium 2, low 1. Only confident findings count: a rule with
only an uncertain finding is undecided and left out of both sums. Any confident critical
finding caps the ratio at 59; any undecided rule caps it at 89, so a policy with a clause
that could not be read is never graded compliant (A). The grade is read off the ratio by the
same bands the analysis schema uses (A 90-100, B 80-89, C 70-79, D 60-69, F below 60), so ratio
and grade always agree.
"""

from __future__ import annotations

from typing import Final

from sanad_analyzer.rules.checker import CheckResult

SEVERITY_WEIGHTS: Final = {"critical": 4, "high": 3, "medium": 2, "low": 1}
CRITICAL_CAP: Final = 59.0
UNDECIDED_CAP: Final = 89.0
_BANDS: Final = ((90.0, "A"), (80.0, "B"), (70.0, "C"), (60.0, "D"))


def compliance_ratio(result: CheckResult) -> float:
    """0 to 100, rounded to one decimal."""
    passed = sum(SEVERITY_WEIGHTS[rule.severity] for rule in result.passed)
    total = passed + sum(SEVERITY_WEIGHTS[rule.severity] for rule in result.fired)
    ratio = 100.0 * passed / total if total else 100.0
    if any(rule.severity == "critical" for rule in result.fired):
        ratio = min(ratio, CRITICAL_CAP)
    if result.undecided:
        ratio = min(ratio, UNDECIDED_CAP)
    return round(ratio, 1)


def grade(ratio: float) -> str:
    """The letter grade of a ratio."""
    return next((letter for bound, letter in _BANDS if ratio >= bound), "F")
