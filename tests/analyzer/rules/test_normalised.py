"""The matching form of a policy text maps every match back to the words as written."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from sanad_analyzer.rules import normalised
from sanad_analyzer.rules.normalised import normalise, pattern


def test_letters_digits_and_marks_are_folded() -> None:
    text = normalise("يُمكنكَ إرجاعُ المنتجِ خلال ٣ أيّام. RETURNS")
    assert text.text == "يمكنك ارجاع المنتج خلال 3 ايام. returns"


def test_a_match_is_quoted_exactly_as_written() -> None:
    original = "نص:  يُمكنكَ إرجاعُ   المنتج خلال ١٤ يوماً من الاستلام"
    text = normalise(original)
    match = pattern(r"ارجاع المنتج خلال \d+ يوما").search(text.text)
    assert match is not None
    assert text.quote(match.start(), match.end()) == "إرجاعُ   المنتج خلال ١٤ يوماً"


def test_sentences_end_at_full_stops_and_line_breaks_but_not_decimal_points() -> None:
    text = normalise("الشحن 2.5 يوم في المتوسط. الإرجاع خلال 7 أيام\nالاسترداد فوري")
    start, end = text.sentence_bounds(text.text.index("7"))
    assert text.quote(start, end) == "الإرجاع خلال 7 أيام"
    start, end = text.sentence_bounds(text.text.index("2.5"))
    assert text.quote(start, end) == "الشحن 2.5 يوم في المتوسط"


@given(st.text(alphabet=st.sampled_from("اأإةى ً ّ\u0640٣3aB .\n\t")))
def test_every_character_of_the_matching_form_has_an_origin(original: str) -> None:
    text = normalise(original)
    indices = [text.original_index(position) for position in range(len(text.text))]
    assert indices == sorted(set(indices))
    assert all(0 <= index < len(original) for index in indices)
    assert [text.position_of(index) for index in indices] == list(range(len(text.text)))
    # Every original index, dropped ones too, maps to the next kept character.
    for index in range(len(original) + 1):
        following = next((i for i, k in enumerate(indices) if k >= index), len(text.text))
        assert text.position_of(index) == following
    if text.text:
        assert text.quote(0, len(text.text)) in original


_MARKS = normalised._DROPPED_CLASS
_SPACES = [  # whitespace of every kind, and U+200B, which is none
    " ",
    "\n",
    "\t",
    "\r",
    "\xa0",
    "\u2028",
    "\x85",
    "\u3000",
    "\u200b",
]


@given(
    st.text(
        alphabet=st.sampled_from(
            [*_SPACES, "a", "ب", "\u064b", "\u0640", "\u200c", "\u200f", "\u0670"]
        )
    )
)
def test_the_class_led_scans_match_as_their_two_branch_forms(text: str) -> None:
    """The whitespace and removed-run patterns are led by one class for speed; they match
    exactly where the plainer alternations they replaced do."""
    plain_whitespace = re.compile(r"\s{2,}|[^\S \n]")
    plain_removed = re.compile(f"\\s[\\s{_MARKS}]+|[{_MARKS}]+")
    for fast, plain in (
        (normalised._WHITESPACE, plain_whitespace),
        (normalised._REMOVED, plain_removed),
    ):
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
