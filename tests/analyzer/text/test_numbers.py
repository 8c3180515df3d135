"""Every number a policy text states, with its unit, in digits and in Arabic and English words."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sanad_analyzer.text.numbers import Unit, find_numbers, number_signature

D = Unit.DAY
H = Unit.HOUR
W = Unit.WEEK
M = Unit.MONTH
P = Unit.PERCENT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Digits: ASCII, Arabic-Indic, Persian; decimals and thousands.
        ("Returns within 14 days.", [(14, D, "14 days")]),
        ("الإرجاع خلال ١٤ يوماً من الاستلام", [(14, D, "١٤ يوماً")]),
        ("مدة أقصاها ۷ أيام", [(7, D, "۷ أيام")]),
        ("a fee of 2.5%", [(Decimal("2.5"), P, "2.5%")]),
        ("رسوم ٢٫٥٪", [(Decimal("2.5"), P, "٢٫٥٪")]),
        ("orders over 1,000 SAR", [(1000, Unit.SAR, "1,000 SAR")]),
        ("48 hours", [(48, H, "48 hours")]),
        ("٤٨ ساعة", [(48, H, "٤٨ ساعة")]),
        ("a 14-day window", [(14, D, "14-day")]),
        ("within 10 business days", [(10, D, "10 business days")]),
        ("item 3", [(3, None, "3")]),
        # Arabic words: units, teens, tens with و, hundreds, thousands, prefixes.
        ("يوم واحد", [(1, D, "يوم واحد")]),
        ("خلال ثلاثة أيام", [(3, D, "ثلاثة أيام")]),
        ("خلال ثلاث ساعات", [(3, H, "ثلاث ساعات")]),
        ("بعد عشرة أيام", [(10, D, "عشرة أيام")]),
        ("خلال أربعة عشر يومًا", [(14, D, "أربعة عشر يومًا")]),
        ("إحدى عشرة ساعة", [(11, H, "إحدى عشرة ساعة")]),
        ("خمسة وعشرون بالمائة", [(25, P, "خمسة وعشرون بالمائة")]),
        ("عشرة في المئة", [(10, P, "عشرة في المئة")]),
        ("ثلاثين يوما", [(30, D, "ثلاثين يوما")]),
        ("بثلاثة أيام", [(3, D, "بثلاثة أيام")]),
        ("مائتين جنيه", [(200, Unit.EGP, "مائتين جنيه")]),
        ("ثلاثمائة ريال", [(300, Unit.SAR, "ثلاثمائة ريال")]),
        ("ثلاثة آلاف ريال", [(3000, Unit.SAR, "ثلاثة آلاف ريال")]),
        ("رسوم 25 ر.س", [(25, Unit.SAR, "25 ر.س")]),
        # Nouns that carry their number: duals, and a bare indefinite singular.
        ("خلال يومين", [(2, D, "يومين")]),
        ("خلال أسبوعين", [(2, W, "أسبوعين")]),
        ("خلال أسبوع", [(1, W, "أسبوع")]),
        ("خلال شهر", [(1, M, "شهر")]),
        ("خلال شهرين", [(2, M, "شهرين")]),
        ("وساعتين", [(2, H, "وساعتين")]),
        # the dual joined to its noun: "يومي عمل" (two working days); alone "يومي" is "daily"
        ("خلال يومي عمل", [(2, D, "يومي")]),
        ("عرض يومي", []),
        # Egyptian Arabic in Latin letters, whose digits stand for letters ("5elal" is خلال)
        ("5elal 48 sa3a", [(48, H, "48 sa3a")]),
        ("5elal talat ayam", [(3, D, "talat ayam")]),
        ("5elal esbo3en", [(2, W, "esbo3en")]),
        ("3eib masna3", []),
        ("within 3days", [(3, D, "3days")]),
        # English words.
        ("three days", [(3, D, "three days")]),
        ("twenty-one days", [(21, D, "twenty-one days")]),
        ("one hundred and fifty dollars", [(150, Unit.USD, "one hundred and fifty dollars")]),
        ("within a week", [(1, W, "a week")]),
        ("two weeks", [(2, W, "two weeks")]),
        ("$50", [(50, Unit.USD, "$50")]),
        # Written twice, in words and digits, it is one number.
        ("within fourteen (14) days", [(14, D, "fourteen (14) days")]),
        ("سبعة (7) أيام", [(7, D, "سبعة (7) أيام")]),
        # Ranges: the first number takes the unit of the second.
        ("3-5 business days", [(3, D, "3"), (5, D, "5 business days")]),
        ("من 3 إلى 5 أيام", [(3, D, "3"), (5, D, "5 أيام")]),
        ("between 2 and 4 weeks", [(2, W, "2"), (4, W, "4 weeks")]),
        # Several numbers, in order.
        (
            "Returns in 7 days; refunds in 14 days; fee 10%.",
            [(7, D, "7 days"), (14, D, "14 days"), (10, P, "10%")],
        ),
        # Words that only look like numbers.
        ("لست مسؤولا", []),
        ("لا يحق لأحد", []),
        ("في اليوم نفسه", []),
        ("the same day", []),
        ("no numbers here", []),
    ],
)
def test_numbers_found(text: str, expected: list[tuple[int | Decimal, Unit | None, str]]) -> None:
    found = [(m.value, m.unit, text[m.start : m.end]) for m in find_numbers(text)]
    assert found == [(Decimal(value), unit, span) for value, unit, span in expected]


def test_implicit_mentions_are_marked() -> None:
    (week,) = find_numbers("خلال أسبوع")
    (days,) = find_numbers("خلال 7 أيام")
    assert week.implicit
    assert not days.implicit


@pytest.mark.parametrize(
    ("text", "days"),
    [("14 يوما", 14), ("أسبوعين", 14), ("two weeks", 14), ("a week", 7), ("3 hours", None)],
)
def test_periods_in_days(text: str, days: int | None) -> None:
    (mention,) = find_numbers(text)
    assert mention.days == (None if days is None else Decimal(days))


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("الإرجاع خلال ١٤ يوماً", "الارجاع خلال 14 يوما"),
        ("الإرجاع خلال أسبوعين", "الإرجاع خلال 14 يوما"),
        ("within fourteen days", "within 14 days"),
        ("within fourteen (14) days", "within 14 days"),
        ("14 days, and again 14 days", "14 days"),
    ],
)
def test_same_numbers_same_signature(one: str, other: str) -> None:
    assert number_signature(one) == number_signature(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("الإرجاع خلال ١٤ يوماً", "الإرجاع خلال ٣ أيام"),
        ("الإرجاع خلال ثلاثة أيام", "الإرجاع خلال سبعة أيام"),
        ("الإرجاع خلال أسبوع", "الإرجاع خلال أسبوعين"),
        ("within three days", "within 14 days"),
        ("within 14 days", "within 14 hours"),
        ("a fee of 10%", "a fee of 15%"),
        ("refund in 7 days", "refund in 7 days and fee 5%"),
    ],
)
def test_different_numbers_different_signature(one: str, other: str) -> None:
    assert number_signature(one) != number_signature(other)
