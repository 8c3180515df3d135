"""Which country's shop a policy text belongs to, from strong signals in the text itself.

Used when a caller leaves the jurisdiction unset. Only signals that name a country are read:
the currency (ريال، ر.س، SAR against جنيه، ج.م، EGP), phone country codes and mobile formats
(+966 and 05…, +20 and 01…), the laws and countries named, cities and governorates, and a VAT
rate written beside the word VAT (15 % in Saudi Arabia, 14 % in Egypt). Dialect and "the
Kingdom" alone are not signals. The answer is a pure function of the text, so the same text
always resolves to the same jurisdiction (and the same request fingerprint).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.rules.normalised import normalise, pattern

_B: Final = r"(?<![\w])"
_E: Final = r"(?![\w])"


def _any(*words: str) -> str:
    return _B + "(?:" + "|".join(words) + ")" + _E


# (kind, weight, pattern) per country; the patterns run on the matching form (normalised.py).
_SIGNALS: Final[dict[Jurisdiction, tuple[tuple[str, int, re.Pattern[str]], ...]]] = {
    Jurisdiction.SA: (
        (
            "currency",
            2,
            pattern(
                _any(r"ريال(?!\s+(?:قطري|عماني|يمني|ايراني))\w*", r"ر\.\s?س\.?", r"رس", "sar")
                + r"|﷼"
            ),
        ),
        ("phone", 2, pattern(r"(?<!\d)(?:\+|00)\s?966|(?<!\d)05\d[\s-]?\d{3}[\s-]?\d{4}(?!\d)")),
        (
            "law",
            2,
            pattern(
                _any(
                    r"نظام التجاره الالكترونيه",
                    r"نظام حمايه البيانات الشخصيه",
                    r"نظام مكافحه الغش التجاري",
                    r"saudi",
                    r"السعوديه",
                    r"السعودي\w*",
                    r"ksa",
                    r"sdaia",
                    r"سدايا",
                )
            ),
        ),
        (
            "city",
            1,
            pattern(
                _any(
                    r"الرياض",
                    r"جده",
                    r"بجده",
                    r"الدمام",
                    r"مكه المكرمه",
                    r"المدينه المنوره",
                    r"الخبر",
                    r"الطائف",
                    r"تبوك",
                    r"ابها",
                    r"بريده",
                    r"القصيم",
                    r"الاحساء",
                    r"جازان",
                    r"خميس مشيط",
                    r"riyadh",
                    r"jeddah",
                    r"jedda",
                    r"dammam",
                    r"makkah",
                    r"mecca",
                    r"madinah",
                    r"khobar",
                    r"buraydah",
                )
            ),
        ),
        (
            "vat",
            2,
            pattern(r"(?:ضريبه|vat|value added)[^.\n%]{0,40}?(?<!\d)15\s?%|(?<!\d)15\s?%\s*vat"),
        ),
    ),
    Jurisdiction.EG: (
        (
            "currency",
            2,
            pattern(_any(r"جنيه\w*", r"جنيها\w*", r"ج\.\s?م\.?", "egp", r"l\.e\.?", "le")),
        ),
        (
            "phone",
            2,
            pattern(
                r"(?<!\d)(?:\+|00)\s?20[\s-]?(?:1[0125]|[23])"
                r"|(?<!\d)01[0125]\d[\s-]?\d{3}[\s-]?\d{4}(?!\d)"
            ),
        ),
        (
            "law",
            2,
            pattern(
                r"(?<!\d)181\s*(?:لسنه|of|/)\s*2018|(?<!\d)151\s*(?:لسنه|of|/)\s*2020"
                + "|"
                + _any(
                    r"جهاز حمايه المستهلك",
                    r"قانون حمايه المستهلك",
                    r"قانون حمايه البيانات الشخصيه",
                    r"egypt\w*",
                    r"مصر",
                    r"المصري\w*",
                    r"جمهوريه مصر العربيه",
                )
            ),
        ),
        (
            "city",
            1,
            pattern(
                _any(
                    r"القاهره",
                    r"بالقاهره",
                    r"الاسكندريه",
                    r"اسكندريه",
                    r"الجيزه",
                    r"بالجيزه",
                    r"والجيزه",
                    r"اسيوط",
                    r"المنصوره",
                    r"طنطا",
                    r"الزقازيق",
                    r"بورسعيد",
                    r"الاسماعيليه",
                    r"الاقصر",
                    r"اسوان",
                    r"الصعيد",
                    r"مدينه نصر",
                    r"الغردقه",
                    r"cairo",
                    r"alexandria",
                    r"giza",
                    r"assiut",
                    r"mansoura",
                    r"tanta",
                    r"luxor",
                    r"aswan",
                    r"hurghada",
                    r"6th of october",
                )
            ),
        ),
        (
            "vat",
            2,
            pattern(r"(?:ضريبه|vat|value added)[^.\n%]{0,40}?(?<!\d)14\s?%|(?<!\d)14\s?%\s*vat"),
        ),
    ),
}
_DECISIVE: Final = 2
"""The least score that names a country when the other country has no signal at all."""
_DOMINANT: Final = 4
"""With signals of both countries, the winner needs at least this score and twice the other's."""


@dataclass(frozen=True)
class Detection:
    """A detected jurisdiction (None when the text does not settle it) and its evidence."""

    jurisdiction: Jurisdiction | None
    signals: tuple[str, ...]
    """Each signal found, as "SA:currency", "EG:city", ..."""


def detect_jurisdiction(text: str) -> Detection:
    """The country the text's signals name, or None when they are absent or conflict.

    Each kind of signal counts once per country (its weight: 2 for currency, phone, law or
    country, VAT rate; 1 for a city). A country wins with at least 2 when the other has none,
    or with at least 4 and twice the other's score.
    """
    folded = normalise(text).text
    scores: dict[Jurisdiction, int] = {}
    signals: list[str] = []
    for country, kinds in _SIGNALS.items():
        score = 0
        for kind, weight, signal in kinds:
            if signal.search(folded):
                score += weight
                signals.append(f"{country.value}:{kind}")
        scores[country] = score
    saudi, egyptian = scores[Jurisdiction.SA], scores[Jurisdiction.EG]
    winner, high, low = (
        (Jurisdiction.SA, saudi, egyptian)
        if saudi >= egyptian
        else (Jurisdiction.EG, egyptian, saudi)
    )
    decided = (high >= _DECISIVE and low == 0) or (high >= _DOMINANT and high >= 2 * low)
    return Detection(winner if decided and high != low else None, tuple(signals))
