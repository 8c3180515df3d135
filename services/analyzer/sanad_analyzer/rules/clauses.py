"""The kinds of clause the rulebook names, and the detectors of the shipping and privacy ones.

The return clauses (refusals, defect costs, credit only) are read on the document model
(returns.py), where a clause has its heading, scope and exceptions. The shipping and privacy
detectors here return the normalised spans of the sentences that hold the clause, so the
checker can quote them as written; their patterns are Arabic first and English second.
"""

from __future__ import annotations

import enum
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from sanad_analyzer.rules.document import BULLETS
from sanad_analyzer.rules.normalised import NormalisedText, pattern
from sanad_analyzer.rules.vocabulary import words


class Clause(enum.StrEnum):
    """A kind of clause the rulebook has an opinion about."""

    NO_RETURN = "no_return"
    SALE_EXCLUSION = "sale_exclusion"
    DEFECT_COSTS_ON_CUSTOMER = "defect_costs_on_customer"
    CREDIT_ONLY = "credit_only"
    LATE_DELIVERY_REMEDY = "late_delivery_remedy"
    SHIPPING_COST = "shipping_cost"
    DATA_DELETION = "data_deletion"
    DATA_ACCESS = "data_access"
    DATA_PURPOSE = "data_purpose"
    DATA_RETENTION = "data_retention"
    SHARING = "sharing"
    SHARING_OPEN_ENDED = "sharing_open_ended"


@dataclass(frozen=True)
class ClauseHit:
    """A clause found in the text: its kind and the normalised span of its sentence."""

    clause: Clause
    start: int
    end: int


_words = words


