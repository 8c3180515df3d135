"""Which country's shop a policy text belongs to, from strong signals in the text itself.

Used when a caller leaves the jurisdiction unset. Only signals that name a country are read:
the currency (ريال، ر.س، SAR against جنيه، ج.م، EGP), phone country codes and mobile formats
(+966 and 05…, +20 and 01…), the laws and countries named, cities and governorates, and a VAT
rate written beside the word VAT (15 % in Saudi Arabia, 14 % in Egypt), and, weighted as a
city, the country's own payment schemes (mada, STC Pay; InstaPay, Vodafone Cash, Fawry, valU,
Meeza). Dialect and "the Kingdom" alone are not signals. The answer is a pure function of
the text, so the same text always resolves to the same jurisdiction (and the same request
fingerprint).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.rules.normalised import normalise
from sanad_analyzer.rules.vocabulary import Lexicon

_SAUDI_CITIES: Final = (
    "الرياض",
    "جده",
    "الدمام",
    "مكه المكرمه",
    "المدينه المنوره",
    "الطائف",
    "تبوك",
    "ابها",
    "بريده",
    "القصيم",
    "الاحساء",
    "جازان",
    "خميس مشيط",
    "riyadh",
    "jeddah",
    "jedda",
    "dammam",
    "makkah",
    "mecca",
    "madinah",
    "khobar",
    "buraydah",
)
_EGYPTIAN_CITIES: Final = (
    "القاهره",
    "الاسكندريه",
    "اسكندريه",
    "الجيزه",
    "اسيوط",
    "المنصوره",
    "طنطا",
    "الزقازيق",
    "بورسعيد",
    "الاسماعيليه",
    "الاقصر",
    "اسوان",
    "الصعيد",
    "مدينه نصر",
    "مدينه السادس من اكتوبر",
    "مدينه 6 اكتوبر",
    "الغردقه",
    "cairo",
    "alexandria",
    "giza",
    "assiut",
    "mansoura",
    "tanta",
    "luxor",
    "aswan",
    "hurghada",
    "6th of october",
)
_CITY_WEIGHT: Final = 1
_MOST_CITIES: Final = 2
"""Cities count one each, two at most: a shop may name a city of the other country."""

# (kind, weight, lexicon) per country, on the matching form (normalised.py).
_SIGNALS: Final[dict[Jurisdiction, tuple[tuple[str, int, Lexicon], ...]]] = {
    Jurisdiction.SA: (
        (
            "currency",
            2,
            Lexicon(
                r"ريال(?! (?:ال)?(?:قطري|عماني|يمني|ايراني))\w*",
                r"ر\. ?س\.?",
                r"رس(?!\w)",
                r"sar(?!\w)",
                # "SR 20", "20 SR"
                r"sr(?= ?[0-9])",
                r"(?<=[0-9] )sr(?!\w)",
                r"﷼",
            ),
        ),
        (
            "phone",
            2,
            Lexicon(r"\+ ?966", r"00 ?966", r"05[0-9][ -]?[0-9]{3}[ -]?[0-9]{4}(?![0-9])"),
        ),
        (
            "law",
            2,
            Lexicon(
                r"نظام التجاره الالكترونيه",
                r"نظام حمايه البيانات الشخصيه",
                r"نظام مكافحه الغش التجاري",
                r"saudi",
                r"السعوديه",
                r"السعودي\w*",
                r"ksa(?!\w)",
                r"sdaia",
                r"سدايا",
                # the ministry's register of online shops
                r"منصه معروف",
                r"maroof(?!\w)",
            ),
        ),
        (
            "vat",
            2,
            Lexicon(
                r"(?:ضريبه|vat|value added)[^.\n%]{0,40}?(?<![0-9])15 ?%",
                r"15 ?% ?vat",
            ),
        ),
        # the country's own payment schemes (not "مدى", which is also a common word)
        (
            "payment",
            1,
            Lexicon(
                r"mada(?!\w)",
                r"stc ?pay(?!\w)",
                r"اس تي سي باي",
                # "مدى" as a card, beside the others: "مدى، فيزا، ماستركارد", "بطاقة مدى"
                r"مدي(?= ?, ?(?:و ?)?(?:فيزا|ماستر|ابل|visa|master|apple))",
                r"(?:بطاقه|بطاقات|شبكه) مدي(?!\w)",
            ),
        ),
    ),
    Jurisdiction.EG: (
        (
            "currency",
            2,
            Lexicon(
                r"جنيه\w*",
                r"جنيها\w*",
                r"ج\. ?م\.?",
                r"egp(?!\w)",
                r"l\.e\.?",
                # in Latin letters: "25 geneh"
                r"g(?:e|i)?ne?h(?!\w)",
            ),
        ),
        (
            "phone",
            2,
            Lexicon(
                r"\+ ?20[ -]?(?:1[0125]|[23])",
                r"00 ?20[ -]?(?:1[0125]|[23])",
                r"01[0125][0-9][ -]?[0-9]{3}[ -]?[0-9]{4}(?![0-9])",
            ),
        ),
        (
            "law",
            2,
            Lexicon(
                r"181 ?(?:لسنه|of|/) ?2018",
                r"151 ?(?:لسنه|of|/) ?2020",
                r"جهاز حمايه المستهلك",
                r"قانون حمايه المستهلك",
                r"قانون حمايه البيانات الشخصيه",
                # (not the cotton: "long-staple Egyptian cotton")
                r"egypt(?!ian cotton)\w*",
                r"مصر(?!\w)",
                r"ا(?<!القطن ا)لمصري\w*",
            ),
        ),
        (
            "vat",
            2,
            Lexicon(
                r"(?:ضريبه|vat|value added)[^.\n%]{0,40}?(?<![0-9])14 ?%",
                r"14 ?% ?vat",
            ),
        ),
        # (not "فوري" or "ميزه", which are also common words)
        (
            "payment",
            1,
            Lexicon(
                r"insta ?pay(?!\w)",
                r"انستا ?باي",
                r"vodafone cash",
                r"فودافون كاش",
                r"(?:orange|etisalat|we) cash",
                r"(?:اورنج|اتصالات) كاش",
                r"fawry(?!\w)",
                r"valu(?!\w)",
                r"فاليو(?!\w)",
                r"meeza(?!\w)",
            ),
        ),
    ),
}
_CITIES: Final = {
    # (whole words: "الأدوات الرياضية" names no Riyadh)
    Jurisdiction.SA: Lexicon(*(city + r"(?!\w)" for city in _SAUDI_CITIES)),
    Jurisdiction.EG: Lexicon(*(city + r"(?!\w)" for city in _EGYPTIAN_CITIES)),
}
# Another country's currency or phone code: a shop of the Gulf that also sells into Saudi
# Arabia ("نوصّل من الكويت لجميع دول الخليج", prices in د.ك) is not read as Saudi on the country
# it names.
_ELSEWHERE: Final = (
    Lexicon(
        r"د\. ?ك\.?",
        r"د\. ?ا(?!\w)",
        r"ر\. ?ق\.?",
        r"ر\. ?ع\.?",
        r"دينار\w*",
        r"درهم\w*",
        r"ريال (?:ال)?(?:قطري|عماني)",
        r"kwd(?!\w)",
        r"aed(?!\w)",
        r"qar(?!\w)",
        r"bhd(?!\w)",
        r"omr(?!\w)",
    ),
    Lexicon(r"\+ ?(?:965|971|974|973|968)", r"00 ?(?:965|971|974|973|968)"),
)
_ELSEWHERE_WEIGHT: Final = 2
"""Each of another country's currency and phone code."""
_DECISIVE: Final = 1
"""The least score that names a country when the other country has no signal at all (a
single city does)."""
_DOMINANT: Final = 4
"""With signals of both countries, the winner needs at least this score and twice the other's."""


