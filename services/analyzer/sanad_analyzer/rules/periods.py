"""Time periods in a policy text, and what each one is for.

A period is a number (ASCII or Arabic-Indic digits, or words in Arabic or English), a unit
(hour, day, business day, week, month, with Arabic dual forms such as "يومين"), or a range of
them ("7-14 يوم عمل"). Its purpose (return, exchange, refund, damage report, delivery) comes
from the nearest purpose word in the same sentence, preferring words before it: the hard
cases are a damage-report period and a refund-processing time written beside the real
return window.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from sanad_analyzer.rules.normalised import NormalisedText, pattern
from sanad_analyzer.text.numbers import Unit, find_numbers

# A period is a number with a time unit, as the shared number parser finds it; these convert
# its unit to days. Business days count as 1.4 calendar days (five in a week of seven).
_UNIT_DAYS: Final = {
    Unit.MINUTE: 1 / 1440,
    Unit.HOUR: 1 / 24,
    Unit.DAY: 1,
    Unit.WEEK: 7,
    Unit.MONTH: 30,
}
_BUSINESS_DAY: Final = 1.4
_BUSINESS: Final = pattern(r"\s*(?:عمل|عمل رسمي)(?!\w)")
_BUSINESS_WORDS: Final = re.compile(r"business|working")
# Words that join the two ends of a range: "7-14", "من 3 إلى 5", "5 to 7", "3 أو 4".
_RANGE_JOIN: Final = pattern(r"\s*(?:-|الى|to|او|or|و|and|حتى)\s*")
# "يوم" or "ساعة" alone is one only after "within": "من يوم الاستلام" is the day of receipt.
_WITHIN: Final = pattern(r"(?:خلال|غضون|مده|مدتها|اقصاها|within|in)\s*$")
# Every period has a unit word; without one the number parser is not asked.
_UNIT_HINT: Final = re.compile(
    r"ساع|يوم|ايام|اسبوع|اسابيع|شهر|اشهر|دقيق|سن|عام|hour|hrs?\b|day|week|month|year|min"
)


class Purpose(enum.StrEnum):
    """What a period in a policy is for."""

    RETURN = "return"
    EXCHANGE = "exchange"
    REFUND = "refund"
    DAMAGE_REPORT = "damage_report"
    DELIVERY = "delivery"
    UNKNOWN = "unknown"


# Purpose words, longest and most specific first. A refund is money going back ("استرداد
# المبلغ"), which must win over the bare return word inside it.
_PURPOSE_WORDS: Final = (
    (
        Purpose.REFUND,
        r"(?:ال)?(?:مبلغ|مبالغ|فلوس|اموال|نقود)\w*\s+(?:\w+\s+)?"
        r"(?:ب?[يت]رجع|[يت]عاد|[يت]رد|[يت]سترد|[يت]حول|[يت]ودع|[يت]ضاف)\w*"
        r"|(?:استرداد|استرجاع|ارجاع|اعاده|رد|تحويل|ايداع|صرف|يسترد|يرد|ترد|نرد|نعيد|يعاد|تعاد)"
        r"\s+(?:ال)?(?:مبلغ|مبالغ|قيمه|ثمن|اموال|المال|نقود|مدفوع|فلوس|دفعه)\w*"
        r"|(?:يتم|سيتم|تتم|ستتم|يستغرق|تستغرق|معالجه|تنفيذ)\s+(?:\w+\s+)?(?:ال)?استرداد\w*"
        r"|(?:ال)?(?:مبلغ|مبالغ|فلوس|اموال|نقود)\w*|الباقي|المتبقي|باقي|مسترد\w*"
        r"|refund\w*|reimburse\w*|money back|credited|processed|يضاف|تضاف|تظهر|ايداع\w*",
    ),
    (
        Purpose.DAMAGE_REPORT,
        r"(?:ابلاغ|الابلاغ|ابلاغنا|تبليغ|التبليغ|اخطار|الاخطار|اخطارنا|اشعار|اعلامنا|اعلام"
        r"|يبلغ|تبلغ|يخطر|التواصل|تواصل|مراسلتنا|فحص|معاينه|report|notify|inform us|contact us"
        r"|let us know)\w*",
    ),
    (
        Purpose.DELIVERY,
        r"(?:توصيل|التوصيل|شحن|الشحن|تسليم|التسليم|يصل|تصل|وصول|يستلم|تجهيز|(?:بن|ن|ي|بي|بت)وصل"
        r"|delivery|deliver"
        r"|shipping|ship|dispatch|arrive)\w*",
    ),
    (
        Purpose.EXCHANGE,
        r"(?:استبدال|الاستبدال|تبديل|التبديل|(?:ت|ي|ن)بدل|exchange|swap)\w*",
    ),
    (
        Purpose.RETURN,
        r"(?:ارجاع|الارجاع|استرجاع|الاسترجاع|ترجيع|استرداد|الاسترداد|ارجاعه|ارجاعها|اعاده"
        r"|الغاء|فسخ|العدول|عدول|التراجع|(?:ت|ي|ن)رجع|return|cancel|withdraw)\w*"
        r"|(?<!\w)(?:رد|الرد)(?!\w)",
    ),
)
_PURPOSE: Final = pattern(
    "|".join(f"(?P<{purpose.value}>{pattern})" for purpose, pattern in _PURPOSE_WORDS)
)
_CLAUSE_END: Final = pattern(r"[,:()\"«»]|\sثم\s|\sبينما\s|\swhile\s|\sand\s(?=\w+\s+\w+)")
_DAMAGE: Final = pattern(
    r"(?:تلف|تالف|عيب|معيب|عيوب|كسر|مكسور|خدش|خطا|خاطي|ناقص|مختلف|غير مطابق|مصنعي|damage|defect"
    r"|broken|faulty|wrong|missing|incorrect)\w*"
)
# How far back (normalised characters) a heading can give a period its purpose.
_HEADING_REACH: Final = 160


@dataclass(frozen=True)
class Period:
    """A period found in the text, in days, with its purpose and where it was written."""

    low_days: float
    high_days: float
    unit: str
    purpose: Purpose
    about_defects: bool
    start: int
    end: int

    @property
    def days(self) -> float:
        """The longest reading of the period (a range counts by its upper bound)."""
        return self.high_days


def find_periods(text: NormalisedText) -> list[Period]:
    """Every period in ``text``, in order, each with its purpose."""
    if _UNIT_HINT.search(text.text) is None:
        return []
    mentions = _mentions(text, 0, len(text.text))
    if not mentions:
        return []
    purposes = [
        (word.start(), word.end(), _purpose_of(word))
        for start, end in _merge(
            (max(0, mention[0] - _HEADING_REACH), text.sentence_bounds(mention[0])[1])
            for mention in mentions
        )
        for word in _PURPOSE.finditer(text.text, start, end)
    ]
    return [
        Period(
            low_days=low,
            high_days=high,
            unit=unit,
            purpose=_nearest_purpose(text, purposes, start, end),
            about_defects=_about_defects(text, start),
            start=start,
            end=end,
        )
        for start, end, low, high, unit in mentions
    ]


def _mentions(
    text: NormalisedText, start: int, end: int
) -> list[tuple[int, int, float, float, str]]:
    """Periods of the sentence [start, end), in normalised positions: (start, end, low days,
    high days, unit); the two ends of a range become one period."""
    first, last = text.original_span(start, end)
    found: list[tuple[int, int, float, float, str]] = []
    previous_value = 0.0
    for mention in find_numbers(text.original[first:last]):
        if mention.unit not in _UNIT_DAYS:
            continue
        begin = text.position_of(first + mention.start)
        finish = text.position_of(first + mention.end)
        if (
            mention.implicit
            and mention.value == 1
            and mention.unit in (Unit.DAY, Unit.HOUR)
            and not _WITHIN.search(text.text, max(0, begin - 12), begin)
        ):
            continue
        factor = _UNIT_DAYS[mention.unit]
        business = _BUSINESS.match(text.text, finish)
        if business is not None or _BUSINESS_WORDS.search(text.text, begin, finish):
            factor *= _BUSINESS_DAY
            finish = business.end() if business is not None else finish
        value = float(mention.value)
        if found and previous_value < value and _is_range(text, found[-1], begin):
            # "7-14 يوم عمل": the first end takes the unit of the second.
            found[-1] = (
                found[-1][0],
                finish,
                previous_value * factor,
                value * factor,
                mention.unit.value,
            )
        else:
            found.append((begin, finish, value * factor, value * factor, mention.unit.value))
        previous_value = value
    return found


def _is_range(
    text: NormalisedText, previous: tuple[int, int, float, float, str], start: int
) -> bool:
    """The previous number is the first end of a range: no unit of its own, then a joiner."""
    return (
        _UNIT_HINT.search(text.text, previous[0], previous[1]) is None
        and _RANGE_JOIN.fullmatch(text.text, previous[1], start) is not None
    )


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _purpose_of(match: re.Match[str]) -> Purpose:
    # Each purpose is one top-level named group with no groups inside it.
    return Purpose(match.lastgroup or Purpose.UNKNOWN)


def _nearest_purpose(
    text: NormalisedText, purposes: list[tuple[int, int, Purpose]], start: int, end: int
) -> Purpose:
    """The purpose word closest before the period in its clause, else in its sentence, else
    after it in the sentence, else the nearest heading-like word shortly before."""
    sentence_start, sentence_end = text.sentence_bounds(start)
    clause_start = sentence_start
    for match in _CLAUSE_END.finditer(text.text, sentence_start, start):
        if not (match.group() == "," and _between_digits(text.text, match.start())):
            clause_start = match.end()
    before_clause = [p for p in purposes if clause_start <= p[0] and p[1] <= start]
    if before_clause:
        # "ترجع أو تبدل خلال 14 يوم": a return offered beside an exchange is a return window.
        if before_clause[-1][2] is Purpose.EXCHANGE and any(
            p[2] is Purpose.RETURN for p in before_clause
        ):
            return Purpose.RETURN
        return before_clause[-1][2]
    before = [p for p in purposes if sentence_start <= p[0] and p[1] <= start]
    if before:
        return before[-1][2]
    after = [p for p in purposes if end <= p[0] < sentence_end]
    if after:
        return after[0][2]
    heading = [p for p in purposes if start - _HEADING_REACH <= p[0] and p[1] <= start]
    return heading[-1][2] if heading else Purpose.UNKNOWN


def _between_digits(text: str, index: int) -> bool:
    return 0 < index < len(text) - 1 and text[index - 1].isdigit() and text[index + 1].isdigit()


def _about_defects(text: NormalisedText, start: int) -> bool:
    """True when the clause before the period is about damaged or defective items."""
    sentence_start, _ = text.sentence_bounds(start)
    clause_start = sentence_start
    for match in _CLAUSE_END.finditer(text.text, sentence_start, start):
        clause_start = match.end()
    return _DAMAGE.search(text.text, clause_start, start) is not None
