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

_ONES: Final = {
    "واحد": 1, "واحده": 1, "احد": 1, "احدي": 1,
    "اثنين": 2, "اثنان": 2, "اثنتين": 2, "اثنتان": 2, "اثنا": 2, "اثني": 2,
    "ثلاث": 3, "ثلاثه": 3, "اربع": 4, "اربعه": 4, "خمس": 5, "خمسه": 5,
    "ست": 6, "سته": 6, "سبع": 7, "سبعه": 7, "ثمان": 8, "ثماني": 8, "ثمانيه": 8,
    "تسع": 9, "تسعه": 9, "عشر": 10, "عشره": 10,
}  # fmt: skip
_TENS: Final = {
    "عشرين": 20, "عشرون": 20, "ثلاثين": 30, "ثلاثون": 30, "اربعين": 40, "اربعون": 40,
    "خمسين": 50, "خمسون": 50, "ستين": 60, "ستون": 60, "سبعين": 70, "سبعون": 70,
    "ثمانين": 80, "ثمانون": 80, "تسعين": 90, "تسعون": 90,
}  # fmt: skip
_ENGLISH: Final = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip


def _alternatives(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, longest first so that a longer word wins."""
    return "|".join(sorted(words, key=len, reverse=True))


_AR_ONES = _alternatives(_ONES)
_AR_TENS = _alternatives(_TENS)
_EN_WORDS = _alternatives(_ENGLISH)
# A number: digits, Arabic words ("اربعه عشر", "ثمان واربعين", "السبعه"), English words
# ("forty-eight"), each optionally followed by the same number in digits: "سبعه (7)".
_NUMBER: Final = (
    r"(?:\d+(?:\.\d+)?|\(\s*\d+\s*\)"
    rf"|(?:ال)?(?:{_AR_ONES})\s+عشر[ه]?"
    rf"|(?:ال)?(?:{_AR_ONES})\s+و\s?(?:ال)?(?:{_AR_TENS})"
    rf"|(?:ال)?(?:{_AR_TENS}|{_AR_ONES})"
    rf"|(?:{_EN_WORDS})(?:[-\s](?:{_EN_WORDS}))?)"
    r"(?:\s*\(\s*\d+\s*\))?"
)
_UNITS: Final = {
    "hour": ("ساعه", "ساعات", "hours", "hour", "hrs", "hr"),
    "business_day": (
        "يوم عمل", "ايام عمل", "يوما عمل", "business days", "business day",
        "working days", "working day",
    ),
    "day": ("يوما", "يوم", "ايام", "days", "day"),
    "week": ("اسبوع", "اسابيع", "weeks", "week"),
    "month": ("شهر", "اشهر", "شهور", "months", "month"),
}  # fmt: skip
_UNIT_DAYS: Final = {"hour": 1 / 24, "business_day": 1.4, "day": 1, "week": 7, "month": 30}
_UNIT_OF: Final = {word: unit for unit, words in _UNITS.items() for word in words}
_UNIT = _alternatives(_UNIT_OF)
# Dual forms and bare nouns that are a period by themselves.
_BARE: Final = {
    "يومين": (2, "day"), "يومان": (2, "day"), "ساعتين": (2, "hour"), "ساعتان": (2, "hour"),
    "اسبوعين": (2, "week"), "اسبوعان": (2, "week"), "شهرين": (2, "month"),
    "شهران": (2, "month"), "اسبوع": (1, "week"), "شهر": (1, "month"),
}  # fmt: skip
_PERIOD: Final = pattern(
    rf"(?<![\w])(?:"
    rf"(?P<lo>{_NUMBER})(?:\s*(?:-|الي|to|او|or|حتي)\s*|\s+و\s*(?=\d))(?P<hi>{_NUMBER})\s*"
    rf"(?P<unit>{_UNIT})"
    rf"|(?P<num>{_NUMBER})[\s-]*(?P<unit1>{_UNIT})"
    rf"|(?:ال)?(?P<unit2>{_UNIT})\s+(?P<after>(?:ال)?(?:{_AR_ONES}|{_AR_TENS}))"
    rf"|(?P<bare>{_alternatives(_BARE)})"
    rf")(?![\w])"
)


# Every period has a unit word (or a dual or bare form containing one); the full pattern is only
# tried near these, within the longest number written before a unit.
_UNIT_HINT: Final = re.compile(r"ساع|يوم|ايام|اسبوع|اسابيع|شهر|اشهر|hour|hrs?\b|day|week|month")
_NUMBER_REACH: Final = 48


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


def parse_number(words: str) -> float | None:
    """The value of a number as ``_NUMBER`` matches it; None if it is not one."""
    words = words.strip()
    if re.fullmatch(r"\(\s*\d+\s*\)", words):
        words = words.strip("() ")
    words = re.sub(r"\s*\(\s*\d+\s*\)$", "", words)
    if re.fullmatch(r"\d+(?:\.\d+)?", words):
        return float(words)
    parts = [part.removeprefix("ال") for part in re.split(r"[\s-]+", words) if part]
    parts = [part.removeprefix("و") if part not in _ONES else part for part in parts]
    if all(part in _ENGLISH for part in parts):
        return float(sum(_ENGLISH[part] for part in parts))
    total = 0
    for index, part in enumerate(parts):
        if part in ("عشر", "عشره") and index > 0:
            total += 10
        elif part in _ONES:
            total += _ONES[part]
        elif part in _TENS:
            total += _TENS[part]
        else:
            return None
    return float(total)


def find_periods(text: NormalisedText) -> list[Period]:
    """Every period in ``text``, in order, each with its purpose."""
    matches = [
        match
        for start, end in _windows(text.text, _UNIT_HINT, _NUMBER_REACH, _NUMBER_REACH // 2)
        for match in _PERIOD.finditer(text.text, start, end)
    ]
    if not matches:
        return []
    purposes = [
        (word.start(), word.end(), _purpose_of(word))
        for start, end in _merge(
            (max(0, m.start() - _HEADING_REACH), text.sentence_bounds(m.start())[1])
            for m in matches
        )
        for word in _PURPOSE.finditer(text.text, start, end)
    ]
    periods = []
    seen: set[int] = set()
    for match in matches:
        value = _value(match)
        if value is None or match.start() in seen:
            continue
        seen.add(match.start())
        low, high, unit = value
        periods.append(
            Period(
                low_days=low * _UNIT_DAYS[unit],
                high_days=high * _UNIT_DAYS[unit],
                unit=unit,
                purpose=_nearest_purpose(text, purposes, match.start(), match.end()),
                about_defects=_about_defects(text, match.start()),
                start=match.start(),
                end=match.end(),
            )
        )
    return periods


def _windows(text: str, hint: re.Pattern[str], before: int, after: int) -> list[tuple[int, int]]:
    """Merged spans around each match of ``hint``: the only places a full pattern can match."""
    return _merge(
        (max(0, match.start() - before), min(len(text), match.end() + after))
        for match in hint.finditer(text)
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


def _value(match: re.Match[str]) -> tuple[float, float, str] | None:
    groups = match.groupdict()
    if groups["bare"]:
        count, unit = _BARE[groups["bare"]]
        return count, count, unit
    if groups["lo"]:
        low, high = parse_number(groups["lo"]), parse_number(groups["hi"])
        unit_word = groups["unit"]
    elif groups["num"]:
        low = high = parse_number(groups["num"])
        unit_word = groups["unit1"]
    else:
        low = high = parse_number(groups["after"])
        unit_word = groups["unit2"]
    if low is None or high is None or low <= 0:
        return None
    return min(low, high), max(low, high), _UNIT_OF[unit_word]


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