@dataclass(frozen=True)
class Detection:
    """A detected jurisdiction (None when the text does not settle it) and its evidence."""

    jurisdiction: Jurisdiction | None
    signals: tuple[str, ...]
    """Each signal found, as "SA:currency", "EG:city", ..."""


def detect_jurisdiction(text: str) -> Detection:
    """The country the text's signals name, or None when they are absent, weak or conflict.

    Each kind of signal counts once per country: 2 for a currency, a phone code, a law or the
    country named, or a VAT rate; 1 for a payment scheme; a city counts 1, and two different
    cities 2. Another country's currency and phone code count 2 each against both. A country
    wins with any signal when neither the other nor a third country has any, or with at
    least 4 and twice the score of the strongest rival.
    """
    folded = normalise(text).text
    scores: dict[Jurisdiction, int] = {}
    signals: list[str] = []
    for country, kinds in _SIGNALS.items():
        score = 0
        for kind, weight, lexicon in kinds:
            if lexicon.search(folded) is not None:
                score += weight
                signals.append(f"{country.value}:{kind}")
        cities = {match.group() for match in _CITIES[country].finditer(folded)}
        if cities:
            score += _CITY_WEIGHT * min(len(cities), _MOST_CITIES)
            signals.append(f"{country.value}:city")
        scores[country] = score
    elsewhere = _ELSEWHERE_WEIGHT * sum(
        lexicon.search(folded) is not None for lexicon in _ELSEWHERE
    )
    if elsewhere:
        signals.append("other:currency or phone")
    saudi, egyptian = scores[Jurisdiction.SA], scores[Jurisdiction.EG]
    winner, high, low = (
        (Jurisdiction.SA, saudi, egyptian)
        if saudi >= egyptian
        else (Jurisdiction.EG, egyptian, saudi)
    )
    rival = max(low, elsewhere)
    decided = high != low and (
        (high >= _DECISIVE and rival == 0) or (high >= _DOMINANT and high >= 2 * rival)
    )
    return Detection(winner if decided else None, tuple(signals))