_LATE: Final = pattern(
    _words(
        r"تاخر\w*",
        r"تاخير\w*",
        r"تأخر",
        r"late",
        r"delay\w*",
        r"لم (?:يصل|تصل|يتم التوصيل)",
        r"not (?:arrive|delivered)",
        r"miss\w* (?:the |our |its )?(?:promised )?(?:delivery )?(?:date|deadline|window)",
    )
)
_REMEDY: Final = pattern(
    _words(
        r"الغاء",
        r"(?:ت|ي|ن)?لغي\w*",
        r"فلوس\w*",
        r"(?:ال)?مبلغ",
        r"استرداد",
        r"استرجاع",
        r"رد (?:ال)?مبلغ",
        r"تعويض",
        r"(?:ن|ي|بن|هن)عوض\w*",
        r"فسخ",
        r"cancel\w*",
        r"refund\w*",
        r"compensat\w*",
        r"money back",
        # a coupon, credit or free shipping for the delay: "نرسل لك كود خصم ١٠٪", "we add the
        # delivery fee back as store credit", "الشحن هيبقى free على الأوردر الجاي"
        r"(?:كود|كوبون|قسيمه) (?:ال)?خصم",
        r"كوبون\w*",
        r"(?:discount |promo )?(?:code|coupon|voucher)s?",
        r"store credit",
        r"(?:ال)?رصيد",
        r"free (?:shipping|delivery)",
        r"(?:ال)?(?:شحن|توصيل) (?:\w+ ){0,2}?(?:free|مجاني\w*|ببلاش|علينا)",
        r"(?:fee|charges?|cost) back",
        r"(?:ن|بن|هن)رجع(?:لك|لكم)\w*",
    )
)
# A shipping cost is disclosed by an amount, "free", or a free-shipping threshold; "fees are
# shown at checkout" or "calculated by address" disclose none.
_SHIPPING_COST: Final = pattern(
    _words(
        r"(?:شحن|توصيل)\s+(?:مجاني|مجانا|مجانيه)",
        r"مجاني\w*",
        r"ببلاش",
        r"\d+(?:[.,]\d+)?\s*(?:ريال|رس|ر\.س|جنيه|ج\.م|sar|egp|sr|le|l\.e)",
        r"(?:sar|egp|sr|ريال|جنيه)\s*\d+",
        r"free (?:shipping|delivery)",
        r"(?:shipping|delivery) is free",
        r"free (?:on|for) (?:all |every )?orders",
    )
)
_DELETION: Final = pattern(
    _words(
        r"حذف",
        r"مسح",
        r"محو",
        r"اتلاف",
        r"ازاله بيانات",
        r"delet\w*",
        r"eras\w*",
        r"destr\w*",
        r"remov\w* (?:your|personal) (?:data|information)",
    )
)
# A negator right before a deletion word: "لا يمكن حذف", "does not delete", "cannot be erased".
_DENIED_BEFORE: Final = pattern(
    r"(?:لا|لن|ما|مش) (?:يمكن|يمكننا|نقدر|نستطيع|يتم|نقوم ب)\s?(?:ال)?$"
    r"|(?:cannot|can'?t|does not|doesn'?t|do not|don'?t|will not|won'?t|not) (?:be )?$"
)
_DENIAL_REACH: Final = 16
"""How many characters before a deletion word its negation may stand."""
_ACCESS: Final = pattern(
    _words(
        r"الاطلاع",
        r"الوصول الي بيانات",
        r"نسخه من بيانات",
        r"تصحيح",
        r"تعديل بيانات",
        r"تحديث بيانات",
        r"access (?:to )?your",
        r"correct\w*",
        r"rectif\w*",
        r"update your",
        r"(?:view|see|edit) your (?:data|details|information|account)",
        r"a copy of your (?:data|information)",
        r"(?:تعرف|تطلع علي|تشوف)\s+(?:\w+\s+){0,3}(?:شايلين|عندنا|بياناتك)",
    )
)
_PURPOSE: Final = pattern(
    _words(
        r"(?:ل|من اجل )(?:تنفيذ|توصيل|اتمام|معالجه|تقديم|تحسين|اداره|ادارة|التواصل|ارسال|اصدار)",
        r"(?:عشان|علشان) (?:\w+ )?(?:نوصل|يوصل|الاوردر|الطلب|نتواصل)",
        # "ليش نحتاجها؟ عشان نجهز طلبك ونوصله لك"
        r"(?:عشان|علشان) (?:ن|بن)(?:جهز|قدر|كلم|رسل)\w*",
        r"to (?:fulfil|fulfill|process|deliver|provide|complete|improve|run|manage|send)",
        r"for (?:delivery|shipping|your orders?)",
        r"نستخدم",
        r"نستعمل",
        r"لغرض",
        r"لاغراض",
        r"بهدف",
        r"من اجل",
        r"الغرض",
        r"تستخدم بيانات",
        r"we use",
        r"we send (?:you )?(?:offers|news|newsletters?|promotion\w*|marketing)",
        r"used (?:to|for)",
        r"purpose\w*",
        r"in order to",
    )
)
_RETENTION: Final = pattern(
    _words(
        r"نحتفظ",
        r"الاحتفاظ",
        r"يحتفظ",
        r"مده (?:ال)?حفظ",
        r"تخزين البيانات",
        r"retain\w*",
        r"retention",
        r"keep (?:your|account|it|them|invoices|the)\w*",
        r"we keep",
        r"how long we keep",
        r"stored for",
        r"(?:eras|delet)\w* (?:\w+ ){0,3}?within",
        r"نتلف",
        # "بيانات الأوردرات بتتمسح من عندنا بعد ٦ شهور"
        # (not "تمسح حسابك": the customer deleting, which is the right to delete)
        r"(?:بتت|هتت|تت|بن|هن|ن)مسح\w*",
    )
)
# Retention is stated by a period or an end point, not by "as long as needed".
_RETENTION_TERM: Final = pattern(
    _words(
        r"\d",
        r"(?:سنه|سنتين|سنوات|سنين|شهر|اشهر|شهور|يوم|ايام|يوما)",
        r"(?:year|month|day|week)s?",
        r"until",
        r"(?:حتي|لحين) (?:\w+ )?(?:سحب|الغاء|اغلاق|حذف|تطلب)",
        # "نحتفظ فيها إلى أن تحذف حسابك", "لين تقفل حسابك"
        r"(?:الي ان|لين|لحد ما) (?:ت|ي)?(?:حذف|لغي|قفل|غلق|سحب|طلب)\w*",
        r"(?:بعد|من) (?:تاريخ )?(?:اغلاق|اخر|انتهاء)",
        r"after (?:closing|you close|your last|the end)",
        r"(?:ثلاث|خمس|عشر|ثلاثين)\w*",
    )
)
_SHARING: Final = pattern(
    _words(
        r"نشارك",
        r"مشاركه",
        r"نفصح",
        r"الافصاح",
        r"طرف ثالث",
        r"اطراف ثالثه",
        r"(?:مع|ل)\s?(?:ال)?غير(?!\w)",
        r"شركاء\w*",
        r"نبيع",
        r"share\w*",
        r"disclos\w*",
        r"third[\s-]part\w*",
        r"sell",
        r"partners?",
        r"(?:ما|لا|مش) (?:ن|بن)?(?:عطي|عطيها|ديها)\w*",
        r"who (?:sees|receives|gets)",
        r"pass\w* (?:it |them |your \w+ )?(?:on )?to",
        r"يطلع عليها",
        r"(?:من|مين) (?:يستلم|يطلع|يشوف)\w*",
    )
)
# Sharing denied in the clause: "لا نبيع", "ما نعطي أحد", "we never share", "do not sell".
_SHARING_DENIED: Final = pattern(
    r"(?<!\w)(?:و|ف)?(?:لا|ما|مش|لن|مو) (?:ن|بن)?(?:بيع|شارك|عطي|ديها|فصح)\w*"
    r"|(?:never|not|don'?t|do not|won'?t|will not) (?:\w+ )?(?:sell|share|disclose|rent)"
)
_SHARING_NAMED: Final = pattern(
    _words(
        r"شرك(?:ه|ات) (?:ال)?شحن",
        r"(?:بوابات?|مزود\w*) (?:ال)?دفع",
        # only our own staff, no third party: "ولا يطلع عليها إلا الموظفون المخولون" (staff named
        # beside partners and third parties restrict nothing)
        r"(?:الا|فقط) (?:\w+ )?(?:ال)?موظف\w*",
        r"only (?:our )?(?:authori[sz]ed )?(?:staff|employees)",
        # a list of them follows: "نشارك بياناتك مع الجهات التالية فقط:"
        r"(?:ال)?(?:جهات|اطراف|شركات) (?:ال)?(?:تاليه|اتيه)",
        r"the following (?:\w+ )?(?:parties|recipients|companies|partners)",
        r"لغرض",
        r"بهدف",
        r"من اجل",
        r"لاتمام",
        r"لتوصيل",
        r"لتنفيذ",
        r"الجهات (?:ال)?(?:حكومي|رسمي|مختص)\w*",
        r"القانون",
        r"(?:مصلحه|هيئه) (?:ال)?(?:ضرائب|زكاه)",
        r"(?:shipping|delivery) (?:compan|carrier|partner)\w*",
        r"courier\w*",
        r"carrier\w*",
        r"(?:tax|government|public) authorit\w*",
        r"payment (?:processor|provider|gateway)s?",
        r"to (?:deliver|process|fulfil|complete)",
        r"for the purpose",
        r"required by law",
        r"لا (?:نشارك|نبيع|نفصح)",
        r"(?:do not|don'?t|never|will not) (?:share|sell|disclose)",
    )
)
_SHARING_OPEN: Final = pattern(
    _words(
        r"لاي غرض",
        r"لاغراض تسويقي\w*",
        r"لاغراض اخري",
        r"(?<!لا )نبيع",
        r"(?<!\w)بيع (?:ال)?(?:بيانات|معلومات)",
        r"for any purpose",
        r"marketing partners",
        r"we (?:may )?sell",
        r"other purposes",
        r"حسب ما نراه",
        r"as we see fit",
        r"at our discretion",
    )
)


