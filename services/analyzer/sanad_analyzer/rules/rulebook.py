"""The rulebook: sourced rules loaded from the TOML files in ``data/`` and validated once.

A rule names the check it drives and the parameters of that check; the checker knows the
checks, the rulebook knows the law. Loading fails loudly (RulebookError) on any entry that is
incomplete, unknown or duplicated, so a bad edit to a data file cannot ship silently.
"""

from __future__ import annotations

import enum
import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, model_validator

from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.rules.clauses import Clause
from sanad_analyzer.rules.periods import Purpose


class Check(enum.StrEnum):
    """What a rule asks of the text; each one is implemented by the checker."""

    MIN_RETURN_DAYS = "min_return_days"
    MAX_PERIOD_DAYS = "max_period_days"
    PERIOD_MISSING = "period_missing"
    CLAUSE_PRESENT = "clause_present"
    CLAUSE_ABSENT = "clause_absent"
    FEES_DEDUCTED = "fees_deducted"
    SHARING_UNCLEAR = "sharing_unclear"


Severity = Literal["low", "medium", "high", "critical"]
_TEXT = Annotated[str, Field(min_length=3)]
_DATA_FILES: Final = ("sa.toml", "eg.toml", "generic.toml")


class Rule(BaseModel):
    """One sourced rule of one jurisdiction."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z]+\.[a-z_]+$")
    jurisdiction: Jurisdiction
    policy_type: PolicyType
    severity: Severity
    check: Check
    clause: Clause | None = None
    purpose: Purpose | None = None
    days: float | None = Field(default=None, gt=0)
    shipping_deduction_allowed: bool = False
    title_ar: _TEXT
    title_en: _TEXT
    finding_ar: _TEXT
    finding_en: _TEXT
    suggestion_ar: _TEXT
    suggestion_en: _TEXT
    strength_ar: _TEXT
    strength_en: _TEXT
    legal_reference_ar: _TEXT
    legal_reference_en: _TEXT
    source_url: HttpUrl

    @model_validator(mode="after")
    def _check_has_its_parameters(self) -> Rule:
        needs: dict[Check, tuple[str, ...]] = {
            Check.MIN_RETURN_DAYS: ("days",),
            Check.MAX_PERIOD_DAYS: ("days", "purpose"),
            Check.PERIOD_MISSING: ("purpose",),
            Check.CLAUSE_PRESENT: ("clause",),
            Check.CLAUSE_ABSENT: ("clause",),
        }
        missing = [name for name in needs.get(self.check, ()) if getattr(self, name) is None]
        if missing:
            raise ValueError(f"check {self.check.value} needs {', '.join(missing)}")
        return self

    def text(self, field: str, language: str) -> str:
        """A bilingual field (title, finding, suggestion, strength, legal_reference)."""
        return str(getattr(self, f"{field}_{language}"))


class RulebookError(ValueError):
    """A rulebook data file that is not valid: the service must not start with it."""


@dataclass(frozen=True)
class Rulebook:
    """All rules, by jurisdiction and policy type."""

    rules: tuple[Rule, ...]

    def applicable(self, jurisdiction: Jurisdiction, policy_type: PolicyType) -> tuple[Rule, ...]:
        """The rules a policy of this type is checked against in this jurisdiction."""
        return self._by_scope.get((jurisdiction, policy_type), ())

    @functools.cached_property
    def _by_scope(self) -> dict[tuple[Jurisdiction, PolicyType], tuple[Rule, ...]]:
        scopes: dict[tuple[Jurisdiction, PolicyType], list[Rule]] = {}
        for rule in self.rules:
            scopes.setdefault((rule.jurisdiction, rule.policy_type), []).append(rule)
        return {scope: tuple(rules) for scope, rules in scopes.items()}


def parse_rulebook(files: Mapping[str, bytes]) -> Rulebook:
    """Validate the data files' contents (name to bytes); raise RulebookError on any fault."""
    rules: list[Rule] = []
    seen: set[tuple[str, Jurisdiction]] = set()
    for name, content in files.items():
        try:
            data: dict[str, Any] = tomllib.loads(content.decode("utf-8"))
            jurisdiction = Jurisdiction(data["jurisdiction"])
            entries = data["rules"]
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, KeyError, ValueError) as exc:
            raise RulebookError(f"{name}: {exc}") from None
        for index, entry in enumerate(entries):
            try:
                rule = Rule.model_validate({**entry, "jurisdiction": jurisdiction})
            except ValidationError as exc:
                raise RulebookError(f"{name}: rule {index + 1}: {exc}") from None
            if (rule.id, jurisdiction) in seen:
                raise RulebookError(f"{name}: rule {rule.id} appears twice for {jurisdiction}")
            seen.add((rule.id, jurisdiction))
            rules.append(rule)
    return Rulebook(rules=tuple(rules))


@functools.cache
def load_rulebook() -> Rulebook:
    """The rulebook shipped with the service (read once)."""
    folder = resources.files("sanad_analyzer.rules") / "data"
    return parse_rulebook({name: (folder / name).read_bytes() for name in _DATA_FILES})
