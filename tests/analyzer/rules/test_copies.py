"""The checker reads a page the same however it was copied: with Persian letters for Arabic
ones, with markdown emphasis on its headings, or with a crawler's breadcrumb, update date and
footer around it. Every development policy is checked as written and as each copy; the
confident findings must not differ (for the crawled copy, those of the five main return
rules: a breadcrumb "Returns" does make a warranty page a returns page, whose missing refund
time is then a finding)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from sanad_analyzer.rules.checker import check_policy
from sanad_analyzer.rules.evaluation import LabelledPolicy, jurisdiction_applied
from tests.analyzer.rules.test_corpus import DEVELOPMENT, RETURN_RULES

_SHORT_LINE = re.compile(r"(?m)^(?![ \t]*[-•|#*])([^\n.!?؟:،,]{1,60})$")


def _persian_letters(text: str) -> str:
    """As typed on a Persian keyboard: ی for ي, ک for ك."""
    return text.replace("ي", "ی").replace("ك", "ک")


def _bold_headings(text: str) -> str:
    """Short lines without a sentence's end (headings, as a page renders them) in bold."""
    return _SHORT_LINE.sub(lambda match: f"**{match.group(1).strip()}**", text)


def _crawled(text: str) -> str:
    """With what a crawler keeps of the page around the policy."""
    return (
        "Home > Policies > Returns\nLast updated: 1 November 2026\n\n"
        + text
        + "\n\nSubscribe to our newsletter\n© 2026 All rights reserved | Follow us on Instagram"
    )


def _confident(policy: LabelledPolicy, text: str, rules: frozenset[str] | None) -> set[str]:
    result = check_policy(text, policy.policy_type, jurisdiction_applied(policy))
    return {
        finding.rule_id
        for finding in result.findings
        if finding.confident and (rules is None or finding.rule_id in rules)
    }


@pytest.mark.parametrize(
    ("copy", "rules"),
    [(_persian_letters, None), (_bold_headings, None), (_crawled, frozenset(RETURN_RULES))],
)
def test_every_development_policy_reads_the_same_as_copied(
    copy: Callable[[str], str], rules: frozenset[str] | None
) -> None:
    changed = [
        policy.id
        for policy in DEVELOPMENT
        if _confident(policy, policy.text, rules) != _confident(policy, copy(policy.text), rules)
    ]
    assert changed == []