class ClauseFinder:
    """The shipping and privacy clauses of one normalised text, each kind looked for only when
    asked (the return rules read the document model instead: returns.py)."""

    def __init__(self, text: NormalisedText) -> None:
        self._text = text
        self._found: dict[Clause, list[ClauseHit]] = {}

    def _matches(self, regex: re.Pattern[str]) -> list[tuple[re.Match[str], int, int, str]]:
        """The first match of ``regex`` in each sentence, with that sentence."""
        seen: dict[int, tuple[re.Match[str], int, int, str]] = {}
        for found in self._all_matches(regex):
            seen.setdefault(found[1], found)
        return list(seen.values())

    def _all_matches(self, regex: re.Pattern[str]) -> list[tuple[re.Match[str], int, int, str]]:
        """Every match of ``regex``, each with its sentence."""
        found = []
        for match in regex.finditer(self._text.text):
            start, end = self._text.sentence_bounds(match.start())
            found.append((match, start, end, self._text.text[start:end]))
        return found

    def _clause(self, match: re.Match[str], start: int, end: int) -> str:
        """The comma-bounded part of the sentence [start, end) that holds ``match``."""
        text = self._text.text
        first = max(text.rfind(",", start, match.start()) + 1, start)
        last = text.find(",", match.end(), end)
        return text[first : last if last != -1 else end]

    def hits(self, clause: Clause) -> list[ClauseHit]:
        """The clauses of one kind, found on first asking (a rule asks only for its own)."""
        if clause not in self._found:
            if clause in (Clause.SHARING, Clause.SHARING_OPEN_ENDED):
                self._found[Clause.SHARING] = []
                self._found[Clause.SHARING_OPEN_ENDED] = []
                for hit in self._sharing():
                    self._found[hit.clause].append(hit)
            elif clause is Clause.LATE_DELIVERY_REMEDY:
                self._found[clause] = self._late_delivery_remedy()
            elif clause is Clause.DATA_DELETION:
                self._found[clause] = self._deletion()
            elif clause is Clause.DATA_RETENTION:
                self._found[clause] = [
                    ClauseHit(clause, start, end)
                    for _, start, end, sentence in self._matches(_RETENTION)
                    if _RETENTION_TERM.search(sentence) or self._terms_below(sentence, end)
                ]
            else:
                self._found[clause] = [
                    ClauseHit(clause, start, end)
                    for _, start, end, _ in self._matches(_STATED[clause])
                ]
        return self._found[clause]

    def _terms_below(self, sentence: str, end: int) -> bool:
        """A heading ("How long we keep it") whose next line, or the list under it, gives the
        periods: "- Orders and invoices: 5 years"."""
        return any(_RETENTION_TERM.search(line) for line in self._lines_below(sentence, end))

    def _lines_below(self, sentence: str, end: int) -> list[str]:
        """Under a heading that ends at ``end``: its next line, and the list under that line
        when it is an item or leads one ("⏰ لو الأوردر اتأخر" / "من حقك تختار:" / "١- تلغي
        الأوردر ونرجعلك فلوسك"); none under a sentence that is no heading."""
        text = self._text.text
        if not _is_heading(sentence, _HEADING_LINE_WORDS) or not text.startswith("\n", end):
            return []
        lines = _lines(text, end + 1)
        first = next(lines, "")
        below = [first]
        if _LIST_ITEM.match(first) or first.rstrip().endswith(":"):
            below.extend(itertools.takewhile(_LIST_ITEM.match, lines))
        return below

    def _deletion(self) -> list[ClauseHit]:
        """Deletion named, and not refused: "لا يمكن حذف بيانات الطلبات السابقة", "Closing your
        account does not delete your order history" grant no right to it."""
        text = self._text.text
        return [
            ClauseHit(Clause.DATA_DELETION, start, end)
            for match, start, end, _ in self._all_matches(_DELETION)
            if _DENIED_BEFORE.search(text, max(start, match.start() - _DENIAL_REACH), match.start())
            is None
        ]

    def _late_delivery_remedy(self) -> list[ClauseHit]:
        return [
            ClauseHit(Clause.LATE_DELIVERY_REMEDY, start, end)
            for _, start, end, sentence in self._matches(_LATE)
            if _REMEDY.search(sentence)
            or any(_REMEDY.search(line) for line in self._lines_below(sentence, end))
        ]

    def _sharing(self) -> list[ClauseHit]:
        hits = []
        for match, start, end, sentence in self._matches(_SHARING):
            hits.append(ClauseHit(Clause.SHARING, start, end))
            if _is_heading(sentence) or sentence.rstrip().endswith("?"):
                continue  # a heading or a question ("هل نشارك بياناتك؟") shares nothing
            # The sentence's first clause that shares decides; one that denies sharing ("لا
            # نبيع بياناتك", "ومش بنديها لأي حد تاني") hands over to the next ("We do not sell
            # your data, but we share it with our partners").
            shares: re.Match[str] | None = match
            while shares is not None:
                words = self._clause(shares, start, end)
                denied = _SHARING_DENIED.search(words)
                if (
                    denied is None
                    or _SHARING_OPEN.search(words)
                    or _SHARING.search(words, denied.end())
                ):
                    # (whom it shares with, after the denial: "don't sell" names no one)
                    shared = words if denied is None else words[denied.end() :]
                    if _SHARING_OPEN.search(words) or not _SHARING_NAMED.search(shared):
                        hits.append(ClauseHit(Clause.SHARING_OPEN_ENDED, start, end))
                    break
                after = self._text.text.find(",", shares.end(), end)
                shares = None if after < 0 else _SHARING.search(self._text.text, after, end)
        return hits


_HEADING_WORDS: Final = 4
_HEADING_LINE_WORDS: Final = 7
"""A line this short, with a list or a line under it, heads them ("How long we keep it")."""
# A heading given in two languages: "Who sees it / من يطلع عليها", "Privacy | الخصوصية".
_BILINGUAL_SEPARATOR: Final = re.compile(r" [/|] ")
_LIST_ITEM: Final = re.compile(f"(?:[{BULLETS}]+|[0-9]{{1,2}}[.)\\-]) ")


def _lines(text: str, start: int) -> Iterator[str]:
    """The lines of ``text`` from ``start`` on, read one at a time."""
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        yield text[start:end]
        start = end + 1


def _is_heading(sentence: str, words: int = _HEADING_WORDS) -> bool:
    """A sentence of a few words, or a heading of a few words in each of two languages."""
    return all(len(part.split()) <= words for part in _BILINGUAL_SEPARATOR.split(sentence))


# Clauses that are present whenever their words are.
_STATED: Final = {
    Clause.SHIPPING_COST: _SHIPPING_COST,
    Clause.DATA_ACCESS: _ACCESS,
    Clause.DATA_PURPOSE: _PURPOSE,
    Clause.DATA_RETENTION: _RETENTION,
}
