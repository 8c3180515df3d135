"""The first-character guard speeds a pattern up without changing what it matches."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanad_analyzer.rules import clauses, periods
from sanad_analyzer.rules.evaluation import load_corpus
from sanad_analyzer.rules.guard import first_characters, guarded
from sanad_analyzer.rules.normalised import normalise


@pytest.mark.parametrize(
    ("regex", "chars"),
    [
        ("abc|xyz", "ax"),
        ("(?:ال)?مبلغ", "ام"),
        ("[يت]رد|ب?[يت]رجع", "يتب"),
        (r"(?<!\w)(?:رد|الرد)(?!\w)", "را"),
        (r"\d+\s*%", "0123456789"),
        (r"(?P<a>x)|(?P<b>y)", "xy"),
        (r"a{0,2}b", "ab"),
    ],
)
def test_first_characters_of_the_constructs_the_checker_uses(regex: str, chars: str) -> None:
    assert first_characters(regex) == frozenset(chars)


@pytest.mark.parametrize("regex", [r"\w+x", r".x", r"[^a]x", "a?", r"(?i)x", ""])
def test_no_guard_when_the_first_characters_cannot_be_told(regex: str) -> None:
    assert first_characters(regex) is None
    assert guarded(regex) == regex


def _patterns() -> list[re.Pattern[str]]:
    return [
        value
        for module in (clauses, periods)
        for value in vars(module).values()
        if isinstance(value, re.Pattern) and value.pattern.startswith("(?=[")
    ]


def _unguarded(compiled: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(compiled.pattern.split("])(?:", 1)[1][:-1])


CORPUS_TEXTS = [
    normalise(policy.text).text
    for name in ("rulebook_corpus.toml", "rulebook_holdout.toml")
    for policy in load_corpus(Path(__file__).parents[2] / "data" / name)
]


@pytest.mark.parametrize("compiled", _patterns(), ids=lambda p: p.pattern[:30])
def test_guarded_patterns_match_exactly_as_unguarded_ones_on_the_corpus(
    compiled: re.Pattern[str],
) -> None:
    plain = _unguarded(compiled)
    for text in CORPUS_TEXTS:
        assert [m.span() for m in compiled.finditer(text)] == [
            m.span() for m in plain.finditer(text)
        ]


@given(st.text(alphabet=st.sampled_from(list("الا رد مبلغ تيب 7١4 ايام يوم ساعه,.\n-%"))))
def test_guarded_patterns_match_exactly_as_unguarded_ones_on_any_text(text: str) -> None:
    for compiled in _patterns():
        plain = _unguarded(compiled)
        assert [m.span() for m in compiled.finditer(text)] == [
            m.span() for m in plain.finditer(text)
        ]
