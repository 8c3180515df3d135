"""Clauses a store policy may contain, recognised by patterns on the normalised text.

Each detector returns the normalised spans of the sentences that hold the clause, so the
checker can quote them as written. The patterns are Arabic first (Saudi and Egyptian shop
wording: "لا ترد ولا تستبدل", "يتحمل العميل", "رصيد في المحفظة") and English second.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Final

from sanad_analyzer.rules.normalised import NormalisedText, pattern


class Clause(enum.StrEnum):
    """A kind of clause the rulebook has an opinion about."""

    NO_RETURN = "no_return"
    SALE_EXCLUSION = "sale_exclusion"
    DEFECT_COSTS_ON_CUSTOMER = "defect_costs_on_customer"
    FEE_DEDUCTION = "fee_deduction"
    SHIPPING_DEDUCTION = "shipping_deduction"
    CREDIT_ONLY = "credit_only"
    IMMEDIATE_REFUND = "immediate_refund"
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


def _words(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


# A refusal to take goods back or give money back, whoever it applies to.
_NO_RETURN: Final = pattern(
    _words(
        r"لا\s+(?:ت|ي)?(?:رد|ترد|يرد)\s+(?:و\s*)?(?:لا\s+)?(?:ت|ي)?(?:ستبدل|تستبدل|يستبدل)",
        r"لا\s+(?:ت|ي)?(?:ستبدل|تستبدل|يستبدل)\s+(?:و\s*)?(?:لا\s+)?(?:ت|ي)?(?:رد|ترد|يرد)",
        r"(?:غير|ليست|ليس)\s+(?:قابل|قابله)\s+(?:لل)?(?:ارجاع|استرجاع|رد|استرداد|استبدال)",
        r"لا\s+(?:يمكن|يحق|يجوز|نقبل|يقبل|تقبل|تقبل|يتم|نستقبل)\s+(?:\w+\s+){0,2}"
        r"(?:ارجاع|استرجاع|الارجاع|الاسترجاع|رد|استرداد|الاسترداد|ترجيع|المرتجعات|مرتجع)",
        r"(?:لا\s+يوجد|لا\s+توجد|ممنوع|يمنع)\s+(?:\w+\s+)?(?:ارجاع|استرجاع|استرداد|مرتجع|ترجيع)",
        r"(?:الاستبدال|استبدال|التبديل)\s+فقط",
        r"عدم\s+(?:قبول|امكانيه|استقبال)\s+"
        r"(?:ال)?(?:مرتجع|ارجاع|استرجاع|استرداد|رد)\w*",
        r"(?:جميع|كل)\s+(?:ال)?مبيعات\s+(?:\w+\s+)?نهائي\w*",
        r"(?:مفيش|مافي|مافيه|ما في|ما فيه|لا)\s+"
        r"(?:ال)?(?:استرجاع|ارجاع|ترجيع|استرداد|مرتجعات)(?!\w)",
        r"(?:فقط|only)\s+(?:الاستبدال|استبدال|exchange)",
        r"all sales (?:are )?final",
        r"no (?:returns?|refunds?|exchanges?)",
        r"(?:مش|مو|ما)\s+(?:ب|بي|بت)?(?:ترجع|يرجع|ترد|يرد|تسترد|يسترد|تتبدل|يتبدل)",
        r"(?:not|non)[\s-](?:returnable|refundable|eligible for (?:a )?(?:return|refund))",
        r"(?:cannot|can't|can not|do not|don't|will not|won't) (?:be )?(?:accept|offer|issue|"
        r"give|process)?\w*\s*(?:returns?|refunds?|returned|refunded)",
        r"exchange only",
    )
)
# Words that narrow a refusal to some goods: it is then an exclusion, not a blanket clause.
_SALE: Final = pattern(
    _words(
        r"مخفض\w*",
        r"تخفيض\w*",
        r"التخفيضات",
        r"العروض",
        r"عروض",
        r"الخصم",
        r"(?:عليها|عليه|ب)\s?خصم",
        r"مخصوم\w*",
        r"خصومات",
        r"تصفيه",
        r"اوكازيون",
        r"الاوكازيون",
        r"البلاك فرايدي",
        r"الجمعه البيضاء",
        r"\bsale\b",
        r"clearance",
        r"discount\w*",
        r"promo\w*",
        r"offer",
    )
)
_LAWFUL_EXCLUSION: Final = pattern(
    _words(
        r"داخلي\w*",
        r"مستعمل\w*",
        r"استخدام",
        r"استعمال",
        r"فتح",
        r"مفتوح\w*",
        r"ازاله",
        r"غلاف",
        r"تغليف\w*",
        r"سريع\w* التلف",
        r"قابل\w* للتلف",
        r"مخصص\w*",
        r"حسب الطلب",
        r"تفصيل",
        r"بطاقات",
        r"رقمي\w*",
        r"برامج",
        r"عطور",
        r"مستحضرات",
        r"مكياج",
        r"صحي\w*",
        r"شخصي\w*",
        r"used",
        r"opened",
        r"worn",
        r"perishable",
        r"custom",
        r"personali[sz]ed",
        r"hygien\w*",
        r"underwear",
        r"gift cards?",
        r"digital",
        r"software",
        r"after (?:\d+|the)",
        r"التاليه",
        r"الاتيه",
        r"following",
        r"below",
        r"بعد مرور",
        r"بعد انتهاء",
        r"بعد\s+\d+",
        r"انتهاء المده",
        r"خارج المده",
    )
)
_DEFECT: Final = pattern(
    _words(
        r"تلف\w*",
        r"تالف\w*",
        r"عيب\w*",
        r"معيب\w*",
        r"كسر\w*",
        r"مكسور\w*",
        r"خطا",
        r"خاطي\w*",
        r"ناقص\w*",
        r"غير مطابق\w*",
        r"مختلف\w*",
        r"مصنعي\w*",
        r"damaged",
        r"defect\w*",
        r"faulty",
        r"broken",
        r"wrong",
        r"incorrect",
    )
)
_ALL_CASES: Final = pattern(
    _words(
        r"(?:في|ب)\s*(?:جميع|كل|كافه)\s+(?:ال)?(?:حالات|الاحوال|احوال)",
        r"(?:مهما|ايا)\s+كان\s+(?:ال)?سبب",
        r"لاي سبب كان",
        r"بغض النظر عن (?:ال)?سبب",
        r"in all cases",
        r"regardless of (?:the )?reason",
        r"for any reason",
        r"whatever the reason",
    )
)
_CUSTOMER_PAYS: Final = pattern(
    _words(
        r"(?:يتحمل|تتحمل|يدفع|تدفع|يلتزم)\w*\s+(?:ال)?(?:عميل|مشتري|زبون|مستهلك|مشترك)\w*",
        r"(?:على|ب)\s*(?:حساب|نفقه|مسؤوليه|عاتق)\s+(?:ال)?(?:عميل|مشتري|زبون|مستهلك)\w*",
        r"(?:على|ب)\s*(?:حسابك|نفقتك|مسؤوليتك|عاتقك)",
        r"(?:تتحمل|ستتحمل)\s+(?:انت\s+)?(?:رسوم|تكلف|مصاريف)",
        r"علي\s+(?:ال)?(?:عميل|مشتري|زبون|مستهلك)(?!\w)",
        r"(?:ال)?(?:عميل|مشتري|زبون|مستهلك)\s+(?:هو\s+)?(?:يتحمل|يدفع|بيدفع|بيتحمل|ملزم|مسؤول)",
        r"(?:customer|buyer)s? (?:pays?|bears?|covers?|must pay|will pay)",
        r"(?:customer|buyer)s? (?:is|are) responsible for",
        r"at (?:the customer's|your) (?:own )?(?:cost|expense)",
        r"you (?:pay|bear|cover|are responsible for)",
        r"(?:paid|borne|covered|charged|payable) (?:for )?by (?:the )?(?:customer|buyer|you)",
        r"charged to (?:the )?(?:customer|buyer|you)",
        r"(?:customer|buyer)'s (?:responsibility|expense|cost)",
    )
)
_STORE_PAYS: Final = pattern(
    _words(
        r"(?:لا|دون|بدون)\s+(?:ان\s+)?(?:يتحمل|تتحمل|اي|ايه)\s*(?:ال)?(?:عميل|تكلف\w*|رسوم|مصاريف)?",
        r"مجان\w*",
        r"على حساب(?:نا| المتجر| الشركه)",
        r"(?:نتحمل|يتحمل المتجر|تتحمل الشركه)",
        r"free",
        r"at (?:our|no) (?:cost|expense|extra)",
        r"we (?:pay|cover|bear)",
    )
)
_COST: Final = pattern(
    _words(
        r"رسوم",
        r"رسم",
        r"تكلف\w*",
        r"تكاليف",
        r"مصاريف",
        r"مصروفات",
        r"اجور",
        r"اجره",
        r"قيمه (?:ال)?شحن",
        r"نفق\w*",
        r"fee\w*",
        r"cost\w*",
        r"charge\w*",
        r"shipping",
        r"expense\w*",
    )
)
_DEDUCT: Final = pattern(
    _words(
        r"(?:يتم|سيتم|يجري|بعد|مع|ب|يشمل)\s*(?:ال)?خصم\s+(?:\w+\s+){0,3}?"
        r"(?:رسوم|رسم|تكلف\w*|تكاليف|مصاريف|قيمه|مبلغ|نسبه|\d+\s*%|اجور|عموله)",
        r"(?:يخصم|تخصم|نخصم|يستقطع|تستقطع|نستقطع|استقطاع|يقتطع|يحسم|تحسم|سنخصم)\s+(?:منه\s+|منها\s+)?",
        r"خصم\s+(?:رسوم|رسم|تكلف\w*|تكاليف|مصاريف|قيمه|نسبه|\d+\s*%|عموله)",
        r"(?:رسوم|رسم|تكلفه|تكاليف|مصاريف|قيمه|عموله)\s+(?:\w+\s+){0,4}?(?:غير|لا)\s+"
        r"(?:مسترد\w*|قابل\w* للاسترداد|ترد|يرد|تسترد|يسترد)",
        r"لا\s+(?:ت|ي)?(?:سترد|رد|ترد|يرد|تعاد|يعاد)\s+(?:ال)?(?:رسوم|رسم|مصاريف|تكلف\w*|تكاليف|قيمه)",
        r"(?:restocking|handling|processing|administrative|admin|service)\s+fee",
        r"deduct\w*",
        r"subtract\w*",
        r"taken (?:off|out of|from)",
        r"return(?:s|ing)? fee",
        r"رسوم\s+(?:ال)?(?:ارجاع|استرجاع|اعاده|رد)",
        r"minus",
        r"less (?:a |the )?(?:fee|\d+\s*%|shipping)",
        r"non[\s-]refundable\s+(?:\w+\s+){0,2}(?:fee|charge|cost|shipping)",
        r"(?:fee|charge|cost)s?\s+(?:\w+\s+){0,3}(?:are|is)\s+non[\s-]refundable",
        r"(?:not|never)\s+(?:be\s+)?refund(?:ed|able)",
    )
)
_SHIPPING: Final = re.compile(r"(?:شحن|الشحن|توصيل|التوصيل|الارسال|shipping|delivery|postage)")
_OTHER_FEE: Final = pattern(
    _words(
        r"اداري\w*",
        r"بوابه",
        r"رسوم (?:ال)?دفع",
        r"الدفع عند الاستلام",
        r"عموله",
        r"نسبه",
        r"%",
        r"تخزين",
        r"معالجه",
        r"تغليف",
        r"خدمه",
        r"restocking",
        r"handling",
        r"processing",
        r"administrative",
        r"admin",
        r"payment",
        r"gateway",
        r"service",
        r"percent",
    )
)
_REFUND: Final = pattern(
    _words(
        r"استرداد",
        r"الاسترداد",
        r"استرجاع",
        r"الاسترجاع",
        r"ارجاع",
        r"رد (?:ال)?مبلغ",
        r"ترد",
        r"مسترد\w*",
        r"بقيمه",
        r"value of",
        r"(?:ال)?مبلغ",
        r"(?:ال)?مبالغ",
        r"فلوس\w*",
        r"تعويض",
        r"refund\w*",
        r"return\w*",
        r"money",
    )
)
_CREDIT: Final = pattern(
    _words(
        r"رصيد",
        r"محفظ\w*",
        r"قسيم\w*",
        r"كوبون\w*",
        r"كود خصم",
        r"قسائم",
        r"نقاط",
        r"store credit",
        r"credit note",
        r"voucher\w*",
        r"wallet",
        r"gift card",
        r"coupon",
    )
)
_CREDIT_ONLY_MARKER: Final = pattern(
    _words(
        r"فقط",
        r"only",
        r"(?:على شكل|في صوره|بشكل|كـ?\s?)\s*(?:رصيد|قسيم|كوبون)",
        r"لا\s+(?:يتم|يمكن|نقوم ب)?\s*(?:رد|استرداد|ارجاع|اعاده)\s+(?:ال)?(?:مبلغ|مبالغ|قيمه|"
        r"ثمن|اموال)?\s*(?:نقدا|نقدي|كاش)",
        r"لا\s+(?:يوجد|توجد)\s+(?:رد|استرداد)\s+نقدي",
        r"(?:no|not) (?:cash|money) (?:refunds?|back)",
        r"instead of (?:a )?(?:cash|money|refund)",
        r"(?:issued|given|provided|refunded|paid|made) (?:as|in|via|through)",
        r"issue\w* (?:a |an )?(?:gift card|voucher|store credit|credit note|coupon)",
        r"(?:نعطي|نمنح|نصدر|يمنح|يصدر|تمنح|تصدر)\w*\s+(?:\w+\s+)?(?:قسيم|كوبون|رصيد|بطاق)",
        r"in the form of",
        r"بدلا من",
    )
)
_MONEY_ALTERNATIVE: Final = pattern(
    _words(
        r"(?:نفس|ذات)\s+(?:طريقه|وسيله)",
        r"طريقه الدفع",
        r"وسيله الدفع",
        r"البطاقه",
        r"الحساب البنكي",
        r"حسابك البنكي",
        r"حساب بنكي",
        r"تحويل بنكي",
        r"ايبان",
        r"iban",
        r"original payment",
        r"payment method",
        r"bank",
        r"(?:credit|debit) card",
        r"(?:او|or)\s+(?:استرداد|رد|ارجاع)\s+(?:ال)?(?:مبلغ|نقد)",
        r"حسب (?:رغبه|اختيار) العميل",
        r"(?:at|of) (?:your|the customer's) (?:choice|option)",
    )
)
_IMMEDIATE: Final = pattern(
    _words(
        r"فورا",
        r"فوري\w*",
        r"في (?:نفس|ذات) اليوم",
        r"مباشره",
        r"immediately",
        r"instantly",
        r"same day",
    )
)
_LATE: Final = pattern(
    _words(
        r"تاخر\w*",
        r"تاخير\w*",
        r"تأخر",
        r"late",
        r"delay\w*",
        r"لم (?:يصل|تصل|يتم التوصيل)",
        r"not (?:arrive|delivered)",
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
        r"فسخ",
        r"cancel\w*",
        r"refund\w*",
        r"compensat\w*",
        r"money back",
    )
)
_SHIPPING_COST: Final = pattern(
    _words(
        r"(?:رسوم|تكلف\w*|تكاليف|اسعار|سعر|اجور|قيمه|مصاريف)\s+(?:ال)?(?:شحن|توصيل)",
        r"(?:شحن|توصيل)\s+(?:مجاني|مجانا|مجانيه)",
        r"مجاني\w*",
        r"\d+\s*(?:ريال|رس|ر\.س|جنيه|ج\.م|sar|egp)",
        r"(?:shipping|delivery) (?:fee|cost|charge|rate|price)s?",
        r"free (?:shipping|delivery)",
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
    )
)
_PURPOSE: Final = pattern(
    _words(
        r"(?:ل|من اجل )(?:تنفيذ|توصيل|اتمام|معالجه|تقديم)",
        r"to (?:fulfil|fulfill|process|deliver|provide|complete)",
        r"نستخدم",
        r"نستعمل",
        r"لغرض",
        r"لاغراض",
        r"بهدف",
        r"من اجل",
        r"الغرض",
        r"تستخدم بيانات",
        r"we use",
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
        r"keep your (?:data|information)",
        r"stored for",
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
        r"(?:ال)?غير",
        r"شركاء\w*",
        r"نبيع",
        r"share\w*",
        r"disclos\w*",
        r"third[\s-]part\w*",
        r"sell",
        r"partners",
    )
)
_SHARING_NAMED: Final = pattern(
    _words(
        r"شرك(?:ه|ات) (?:ال)?شحن",
        r"(?:بوابات?|مزود\w*) (?:ال)?دفع",
        r"لغرض",
        r"بهدف",
        r"من اجل",
        r"لاتمام",
        r"لتوصيل",
        r"لتنفيذ",
        r"الجهات (?:ال)?(?:حكومي|رسمي|مختص)\w*",
        r"القانون",
        r"shipping (?:compan|carrier|partner)\w*",
        r"payment (?:processor|provider|gateway)s?",
        r"to (?:deliver|process|fulfil|complete)",
        r"for the purpose",
        r"required by law",
        r"لا (?:نشارك|نبيع|نفصح)",
        r"(?:do not|don't|never|will not) (?:share|sell|disclose)",
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


# A negation shortly before a match turns it around ("لا نخصم", "no other fee is deducted").
_NEGATED: Final = pattern(
    r"(?<!\w)(?:لا|ولا|لن|دون|بدون|no|not|never|without|don't|won't)\s+(?:\w+\s+){0,3}$"
)
_FREE: Final = pattern(r"مجان\w*|free|waived|بدون رسوم|دون رسوم|no charge")
_CASH: Final = pattern(r"\s*(?:نقد|كاش|cash)")
# How far (normalised characters) from a match the words that qualify it are looked for.
_FEE_REACH: Final = 40
# A sentence of at most this many words is read together with the next one.
_HEADING_WORDS: Final = 5


class ClauseFinder:
    """The clauses of one normalised policy text, each kind looked for only when asked."""

    def __init__(self, text: NormalisedText) -> None:
        self._text = text
        self._found: dict[Clause, list[ClauseHit]] = {}

    def _sentence(self, position: int) -> tuple[int, int, str]:
        start, end = self._text.sentence_bounds(position)
        return start, end, self._text.text[start:end]

    def _sentences_with(self, pattern: re.Pattern[str]) -> list[tuple[int, int, str]]:
        return [(start, end, sentence) for _, start, end, sentence in self._matches(pattern)]

    def _matches(self, pattern: re.Pattern[str]) -> list[tuple[re.Match[str], int, int, str]]:
        """The first match of ``pattern`` in each sentence, with that sentence."""
        seen: dict[int, tuple[re.Match[str], int, int, str]] = {}
        for match in pattern.finditer(self._text.text):
            start, end, sentence = self._sentence(match.start())
            seen.setdefault(start, (match, start, end, sentence))
        return list(seen.values())

    def _clause(self, match: re.Match[str], start: int, end: int) -> str:
        """The comma-bounded part of the sentence [start, end) that holds ``match``."""
        text = self._text.text
        first = max(text.rfind(",", start, match.start()) + 1, start)
        last = text.find(",", match.end(), end)
        return text[first : last if last != -1 else end]

    def _around(self, match: re.Match[str], before: int, after: int) -> str:
        return self._text.text[max(0, match.start() - before) : match.end() + after]

    def hits(self, clause: Clause) -> list[ClauseHit]:
        """The clauses of one kind, found on first asking (a rule asks only for its own)."""
        if clause not in self._found:
            for kind in _FAMILIES.get(clause, (clause,)):
                self._found[kind] = []
            for hit in self._detect(clause):
                self._found[hit.clause].append(hit)
        return self._found[clause]

    def _detect(self, clause: Clause) -> list[ClauseHit]:
        detectors = {
            Clause.NO_RETURN: self._refusals,
            Clause.SALE_EXCLUSION: self._refusals,
            Clause.DEFECT_COSTS_ON_CUSTOMER: self._defect_costs,
            Clause.FEE_DEDUCTION: self._deductions,
            Clause.SHIPPING_DEDUCTION: self._deductions,
            Clause.CREDIT_ONLY: self._credit_only,
            Clause.IMMEDIATE_REFUND: self._immediate_refund,
            Clause.LATE_DELIVERY_REMEDY: self._late_delivery_remedy,
            Clause.SHARING: self._sharing,
            Clause.SHARING_OPEN_ENDED: self._sharing,
        }
        detector = detectors.get(clause)
        if detector is not None:
            return detector()
        return [ClauseHit(clause, s, e) for s, e, _ in self._sentences_with(_STATED[clause])]

    def _refusals(self) -> list[ClauseHit]:
        hits = []
        for match, start, end, sentence in self._matches(_NO_RETURN):
            if _COST.search(self._around(match, _FEE_REACH, 0)):
                continue  # "رسوم الشحن غير مستردة" is about a fee, not the goods
            if _CASH.match(self._text.text, match.end()):
                continue  # "لا يوجد استرداد نقدي" refuses cash, which credit-only covers
            scope = sentence
            if _is_heading(sentence):
                # "منتجات لا يمكن استرجاعها:" introduces the list of exceptions after it.
                scope += " " + self._sentence(min(end + 1, len(self._text.text)))[2]
            if _SALE.search(scope):
                hits.append(ClauseHit(Clause.SALE_EXCLUSION, start, end))
            elif not _LAWFUL_EXCLUSION.search(scope):
                hits.append(ClauseHit(Clause.NO_RETURN, start, end))
        return hits

    def _defect_costs(self) -> list[ClauseHit]:
        return [
            ClauseHit(Clause.DEFECT_COSTS_ON_CUSTOMER, start, end)
            for start, end, sentence in self._sentences_with(_CUSTOMER_PAYS)
            if (_DEFECT.search(sentence) or _ALL_CASES.search(sentence))
            and _COST.search(sentence)
            and not _STORE_PAYS.search(sentence)
        ]

    def _deductions(self) -> list[ClauseHit]:
        hits = []
        for match, start, end, sentence in self._matches(_DEDUCT):
            if not _REFUND.search(sentence) and not _COST.search(sentence):
                continue
            if _NEGATED.search(self._text.text, max(0, match.start() - _FEE_REACH), match.start()):
                continue  # "ولا نخصم أي رسوم", "no fee is deducted"
            if _FREE.search(self._around(match, 0, _FEE_REACH)):
                continue  # "رسوم الإرجاع مجانية", "return fees are waived"
            nearby = self._around(match, _FEE_REACH, _FEE_REACH)
            if _OTHER_FEE.search(nearby) or not _SHIPPING.search(nearby):
                hits.append(ClauseHit(Clause.FEE_DEDUCTION, start, end))
            else:
                hits.append(ClauseHit(Clause.SHIPPING_DEDUCTION, start, end))
        return hits

    def _credit_only(self) -> list[ClauseHit]:
        return [
            ClauseHit(Clause.CREDIT_ONLY, start, end)
            for start, end, sentence in self._sentences_with(_CREDIT)
            if _REFUND.search(sentence)
            and _CREDIT_ONLY_MARKER.search(sentence)
            and not _MONEY_ALTERNATIVE.search(sentence)
        ]

    def _immediate_refund(self) -> list[ClauseHit]:
        return [
            ClauseHit(Clause.IMMEDIATE_REFUND, start, end)
            for start, end, sentence in self._sentences_with(_IMMEDIATE)
            if _REFUND.search(sentence)
        ]

    def _late_delivery_remedy(self) -> list[ClauseHit]:
        return [
            ClauseHit(Clause.LATE_DELIVERY_REMEDY, start, end)
            for start, end, sentence in self._sentences_with(_LATE)
            if _REMEDY.search(sentence)
        ]

    def _sharing(self) -> list[ClauseHit]:
        hits = []
        for match, start, end, _ in self._matches(_SHARING):
            hits.append(ClauseHit(Clause.SHARING, start, end))
            words = self._clause(match, start, end)
            if _SHARING_OPEN.search(words) or not _SHARING_NAMED.search(words):
                hits.append(ClauseHit(Clause.SHARING_OPEN_ENDED, start, end))
        return hits


def _is_heading(sentence: str) -> bool:
    """A short line, or one ending in a colon, that introduces what follows it."""
    return sentence.rstrip().endswith(":") or len(sentence.split()) <= _HEADING_WORDS


# Clauses one detector finds together.
_FAMILIES: Final = {
    Clause.NO_RETURN: (Clause.NO_RETURN, Clause.SALE_EXCLUSION),
    Clause.SALE_EXCLUSION: (Clause.NO_RETURN, Clause.SALE_EXCLUSION),
    Clause.FEE_DEDUCTION: (Clause.FEE_DEDUCTION, Clause.SHIPPING_DEDUCTION),
    Clause.SHIPPING_DEDUCTION: (Clause.FEE_DEDUCTION, Clause.SHIPPING_DEDUCTION),
    Clause.SHARING: (Clause.SHARING, Clause.SHARING_OPEN_ENDED),
    Clause.SHARING_OPEN_ENDED: (Clause.SHARING, Clause.SHARING_OPEN_ENDED),
}
# Clauses that are present whenever their words are.
_STATED: Final = {
    Clause.SHIPPING_COST: _SHIPPING_COST,
    Clause.DATA_DELETION: _DELETION,
    Clause.DATA_ACCESS: _ACCESS,
    Clause.DATA_PURPOSE: _PURPOSE,
    Clause.DATA_RETENTION: _RETENTION,
}
