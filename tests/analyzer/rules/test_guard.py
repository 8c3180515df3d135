"""The first-character guard speeds a pattern up without changing what it matches."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from sanad_analyzer.rules import (
    clauses,
    document,
    jurisdiction_signals,
    periods,
    returns,
    vocabulary,
)
from sanad_analyzer.rules.evaluation import load_facts_corpus, load_rule_id_corpus
from sanad_analyzer.rules.guard import any_of, first_characters, guarded, literal_led
from sanad_analyzer.rules.normalised import normalise

UNICODE_DIGITS = "".join(char for char in map(chr, range(0x110000)) if char.isdecimal())
"""What ``\\d`` matches: Arabic-Indic and every other decimal digit, not only 0-9."""


@pytest.mark.parametrize(
    ("regex", "chars"),
    [
        ("abc|xyz", "ax"),
        ("(?:ال)?مبلغ", "ام"),
        ("[يت]رد|ب?[يت]رجع", "يتب"),
        (r"(?<!\w)(?:رد|الرد)(?!\w)", "را"),
        (r"\d+\s*%", UNICODE_DIGITS),
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


def _compiled(value: object) -> Iterator[re.Pattern[str]]:
    """The patterns in a module attribute, inside dicts and tuples too."""
    if isinstance(value, re.Pattern):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _compiled(item)
    elif isinstance(value, tuple):
        for item in value:
            yield from _compiled(item)


def _patterns() -> list[re.Pattern[str]]:
    modules = (clauses, document, jurisdiction_signals, periods, returns, vocabulary)
    return [
        regex
        for module in modules
        for value in vars(module).values()
        for regex in _compiled(value)
        if regex.pattern.startswith("(?=[")
    ]


def _unguarded(compiled: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(compiled.pattern.split("])(?:", 1)[1][:-1])


DATA = Path(__file__).parents[2] / "data"
CORPUS_TEXTS = [
    normalise(policy.text).text
    for policy in [
        *load_rule_id_corpus(DATA / "rulebook_corpus.toml"),
        *load_rule_id_corpus(DATA / "rulebook_holdout.toml"),
        *load_facts_corpus(DATA / "policies" / "development.toml"),
    ]
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


@example("١رس")  # an Arabic-Indic digit, once missed by a guard of 0-9 standing for \d
@given(st.text(alphabet=st.sampled_from(list("الا رد مبلغ تيب 7١4 ايام يوم ساعه,.\n-%"))))
def test_guarded_patterns_match_exactly_as_unguarded_ones_on_any_text(text: str) -> None:
    for compiled in _patterns():
        plain = _unguarded(compiled)
        assert [m.span() for m in compiled.finditer(text)] == [
            m.span() for m in plain.finditer(text)
        ]


LITERAL_LED_CASES = [
    r"(?:ال)?(?:ارجاع|رد)\w*",
    r"[تين]?لغي\w*",
    r"(?:[تين]|بت|بي)?رجع\w*",
    r"(?:في|ب) (?:حال|حاله)",
    r"abc|x(?:y|z)|(?:ا|و)?لا (?:اذا|لو)",
    r"(?:نصف|نص) (?:ال)?مبلغ",
]


@pytest.mark.parametrize("regex", LITERAL_LED_CASES)
def test_literal_led_patterns_match_exactly_as_written(regex: str) -> None:
    led = literal_led(regex)
    assert led is not None
    plain, rewritten = re.compile(regex), re.compile(led)
    texts = [*CORPUS_TEXTS, "الرد الارجاع يرجع بترجع لا اذا نص المبلغ 30 % من المبلغ xz abc"]
    for text in texts:
        assert [m.span() for m in rewritten.finditer(text)] == [
            m.span() for m in plain.finditer(text)
        ]


@pytest.mark.parametrize("regex", [r"(?<!\w)لا", "a?b", "(?:a|b)+c", r"\wx", "", "[0-9]+%"])
def test_literal_led_declines_what_it_cannot_rewrite(regex: str) -> None:
    assert literal_led(regex) is None


def _own_spans(text: str) -> list[list[tuple[int, int]]]:
    """Each pattern of the document's one-pass scan, run by itself."""
    return [[match.span() for match in item.finditer(text)] for item in document.SCAN_PATTERNS]


def test_the_one_pass_scan_finds_what_each_lexicon_finds_alone_on_the_corpus() -> None:
    for text in CORPUS_TEXTS:
        assert document.SCAN.spans(text) == _own_spans(text)


@example("والارجاع للللمنتجات فللمبلغ")  # places inside a word, after a prefix or not
@given(
    st.lists(
        st.sampled_from([*"الا رد مبلغ تيب 7١4 ايام يوم,.\n-%", "ارجاع", "بيع نهايي", "sale"])
    ).map("".join)
)
def test_the_one_pass_scan_finds_what_each_lexicon_finds_alone_on_any_text(text: str) -> None:
    assert document.SCAN.spans(text) == _own_spans(text)


def test_a_pattern_not_led_by_plain_letters_is_scanned_by_itself() -> None:
    led, unled = vocabulary.Lexicon("ارجاع"), re.compile(r"\w+ مبلغ")
    scan = vocabulary.LexiconScan([led, unled])
    assert scan.spans("الارجاع و مبلغ") == [[(2, 7)], [(8, 14)]]
    assert scan.scanned_alone == (unled,)


def test_every_lexicon_of_the_checker_s_scans_is_led_by_plain_letters() -> None:
    # One word written with a leading look-behind put a whole lexicon (CONDITION) back on a
    # pass of its own, 8 % of a check's instructions.
    assert document.SCAN.scanned_alone == ()
    assert periods.SPAN_SCAN.scanned_alone == ()


@pytest.mark.parametrize(
    "regexes",
    [
        ["(?:ال)?ارجاع", "استرداد|رد", "[0-9]+ يوم", r"\w+ مبلغ"],
        ["abc", "abd", "a", "(?:x|y)z?"],
    ],
)
def test_any_of_matches_where_any_of_its_patterns_matches(regexes: list[str]) -> None:
    combined = re.compile(f"(?={any_of(regexes)})")
    singles = [re.compile(f"(?={regex})") for regex in regexes]
    text = "الارجاع استرداد 14 يوم و مبلغ abd ab a xz y"
    for position in range(len(text) + 1):
        expected = any(single.match(text, position) for single in singles)
        assert bool(combined.match(text, position)) == expected, position


def _span_patterns() -> list[re.Pattern[str]]:
    return [*(regex for _, regex in periods._ANCHORS), *(regex for _, regex in periods._PURPOSES)]


def _lines(text: str) -> Iterator[tuple[int, int]]:
    for line in re.finditer(r"[^\n]+", text):
        yield line.span()
        yield line.start() + 3, line.end() - 2  # cut inside words too


def test_a_scan_of_spans_finds_what_each_pattern_finds_in_them_on_the_corpus() -> None:
    for text in CORPUS_TEXTS:
        for start, end in _lines(text):
            expected = [[m.span() for m in p.finditer(text, start, end)] for p in _span_patterns()]
            assert periods.SPAN_SCAN.spans(text, start, end) == expected
            assert document.SCAN.spans(text, start, end) == [
                [m.span() for m in item.finditer(text, start, end)]
                for item in document.SCAN_PATTERNS
            ]
