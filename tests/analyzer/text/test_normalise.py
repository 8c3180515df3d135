"""The matching form of a text: one spelling for the same words, whatever the script quirks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanad_analyzer.request import normalise_text
from sanad_analyzer.text.normalise import _fold_each, fold, normalise_for_matching, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Diacritics (tashkeel) and tatweel go.
        ("إِرْجَاعُ المُنْتَجِ", "ارجاع المنتج"),
        ("يومـــاً", "يوما"),
        # Every alef form becomes a bare alef.
        ("أإآٱا", "ااااا"),
        # Alef maqsura, teh marbuta, hamza on waw and yeh.
        ("إلى", "الي"),
        ("سياسة", "سياسه"),
        ("مسؤول", "مسءول"),
        ("جزئي", "جزءي"),
        # Arabic-Indic and Persian digits, and the Arabic decimal separator.
        ("١٤ يوم", "14 يوم"),
        ("۱۴ يوم", "14 يوم"),
        ("٢٫٥٪", "2 5"),
        # Latin is lower-cased; full-width forms fold (NFKC).
        ("Return POLICY", "return policy"),
        ("ＲＥＴＵＲＮ", "return"),
        # Punctuation and symbols are spaces; whitespace collapses.
        ("أولاً: الإرجاع، والاستبدال!", "اولا الارجاع والاستبدال"),
        ("  a\t\nb  ", "a b"),
        ("(14) days.", "14 days"),
        # Invisible direction marks and zero-width joiners are dropped, not spaces.
        ("الإر\u200fجاع", "الارجاع"),
        # Presentation-form ligatures fold into their letters.
        ("\ufefb", "لا"),
        ("", ""),
    ],
)
def test_matching_form(text: str, expected: str) -> None:
    assert normalise_for_matching(text) == expected


def test_words_are_the_matching_form_split() -> None:
    assert words("إرجاعُ، المنتج") == ["ارجاع", "المنتج"]
    assert words(" ... ") == []


def test_fold_maps_every_character_back_to_the_original() -> None:
    original = "خلالَ ١٤ يومـــاً"
    folded = fold(original)
    assert folded.text == "خلال 14 يوما"
    start = folded.text.index("14")
    assert original[slice(*folded.span_in_original(start, start + 2))] == "١٤"
    start = folded.text.index("يوما")
    assert original[slice(*folded.span_in_original(start, start + 4))] == "يومـــاً"


def test_the_idempotency_form_is_stricter_than_the_matching_form() -> None:
    """Two spellings match for similarity, but are two different requests for idempotency."""
    one, other = "إرجاع خلال ١٤ يوماً.", "ارجاع خلال 14 يوما"
    assert normalise_for_matching(one) == normalise_for_matching(other)
    assert normalise_text(one) != normalise_text(other)


@given(
    st.text(
        alphabet=st.sampled_from(
            [*"أإآةىؤئ abcXYZ١٤٣۷ ً ٌ ّ ـ\u200f\n.,،ﻻﷲİß", chr(0x1F600), chr(0x0660)]
        )
    )
)
def test_the_fast_fold_agrees_with_folding_each_character(text: str) -> None:
    assert fold(text) == _fold_each(text)
