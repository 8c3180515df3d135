"""Number forms the rule checker needs from the shared parser: numbers after their noun and
numbers alone in brackets before their unit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sanad_analyzer.text.numbers import Unit, find_numbers


@pytest.mark.parametrize(
    ("text", "value", "unit", "written"),
    [
        ("خلال الأيام السبعة التالية لتسلم المنتج", 7, Unit.DAY, "الأيام السبعة"),
        ("خلال الأسابيع الثلاثة الأولى", 3, Unit.WEEK, "الأسابيع الثلاثة"),
        ("الإرجاع خلال (3) أيام", 3, Unit.DAY, "(3) أيام"),
        ("within (14) days", 14, Unit.DAY, "(14) days"),
    ],
)
def test_a_number_after_its_noun_or_in_brackets(
    text: str, value: int, unit: Unit, written: str
) -> None:
    [mention] = [m for m in find_numbers(text) if m.unit is unit]
    assert mention.value == Decimal(value)
    assert text[mention.start : mention.end] == written


def test_a_weekday_is_not_a_number_of_days() -> None:
    mentions = find_numbers("التوصيل يوم الاثنين")
    assert [m for m in mentions if m.unit is Unit.DAY and m.value == 2] == []
