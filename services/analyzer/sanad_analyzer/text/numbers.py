"""Every number a policy text states, with its unit where it has one.

A policy's numbers are its substance: a 3-day return window is not a 14-day one. This
module finds numbers written in ASCII, Arabic-Indic or Persian digits, in Arabic words
(ثلاثة، خمسة عشر، خمسة وعشرون، مائة, and Egyptian spellings such as تلات and اتنين) and in
English words (three, twenty-one, a hundred), and the nouns that carry a number by themselves
(يومين، أسبوعين، شهر، "a week"). Units: days, hours, minutes, weeks, months, years, percent
and a few currencies.

Public API: `find_numbers(text)` returns `NumberMention`s with spans in the caller's text;
`number_signature(text)` is what the near-duplicate search compares.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import NamedTuple

from sanad_analyzer.text.normalise import FoldedText, fold, fold_word


class Unit(StrEnum):
    """What a number counts."""

    DAY = "day"
    HOUR = "hour"
    MINUTE = "minute"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    PERCENT = "percent"
    SAR = "SAR"
    EGP = "EGP"
    USD = "USD"
    AED = "AED"
    EUR = "EUR"
    GBP = "GBP"


PERIOD_UNITS = frozenset({Unit.DAY, Unit.HOUR, Unit.MINUTE, Unit.WEEK, Unit.MONTH, Unit.YEAR})
CURRENCY_UNITS = frozenset({Unit.SAR, Unit.EGP, Unit.USD, Unit.AED, Unit.EUR, Unit.GBP})


@dataclass(frozen=True)
class NumberMention:
    """One number stated in a text."""

    value: Decimal
    """The number, exactly: 14, 2.5, 1000."""
    unit: Unit | None
    """What it counts, or None when the text does not say."""
    start: int
    """Index in the original text where the mention (number and unit) starts."""
    end: int
    """Index in the original text just after the mention."""
    implicit: bool = False
    """True when no number is written: a noun alone or with "a" ("خلال أسبوع", "a week")."""

    @property
    def days(self) -> Decimal | None:
        """The mention as a number of days, for days and weeks (the exact conversions)."""
        if self.unit is Unit.DAY:
            return self.value
        if self.unit is Unit.WEEK:
            return self.value * 7
        return None


def _folded_set(*words: str) -> frozenset[str]:
    return frozenset(fold_word(word) for word in words)


# Arabic number words by value. أحد/إحدى only count before عشر ("أحد عشر"): alone they
# mean "anyone" or "one of".
_AR_UNITS: dict[int, frozenset[str]] = {
    1: _folded_set("واحد", "واحدة"),
    2: _folded_set("اثنان", "اثنين", "اثنتان", "اثنتين", "اثنا", "اثنتا", "اثني", "اثنتي", "اتنين"),
    3: _folded_set("ثلاث", "ثلاثة", "تلات", "تلاتة"),
    4: _folded_set("أربع", "أربعة"),
    5: _folded_set("خمس", "خمسة"),
    6: _folded_set("ست", "ستة"),
    7: _folded_set("سبع", "سبعة"),
    8: _folded_set("ثمان", "ثماني", "ثمانية", "تمان", "تمانية"),
    9: _folded_set("تسع", "تسعة"),
}
# Egyptian teens, one word each: "خمستاشر يوم", "اتناشر ساعة".
_AR_SPOKEN_TEENS: dict[int, frozenset[str]] = {
    11: _folded_set("حداشر", "احداشر"),
    12: _folded_set("اتناشر", "اطناشر"),
    13: _folded_set("تلتاشر", "تلطاشر"),
    14: _folded_set("اربعتاشر", "اربعطاشر"),
    15: _folded_set("خمستاشر", "خمسطاشر"),
    16: _folded_set("ستاشر", "سطاشر"),
    17: _folded_set("سبعتاشر", "سبعطاشر"),
    18: _folded_set("تمنتاشر", "تمنطاشر"),
    19: _folded_set("تسعتاشر", "تسعطاشر"),
}
_AR_TEEN_ONE = _folded_set("أحد", "إحدى")
_AR_TEN = _folded_set("عشر", "عشرة")
_AR_TENS: dict[int, frozenset[str]] = {
    20: _folded_set("عشرون", "عشرين"),
    30: _folded_set("ثلاثون", "ثلاثين", "تلاتين"),
    40: _folded_set("أربعون", "أربعين"),
    50: _folded_set("خمسون", "خمسين"),
    60: _folded_set("ستون", "ستين"),
    70: _folded_set("سبعون", "سبعين"),
    80: _folded_set("ثمانون", "ثمانين", "تمانين"),
    90: _folded_set("تسعون", "تسعين"),
}
_AR_HUNDRED = _folded_set("مائة", "مئة")
_AR_TWO_HUNDRED = _folded_set("مائتان", "مائتين", "مئتان", "مئتين")
_AR_THOUSAND = _folded_set("ألف", "آلاف")
_AR_TWO_THOUSAND = _folded_set("ألفان", "ألفين")

_EN_SMALL = {
    word: value
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
# Egyptian Arabic in Latin letters (Franco-Arabic, "5elal talat ayam"): the few number words
# its pages write out, read as the English ones are.
_FRANCO_SMALL = {
    "talat": 3,
    "tlata": 3,
    "talata": 3,
    "arba3": 4,
    "arba3a": 4,
    "khamas": 5,
    "5amas": 5,
    "khamsa": 5,
    "5amsa": 5,
    "sab3": 7,
    "sab3a": 7,
    "3ashar": 10,
    "3ashara": 10,
    "arba3tashar": 14,
    "arbata3shar": 14,
    "5amastashar": 15,
    "khamastashar": 15,
}
_SMALL_WORDS = _EN_SMALL | _FRANCO_SMALL
_EN_TENS = {
    word: (index + 2) * 10
    for index, word in enumerate(
        ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    )
}
_EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}

_AR_WORD_VALUES: dict[str, int] = {}
for _value, _spellings in (
    *_AR_UNITS.items(),
    *_AR_SPOKEN_TEENS.items(),
    *_AR_TENS.items(),
):
    for _spelling in _spellings:
        _AR_WORD_VALUES[_spelling] = _value
for _spelling in _AR_TEN:
    _AR_WORD_VALUES[_spelling] = 10
for _stem_value, _stems in _AR_UNITS.items():
    for _stem in _stems:
        for _hundred in _AR_HUNDRED:
            _AR_WORD_VALUES[_stem + _hundred] = _stem_value * 100

# Unit nouns: singular or plural after a number; dual forms carry the number 2 themselves;
# a bare indefinite singular ("خلال أسبوع") means one.
_UNIT_WORDS: dict[Unit, frozenset[str]] = {
    Unit.DAY: _folded_set(
        "يوم", "أيام", "يوما", "day", "days", "yom", "youm", "yoom", "ayam", "ayyam", "eyam"
    ),
    Unit.HOUR: _folded_set(
        "ساعة", "ساعات", "hour", "hours", "hr", "hrs", "sa3a", "sa3at", "sa3aat"
    ),
    Unit.MINUTE: _folded_set("دقيقة", "دقائق", "minute", "minutes", "min", "mins"),
    Unit.WEEK: _folded_set("أسبوع", "أسابيع", "أسبوعا", "week", "weeks", "esbo3", "asabee3"),
    Unit.MONTH: _folded_set("شهر", "أشهر", "شهور", "شهرا", "month", "months", "shahr", "shohor"),
    Unit.YEAR: _folded_set("سنة", "سنوات", "سنين", "عام", "أعوام", "عاما", "year", "years"),
    Unit.SAR: _folded_set("ريال", "ريالات", "ريالا", "sar", "sr", "riyal", "riyals"),
    Unit.EGP: _folded_set("جنيه", "جنيهات", "جنيها", "egp", "le"),
    Unit.USD: _folded_set("دولار", "دولارات", "دولارا", "usd", "dollar", "dollars"),
    Unit.AED: _folded_set("درهم", "دراهم", "درهما", "aed", "dirham", "dirhams"),
    Unit.EUR: _folded_set("يورو", "eur", "euro", "euros"),
    Unit.GBP: _folded_set("gbp", "pound", "pounds"),
}
_DUAL_WORDS: dict[str, Unit] = {}
for _unit, _duals in (
    (Unit.DAY, ("يومين", "يومان", "yomen", "yomein", "youmen")),
    (Unit.HOUR, ("ساعتين", "ساعتان", "sa3ten", "sa3tein")),
    (Unit.MINUTE, ("دقيقتين", "دقيقتان")),
    (Unit.WEEK, ("أسبوعين", "أسبوعان", "esbo3en", "esbo3ein")),
    (Unit.MONTH, ("شهرين", "شهران", "shahren", "shahrein")),
    (Unit.YEAR, ("سنتين", "سنتان", "عامين", "عامان")),
):
    for _dual in _duals:
        _DUAL_WORDS[fold_word(_dual)] = _unit
# Nouns that mean "one" when they stand alone, without the article. عام is left out: alone it
# mostly means "general".
_BARE_SINGULAR: dict[str, Unit] = {
    fold_word(word): unit
    for word, unit in (
        ("يوم", Unit.DAY),
        ("ساعة", Unit.HOUR),
        ("أسبوع", Unit.WEEK),
        ("شهر", Unit.MONTH),
        ("سنة", Unit.YEAR),
        ("esbo3", Unit.WEEK),
        ("shahr", Unit.MONTH),
    )
}
_EN_SINGULAR: dict[str, Unit] = {
    "day": Unit.DAY,
    "hour": Unit.HOUR,
    "week": Unit.WEEK,
    "month": Unit.MONTH,
    "year": Unit.YEAR,
}
# Words allowed between a number and its unit: "14 business days".
_QUALIFIERS = frozenset({"business", "working", "calendar", "full", "consecutive", "clear"})
_PERCENT_WORDS = (
    ("بالمائة",),
    ("بالمئة",),
    ("في", "المائة"),
    ("في", "المئة"),
    # Egyptian and Gulf: "عشرين في المية", "عشرة بالمية"
    ("في", "المية"),
    ("بالمية",),
    ("percent",),
    ("per", "cent"),
    ("pct",),
)
_PERCENT_PHRASES = tuple(tuple(fold_word(word) for word in phrase) for phrase in _PERCENT_WORDS)
_SYMBOL_UNITS = {"%": Unit.PERCENT, "$": Unit.USD, "€": Unit.EUR, "£": Unit.GBP}
# Abbreviations written with a dot: ر.س (Saudi riyal), ج.م (Egyptian pound).
_DOTTED = {(fold_word("ر"), fold_word("س")): Unit.SAR, (fold_word("ج"), fold_word("م")): Unit.EGP}
_ARABIC_PREFIXES = tuple(fold_word(prefix) for prefix in ("و", "ب", "ل", "ف", "ك"))
_AND = frozenset({fold_word("و"), "and"})
_RANGE = frozenset({"-", "–", "—", "~", "to", fold_word("إلى"), fold_word("او"), "or"})
_ARTICLE = fold_word("ال")

# A Franco-Arabic word writes letters as digits ("5elal", "sa3a", "3eib", "esbo3"): a single
# such digit inside Latin letters, or before them when they are no unit ("3days" is 3 days).
_FRANCO_LEAD = r"(?:[235789](?=[a-z])(?!(?:days?|hours?|hrs?|weeks?|months?|years?|ayam|yom)\b))?"
_TOKEN = re.compile(
    r"(?P<word>" + _FRANCO_LEAD + r"[^\W\d_]+(?:(?<=[a-z])[235789](?![0-9])[a-z]*)*)"
    r"|(?P<num>\d+(?:[.,]\d+)*)|(?P<sym>\S)"
)


class _Token(NamedTuple):
    """One token of the folded text (a tuple: a policy has hundreds, made per check)."""

    kind: str
    text: str
    start: int
    end: int


def _tokens(folded: str) -> list[_Token]:
    return [
        _Token(match.lastgroup or "", match.group(), *match.span())
        for match in _TOKEN.finditer(folded)
    ]


def _digits_value(text: str) -> Decimal | None:
    """1,000 and 1.000.000 group thousands; 2.5 and 2,5 are decimals."""
    parts = re.split(r"[.,]", text)
    grouped = len(parts) > 1 and all(len(part) == 3 for part in parts[1:])
    if grouped and (len(parts) > 2 or "," in text):
        return Decimal("".join(parts))
    try:
        return Decimal(text.replace(",", ".")) if len(parts) <= 2 else None
    except InvalidOperation:
        return None


def _strip_prefix(word: str, known: Container[str]) -> str | None:
    """The word, or the word without one Arabic prefix letter, if either is known."""
    if word in known:
        return word
    if len(word) > 2 and word.startswith(_ARABIC_PREFIXES) and word[1:] in known:
        return word[1:]
    return None


_AR_NUMBER_WORDS = frozenset(
    set(_AR_WORD_VALUES)
    | _AR_HUNDRED
    | _AR_TWO_HUNDRED
    | _AR_THOUSAND
    | _AR_TWO_THOUSAND
    | _AR_TEEN_ONE
)
_AND_PREFIX = fold_word("و")
# Every word a number written in words can start with, Arabic or English.
_NUMBER_WORDS = _AR_NUMBER_WORDS | set(_SMALL_WORDS) | set(_EN_TENS) | set(_EN_SCALES)


def _arabic_word(word: str, first: bool) -> str | None:
    """The number word a token spells, without its prefix letter.

    The first word may carry any prefix ("بثلاثة"); later ones only "و" ("خمسة وعشرون").
    Words of two letters never lose a prefix: "لست" is "I am not", not "for six".
    """
    if word in _AR_NUMBER_WORDS:
        return word
    if len(word) < 4 or word[1:] not in _AR_NUMBER_WORDS:
        return None
    if first and word.startswith(_ARABIC_PREFIXES):
        return word[1:]
    return word[1:] if word.startswith(_AND_PREFIX) else None


def _arabic_number(tokens: list[_Token], index: int) -> tuple[int, int] | None:
    """An Arabic number written in words starting at tokens[index]: (value, next index)."""
    total = 0
    current = 0
    position = index
    while position < len(tokens) and tokens[position].kind == "word":
        first = position == index
        word = tokens[position].text
        if not first and word in _AND and position + 1 < len(tokens):
            if _arabic_word(tokens[position + 1].text, first=False) is None:
                break
            position += 1
            continue
        bare = _arabic_word(word, first)
        if bare is None:
            break
        if bare in _AR_TEEN_ONE:
            following = tokens[position + 1].text if position + 1 < len(tokens) else ""
            if following not in _AR_TEN:
                break
            current += 11
            position += 2
            continue
        if bare in _AR_TEN and not first and 0 < current % 100 < 10:
            current += 10
        elif bare in _AR_HUNDRED:
            current = current * 100 if 0 < current < 10 else current + 100
        elif bare in _AR_TWO_HUNDRED:
            current += 200
        elif bare in _AR_THOUSAND:
            total += (current or 1) * 1000
            current = 0
        elif bare in _AR_TWO_THOUSAND:
            total += 2000
        else:
            current += _AR_WORD_VALUES[bare]
        position += 1
    if position == index:
        return None
    return total + current, position


def _english_number(tokens: list[_Token], index: int) -> tuple[int, int] | None:
    """An English number written in words starting at tokens[index]: (value, next index)."""
    total = 0
    current = 0
    position = index
    seen = False
    while position < len(tokens):
        word = tokens[position].text
        if seen and word in {"-", "and"} and position + 1 < len(tokens):
            following = tokens[position + 1].text
            if following in _SMALL_WORDS or following in _EN_TENS:
                position += 1
                continue
            break
        if word in _SMALL_WORDS:
            current += _SMALL_WORDS[word]
        elif word in _EN_TENS:
            current += _EN_TENS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in _EN_SCALES:
            total += (current or 1) * _EN_SCALES[word]
            current = 0
        else:
            break
        seen = True
        position += 1
    if not seen:
        return None
    return total + current, position


# A mention while it is being found: token range [first, last), value, unit, implicit.
_Found = tuple[int, int, Decimal, Unit | None, bool]


@dataclass(frozen=True)
class _Raw:
    value: Decimal
    first: int
    last: int


def _raw_numbers(tokens: list[_Token]) -> list[_Raw]:
    """Numbers in digits or words, as token ranges [first, last)."""
    found: list[_Raw] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind == "num":
            value = _digits_value(token.text)
            if value is not None:
                found.append(_Raw(value, index, index + 1))
            index += 1
            continue
        # Most words start no number: one set lookup skips them (prefix letter or not).
        if token.kind == "word" and (
            token.text in _NUMBER_WORDS or token.text[1:] in _NUMBER_WORDS
        ):
            parsed = _arabic_number(tokens, index) or _english_number(tokens, index)
            if parsed is not None:
                found.append(_Raw(Decimal(parsed[0]), index, parsed[1]))
                index = parsed[1]
                continue
        index += 1
    return _merge_parenthesised(tokens, found)


def _merge_parenthesised(tokens: list[_Token], found: list[_Raw]) -> list[_Raw]:
    """ "fourteen (14)" and "14 (fourteen)" state one number, not two."""
    merged: list[_Raw] = []
    for raw in found:
        if merged:
            previous = merged[-1]
            between = [token.text for token in tokens[previous.last : raw.first]]
            closes = raw.last < len(tokens) and tokens[raw.last].text == ")"
            if between == ["("] and closes and previous.value == raw.value:
                merged[-1] = _Raw(previous.value, previous.first, raw.last + 1)
                continue
        merged.append(raw)
    return merged


def _unit_after(tokens: list[_Token], index: int) -> tuple[Unit, int] | None:
    """The unit written at tokens[index] (after a number): (unit, next index)."""
    position = index
    if position < len(tokens) and tokens[position].text == "-":
        position += 1
    if position < len(tokens) and tokens[position].text in _QUALIFIERS:
        position += 1
    if position >= len(tokens):
        return None
    token = tokens[position]
    if token.kind == "sym":
        unit = _SYMBOL_UNITS.get(token.text)
        return (unit, position + 1) if unit is Unit.PERCENT else None
    for phrase in _PERCENT_PHRASES:
        words = [t.text for t in tokens[position : position + len(phrase)]]
        if tuple(words) == phrase:
            return Unit.PERCENT, position + len(phrase)
    if position + 2 < len(tokens) and tokens[position + 1].text == ".":
        dotted = _DOTTED.get((token.text, tokens[position + 2].text))
        if dotted is not None:
            return dotted, position + 3
    for unit, spellings in _UNIT_WORDS.items():
        if token.text in spellings:
            return unit, position + 1
    return None


def _unit_before(tokens: list[_Token], index: int) -> Unit | None:
    """A currency written before a number: "$50", "SAR 100"."""
    if index == 0:
        return None
    token = tokens[index - 1]
    if token.kind == "sym":
        unit = _SYMBOL_UNITS.get(token.text)
        return unit if unit in CURRENCY_UNITS else None
    if token.text in {"sar", "egp", "usd", "aed", "eur", "gbp"}:
        return Unit(token.text.upper())
    return None


def _is_one_word(token: _Token) -> bool:
    return token.text in _AR_UNITS[1] or token.text == "one"


def find_numbers(text: str) -> list[NumberMention]:
    """Every number the text states, in order, with its unit where the text gives one."""
    folded = fold(text)
    tokens = _tokens(folded.text)
    consumed: set[int] = set()
    mentions: list[_Found] = []
    for raw in _raw_numbers(tokens):
        unit: Unit | None = None
        first, last = raw.first, raw.last
        after = _unit_after(tokens, raw.last)
        if after is None and _parenthesised(tokens, raw):
            # "(3) أيام": the number alone in brackets, then its unit.
            after = _unit_after(tokens, raw.last + 1)
            if after is not None:
                first -= 1
        if after is not None:
            unit, last = after
        else:
            unit = _unit_before(tokens, raw.first)
            if unit is not None:
                first -= 1
            if (
                unit is None
                and raw.first > 0
                and raw.value == 1
                and _is_one_word(tokens[raw.first])
            ):
                # "يوم واحد": the noun comes first.
                noun = tokens[raw.first - 1].text
                for candidate, spellings in _UNIT_WORDS.items():
                    if noun in spellings and raw.first - 1 not in consumed:
                        unit = candidate
                        consumed.add(raw.first - 1)
                        mentions.append((raw.first - 1, raw.last, raw.value, unit, False))
                        break
                if unit is not None:
                    consumed.update(range(raw.first, raw.last))
                    continue
        consumed.update(range(first, last))
        mentions.append((first, last, raw.value, unit, False))
    mentions.extend(_after_the_noun(tokens, consumed))
    mentions.extend(_implicit_numbers(tokens, consumed))
    mentions.sort(key=lambda mention: mention[0])
    return [_to_mention(folded, tokens, m) for m in _spread_range_units(tokens, mentions)]


def _parenthesised(tokens: list[_Token], raw: _Raw) -> bool:
    return (
        raw.first > 0
        and raw.last < len(tokens)
        and tokens[raw.first - 1].text == "("
        and tokens[raw.last].text == ")"
    )


# Period nouns with the article ("الايام"), for numbers written after them.
_DEFINED_UNITS = {_ARTICLE + word: unit for unit in PERIOD_UNITS for word in _UNIT_WORDS[unit]}
# Words that are a period by themselves, with or without a prefix letter.
# The dual before the noun it is joined to: "يومي عمل" (two working days); alone "يومي" is
# "daily".
_JOINED_DUAL = fold_word("يومي")
_WORK = frozenset({fold_word("عمل"), fold_word("العمل")})
_IMPLICIT_WORDS = frozenset(_DUAL_WORDS) | frozenset(_BARE_SINGULAR) | {_JOINED_DUAL}


def _after_the_noun(tokens: list[_Token], consumed: set[int]) -> list[_Found]:
    """ "الأيام السبعة": a defined unit noun, then a defined number word after it.

    Both must carry the article: "يوم الاثنين" is Monday, not two days.
    """
    found: list[_Found] = []
    for index in range(len(tokens) - 1):
        unit = _DEFINED_UNITS.get(tokens[index].text)
        number = tokens[index + 1].text
        if unit is None or not number.startswith(_ARTICLE):
            continue
        if index in consumed or index + 1 in consumed:
            continue
        value = _AR_WORD_VALUES.get(number[len(_ARTICLE) :])
        if value is not None:
            consumed.update((index, index + 1))
            found.append((index, index + 2, Decimal(value), unit, False))
    return found


def _implicit_numbers(tokens: list[_Token], consumed: set[int]) -> list[_Found]:
    """Dual nouns (يومين = 2 days), bare singular nouns (خلال أسبوع) and "a week"."""
    found: list[_Found] = []
    for index, token in enumerate(tokens):
        if index in consumed or token.kind != "word":
            continue
        text = token.text
        if (
            text not in _IMPLICIT_WORDS
            and text[1:] not in _IMPLICIT_WORDS
            and text not in {"a", "an", "per"}
        ):
            continue  # one set lookup for the many words that are no period
        if (
            _strip_prefix(token.text, {_JOINED_DUAL}) is not None
            and index + 1 < len(tokens)
            and tokens[index + 1].text in _WORK
        ):
            found.append((index, index + 1, Decimal(2), Unit.DAY, True))
            continue
        dual = _strip_prefix(token.text, _DUAL_WORDS)
        if dual is not None:
            found.append((index, index + 1, Decimal(2), _DUAL_WORDS[dual], True))
            continue
        bare = _strip_prefix(token.text, _BARE_SINGULAR)
        if bare is not None and not token.text.startswith(_ARTICLE):
            found.append((index, index + 1, Decimal(1), _BARE_SINGULAR[bare], True))
            continue
        if token.text in {"a", "an", "per"} and index + 1 < len(tokens):
            unit = _EN_SINGULAR.get(tokens[index + 1].text)
            if unit is not None and index + 1 not in consumed:
                consumed.add(index + 1)
                found.append((index, index + 2, Decimal(1), unit, True))
    return found


def _to_mention(folded: FoldedText, tokens: list[_Token], found: _Found) -> NumberMention:
    first, last, value, unit, implicit = found
    start, end = folded.span_in_original(tokens[first].start, tokens[last - 1].end)
    return NumberMention(value=value, unit=unit, start=start, end=end, implicit=implicit)


def _spread_range_units(tokens: list[_Token], mentions: list[_Found]) -> list[_Found]:
    """In "3-5 days", "between 3 and 5 days" and "من 3 إلى 5 أيام" the 3 counts days too."""
    result = list(mentions)
    for index in range(len(result) - 1, 0, -1):
        first, last, value, unit, implicit = result[index - 1]
        later = result[index]
        between = [token.text for token in tokens[last : later[0]]]
        joined = len(between) == 1 and (between[0] in _RANGE or between[0] in _AND)
        if unit is None and later[3] is not None and value < later[2] and joined:
            result[index - 1] = (first, last, value, later[3], implicit)
    return result


def number_signature(text: str) -> frozenset[tuple[Decimal, str]]:
    """What must be equal for two texts to be near-duplicates: each number with its unit.

    Weeks count as days (the exact conversion), so "أسبوعين" and "14 يوما" agree; a number
    repeated, or written in words and digits at once, counts once.
    """
    signature: set[tuple[Decimal, str]] = set()
    for mention in find_numbers(text):
        days = mention.days
        if days is not None:
            signature.add((days.normalize(), Unit.DAY.value))
        else:
            unit = mention.unit.value if mention.unit is not None else ""
            signature.add((mention.value.normalize(), unit))
    return frozenset(signature)
