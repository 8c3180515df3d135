"""What a return policy's clauses say, for the return rules: its window, refusals, who pays
for defective items, fees kept from the refund, credit instead of money, and refund times.

Each reader returns ``Evidence``: the clause to quote and, when topic, scope and polarity do
not all agree, the ``Doubt`` that keeps it from counting as a confident finding. A refusal
is a blanket refusal only when nothing narrows it (no named goods, no hedge, no condition,
no list of exceptions it heads); a cost is on the customer "for defects" only when the clause
includes defects, holds in every case, or is about them, and no exception takes them out.
"""

from __future__ import annotations

import enum
import functools
import itertools
import re
from dataclasses import dataclass
from typing import Final

from sanad_analyzer.rules.document import Clause, Document, Sentence
from sanad_analyzer.rules.normalised import pattern
from sanad_analyzer.rules.periods import BUSINESS_DAY, Binding, Period, Purpose
from sanad_analyzer.rules.vocabulary import (
    ALL_CASES,
    ALL_GOODS,
    AT_CHECKOUT,
    CHANGE_OF_MIND,
    CHOICE,
    COST,
    CREDIT,
    CREDIT_GIVEN,
    CREDIT_ONLY,
    CUSTOMER_FAULT,
    CUSTOMER_PAYS,
    DEDUCTION,
    DEFECTS_INCLUDED,
    EVEN_IF,
    EXCHANGE_ONLY,
    FEE_CHARGED,
    GOODS_CATEGORIES,
    IMMEDIATE,
    LAW_CITED,
    MOBILE_MONEY,
    MONEY_METHOD,
    NO_FEE,
    NOT_AVAILABLE_WORDS,
    NOT_CASHED_WORDS,
    NOT_REFUNDED,
    OTHER_FEE,
    PARTIAL_REFUND,
    REFUNDED_ONLY,
    SHIPPING_COST,
    STORE_PAYS,
    THIS_CASE,
    VAT,
    WARRANTY_BOUGHT,
    Category,
    Topic,
    words,
)


class Doubt(enum.StrEnum):
    """Why a finding is uncertain: what the text leaves undecided."""

    PURPOSE_UNSTATED = "purpose_unstated"
    """A short period whose purpose no word of its clause, sentence or heading states."""
    JOINED = "joined"
    """One period joins the return and the refund: it may be the window, the refund time, or
    both."""
    DEFECTS_UNSTATED = "defects_unstated"
    """The customer pays return shipping with no word on defective items, here or elsewhere,
    in a policy with no change-of-mind returns."""
    FEE_KIND_UNSTATED = "fee_kind_unstated"
    """A fee is kept, but not said to be shipping or something else."""
    REFUSAL_BESIDE_RIGHT = "refusal_beside_right"
    """A refusal of returns in a policy that also grants a return window."""
    METHOD_UNSTATED = "method_unstated"
    """Credit is the only refund method named, but not said to be the only one."""
    PERIODS_DISAGREE = "periods_disagree"
    """The policy sets a longer return period and, elsewhere, a shorter one it calls the only
    one."""
    WORKING_DAYS = "working_days"
    """The return window is counted in working days and reaches the minimum only when a week
    has two days off."""
    TIME_LIMITED = "time_limited"
    """Returns are refused after a point (a period, a step of the order) and no return
    period before it is granted."""


@dataclass(frozen=True)
class Evidence:
    """A clause that makes a rule fire, and its doubt (None: confident)."""

    start: int
    end: int
    doubt: Doubt | None = None
    period: Period | None = None

    @property
    def confident(self) -> bool:
        """Topic, scope and polarity agree."""
        return self.doubt is None


_LIMITING: Final = frozenset(Category) - {Category.PAYMENT_METHOD}
"""Categories that narrow a refusal to some goods or cases."""
# Goods named as sold: "الكتب المباعة", "items sold".
_SOLD: Final = pattern(r"(?:ال)?مباع(?:ه|ات)?(?!\w)|sold(?![a-z])")
_CASH_AFTER: Final = pattern(
    r"\s*(?:\w+\s+){0,2}?(?:نقدا|(?:ال)?نقدي\w*|كاش|cash|in cash|to (?:the )?(?:card|bank)"
    # onto a card or an account: "ما نرجع على البطاقة", "لا نرد إلى الحساب البنكي"
    r"|(?:علي|الي|ل)\s*(?:ال)?(?:بطاق|كارت|حساب|بنك|مدي|فيزا)\w*)"
)
# Cash named as the refused thing's first word: "cash refunds are not offered".
_CASH_BEFORE: Final = pattern(r"(?<!\w)(?:cash|money)\s*$")
_NEGATOR_BEFORE: Final = pattern(
    # (not the "ما" of a time, "وبعد ما القطعة توصلنا بنرجعلك تمنها على … الكارت", nor of
    # "unless": "رصيداً في محفظتك، ما لم تطلب استرداده إلى وسيلة الدفع الأصلية")
    r"(?<!\w)و?(?:لا|ما(?<!بعد ما)(?<!قبل ما)(?<!لحد ما)(?<!اول ما)(?<!زي ما)(?<!حسب ما)(?! لم)"
    r"|مش|مو|لن|ليس|غير|مفيش|مافيش|مافي|مينفعش|ماينفعش|no|not|cannot|can'?t"
    r"|don'?t|do not"
    r"|never|won'?t|unable to|without|بدون|دون|من غير"
    r"|msh|mish|mafesh|mafeesh|mafish)(?!\w)"
)
# (a whole word: "نقدر" (we can) and "نقدم" (we offer) hold no cash)
_CASH: Final = pattern(r"نقد(?:ا|ي|يه|يا)?(?!\w)|كاش|cash")
# A cost named by pointing back: "تخصم هذه الرسوم", "these fees are deducted".
_POINTERS: Final = r"هذه|هذا|تلك|ذلك|هذي|دي|these|this|those|such"
_POINTER_BEFORE: Final = pattern(rf"(?<!\w)(?:{_POINTERS})\s*(?:ال)?$")
# A clause that opens with the fee named before: "The fee is deducted from the refund".
_THE_FEE: Final = pattern(r"the (?:fee|charge)s? (?:is|are|will be) ")
# A refusal that says the thing before it cannot itself be paid back.
_REFUNDABLE: Final = pattern(r"refundable|refunded|للاسترداد|[يت]سترد|مسترد\w*")
# Money named right after a refusal ("مفيش استرجاع فلوس", "no money back"): in a policy that
# pays back in credit, it refuses money, not the return.
_MONEY_AFTER: Final = pattern(
    r"\s*(?:\w+\s+)?(?:(?:ال)?(?:فلوس|اموال|نقود|مبلغ|مبالغ)|money|the amount|your money)"
)
# Money named as what is not paid ("Instead of a cash refund, ...", "بدلاً من رد المبلغ").
_INSTEAD: Final = pattern(r"instead of|rather than|in place of|بدلا من|بدل|عوضا عن")
_ACCEPTED: Final = pattern(r"accept\w*|(?:ن|ي|ت)?قبل\w*|مقبول\w*")
# What a store does for a defective item: replace it, repair it, send another.
_REMEDY: Final = pattern(
    r"replace\w*|repair\w*|(?:ال)?(?:استبدال|بديل|تبديل|اصلاح|اصلاحه)|(?:ن|ي|بن|سن)(?:ستبدل|بدل|صلح)\w*"
)
# Returns limited to the cases a list gives ("يقتصر قبول الاسترجاع على الحالات الآتية",
# "Returns are only accepted in the following cases").
_LIMITED_TO_CASES: Final = pattern(
    r"(?:ي|ت)قتصر\s+(?:\w+\s+){0,3}?على\s+(?:ال)?حالات\s+(?:ال)?(?:تاليه|اتيه)"
    r"|only (?:\w+ ){0,3}?(?:in|for) the following (?:cases|situations)"
    r"|(?:لا|ما)\s+(?:يقبل|نقبل|يتم)\s+(?:ال)?(?:ارجاع|استرجاع)\w*\s+(?:\w+\s+)?(?:الا|فقط)\s+في\s+"
    r"(?:ال)?حالات\s+(?:ال)?(?:تاليه|اتيه)"
    # a refusal with the listed cases excepted: "لا يحق للعميل إرجاع المنتجات …، باستثناء
    # الحالات الآتية:"
    r"|(?:باستثناء|عدا|ما عدا|الا في)\s+(?:ال)?حالات\s+(?:ال)?(?:تاليه|اتيه)"
    r"|except (?:in )?the following (?:cases|situations)"
)
# A refusal of the refund itself ("no refunds", "Refunds are not available").
_REFUND_WORD: Final = pattern(r"refunds?(?![a-z])")
_REFUNDS_UNAVAILABLE: Final = pattern(
    r"refunds? (?:are |is )?(?:not|never) (?:available|offered|possible)"
)
# Goods pointed to in a list ("All sales final on these items", "لا ترد المنتجات التالية"):
# a refusal of them refuses what is listed, not every return.
_LISTED: Final = pattern(
    r"(?:these|those|the listed) (?:items|products|goods|categories)"
    r"|the following|(?:listed )?below|(?:ال)?(?:منتجات|اصناف|سلع|فئات) (?:ال)?(?:تاليه|اتيه)"
    r"|(?:هذه|تلك|هذي) (?:ال)?(?:منتجات|اصناف|سلع|فئات)|(?:ال)?مذكوره (?:ادناه|تحت)|ادناه"
    # a relative clause the list below completes: "لا يحق للعميل إرجاع المنتجات التي:"
    r"|(?:التي|الذي|اللي|that|which) ?:"
)
# A line's label that names goods by a kind the vocabulary may not know ("Baked goods: all
# sales final", "Custom orders: …", "المنتجات المبردة: …"): what the line refuses is those.
_GOODS_LABEL: Final = pattern(
    r"(?:\w+ )+(?:goods|items|products|orders)|(?:ال)?(?:منتجات|بضائع|سلع|طلبات)(?: \w+)+"
)
_OUR_GOODS_LABEL: Final = pattern(r"(?<!\w)our(?![a-z])|(?:منتجات|بضاعت|سلع|طلبات)نا(?!\w)")
# A marketplace's sellers as the clause's subject: what they pay the platform is no fee kept
# from a buyer's refund.
_SELLERS_PAY: Final = pattern(
    r"(?:the )?(?:sellers?|vendors?|merchants?) (?:pay|are charged|will pay)(?![a-z])"
    r"|(?:ي|ت)?(?:دفع|تحمل) (?:ال)?(?:بائع|بائعون|بائعين|تاجر|تجار)(?!\w)"
)
_BUT_WORDS: Final = r"but|however|yet|لكن|ولكن|الا ان|غير ان"
_BUT: Final = pattern(rf"(?<!\w)(?:{_BUT_WORDS})(?!\w)")
# What sets the store's own terms against what came before: "غير أن", "بس إحنا", "أما".
_CONTRAST: Final = pattern(rf"(?<!\w)(?:{_BUT_WORDS}|while|whereas|بس|اما)(?!\w)")
# The currencies an amount is written in: "25 ريال", "20 ر.س", "50 جنيه", "EGP 45".
_CURRENCY: Final = r"ريال|ر\.?س|جنيه|ج\.?م|sar|egp|le|sr"
# A return's handling fee named as an item's label, and the amount that opens its value.
_HANDLING_FEE: Final = pattern(
    r"(?:restocking|handling|processing|admin\w*) (?:fee|charge)s?"
    r"|(?:رسوم|رسم) (?:اعاده )?(?:ال)?(?:تخزين|معالجه|مناوله|اداريه)"
)
# (not a zero: "Restocking fee: 0 SAR")
_FEE_AMOUNT: Final = pattern(
    rf"(?:sar|egp|sr)?\s?(?![0.,]+\s?\D)\d+(?:[.,]\d+)?\s?(?:%|{_CURRENCY})(?![a-z])"
)
# The refund itself taken off what is still owed (a buy-now-pay-later plan's instalments):
# nothing is kept from it.
_REFUND_TAKEN_OFF: Final = pattern(
    r"refund(?:ed)? amount (?:is |will be )?(?:taken|deducted|subtracted) (?:off|from) "
    r"(?:the |your )?(?:remaining|outstanding|next|unpaid|instal)"
)
# The law as the subject that gives or provides: "نصت المادة …", "يمنح النظام …", "the law
# gives consumers …".
_LAW_GIVES: Final = pattern(
    r"(?<!\w)(?:نصت|تنص|ينص|يمنح|تمنح|منح|يعطي|تعطي|بيدي|يكفل|تكفل)(?!\w)"
    r"|(?<![a-z])(?:gives?|grants?|entitles?|provides? (?:for|that|consumers|customers|buyers))"
    r"(?![a-z])"
)
# A period set aside: "The marketplace's standard 7-day return window does not apply to this
# seller's products".
_NOT_APPLIED: Final = pattern(
    r"(?:does|do|will) not apply|doesn'?t apply|(?:لا|لن|ما) (?:ي|ت)(?:نطبق|سري|طبق)"
    r"|لا (?:يعمل|تعمل) ب"
)
# A cost clause about the rest ("for other returns", "otherwise"): not the defects the
# sentence opened with.
_OTHERWISE: Final = pattern(
    r"o(?<![a-z]o)ther(?:s|wise)?(?![a-z])|e(?<![a-z]e)lse(?![a-z])|r(?<![a-z]r)emaining"
    r"|الاخري|غير ذلك|عدا ذلك|غير كده|غير كذا|باقي|بقيه|سائر"
)
_NOT_AVAILABLE: Final = pattern(
    r"not (?:be )?(?:available|possible|withdrawn|offered)|" + NOT_AVAILABLE_WORDS
)
# Paying inside a refusal ("you never pay for return shipping", "ما تدفع شحن المرتجع") makes it
# about a cost, not about the goods.
_PAYING: Final = pattern(
    r"(?<!\w)(?:pay|pays|paying|(?:ب|ه)?[يتن]دفع\w*|(?:ب|ه)?[يتن]تحمل\w*)(?!\w)"
)
_COST_REACH: Final = 40
# What a thing is not: "Warranty claims are not returns", "وهي ليست مرتجعات".
_NOT_A_RETURN: Final = pattern(
    r"(?<![a-z])(?:are|is) not (?:a |an )?(?:returns?|exchanges?)(?![a-z])"
    r"|(?<!\w)(?:ليست|ليس|ليسوا)\s+(?:من\s+)?(?:ال)?(?:مرتجعات|مرتجع|ارجاع)(?!\w)"
)
# The moment the goods are handed over, after which every return would come: "بعد ما
# المندوب يمشي", "once the courier has left".
_AT_HAND_OVER: Final = pattern(
    r"بعد (?:ما )?(?:ال)?(?:مندوب|دليفري|كابتن) (?:ي|بي)?(?:مشي|مشى|غادر|روح|سلم)\w*"
    r"|بعد (?:مغادره|مشي|ذهاب) (?:ال)?(?:مندوب|دليفري)"
    r"|(?:once|after) (?:the )?(?:courier|driver|delivery agent) (?:leaves|has left|is gone)"
    # (or earlier still: "ولا يمكن استرجاعها أو استبدالها بعد إتمام الطلب")
    r"|بعد (?:اتمام|تاكيد|تنفيذ|ارسال) (?:ال)?(?:طلب|اوردر|شراء)\w*"
)
# A charge the store denies making: "We do not charge a restocking fee, …".
_DENIED_CHARGE: Final = pattern(
    r"(?:do not|don'?t|never|will not|won'?t|does not|doesn'?t) (?:charge|deduct|take|keep|apply)"
    r"|(?:لا|ما|مش|لن) (?:ن|ي|بن)?(?:خصم|اخذ|احتسب|فرض)\w*"
)
# A clause that goes on with a list by "or": "handling or gateway fee is deducted".
_OR_LISTED: Final = pattern(r"\w+(?:-\w+)? (?:or|and|nor|او|ولا) ")
# A clause that is one more fee of a list: "an administrative fee", "أو رسوم إدارية".
_LISTED_FEE: Final = pattern(
    r"(?:(?:or|and|nor) )?(?:an? |the |any )?(?:\w+ ){0,2}?(?:fee|charge|cost)s?(?![a-z])"
    r"|(?:ولا |او |و)?(?:اي )?(?:رسوم|مصاريف|تكاليف)(?!\w)"
)
_NOT_CASHED: Final = pattern(words(*NOT_CASHED_WORDS))
_ONLY_REACH: Final = 20
"""How far after a period its "only" may stand ("3 أيام فقط", "48 hours only from delivery")."""
_ONLY: Final = pattern(r"(?<![a-z])only(?![a-z])|(?<!\w)(?:فقط|بس|الا)(?!\w)|(?:ي|ت)قتصر")
# A clause that opens by keeping what came before from the refund: "ومش بترجع", "and is not
# refunded", "وتُخصم من المبلغ المسترد", "and is deducted".
_KEPT_OPENING: Final = pattern(
    # (after a pronoun for the fee: "يدفع العميل رسوم فحص قدرها 75 ريالاً، وهي غير مستردة")
    r"(?:و?(?:هي|هو|هذه|هذا)\s+)?"
    r"و?(?:مش|لا|ما|غير)\s+(?:ب|ه)?(?:ترجع|يرجع|تسترد|يسترد|ترد|يرد|مسترد)\w*(?!\w)"
    r"|(?:and |but )?(?:which |it |they )?(?:is |are )?(?:not|never|non-?)\s*(?:be )?"
    r"refund(?:ed|able)"
    r"|و?(?:ب|ه)?(?:ت|ي)(?:ن)?خصم(?!\w)|(?:and |which )?(?:is |are |will be |gets? )deducted"
)
# A share of a cost: "نص مصاريف الشحن", "half the shipping".
_SHARE: Final = pattern(r"(?<!\w)(?:نص|نصف|جزء من|half|part of)(?!\w)")
# Who pays, opening the clause after the cost: ", paid by the customer", "، يدفعها العميل".
_PAID_BY: Final = pattern(
    r"(?:and |which (?:is |are )?|is |are )?(?:paid|borne|covered|payable) (?:for )?by "
    r"(?:the )?(?:customer|buyer|you)(?![a-z])"
    r"|و?(?:يدفعها|يتحملها|تدفعها|تتحملها|يسددها|يدفعه|يتحمله)\s+(?:ال)?(?:عميل|مشتري|زبون)"
)
_RELATIVE: Final = pattern(r"(?:which|that|اللي|الي|التي|الذي|وهي|وهو)(?!\w)")
# Between a refusal and credit: the refused refund's word and "or" ("ولا يوجد استرجاع نقدي
# أو رصيد", "no cash refund or store credit").
_OR_AFTER_REFUSED: Final = re.compile(r"(?:\s+\S+){0,2}\s+(?:او|ولا|or|nor)\s+")
# An FAQ answer that names only who pays: "The customer.", "على العميل".
_CUSTOMER_ANSWER: Final = pattern(
    # (after the answer's marker: "A: The customer, in all cases.", "ج: العميل")
    r"(?:(?:a|ج|answer|الجواب|الاجابه)\s*[:-]\s*)?"
    r"(?:(?:the )?(?:customer|buyer)s?|you(?: do)?|(?:علي )?(?:ال)?(?:عميل|مشتري|زبون)|عليك|انت)"
)
# How an order is paid for, which is no refund: "payment is authorised through mada", "طرق
# الدفع المتاحة".
_ORDER_PAYMENT: Final = pattern(
    r"payment (?:is|can be) (?:\w+ )?(?:through|by|with|via)|(?:paid|pay) (?:by|with|through|via)"
    r"|payment methods|we accept|(?:طرق|وسائل) (?:ال)?دفع|(?:ال)?دفع (?:عن طريق|من خلال|بواسطه)"
)
# The price difference of an exchange, which credit may pay back: "الفرق", "the difference".
_DIFFERENCE: Final = pattern(r"(?<!\w)(?:ال)?فرق(?!\w)|(?:the |any )?(?:price )?difference")
# An amount of money: "70 EGP", "٢٥ ريال", "SAR 25".
_AMOUNT: Final = pattern(
    rf"\d+(?:[.,]\d+)?\s*(?:{_CURRENCY})(?![a-z])|(?<![a-z])(?:sar|egp|le)\s*\d"
)
_LISTED_WORDS: Final = 4
"""The most words of a clause that only goes on with the list of the clause before it."""
_QUESTION_WORDS: Final = 6
"""The most words of a question that states the case of the sentence after it."""
_EXCEPTED_FEE_REACH: Final = 25
"""How far into an exception of a refund its fee's noun may stand ("عدا رسوم", "except the
COD fee")."""
# A word just before credit that refuses it too: "لا كاش ولا رصيد", "no store credit".
_NEGATED_JUST_BEFORE: Final = pattern(
    r"(?<!\w)(?:و?لا|ما|مش|مفيش|مافي|لن|no|not|nor|without)\s+(?:\w+\s+)?$"
)
# The shipping the customer paid up front, paid back to them afterwards ("Fault confirmed: we
# refund the part price and reimburse your shipping", "بنرجعلك مصاريف الشحن").
_SHIPPING_PAID_BACK: Final = pattern(
    r"(?:reimburs\w*|refund\w*|pay\w* back) (?:you )?(?:for )?(?:your |the |any )?(?:return )?"
    r"(?:shipping|postage|courier)(?: (?:costs?|fees?|charges?))?(?![a-z])"
    r"|(?:ن|بن|هن)(?:عوض|رجع|رد|عيد)\w*\s+(?:لك\s+|لكم\s+)?(?:ال)?(?:مصاريف|رسوم|تكلف\w*|تكاليف)\s+"
    r"(?:ال)?شحن"
)
# A collection fee charged for the courier's pickup is the return's shipping, paid; kept back
# from a refund, its kind is not said (a page may call any charge so).
_COLLECTION_FEE: Final = pattern(r"collection (?:fee|charge|cost)s?")
_MARKS: Final = "✘✗✖❌✔✓✅☑ "
"""Marks that open a checklist's value ("Opened perfume: ✘", "رسوم الشحن: ✘ غير مستردة")."""
_NEGATION_REACH: Final = 16
"""How far before credit its negation may stand ("ما نعطي رصيد", "we do not offer store
credit")."""
# A fee by its noun: named before a refusal, it is what is refused (not every cost word of
# COST: a percentage there also names discounted goods, "المنتجات المخفضة 50% لا ترد").
_FEE_NOUN: Final = pattern(
    r"(?<!\w)(?:ال)?(?:رسوم|رسم|مصاريف|مصروفات|تكلفه|تكاليف|عموله)(?!\w)"
    r"|(?<!\w)(?:ال)?(?:فلوس|قيمه|تمن|ثمن) (?:ال)?(?:شحن|توصيل)"
    r"|(?<![a-z])(?:fees?|charges?)(?![a-z])"
)
_CELL_WORDS: Final = 6
"""The most words of a table row's label cell."""
# What a warranty leaves to the customer: repairs outside it.
_OUT_OF_WARRANTY: Final = pattern(
    r"(?:خارج|بعد (?:انتهاء|انقضاء)) (?:\w+ )?(?:ال)?ضمان|out[- ]of[- ]warranty"
    r"|(?:after|beyond|outside) (?:the )?warranty|not (?:covered|under) (?:by )?(?:the )?warranty"
)
# A shipping label: what a refusal of it refuses is the label, not the return.
_LABEL: Final = pattern(r"(?<![a-z])labels?(?![a-z])|(?:ال)?(?:بوليصه|بوالص|ملصق)\w*")
# Costs named by pointing back to them: "هذه الخصومات", "these charges", "the above fees"
# (searched in a whole policy: the word start is checked after the first letter, which keeps
# the search fast).
_POINTED_COSTS: Final = pattern(
    r"(?:ه(?<!\wه)ذ[هاي]|ت(?<!\wت)لك|ذ(?<!\wذ)لك|د(?<!\wد)ي)\s+(?:ال)?"
    r"(?:خصوم|خصم|رسوم|رسم|مصاريف|تكاليف|استقطاع)\w*"
    r"|(?:t(?<![a-z]t)(?:hese|hose|his|hat|he above)|s(?<![a-z]s)uch) "
    r"(?:fees?|charges?|deductions?|costs?)"
)
_REACH: Final = 4
"""How many sentences after a cost a sentence may point back to it."""
# Only clauses with these topics are read for each rule (the rest cannot hold what it asks).
_COST_TOPICS: Final = frozenset({Topic.COSTS, Topic.SHIPPING})
_FEE_TOPICS: Final = frozenset({Topic.COSTS, Topic.REFUND})
_MONEY_TOPICS: Final = frozenset({Topic.REFUND, Topic.RETURN})


class ReturnPolicy:
    """The return rules' reading of one document, each part read on first asking."""

    def __init__(self, document: Document, periods: list[Period]) -> None:
        self.document = document
        self.periods = periods
        self._text = document.text.text

    # Periods.

    def _of(self, purpose: Purpose) -> list[Period]:
        return [period for period in self.periods if period.purpose is purpose]

    def short_window(self, minimum: float) -> Evidence | None:
        """The return window, when shorter than ``minimum`` days.

        The window is the longest return period (a policy that offers several terms gives
        at least the longest); for an exchange-only policy, the longest exchange period. A
        period that joins return and refund, or whose purpose is unstated, is uncertain.
        """
        returns = self._store_returns
        doubt: Doubt | None = None
        if not returns and self.blanket_refusals():
            returns = self._of(Purpose.EXCHANGE)
        if not returns:
            returns = [p for p in self._of(Purpose.REFUND) if p.joined and not p.business]
            doubt = Doubt.JOINED
        if not returns:
            returns = [
                p for p in self._of(Purpose.UNKNOWN) if p.binding is Binding.NONE and not p.business
            ]
            doubt = Doubt.PURPOSE_UNSTATED
        if not returns:
            return None
        window = max(returns, key=lambda period: period.days)
        if window.days >= minimum:
            if doubt is not None:
                return None
            return (
                self._short_for_named_goods(minimum)
                or self._only_shorter(minimum, returns)
                or self._working_days_short(minimum, window)
            )
        clause = self.document.clause_at(window.start)
        return Evidence(clause.start, clause.end, doubt, window)

    def _working_days_short(self, minimum: float, window: Period) -> Evidence | None:
        """A window in working days that is shorter than the minimum as its days are
        written ("within 5 business days" against 7 days): it is as long as the minimum only
        in a week with two days off, which the page does not state, so uncertain."""
        if not window.business or window.high_days / BUSINESS_DAY >= minimum:
            return None
        clause = self.document.clause_at(window.start)
        return Evidence(clause.start, clause.end, Doubt.WORKING_DAYS, window)

    @functools.cached_property
    def _store_returns(self) -> list[Period]:
        """The return periods the store sets: not one it says does not apply, nor the law's
        period quoted against the store's own terms ("يمنح نظام التجارة الإلكترونية المستهلك
        حق فسخ العقد خلال سبعة أيام، غير أن سياسة المتجر تقبل الإرجاع خلال ثلاثة أيام",
        "القانون بيدّي العميل ١٤ يوم، بس إحنا مش بنرجّع فلوس")."""
        periods = [period for period in self._of(Purpose.RETURN) if not self._set_aside(period)]
        stated = [period for period in periods if self._the_law_states(period)]
        # What the law states set beside a shorter window of the store's own, counted from
        # receipt ("نصّت المادة الثالثة عشرة من نظام التجارة الإلكترونية على حق المستهلك في
        # فسخ العقد خلال سبعة أيام" / "تُقبل طلبات الاسترجاع خلال ثلاثة أيام من تاريخ الاستلام
        # فقط", "While the Saudi E-Commerce Law gives consumers seven days, … within 72 hours
        # of delivery"): the law's period, quoted, not the store's.
        own_windows = [p for p in periods if p not in stated and p.from_receipt and not p.joined]
        quoted = bool(stated) and any(
            window.days < min(p.days for p in stated) for window in own_windows
        )
        return [
            period
            for period in periods
            if not (quoted and period in stated) and not self._quotes_the_law(period)
        ]

    def _the_law_states(self, period: Period) -> bool:
        """The period's clause says what the law gives or provides ("نصّت المادة … من نظام
        التجارة الإلكترونية على حق المستهلك …", "the E-Commerce Law gives consumers seven
        days"), not that the store follows it ("وفقاً للقانون، يحق للعميل …")."""
        clause = self.document.clause_at(period.start)
        return (
            LAW_CITED.search(self._text, clause.start, clause.end) is not None
            and _LAW_GIVES.search(self._text, clause.start, clause.end) is not None
        )

    def _set_aside(self, period: Period) -> bool:
        """The period's clause says it does not apply ("The marketplace's standard 7-day
        return window does not apply to this seller's products")."""
        clause = self.document.clause_at(period.start)
        return _NOT_APPLIED.search(self._text, period.end, clause.end) is not None

    def _quotes_the_law(self, period: Period) -> bool:
        """The period is the law's, set against the store's own terms after it: its clause
        names the law (or its sentence does, before it, with no "but" between), and a "but"
        follows it in the sentence or opens the next one ("…، غير أن سياسة المتجر …", "أما
        مدة الاسترجاع المعمول بها لدى المتجر …"). Without that turn, a page that cites the
        law for its period adopts it ("طبقاً لقانون حماية المستهلك، يحق للعميل الإرجاع خلال
        أربعة عشر يوماً")."""
        document = self.document
        text = self._text
        clause = document.clause_at(period.start)
        sentence = document.sentence_of(clause)
        if LAW_CITED.search(text, clause.start, clause.end) is None:
            law = LAW_CITED.search(text, sentence.start, period.start)
            if law is None or _CONTRAST.search(text, law.end(), period.start) is not None:
                return False
        if _CONTRAST.search(text, period.end, sentence.end) is not None:
            return True
        # (the next sentence, or a heading and the sentence under it: "ثانياً: سياسة المتجر" /
        # "إلا أن سياسة المتجر …")
        for later in document.sentences[clause.sentence + 1 :]:
            if _CONTRAST.match(text, later.start) is not None:
                return True
            if not later.heading:
                return False
        return False

    def _only_shorter(self, minimum: float, returns: list[Period]) -> Evidence | None:
        """A shorter return period the page calls the only one and closes after ("ملاحظة: مدة
        الاسترجاع 48 ساعة فقط من وقت الاستلام، وبعدها لا يقبل أي طلب") beside a longer one (a
        template's "30 days" left above it): the page contradicts itself, so uncertain."""
        document = self.document
        text = self._text
        for period in returns:
            if period.days >= minimum or period.about_defects or period.business:
                continue
            clause = document.clause_at(period.start)
            if document.scope(clause) - {Category.TIME}:
                continue
            only = _ONLY.search(text, period.end, min(clause.end, period.end + _ONLY_REACH))
            if only is None:
                continue
            # and closes after it: "وبعدها لا يقبل أي طلب", "ولا تقبل الطلبات بعد انقضائها"
            sentence = document.sentence_of(clause)
            closed = any(
                later.start >= clause.end
                and Category.TIME in document.scope(later)
                and (
                    later.refusal is not None
                    or _NEGATOR_BEFORE.search(text, later.start, later.end) is not None
                )
                for later in (document.clauses[i] for i in sentence.clauses)
            )
            if closed:
                return Evidence(clause.start, clause.end, Doubt.PERIODS_DISAGREE, period)
        return None

    def _short_for_named_goods(self, minimum: float) -> Evidence | None:
        """A shorter window for named goods beside the general one ("Electronics: 3 days from
        delivery", a table row per category): those goods get less than the law's minimum.
        Uncertain when the period's purpose is unstated."""
        document = self.document
        for purpose, doubt in ((Purpose.RETURN, None), (Purpose.UNKNOWN, Doubt.PURPOSE_UNSTATED)):
            for period in self._of(purpose):
                if period.days >= minimum or period.about_defects or period.business:
                    continue
                if purpose is Purpose.UNKNOWN and period.binding is not Binding.NONE:
                    continue
                clause = document.clause_at(period.start)
                if self._credit_given(clause):
                    continue  # "you'll receive a gift card … within 5 days": what is paid back
                if document.scope(clause) & GOODS_CATEGORIES:
                    return Evidence(clause.start, clause.end, doubt, period)
        return None

    def _refunds(self) -> list[Period]:
        return [
            period
            for period in self._of(Purpose.REFUND)
            if not (period.joined and not period.business)
        ]

    def long_refund(self, maximum: float) -> Evidence | None:
        """The longest refund time, when longer than ``maximum`` days."""
        refunds = self._refunds()
        if not refunds:
            return None
        longest = max(refunds, key=lambda period: period.days)
        if longest.days <= maximum:
            return None
        clause = self.document.clause_at(longest.start)
        return Evidence(clause.start, clause.end, None, longest)

    def refund_time_missing(self) -> Evidence | None:
        """No refund time (nor "immediately"): uncertain when a joined period may be it."""
        if self._refunds() or self._immediate_refund():
            return None
        end = len(self._text)
        if any(p.joined for p in self._of(Purpose.REFUND)):
            return Evidence(end, end, Doubt.JOINED)
        return Evidence(end, end)

    def _immediate_refund(self) -> bool:
        document = self.document
        return any(
            Topic.REFUND in clause.topics
            and IMMEDIATE.search(self._text, clause.start, clause.end) is not None
            for clause in document.clauses
        )

    # Refusals.

    @functools.cached_property
    def _refusals(self) -> tuple[tuple[Clause, str], ...]:
        """Refusals of returns that are about goods (not a fee or cash), each "sale" (limited
        to sale items), "all" (to nothing) or "timed" (only to a time: "after the courier
        leaves")."""
        found = []
        for clause in self.document.clauses:
            if clause.refusal is None:
                if self._listed_sale_items(clause):
                    found.append((clause, "sale"))
                continue
            if not self._about_goods(clause):
                continue
            limits = self.document.scope(clause) & _LIMITING
            if Category.SOME in limits:
                continue  # "some branches may offer exchanges only" is a hedge, not a rule
            if Category.SALE in limits:
                found.append((clause, "sale"))
            elif self._narrowed(clause):
                continue
            elif not limits:
                found.append((clause, "all"))
            elif limits == {Category.TIME}:
                found.append((clause, "timed"))
            elif limits <= GOODS_CATEGORIES and self._goods_sold(clause):
                found.append((clause, "sold"))
        return tuple(found)

    def _goods_sold(self, clause: Clause) -> bool:
        """The refused goods are named as sold ("الكتب المباعة لا ترد ولا تستبدل", the banned
        phrase with the shop's own goods for "البضاعة")."""
        assert clause.refusal is not None
        return _SOLD.search(self._text, clause.start, clause.refusal[0]) is not None

    def _listed_sale_items(self, clause: Clause) -> bool:
        """Sale goods listed under a heading of what cannot be returned."""
        document = self.document
        section = document.section_of(clause)
        sentence = document.sentence_of(clause)
        return (
            section.introduces_exceptions
            and (Topic.EXCLUSIONS in section.topics or section.refuses)
            and sentence.item
            and clause.start == sentence.start
            and document.names(Category.SALE, sentence.start, sentence.end)
        )

    def _about_goods(self, clause: Clause) -> bool:
        assert clause.refusal is not None
        start, end = clause.refusal
        before = max(clause.start, start - _COST_REACH)
        after = min(clause.end, end + _COST_REACH // 2)
        if any(
            COST.search(self._text, s, e) or _LABEL.search(self._text, s, e)
            for s, e in ((before, start), (start, after))
        ):
            return False  # "We do not issue prepaid return labels" refuses a label, not a return
        if SHIPPING_COST.match(self._text, end + 1) and self._text[end : end + 1] == " ":
            return False  # "No return shipping is charged, for any product, …" is a cost's
        # The fee is the clause's subject ("المصاريف الإدارية بتاعة التقسيط ... مش بتترد"), or
        # the question it answers is about one and it names no goods ("هل ترجع رسوم الشحن؟" /
        # "غير كذا ما ترجع").
        first_word = self._text.find(" ", clause.start, clause.end)
        opening = (clause.start, clause.end if first_word < 0 else first_word)
        if COST.search(self._text, *opening) or (
            Topic.COSTS in self._asked(clause) and not self.document.scope(clause)
        ):
            return False
        if _NOT_A_RETURN.search(self._text, max(clause.start, start - 4), min(clause.end, end + 8)):
            return False  # "Warranty claims ... are not returns" says what they are
        if self._after_cancelling(clause):
            return False
        # a relative clause about the fee before it: "a deduction of the gateway fee, which is
        # non-refundable in all circumstances"
        if _RELATIVE.match(self._text, clause.start) and clause.start > 0:
            previous = self.document.clause_at(clause.start - 1)
            if previous.sentence == clause.sentence and COST.search(
                self._text, previous.start, previous.end
            ):
                return False
        # a fee named anywhere before the refusal and no goods ("وتجدر الإشارة إلى أن رسوم
        # خدمة الدفع عند الاستلام وقدرها 15 جنيهاً لا ترد")
        # (or in the label of its table row: "| رسوم بوابة الدفع / Payment gateway fee | غير
        # مستردة |")
        # (or in its item's label: "Shipping fee: ✘ non-refundable")
        label = self._row_label(clause) or self._fee_label(clause)
        fee_named = _FEE_NOUN.search(self._text, clause.start, start) or (
            label is not None and _FEE_NOUN.search(self._text, *label)
        )
        if fee_named and not self.document.scope(clause) & GOODS_CATEGORIES:
            return False
        if _REFUNDABLE.search(self._text, start, end) and COST.search(
            self._text, clause.start, start
        ):
            return False  # "Delivery charges paid on the original order are non-refundable"
        if CREDIT.match(self._text, end + (self._text[end : end + 1] == " ")):
            return False  # "ولا يجوز استبدال القسيمة بمبلغ نقدي" is about the credit
        if _PAYING.search(self._text, start, end):
            return False  # "رسوم الشحن غير مستردة", "لا تسترد رسوم الشحن" are about a fee
        if CREDIT.search(self._text, clause.start, end):
            # "Store credit from promotions is not refundable", "لا نصدر قسائم شرائية بدلاً
            # من الاسترداد" are about credit
            return False
        # "لا يتم رد المبالغ نقداً", "no cash refunds" refuse cash, which the credit-only rule
        # reads; so does a refusal of money where the policy pays back in credit, or where
        # its own sentence does ("ما نقدر نرجع فلوس الطلبات المدفوعة كاش، نعوضك برصيد").
        if (
            _MONEY_AFTER.match(self._text, end) is not None
            or _REFUND_WORD.search(self._text, start, end) is not None
        ) and (self._credit_clauses or self._credit_after(end, clause)):
            return False
        cash = (
            _CASH_AFTER.match(self._text, end) is not None
            or _CASH.search(self._text, start, end) is not None
            or _CASH_BEFORE.search(self._text, clause.start, start) is not None
        )
        # Cash refused where nothing else is paid back and an exchange is offered ("لا يوجد
        # استرجاع نقدي ... يمكن استبدال المنتج خلال 3 أيام") is exchange only.
        return not cash or self._exchange_only()

    def _credit_after(self, position: int, clause: Clause) -> bool:
        """Credit, not refused ("لا كاش ولا رصيد"), follows in the clause's sentence."""
        text = self._text
        credit = CREDIT.search(text, position, self.document.sentence_of(clause).end)
        return credit is not None and not _NEGATED_JUST_BEFORE.search(
            text, max(position, credit.start() - _NEGATION_REACH), credit.start()
        )

    def _after_cancelling(self, clause: Clause) -> bool:
        """The refusal closes a sentence about cancelling ("Plans can be cancelled at any
        time; …, but the current billing period is not refunded"): it keeps back what the
        cancelling leaves, not a return."""
        document = self.document
        if clause.topics & {Topic.CANCELLATION, Topic.RETURN, Topic.EXCHANGE}:
            return False
        others = [
            document.clauses[index]
            for index in document.sentence_of(clause).clauses
            if document.clauses[index].start < clause.start
        ]
        return any(Topic.CANCELLATION in other.topics for other in others) and not any(
            other.topics & {Topic.RETURN, Topic.EXCHANGE} for other in others
        )

    def _exchange_only(self) -> bool:
        """The policy offers an exchange, and neither credit nor money back anywhere."""
        return (
            not self._credit_clauses
            and not self._money_refund
            and any(
                (Topic.EXCHANGE in clause.topics or self._labelled(clause, Topic.EXCHANGE))
                and clause.refusal is None
                and not clause.in_heading
                for clause in self.document.clauses
            )
        )

    def _labelled(self, clause: Clause, topic: Topic) -> bool:
        """The label of the clause's line names the topic ("التبديل: خلال ٤ أيام")."""
        lead = self.document.sentence_of(clause).lead
        return lead is not None and lead[1] <= clause.start and self.document.has(topic, *lead)

    def _narrowed(self, clause: Clause) -> bool:
        """Something limits the refusal: a list of exceptions it heads or belongs to, a
        condition, or an exception that grants returns back."""
        document = self.document
        section = document.section_of(clause)
        if clause.refusal is not None and EVEN_IF.search(
            self._text, clause.start, clause.refusal[0]
        ):
            return True  # a refusal granted against: "حتى لو كان البائع لا يقبل الإرجاع"
        if section.introduces_exceptions and not (
            # a refusal "in all cases" among a return's conditions ("شروط الاستبدال" / "لا يحق
            # للعميل استرداد المبلغ في جميع الأحوال") is no condition of its own
            Topic.EXCLUSIONS not in section.topics
            and not section.refuses
            and ALL_CASES.search(self._text, clause.start, clause.end) is not None
        ):
            return True
        if self._row_of_goods(clause):
            return True
        if _LISTED.search(self._text, clause.start, clause.end):
            return True
        if self._labelled_by_goods(clause):
            return True
        if clause.in_heading and self._heads_named_goods(clause):
            return True
        if (
            clause.refusal is not None
            and document.has(Topic.DEFECTS, clause.refusal[1], self._own_end(clause))
            and not document.has(Topic.DEFECTS, *clause.refusal)
            and _ONLY.search(self._text, clause.start, clause.end) is None
        ):
            # "ما نقبل ترجيع القطع المكسورة بعد ما يمشي المندوب" refuses broken goods, not
            # every return ("Returns are only accepted for damaged items" is the other way)
            return True
        if clause.condition is not None:
            return not (
                self._kept_for_defects(clause)
                or self._otherwise_after_defects(clause)
                or self._refused_for_change_of_mind(clause)
            )
        return any(carveout.goods or not carveout.defects for carveout in clause.carveouts)

    def _labelled_by_goods(self, clause: Clause) -> bool:
        """The clause's line is labelled by goods of a kind ("Baked goods: all sales final"),
        not by the whole catalogue ("All items:", "منتجاتنا:")."""
        lead = self.document.sentence_of(clause).lead
        if lead is None or clause.start < lead[1]:
            return False
        label = self._text[lead[0] : lead[1]]
        return (
            _GOODS_LABEL.fullmatch(label) is not None
            and ALL_GOODS.search(label) is None
            and _OUR_GOODS_LABEL.search(label) is None
        )

    def _kept_for_defects(self, clause: Clause) -> bool:
        """ "We only accept returns if the item is defective": the defect condition is the
        one case the refusal keeps, so it refuses every other return (not when the defect is
        one the customer caused: that refuses only those returns)."""
        assert clause.refusal is not None and clause.condition is not None
        return (
            clause.condition_defects
            and CREDIT_ONLY.search(self._text, *clause.refusal) is not None
            and not self._customer_fault(clause)
        )

    def _heads_named_goods(self, clause: Clause) -> bool:
        """A refusing heading ("Non-returnable") over text that names goods ("Earrings and
        anything bought at a discount"): what it refuses is what stands under it."""
        document = self.document
        section = document.sentence_of(clause).section
        if Topic.EXCHANGE in clause.topics and EXCHANGE_ONLY.search(
            self._text, clause.start, clause.end
        ):
            return False  # "NO REFUND ONLY EXCHANGE" over the exchange's terms
        return any(
            sentence.section == section
            and not sentence.heading
            and document.scope(document.clauses[sentence.clauses.start])
            for sentence in document.sentences
            if sentence.clauses
        )

    def _otherwise_after_defects(self, clause: Clause) -> bool:
        """ "الاسترجاع بس للمنتجات اللي فيها عيب، غير كذا ما نقبل الاسترجاع": the refusal
        holds "otherwise", after a clause that grants returns for defective items only, so
        it refuses every other return (not "items must be unused; otherwise ...")."""
        assert clause.condition is not None
        document = self.document
        text = self._text
        if not _OTHERWISE.search(text, *clause.condition):
            return False
        previous = document.clause_at(clause.start - 1)
        return (
            previous.sentence == clause.sentence
            and previous.start < clause.start
            and Topic.DEFECTS in previous.topics
            and CREDIT_ONLY.search(text, previous.start, previous.end) is not None
        )

    def _refused_for_change_of_mind(self, clause: Clause) -> bool:
        """ "احنا مش بنرجع فلوس في حالة تغيير الرأي", "all sales are final ... for change of
        mind": a refusal for the very case the law gives a return for narrows nothing (an
        exchange offered beside it makes the page exchange only)."""
        return clause.change_of_mind and not clause.condition_defects

    def blanket_refusals(self) -> list[Evidence]:
        """Refusals of returns or refunds for all goods ("لا ترد ولا تستبدل", "exchange only,
        no refunds", "returns only for defective items"). One beside a return window that the
        policy grants is uncertain, unless it names the whole catalogue."""
        # (the law's period quoted is no grant: "Under the E-Commerce Law, consumers may
        # withdraw within 7 days. … all sales are final")
        grants = any(not period.about_defects for period in self._store_returns)
        found = []
        for clause, kind in self._refusals:
            if kind == "all":
                # (returns for defects only: the periods it grants are for them)
                beside = grants and not clause.all_goods and not self._for_defects_only(clause)
                doubt = Doubt.REFUSAL_BESIDE_RIGHT if beside else None
                found.append(Evidence(clause.start, clause.end, doubt))
            elif kind == "timed" and not grants:
                # (from the hand-over on, which is every return: "بعد ما المندوب يمشي مفيش
                # استرجاع ولا استبدال")
                # (or in the clause before it: "بعد ما المندوب يمشي، لا يمكن لا استرجاع …")
                sentence = self.document.sentence_of(clause)
                handed_over = _AT_HAND_OVER.search(self._text, sentence.start, clause.end)
                doubt = None if handed_over else Doubt.TIME_LIMITED
                found.append(Evidence(clause.start, clause.end, doubt))
            elif kind == "sold" and not grants:
                # (the goods named are all the page speaks of: no return is granted for others)
                found.append(Evidence(clause.start, clause.end))
        for clause in self._limited_to_listed_defects:
            doubt = Doubt.REFUSAL_BESIDE_RIGHT if grants else None
            found.append(Evidence(clause.start, clause.end, doubt))
        return found

    def _for_defects_only(self, clause: Clause) -> bool:
        """The refusal keeps returns for defective items only ("يقتصر حق الاسترجاع على
        المنتجات التي يثبت بها عيب", "Returns are only accepted for faulty items")."""
        assert clause.refusal is not None
        return _ONLY.search(self._text, *clause.refusal) is not None and self.document.has(
            Topic.DEFECTS, clause.refusal[0], self._own_end(clause)
        )

    @functools.cached_property
    def _limited_to_listed_defects(self) -> tuple[Clause, ...]:
        """ "يقتصر قبول الاسترجاع على الحالات الآتية:" over a list whose every item is a
        defective, damaged, wrong or incomplete order: returns for those only."""
        document = self.document
        text = self._text
        found = []
        for index, sentence in enumerate(document.sentences):
            if ":" not in text[sentence.end - 1 : sentence.end + 1]:
                continue  # not a sentence that introduces a list
            intro = [document.clauses[i] for i in sentence.clauses]
            opening = next(
                (c for c in intro if _LIMITED_TO_CASES.search(text, c.start, c.end)), None
            )
            if opening is None or not (
                Topic.RETURN in opening.topics | opening.context
                or any(c.refusal is not None and Topic.RETURN in c.topics for c in intro)
            ):
                continue
            items = list(itertools.takewhile(lambda s: s.item, document.sentences[index + 1 :]))
            # (the list's own items: "أ- …", "ب- …" under "٦-١ …", not the "٦-٢" after them)
            own = items[:1]
            for item in items[1:]:
                if self._marker_style(item) != self._marker_style(own[0]):
                    break
                own.append(item)
            if own and all(document.has(Topic.DEFECTS, s.start, s.end) for s in own):
                found.append(opening)
        return tuple(found)

    def _marker_style(self, sentence: Sentence) -> str:
        """How the list item's line is marked: a digit, a letter, or a bullet or emoji."""
        text = self._text
        line_start = text.rfind("\n", 0, sentence.start) + 1
        marker = text[line_start : sentence.start].strip()
        if marker[:1].isdigit() or marker[:1] == "(":
            return "number"
        return "letter" if marker[:1].isalpha() else "bullet"

    def sale_exclusions(self) -> list[Evidence]:
        """Refusals limited to discounted or promotional goods."""
        return [
            Evidence(clause.start, clause.end) for clause, kind in self._refusals if kind == "sale"
        ]

    # Costs.

    def defect_costs(self) -> list[Evidence]:
        """Clauses that put a cost on the customer for defective, damaged or wrong items:
        expressly, under a defect condition, or in every case. A bare "the customer pays return
        shipping" is uncertain when the policy refuses change-of-mind returns and nowhere takes
        defective items out of it, and no finding beside a return right."""
        confident: list[Evidence] = []
        bare: list[Evidence] = []
        continued = self._continued_fees
        kept_fees = self._kept_fees
        for clause in self.document.clauses:
            if self._listed_under_cost(clause):
                confident.append(Evidence(clause.start, clause.end))
                continue
            fee_start = continued.get(clause.start)
            if fee_start is not None:
                if DEFECTS_INCLUDED.search(
                    self._text, clause.start, clause.end
                ) or ALL_CASES.search(self._text, clause.start, clause.end):
                    confident.append(Evidence(fee_start, clause.end))
                continue
            if clause.start in kept_fees and self._kept_even_for_defects(clause):
                confident.append(Evidence(clause.start, self.document.sentence_of(clause).end))
                continue
            if clause.in_heading or not (
                (clause.topics | self._asked(clause)) & _COST_TOPICS
                or self._cost_lead(clause)
                or self._column_topics(clause) & _COST_TOPICS
            ):
                continue
            kind = self._cost_on_customer(clause)
            if kind is None:
                continue
            case = self._heading_case(clause)
            earlier = self._case_before(clause)
            labelled = self._line_label_case(clause)
            if labelled == "mind":
                continue  # "Change of mind: … . Return shipping is paid by the customer."
            if (
                clause.carves_defects
                or (clause.change_of_mind and not self._names_both_cases(clause))
                or (case is not None and case.change_of_mind)
                or (
                    earlier is not None
                    and (earlier.change_of_mind or self._customer_fault(earlier))
                )
                or self._customer_fault(clause)
                or self._goes_on_from_change_of_mind(clause)
                or self._paid_back_later(clause)
            ):
                continue
            sentence = self.document.sentence_of(clause)
            rest = (clause.start, sentence.end)
            if (
                (
                    case is not None
                    and not case.change_of_mind
                    and not _OTHERWISE.search(self._text, clause.start, clause.end)
                )
                or (
                    self._defects_included(sentence.start, sentence.end)
                    and not _OTHERWISE.search(self._text, clause.start, clause.end)
                )
                or clause.condition_defects
                or (
                    (ALL_CASES.search(self._text, *rest) or self._opens_in_all_cases(clause))
                    and not any(c.carves_defects for c in self._later(clause))
                )
                or (
                    self.document.has(Topic.DEFECTS, clause.start, self._own_end(clause))
                    and not STORE_PAYS.search(self._text, clause.start, self._own_end(clause))
                )
                or self._after_defects(clause)
                or self._goes_on_from_defects(clause)
                or self._in_an_item_of_defects(clause)
                or self._remedys_cost(clause)
                or self._extended_to_every_case(clause)
                or self._warranty_cost(clause)
                or (earlier is not None and self._of_defects(earlier))
                or (
                    labelled == "defects"
                    and not STORE_PAYS.search(self._text, clause.start, self._own_end(clause))
                )
            ):
                confident.append(Evidence(clause.start, sentence.end))
            elif self._row_of_defects(clause):
                confident.append(Evidence(sentence.start, sentence.end))  # the whole row
            elif (
                kind == "pays" and clause.condition is None and not self._store_pays_before(clause)
            ):
                bare.append(Evidence(clause.start, clause.end, Doubt.DEFECTS_UNSTATED))
        if confident:
            return confident
        # A bare cost is undecided only where there are no change-of-mind returns for it to be
        # about ("Exchanges only, no refunds, and the customer pays return shipping"); beside
        # them it is read as theirs, as every blind labeller read it.
        if not bare or not self._returns_refused():
            return []
        if self._defects_returned_only() and not self._defects_spared(expressly=True):
            # "لا يوجد استرجاع أو استبدال إلا في حال وجود عيب مصنعي" / "ويتحمل العميل رسوم شحن
            # المنتج المرتجع": the only returns there are are of defective items
            return [Evidence(bare[0].start, bare[0].end)]
        return [] if self._defects_spared() else bare[:1]

    def _names_both_cases(self, clause: Clause) -> bool:
        """The cost holds in every case, and its sentence names defects among them beside
        change of mind ("يتحمل العميل تكلفة شحن الإرجاع في الحالتين: الاسترجاع لعدم الرغبة، أو
        وجود تلف أو خطأ في المنتج")."""
        text = self._text
        if ALL_CASES.search(text, clause.start, clause.end) is None:
            return False
        # defects named outside the change-of-mind words ("لأي سبب غير العيوب" names none)
        start = clause.start
        end = self.document.sentence_of(clause).end
        for mind in CHANGE_OF_MIND.finditer(text, start, end):
            if self.document.has(Topic.DEFECTS, start, mind.start()):
                return True
            start = mind.end()
        return self.document.has(Topic.DEFECTS, start, end)

    def _defects_returned_only(self) -> bool:
        """Returns and exchanges are refused but for defective items, and nothing else is
        taken back."""
        document = self.document
        return any(
            kind == "all" and (clause.carves_defects or self._for_defects_only(clause))
            for clause, kind in self._refusals
        ) and not any(
            clause.refusal is None
            and not clause.in_heading
            and clause.topics & {Topic.RETURN, Topic.EXCHANGE}
            and Topic.COSTS not in clause.topics
            and not document.has(Topic.DEFECTS, clause.start, clause.end)
            and not clause.condition_defects
            for clause in document.clauses
        )

    def _kept_even_for_defects(self, clause: Clause) -> bool:
        """A fee kept from the refund whose sentence expressly takes in defective items
        ("والمعاينة بـ ١٥٠ جنيه بتتخصم من فلوسك، حتى لو طلع في الجهاز عيب")."""
        sentence = self.document.sentence_of(clause)
        return (
            self._defects_included(sentence.start, sentence.end)
            and not clause.carves_defects
            and not clause.change_of_mind
        )

    def _defects_included(self, start: int, end: int) -> bool:
        """The span takes defective items in ("حتى لو فيه عيب", "including damaged ones"), not
        with the dialect "ولو" ("and if") that opens the case the store pays for ("مصاريف الشحن
        عليك، ولو فيه عيب الشحن علينا")."""
        text = self._text
        for match in DEFECTS_INCLUDED.finditer(text, start, end):
            if text.startswith("ولو", match.start()):
                clause = self.document.clause_at(match.start())
                if STORE_PAYS.search(text, match.end(), clause.end) or NO_FEE.search(
                    text, match.end(), clause.end
                ):
                    continue
            return True
        return False

    def _returns_refused(self) -> bool:
        """Returns are refused for all goods (exchange only, defects only), confidently."""
        return any(evidence.confident for evidence in self.blanket_refusals())

    def _listed_under_cost(self, clause: Clause) -> bool:
        """A list item naming defective items under a heading that puts a cost on the
        customer ("الحالات التي يتحمل فيها العميل رسوم شحن الإرجاع:" / "• وجود عيب مصنعي"):
        the item is one of the cases the customer pays for."""
        if Topic.DEFECTS not in clause.topics or clause.in_heading:
            return False
        document = self.document
        sentence = document.sentence_of(clause)
        heading = document.section_of(clause).heading
        if (
            not sentence.item
            or heading is None
            or document.clauses[sentence.clauses.start] is not clause
            or clause.change_of_mind
            or clause.carves_defects
            or self._customer_fault(clause)
            or STORE_PAYS.search(self._text, clause.start, clause.end)
        ):
            return False
        text = self._text
        return (
            CUSTOMER_PAYS.search(text, *heading) is not None
            and (COST.search(text, *heading) or SHIPPING_COST.search(text, *heading)) is not None
            and STORE_PAYS.search(text, *heading) is None
        )

    def _case_before(self, clause: Clause) -> Clause | None:
        """The case a clause that holds "in this case" points back to: the clause before it
        in its sentence ("الاسترجاع العادي خلال ١٤ يوم، والشحن ساعتها على حسابك"), else the
        nearest one of the two sentences before about defects, change of mind or misuse
        ("مفيش استرجاع إلا لو المنتج فيه عيب ... وفي الحالة دي برضه مصاريف الشحن عليك")."""
        document = self.document
        sentence = document.sentence_of(clause)
        if not self._this_case or THIS_CASE.search(self._text, sentence.start, clause.end) is None:
            return None
        index = document.clauses.index(clause)
        if index > sentence.clauses.start:
            return document.clauses[index - 1]
        first = document.sentences[max(clause.sentence - 2, 0)].clauses.start
        for other in reversed(document.clauses[first:index]):
            if other.change_of_mind or self._of_defects(other):
                return other
        return None

    @functools.cached_property
    def _this_case(self) -> bool:
        """The policy says "in this case" somewhere (most say it nowhere)."""
        return THIS_CASE.search(self._text) is not None

    @staticmethod
    def _of_defects(clause: Clause) -> bool:
        """The clause states the case of defective items, as a condition, an exception or its
        topic."""
        return clause.condition_defects or clause.carves_defects or Topic.DEFECTS in clause.topics

    def _warranty_cost(self, clause: Clause) -> bool:
        """A cost put on the customer for a warranty claim, or in a warranty section
        ("الضمان" / "يرسل الجهاز إلى مركز الصيانة، ويتحمل العميل تكاليف الشحن"): a warranty
        repairs defects. Not what the warranty leaves out ("لا يشمل الضمان ...",
        "out-of-warranty repairs")."""
        document = self.document
        if WARRANTY_BOUGHT.search(self._text, clause.start, clause.end):
            return False  # the price of a warranty bought: "extended warranty charges"
        topics = document.section_of(clause).topics
        sentence = document.sentence_of(clause)
        # (a claim named earlier in the sentence: "وتوجه مطالبات الضمان إلى الوكيل، ويتحمل
        # العميل نفقات نقل الجهاز", the cost clause naming no return of its own)
        claimed = Topic.WARRANTY in clause.topics or (
            document.has(Topic.WARRANTY, sentence.start, clause.start)
            and not clause.topics & {Topic.RETURN, Topic.EXCHANGE}
        )
        if not claimed and (
            Topic.WARRANTY not in topics or topics & {Topic.RETURN, Topic.EXCHANGE, Topic.REFUND}
        ):
            return False
        return not (
            document.has(Topic.EXCLUSIONS, sentence.start, sentence.end)
            or _OUT_OF_WARRANTY.search(self._text, sentence.start, sentence.end)
        )

    def _row_of_defects(self, clause: Clause) -> bool:
        """The clause is a cell of a table row whose label, a short first cell, states the
        case of defective items ("منتج تالف | على العميل", "| منتج معيب / Defective item | Customer
        pays shipping |"); not a line and its translation ("… free if the item is faulty |
        … ومجاناً إذا كان المنتج معيباً")."""
        document = self.document
        text = self._text
        # (any cell: "| عيب مصنعي | ١٥ يوماً | استبدال | يتحمل المشتري رسوم التوصيل |")
        label = self._row_label(clause)
        if label is None:
            return False
        # (of a label and its translation, the first: "منتج تالف أو مكسور / Damaged item")
        words = text[slice(*label)].split(" / ", maxsplit=1)[0].split()
        return (
            len(words) <= _CELL_WORDS
            and document.has(Topic.DEFECTS, *label)
            and STORE_PAYS.search(text, *label) is None
            and CHANGE_OF_MIND.search(text, *label) is None
            and CUSTOMER_FAULT.search(text, *label) is None
        )

    def _row_of_goods(self, clause: Clause) -> bool:
        """The clause is a later cell of a table row whose label names something other than
        the return itself or change of mind ("| البقالة والأغذية | غير قابلة للإرجاع |", "| طلبات
        السوبرماركت | … | غير قابلة للإرجاع |"): the row is for those goods or cases only."""
        label = self._row_label(clause)
        if label is None:
            return False
        document = self.document
        return (
            any(character.isalpha() for character in self._text[slice(*label)])
            and not any(
                document.has(topic, *label)
                for topic in (Topic.RETURN, Topic.EXCHANGE, Topic.REFUND)
            )
            and CHANGE_OF_MIND.search(self._text, *label) is None
            and ALL_GOODS.search(self._text, *label) is None
        )

    def _row_label(self, clause: Clause) -> tuple[int, int] | None:
        """The first cell of the table row the clause is a later cell of, or None."""
        text = self._text
        sentence = self.document.sentence_of(clause)
        divider = text.rfind("|", sentence.start, clause.start)
        if divider < 0 or text[divider + 1 : clause.start].strip():
            return None
        return sentence.start, text.find("|", sentence.start, clause.start)

    def _extended_to_every_case(self, clause: Clause) -> bool:
        """A later sentence of the section points back to the cost and says it holds in every
        case ("تطبق هذه الخصومات على جميع طلبات الاسترجاع دون استثناء")."""
        pointing = self._costs_for_every_case
        if not pointing:
            return False
        document = self.document
        own = document.sentence_of(clause)
        for index in range(clause.sentence + 1, min(clause.sentence + 1 + _REACH, len(pointing))):
            sentence = document.sentences[index]
            # (or of the list the cost's sentence opens: "تخصم الرسوم التالية:" / "- مدى: 2.5%")
            headings = document.sections[sentence.section].headings
            if sentence.section != own.section and not any(
                own.start <= start < own.end for start, _ in headings
            ):
                return False
            if pointing[index]:
                return True
        return False

    @functools.cached_property
    def _costs_for_every_case(self) -> list[bool]:
        """By sentence: it points back to costs and says they hold in every case, carving
        out no defect (empty when no sentence of the policy points back to costs)."""
        document = self.document
        text = self._text
        if _POINTED_COSTS.search(text) is None:
            return []
        return [
            _POINTED_COSTS.search(text, sentence.start, sentence.end) is not None
            and ALL_CASES.search(text, sentence.start, sentence.end) is not None
            and not any(document.clauses[i].carves_defects for i in sentence.clauses)
            for sentence in document.sentences
        ]

    def _store_pays_before(self, clause: Clause) -> bool:
        """An earlier clause of the sentence has the store paying ("تتحمل الشركة مصاريف
        الاستلام، فيما عدا الطلبات الأقل من 300 جنيه، إذ يتحملها العميل"): the customer's cost is
        the exception it names, not a word on defects."""
        document = self.document
        sentence = document.sentence_of(clause)
        return any(
            STORE_PAYS.search(self._text, other.start, other.end) is not None
            for other in (document.clauses[i] for i in sentence.clauses)
            if other.end <= clause.start
        )

    def _opens_in_all_cases(self, clause: Clause) -> bool:
        """The sentence opens with "in all cases" on its own ("في جميع الأحوال، تخصم رسوم
        الشحن الأصلية من المبلغ المسترد"): it says so of the clauses after it."""
        document = self.document
        sentence = document.sentence_of(clause)
        opening = document.clauses[sentence.clauses.start]
        return (
            opening is not clause
            and not opening.topics
            and ALL_CASES.search(self._text, opening.start, opening.end) is not None
        )

    def _heading_case(self, clause: Clause) -> Clause | None:
        """The heading the clause stands under when it states a case ("لو المنتج وصلك فيه
        عيب:", "Changed your mind?"): what is said under it holds in that case."""
        case = self._question_before(clause)
        if case is None:
            heading = self.document.section_of(clause).heading
            if heading is None or clause.start < heading[1]:
                return None
            case = self.document.clause_at(heading[0])
        return case if case.change_of_mind or self._case_of_defects(case) else None

    def _line_label_case(self, clause: Clause) -> str | None:
        """The case the label opening the clause's line states, for a later sentence of that
        line ("Defective or damaged items: report it within 3 days. … the replacement's
        delivery fee is charged to the customer"): "defects", "mind" or None."""
        sentences = self.document.sentences
        index = clause.sentence
        while (
            index > 0 and "\n" not in self._text[sentences[index - 1].end : sentences[index].start]
        ):
            index -= 1
        lead = sentences[index].lead
        if index == clause.sentence or lead is None:
            return None
        if CHANGE_OF_MIND.search(self._text, *lead):
            return "mind"
        if self.document.has(Topic.DEFECTS, *lead) and not self.document.has(
            Topic.DAMAGE_REPORT, *lead
        ):
            return "defects"
        return None

    def _question_before(self, clause: Clause) -> Clause | None:
        """A short question just before the clause's sentence on its line, which states its
        case as a heading would ("Damaged on arrival? Ship it back at your own cost")."""
        index = clause.sentence
        if index == 0:
            return None
        previous = self.document.sentences[index - 1]
        sentence = self.document.sentences[index]
        between = self._text[previous.end : sentence.start]
        question = self._text[previous.start : previous.end]
        if between.strip() != "?" or len(question.split()) > _QUESTION_WORDS:
            return None
        return self.document.clauses[previous.clauses.start]

    @staticmethod
    def _case_of_defects(case: Clause) -> bool:
        """The heading states the case of defective items: as a condition ("لو المنتج وصلك
        فيه عيب:"), a question about them ("Q: What happens with a faulty item?") or their
        name ("Damaged on arrival", "المنتجات التالفة:")."""
        return case.condition_defects or (
            Topic.DEFECTS in case.topics
            and Topic.DAMAGE_REPORT not in case.topics
            and not case.carves_defects
        )

    def _cost_lead(self, clause: Clause) -> bool:
        """The clause's item label names a cost ("Return shipping: LE 75 is deducted")."""
        lead = self.document.sentence_of(clause).lead
        return lead is not None and any(self.document.has(t, *lead) for t in _COST_TOPICS)

    def _asked(self, clause: Clause) -> frozenset[Topic]:
        """The topics of the question an FAQ answer stands under ("مين بيدفع شحن المرتجع؟" /
        "على حضرتك في كل الحالات"): the answer's subject is the question's."""
        heading = self.document.section_of(clause).heading
        if heading is None or not self._text[: heading[1]].endswith("?"):
            return frozenset()
        return clause.context

    def _customer_fault(self, clause: Clause) -> bool:
        """The clause, or the condition it holds under, is about damage the customer caused
        (misuse), which the store does not answer for."""
        start = clause.start if clause.condition is None else min(clause.condition[0], clause.start)
        return CUSTOMER_FAULT.search(self._text, start, self._own_end(clause)) is not None

    def _goes_on_from_change_of_mind(self, clause: Clause) -> bool:
        """An earlier clause of the sentence is about change-of-mind returns and this one goes
        on about their cost ("الاسترجاع للرغبة الشخصية خلال 7 أيام، والعميل يتحمل رسوم
        الشحن"), naming neither defects nor every case itself."""
        document = self.document
        sentence = document.sentence_of(clause)
        if not any(
            document.clauses[index].change_of_mind
            for index in sentence.clauses
            if document.clauses[index].start < clause.start
        ):
            return False
        own = (clause.start, self._own_end(clause))
        return not (
            document.has(Topic.DEFECTS, *own)
            or ALL_CASES.search(self._text, *own)
            or DEFECTS_INCLUDED.search(self._text, *own)
        )

    def _after_defects(self, clause: Clause) -> bool:
        """The sentence opens with defective items and the cost clause goes on about them:
        "Damaged items can be returned within 30 days, but the courier fee is deducted".
        Not when the opening spares them or the cost clause turns to other returns."""
        document = self.document
        sentence = document.sentence_of(clause)
        first = document.clauses[sentence.clauses.start]
        if first is clause or first.change_of_mind or first.carves_defects:
            return False
        # The opening clause returns, exchanges or accepts defective items (not "report damage
        # within 24 hours"), and the cost clause turns on it with "but" or takes from it
        # ("Faulty items are accepted, minus a courier fee").
        if Topic.DEFECTS not in first.topics or Topic.DAMAGE_REPORT in first.topics:
            return False
        text = self._text
        if (
            first.topics == {Topic.DEFECTS}
            and first.condition is None
            and len(sentence.clauses) > 1
            and document.clauses[sentence.clauses.start + 1] is clause
        ):
            # defective goods named first, and the cost said of them: "المنتج اللي يوصل فيه
            # عيب، مصاريف شحنه على العميل"
            return not STORE_PAYS.search(text, first.start, first.end) and not _OTHERWISE.search(
                text, clause.start, clause.end
            )
        if not first.topics & {Topic.RETURN, Topic.EXCHANGE} and not _ACCEPTED.search(
            text, first.start, first.end
        ):
            return False
        if first.condition is not None and not first.condition_defects:
            return False
        turns = _BUT.search(text, first.end, clause.start + 1) is not None
        return (
            (turns or DEDUCTION.match(text, clause.start) is not None)
            and not STORE_PAYS.search(text, first.start, first.end)
            and not _OTHERWISE.search(text, clause.start, clause.end)
        )

    def _goes_on_from_defects(self, clause: Clause) -> bool:
        """The cost opens a sentence that goes on, after a semicolon, from one that returns
        or exchanges defective items ("Faulty items can be exchanged within 14 days; shipping
        fees for the exchange are paid by the customer")."""
        document = self.document
        sentence = document.sentence_of(clause)
        if document.clauses[sentence.clauses.start] is not clause:
            return False
        previous = document.goes_on_from(clause.sentence)
        if previous is None or not previous.clauses:
            return False
        first = document.clauses[previous.clauses.start]
        return (
            Topic.DEFECTS in first.topics
            and bool(first.topics & {Topic.RETURN, Topic.EXCHANGE})
            and not first.change_of_mind
            and not first.carves_defects
            and not STORE_PAYS.search(self._text, previous.start, self._own_end(clause))
        )

    def _in_an_item_of_defects(self, clause: Clause) -> bool:
        """A later sentence of a list item (or line) that opens with defective items as its
        condition: "3. If your sign arrives damaged, contact us within 48 hours. You will need
        to ship it back at your own expense." """
        document = self.document
        text = self._text
        index = clause.sentence
        while (
            index > 0
            and "\n"
            not in text[document.sentences[index - 1].end : document.sentences[index].start]
        ):
            index -= 1
        if index == clause.sentence or not document.sentences[index].item:
            return False
        opening = document.clauses[document.sentences[index].clauses.start]
        return (
            opening.condition_defects
            and not STORE_PAYS.search(text, clause.start, self._own_end(clause))
            and not _OTHERWISE.search(text, clause.start, clause.end)
        )

    def _remedys_cost(self, clause: Clause) -> bool:
        """The cost is of the remedy the sentence before gives for defective items ("If your
        order arrives damaged, we will send a replacement. The delivery fee for the
        replacement is paid by the customer.")."""
        document = self.document
        text = self._text
        if clause.sentence == 0 or not _REMEDY.search(text, clause.start, self._own_end(clause)):
            return False
        sentence = document.sentence_of(clause)
        previous = document.sentences[clause.sentence - 1]
        return (
            previous.section == sentence.section
            and document.has(Topic.DEFECTS, previous.start, previous.end)
            and _REMEDY.search(text, previous.start, previous.end) is not None
            and STORE_PAYS.search(text, previous.start, sentence.end) is None
            and NO_FEE.search(text, previous.start, sentence.end) is None
        )

    def _paid_back_later(self, clause: Clause) -> bool:
        """A later sentence of the clause's section pays the shipping back ("Ship the part at
        your own cost." / "• Fault confirmed: we refund the part and reimburse your shipping"):
        the customer only advances it."""
        document = self.document
        text = self._text
        sentence = document.sentence_of(clause)
        for later in document.sentences[clause.sentence + 1 :]:
            if later.section != sentence.section:
                return False
            paid_back = _SHIPPING_PAID_BACK.search(text, later.start, later.end)
            if paid_back is not None and not _NEGATED_JUST_BEFORE.search(
                text, max(later.start, paid_back.start() - _NEGATION_REACH), paid_back.start()
            ):
                return True
        return False

    def _later(self, clause: Clause) -> list[Clause]:
        sentence = self.document.sentence_of(clause)
        index = self.document.clauses.index(clause)
        return [self.document.clauses[i] for i in sentence.clauses if i >= index]

    def _own_end(self, clause: Clause) -> int:
        return clause.carveouts[0].start if clause.carveouts else clause.end

    def _cost_on_customer(self, clause: Clause) -> str | None:
        """ "pays" when the clause makes the customer pay a cost of returning, "kept" when it
        keeps a fee from the refund, else None."""
        start, end = clause.start, self._own_end(clause)
        text = self._text
        if _CUSTOMER_ANSWER.fullmatch(text, start, end) and self._asked(clause) & _COST_TOPICS:
            return "pays"  # "Who pays for shipping if my item is faulty?" / "The customer."
        pays = CUSTOMER_PAYS.search(text, start, end) or self._paid_by_after(clause)
        # (not a charge denied: "وما نخصم عليك ولا ريال"; a share the store pays leaves the
        # customer the rest: "إحنا بنتحمل نص مصاريف الشحن وحضرتك تتحمل النص التاني")
        store = STORE_PAYS.search(text, start, end)
        if (
            pays is not None
            and (store is None or self._shared(store, pays))
            and not NO_FEE.search(text, start, end)
        ):
            sentence = self.document.sentence_of(clause)
            heading = self.document.section_of(clause).heading
            if (
                SHIPPING_COST.search(text, sentence.start, sentence.end)
                or COST.search(text, start, end)
                or _AMOUNT.search(text, start, self._cell_end(end))
                or self._column_topics(clause) & _COST_TOPICS
                or (self._asked(clause) and heading and SHIPPING_COST.search(text, *heading))
            ):
                return "pays"
        lead = self.document.sentence_of(clause).lead
        # the cost may be named by the item's label: "Return shipping: LE 75 is deducted"
        # (or by shipping itself: "shipping both ways is deducted from your refund")
        named = (
            COST.search(text, start, end)
            or SHIPPING_COST.search(text, start, end)
            or (lead and (COST.search(text, *lead) or SHIPPING_COST.search(text, *lead)))
        )
        if named and (NOT_REFUNDED.search(text, start, end) or DEDUCTION.search(text, start, end)):
            # not a deduction the clause denies ("ومش بنخصم أي رسوم")
            return "kept" if self._keeps_a_fee(start, end) else None
        return None

    def _shared(self, store: re.Match[str], pays: re.Match[str]) -> bool:
        """The store pays a share of the cost, and the customer, named after it, the rest."""
        return pays.start() >= store.end() and (
            _SHARE.search(self._text, store.start(), pays.start()) is not None
        )

    def _paid_by_after(self, clause: Clause) -> re.Match[str] | None:
        """Who pays, said by the next clause of the sentence of the cost this one names
        ("Every exchange carries a delivery fee of SAR 30, paid by the customer, whatever the
        reason")."""
        if clause.carveouts:
            return None
        document = self.document
        for index in document.sentence_of(clause).clauses:
            following = document.clauses[index]
            if following.start >= clause.end:
                return _PAID_BY.match(self._text, following.start)
        return None

    def _column_topics(self, clause: Clause) -> frozenset[Topic]:
        """The cost topics of the table column the clause's cell stands in, named by the
        table's first row ("| الحالة | مصاريف الشحن |" over "| منتج تالف | على العميل |")."""
        cell = self.document.column_heading(clause.start)
        if cell is None:
            return frozenset()
        return frozenset(topic for topic in _COST_TOPICS if self.document.has(topic, *cell))

    def _cell_end(self, end: int) -> int:
        """Where the table cell that goes on past ``end`` ends ("| على العميل – 70 EGP |"),
        or ``end`` outside a table."""
        line_end = self._text.find("\n", end)
        line_end = len(self._text) if line_end < 0 else line_end
        divider = self._text.find("|", end, line_end)
        return end if divider < 0 else divider

    def _defects_spared(self, *, expressly: bool = False) -> bool:
        """The policy says somewhere that defective items cost the customer nothing;
        ``expressly``: in so many words, not by a remedy that names no cost."""
        document = self.document
        for index, sentence in enumerate(document.sentences):
            # (or under a heading about them: "Faulty or wrong items" / "we cover all shipping";
            # an answer on the line of a question about them spares them only in so many words:
            # "Received a faulty item? We replace it at our cost.")
            asked = document.goes_on_from(index)
            answered = asked is not None and document.has(Topic.DEFECTS, asked.start, asked.end)
            if answered and STORE_PAYS.search(self._text, sentence.start, sentence.end):
                return True
            if not (
                document.has(Topic.DEFECTS, sentence.start, sentence.end)
                or Topic.DEFECTS in document.sections[sentence.section].topics
            ):
                continue
            if STORE_PAYS.search(self._text, sentence.start, sentence.end):
                return True
            # "لو الأوردر وصلك ناقص ... هنبعتلك الناقص من غير أي مصاريف": put right at no cost
            if NO_FEE.search(self._text, sentence.start, sentence.end) and not CUSTOMER_PAYS.search(
                self._text, sentence.start, sentence.end
            ):
                return True
            if not expressly and self._remedy_without_cost(sentence.start, sentence.end):
                return True
        if expressly:
            return False
        # (not a refusal's: "no returns unless defective" takes defective items back, it
        # spares them no cost)
        return any(clause.carves_defects and clause.refusal is None for clause in document.clauses)

    def _remedy_without_cost(self, start: int, end: int) -> bool:
        """A remedy for defective items that names no cost ("Goods found to be defective
        shall be replaced", "Damaged on arrival" / "we will arrange a replacement or a
        refund"): the page deals with defects apart, and the cost a bare clause elsewhere
        puts on the customer is not theirs."""
        text = self._text
        return (
            (
                _REMEDY.search(text, start, end) is not None
                or self.document.has(Topic.REFUND, start, end)
            )
            and COST.search(text, start, end) is None
            and CUSTOMER_PAYS.search(text, start, end) is None
        )

    # Fees.

    def fees(self, *, shipping_allowed: bool) -> list[Evidence]:
        """Fees deducted from the refund or kept back. Where the return's shipping may be
        charged, a shipping cost does not count, and a fee of unstated kind is uncertain."""
        found = []
        kept_fees = self._kept_fees
        for clause in self.document.clauses:
            kept = kept_fees.get(clause.start)
            if kept is None:
                continue
            start, kind = kept
            if shipping_allowed and kind == "unstated":
                # a fee named only as "a fee" takes its kind from its sentence: "If you use our
                # pickup service, a fee of SAR 25 is deducted from your refund"
                kind = self._fee_kind(self.document.sentence_of(clause).start, clause.end)
            if shipping_allowed and kind == "shipping":
                continue
            doubt = Doubt.FEE_KIND_UNSTATED if shipping_allowed and kind == "unstated" else None
            found.append(Evidence(start, clause.end, doubt))
        return found

    @functools.cached_property
    def _kept_fees(self) -> dict[int, tuple[int, str]]:
        """The fee each clause keeps from the refund, by the clause's start (both the fee and
        the defect-cost rules ask)."""
        return {
            clause.start: kept
            for clause in self.document.clauses
            if (kept := self._kept_fee(clause)) is not None
        }

    def _kept_fee(self, clause: Clause) -> tuple[int, str] | None:
        """Where the fee the clause keeps from the refund starts, and its kind ("shipping",
        "other", "unstated"); None when it keeps none, or only asks ("Do we charge a
        restocking fee? No.")."""
        if self._asks(clause):
            return None
        fee_start = self._continued_fees.get(clause.start)
        if fee_start is not None:
            return fee_start, self._fee_kind(fee_start, clause.end)
        excepted = self._excepted_fee(clause)
        if excepted is not None:
            return clause.start, self._fee_kind(*excepted)
        if self._labelled_fee(clause):
            return clause.start, "other"
        label = self._fee_label(clause)
        if label is not None and NOT_REFUNDED.match(
            self._text, clause.start + self._mark_length(clause)
        ):
            return label[0], self._fee_kind(*label)  # "رسوم بوابة الدفع: ✘ غير مستردة"
        if clause.in_heading or not (
            clause.topics & _FEE_TOPICS
            # "فلا يرد للعميل سوى نصف الثمن" names no fee or refund word of its own
            or PARTIAL_REFUND.search(self._text, clause.start, clause.end)
        ):
            return None
        if self._denied_by_list_head(clause):
            return None
        if _SELLERS_PAY.match(self._text, clause.start):
            return None  # "Sellers pay a commission of 8% to 15%": the seller's, not the buyer's
        start, end = clause.start, self._own_end(clause)
        # "Delivery fees are refunded only if the item was defective": the exception is the
        # one case the fee comes back, so it is kept on every other return.
        refunded_only = COST.search(self._text, start, end) and REFUNDED_ONLY.search(
            self._text, start, clause.end
        )
        if (
            not refunded_only
            and not self._keeps_a_fee(start, end)
            and not self._lead_keeps_a_fee(clause, start, end)
        ):
            return None
        kind = self._fee_kind(*self._fee_words(clause, start, end))
        if kind == "unstated":
            # "رسوم الشحن على العميل ...، والرسوم ٢٥ ريال تنخصم من المبلغ": named before
            kind = self._fee_kind(self.document.sentence_of(clause).start, end)
        if kind == "unstated" and self._under_shipping(clause):
            kind = "shipping"  # "Return shipping" / "a flat collection fee is deducted"
        return clause.start, kind

    def _asks(self, clause: Clause) -> bool:
        """The clause's sentence is a question."""
        end = self.document.sentence_of(clause).end
        return self._text.startswith("?", end)

    def _fee_label(self, clause: Clause) -> tuple[int, int] | None:
        """The label of the clause's item when it names a fee ("Shipping fee:", "رسوم بوابة
        الدفع:") and the clause is its value."""
        lead = self.document.sentence_of(clause).lead
        if (
            lead is None
            or clause.start < lead[1]
            or self.document.clauses[self.document.sentence_of(clause).clauses.start] is not clause
        ):
            return None
        return lead if _FEE_NOUN.search(self._text, *lead) is not None else None

    def _mark_length(self, clause: Clause) -> int:
        """The check mark or cross that opens the clause's value ("✘ غير مستردة"), if any."""
        text = self._text
        position = clause.start
        while position < clause.end and text[position] in _MARKS:
            position += 1
        return position - clause.start

    def _labelled_fee(self, clause: Clause) -> bool:
        """The item's label names a return's handling fee and the clause opens with its amount
        ("- Restocking fee: 20 ر.س على كل قطعة ترجعها")."""
        lead = self.document.sentence_of(clause).lead
        return (
            lead is not None
            and lead[1] <= clause.start
            and _HANDLING_FEE.fullmatch(self._text, *lead) is not None
            and _FEE_AMOUNT.match(self._text, clause.start) is not None
        )

    @functools.cached_property
    def _continued_fees(self) -> dict[int, int]:
        """Where the fee starts that a clause opening with "not refunded" or "deducted" goes on
        about ("رسوم زيارة المعاينة ١٠٠ جنيه بتتدفع قبل الزيارة، ومش بترجع حتى لو طلع العطل"): the
        clause before it in its sentence, when that names a cost; by the clause's start, found
        once per policy (both the fee and the defect-cost rules ask)."""
        text = self._text
        clauses = self.document.clauses
        return {
            clause.start: previous.start
            for previous, clause in itertools.pairwise(clauses)
            if previous.sentence == clause.sentence
            and Topic.COSTS in previous.topics
            and Topic.COSTS not in clause.topics
            and not clause.in_heading
            and _KEPT_OPENING.match(text, clause.start) is not None
        }

    def _denied_by_list_head(self, clause: Clause) -> bool:
        """The clause goes on with a list a denial opens ("No fees, shipping costs or service
        charges are deducted", "لا رسوم، ولا مصاريف شحن تخصم", "We do not charge a restocking
        fee, an administrative fee or any other deduction", "No restocking, handling, payment
        or administrative fee is deducted"): the items between are a few words each."""
        document = self.document
        text = self._text
        sentence = document.sentence_of(clause)
        earlier = [
            document.clauses[index]
            for index in sentence.clauses
            if document.clauses[index].end <= clause.start
        ]
        for count, previous in enumerate(reversed(earlier)):
            word_count = len(text[previous.start : previous.end].split())
            listed = word_count <= _LISTED_WORDS
            if NO_FEE.match(text, previous.start) is not None:
                return count > 0 or listed
            if _DENIED_CHARGE.search(text, previous.start, previous.end) is not None:
                # (the clause a further fee of the list: "…, an administrative fee or any other")
                return count > 0 or _LISTED_FEE.match(text, clause.start) is not None
            # "No restocking, handling, …": the list's head is its first item ("No restocking,
            # handling or gateway fee is deducted": two words, then "or")
            if (
                listed
                and _NEGATOR_BEFORE.match(text, previous.start) is not None
                and (count > 0 or (word_count == 2 and _OR_LISTED.match(text, clause.start)))
            ):
                return True
            if not listed:
                return False
        return False

    def _excepted_fee(self, clause: Clause) -> tuple[int, int] | None:
        """The exception of a refund that names a fee: the refund is paid but for it ("ويُرد
        المبلغ كاملاً عدا رسوم بوابة الدفع", "refunded in full except the COD fee")."""
        if not clause.carveouts or Topic.REFUND not in clause.topics:
            return None
        for carveout in clause.carveouts:
            reach = min(carveout.end, carveout.start + _EXCEPTED_FEE_REACH)
            if _FEE_NOUN.search(self._text, carveout.start, reach):
                return carveout.start, carveout.end
        return None

    def _keeps_a_fee(self, start: int, end: int) -> bool:
        text = self._text
        if PARTIAL_REFUND.search(text, start, end):
            return True
        if self._discounted_goods(start, end):
            return False
        deducted = DEDUCTION.search(text, start, end)
        if deducted is not None and _REFUND_TAKEN_OFF.search(text, start, end):
            return False  # "the refunded amount is taken off the remaining instalments"
        if deducted is not None:
            reach = max(start, deducted.start() - _COST_REACH)
            return not NO_FEE.search(text, reach, deducted.end())
        kept = NOT_REFUNDED.search(text, start, end) if COST.search(text, start, end) else None
        if kept is not None:
            waived = NO_FEE.search(text, start, end)
            # "لا تسترد رسوم الدفع ولا رسوم الخدمة": a "nor" after the refusal names one more
            # kept fee, it waives nothing.
            while (
                waived is not None
                and waived.start() > kept.start()
                and text.startswith("ولا", waived.start())
            ):
                waived = NO_FEE.search(text, waived.end(), end)
            return waived is None
        # A fee charged on a return keeps money back unless it is the return's own shipping,
        # which the customer may simply be paying ("Returns incur a 50 EGP fee").
        charged = FEE_CHARGED.search(text, start, end)
        if charged is None or NO_FEE.search(text, start, charged.end()):
            return False  # (not "No fee applies if the item is defective")
        if AT_CHECKOUT.search(text, start, end):
            return False  # paid with the order: "A COD fee applies and is shown at checkout"
        if _COLLECTION_FEE.search(text, start, end):
            return False  # the courier's pickup, paid: "A collection fee of EGP 40 applies"
        return self._fee_kind(start, end) != "shipping"

    def _discounted_goods(self, start: int, end: int) -> bool:
        """The span refuses discounted goods, named by their discount, and no fee
        ("المنتجات اللي عليها خصم أكتر من ٣٠٪ مش بترجع")."""
        return self.document.names(Category.SALE, start, end) and not _FEE_NOUN.search(
            self._text, start, end
        )

    def _lead_keeps_a_fee(self, clause: Clause, start: int, end: int) -> bool:
        """A list item whose label, or the heading it is listed under, keeps what it lists:
        "What is not refunded: customs duties and the cash handling fee", "يخصم من المبلغ: رسوم
        الشحن", "What is not refunded" / "- The cash on delivery fee (SAR 15)"."""
        if not COST.search(self._text, start, end):
            return False
        sentence = self.document.sentence_of(clause)
        label = sentence.lead
        if label is None and sentence.item:
            label = self.document.section_of(clause).heading
        if label is None:
            return False
        kept = NOT_REFUNDED.search(self._text, *label) or DEDUCTION.search(self._text, *label)
        return kept is not None and not NO_FEE.search(self._text, *label)

    def _fee_words(self, clause: Clause, start: int, end: int) -> tuple[int, int]:
        """Where the kept fee is named: its clause, else the clauses before it in its sentence
        ("يتحمل رسوم الشحن، وتخصم من المبلغ المسترد"), else the sentence before when the
        clause only points back to it ("We deduct it from the amount we send back", "تخصم
        هذه الرسوم", "The fee is deducted from the refund amount")."""
        text = self._text
        cost = COST.search(text, start, end)
        if cost is not None:
            pointed = clause.sentence > 0 and (
                _POINTER_BEFORE.search(text, max(start, cost.start() - 8), cost.start())
                # "A handling fee of SAR 50 is charged on every return. The fee is deducted …"
                or _THE_FEE.match(text, start) is not None
            )
            # "تخصم هذه الرسوم": the fee is the one the sentence before names
            return (self.document.sentences[clause.sentence - 1].start if pointed else start), end
        sentence = self.document.sentence_of(clause)
        if COST.search(text, sentence.start, start) or (
            # the item's label names it: "Return shipping: SAR 19, deducted from the refund"
            sentence.lead is not None and SHIPPING_COST.search(text, *sentence.lead)
        ):
            return sentence.start, end
        if clause.sentence == 0:
            return start, end
        previous = self.document.sentences[clause.sentence - 1]
        return previous.start, end

    def _under_shipping(self, clause: Clause) -> bool:
        """The clause's heading or item label is about shipping and names nothing else."""
        text = self._text
        sentence = self.document.sentence_of(clause)
        heading = self.document.section_of(clause).heading
        return any(
            span is not None
            and SHIPPING_COST.search(text, *span) is not None
            and OTHER_FEE.search(text, *span) is None
            for span in (sentence.lead, heading)
        )

    def _fee_kind(self, start: int, end: int) -> str:
        text = self._text
        vat = [(m.start(), m.end()) for m in VAT.finditer(text, start, end)]
        other = [
            m
            for m in OTHER_FEE.finditer(text, start, end)
            if not any(s <= m.start() < e for s, e in vat)
        ]
        if other or PARTIAL_REFUND.search(text, start, end):
            return "other"  # (a share of the price is no shipping: "نخصم ربع القيمة")
        if SHIPPING_COST.search(text, start, end):
            return "shipping"
        return "unstated"

    # Refund method.

    def credit_only(self) -> Evidence | None:
        """A refund paid only as store credit, a wallet balance, a voucher or a coupon: a
        credit clause for every payer, with no money refund offered anywhere for a
        change-of-mind return. Without an "only" (or a refusal of cash), it is uncertain."""
        credit = self._credit_clauses
        if not credit or self._money_refund:
            return None
        # (quoted from a sentence rather than a heading: "Returns, Exchanges & Store Credit")
        clause = next((c for c in credit if not c.in_heading), credit[0])
        sentence = self.document.sentence_of(clause)
        # "Only" or refunds refused in its sentence ("Refunds are not available: returns earn
        # store credit"), or money refused anywhere else ("We don't offer cash or card
        # refunds"), or paid back for defective items only.
        marked = any(
            CREDIT_ONLY.search(self._text, c.start, c.end)
            or _REFUNDS_UNAVAILABLE.search(self._text, c.start, c.end)
            for c in (self.document.clauses[i] for i in sentence.clauses)
        ) or any(
            c is not clause
            and (
                self._money_refused(c.start, c.end)
                or self._refund_refused(c)
                or self._money_for_defects(c)
            )
            for c in self.document.clauses
        )
        # (or by the item's label, or in its own words: "No card refunds: the amount is held
        # as a balance", "We don't refund to cards: you get a voucher instead")
        marked = (
            marked
            or bool(sentence.lead and self._money_refused(*sentence.lead))
            or self._money_refused(clause.start, clause.end)
        )
        return Evidence(clause.start, clause.end, None if marked else Doubt.METHOD_UNSTATED)

    @functools.cached_property
    def _credit_clauses(self) -> list[Clause]:
        """Clauses that pay a refund back as credit, for every payer."""
        return [
            clause
            for clause in self.document.clauses
            if (
                Topic.REFUND in clause.topics
                or Topic.REFUND in clause.context
                or (Topic.RETURN in clause.topics | clause.context and self._credit_given(clause))
            )
            and self._credit_clause(clause)
        ]

    def _credit_given(self, clause: Clause) -> bool:
        """The clause hands credit over ("returned items receive a voucher"), not names it
        as goods ("gift cards cannot be returned")."""
        match = CREDIT.search(self._text, clause.start, clause.end)
        return match is not None and (
            CREDIT_GIVEN.search(self._text, clause.start, match.start()) is not None
        )

    def _credit_clause(self, clause: Clause) -> bool:
        document = self.document
        text = self._text
        match = CREDIT.search(text, clause.start, clause.end)
        if match is None or self._mobile_money_paid(clause.start, clause.end):
            return False
        if _DIFFERENCE.search(text, clause.start, match.start()):
            return False  # "ولو أرخص بنرجعلك الفرق رصيد": an exchange's price difference
        if _SOLD.search(text, match.end(), document.sentence_of(clause).end):
            return False  # "All gift cards, … sold on this store are delivered": the goods
        reach = max(clause.start, match.start() - _NEGATION_REACH)
        if _NEGATED_JUST_BEFORE.search(text, reach, match.start()):
            return False  # "لا كاش ولا رصيد", "no store credit": credit refused too
        if (
            clause.refusal is not None
            and clause.refusal[1] <= match.start()
            and _OR_AFTER_REFUSED.fullmatch(text, clause.refusal[1], match.start())
        ):
            return False  # "ولا يوجد استرجاع نقدي أو رصيد": refused with the refund before it
        if clause.refusal is not None and match.start() < clause.refusal[0]:
            refused = text[clause.refusal[0] : clause.refusal[1]]
            if _REFUNDABLE.search(refused):
                return False  # "Gift cards are non-refundable": the credit is what is refused
        sentence = document.sentence_of(clause)
        if document.names(Category.PAYMENT_METHOD, sentence.start, sentence.end) or (
            sentence.lead and document.names(Category.PAYMENT_METHOD, *sentence.lead)
        ):
            # "Cash on delivery: you receive a voucher", "ما نقدر نرجع فلوس الطلبات المدفوعة
            # كاش، نعوضك برصيد" are for one kind of payer
            return False
        if CHOICE.search(text, sentence.start, sentence.end):
            return False
        refund = (
            document.has(Topic.REFUND, sentence.start, sentence.end)
            or Topic.REFUND in clause.context
            or self._credit_given(clause)
        )
        # Credit offered for defective items only says nothing of change-of-mind refunds.
        return refund and not (
            clause.condition_defects
            or document.has(Topic.DEFECTS, clause.start, self._own_end(clause))
        )

    @functools.cached_property
    def _money_refund(self) -> bool:
        """Money goes back somewhere in the policy (to the card, the account, in cash), for a
        change-of-mind return: not refused, not only for defective items."""
        document = self.document
        text = self._text
        for sentence in document.sentences:
            if sentence.heading:
                continue  # "How you get your money back" names the topic, not the method
            clauses = [document.clauses[i] for i in sentence.clauses]
            if not any(c.topics & _MONEY_TOPICS or c.context & _MONEY_TOPICS for c in clauses):
                continue
            if any(c.carves_defects or c.condition_defects for c in clauses):
                continue
            if document.has(Topic.DEFECTS, sentence.start, sentence.end):
                continue
            if self._under_defects(sentence.section):
                continue  # under "Defective, damaged or wrong items": money for those only
            if self._about_cancelling(sentence, clauses):
                continue  # "Cancelled orders are refunded to the card": no return's refund
            if _NOT_CASHED.search(text, sentence.start, sentence.end):
                continue  # "It cannot be withdrawn, transferred or paid out in cash": credit's
            clauses = [c for c in clauses if not self._in_the_case_of_cancelling(c)]
            if (
                not document.has(Topic.REFUND, sentence.start, sentence.end)
                # (not the answer to a question about the money: "Q: How do I get my money
                # back?" / "A: To the card or wallet you paid with")
                and Topic.REFUND not in self._asked(clauses[0])
                and _ORDER_PAYMENT.search(text, sentence.start, sentence.end)
            ):
                continue  # "Orders are confirmed once payment is authorised through mada, Visa"
            refund = document.has(Topic.REFUND, sentence.start, sentence.end) or any(
                Topic.REFUND in c.context for c in clauses
            )
            refused = False
            lead = sentence.lead
            for clause in clauses:
                money = MONEY_METHOD.search(text, clause.start, clause.end)
                if money is None and lead is not None and clause.start == clauses[0].start:
                    # the item's label names the method: "Original payment method: refunded
                    # within 5-10 business days"
                    money = MONEY_METHOD.search(text, *lead)
                    if money is not None and self._money_refused(lead[0], clause.end):
                        continue  # "💵 الاسترداد النقدي: غير متاح"
                # (a list goes on with the refusal before it: "We are unable to refund to mada,
                # Visa, Mastercard or Apple Pay")
                listed = refused and len(text[clause.start : clause.end].split()) <= _LISTED_WORDS
                refused = money is not None and (
                    self._money_refused(clause.start, clause.end) or listed
                )
                if money is None or refused:
                    continue
                if refund or document.has(Topic.RETURN, clause.start, clause.end):
                    return True
            if refund and any(self._mobile_money_paid(c.start, c.end) for c in clauses):
                return True
        return False

    def _in_the_case_of_cancelling(self, clause: Clause) -> bool:
        """The clause is the case an exception about cancelling opened ("…store credit only,
        unless the order was cancelled before shipping, in which case we refund your card")."""
        document = self.document
        text = self._text
        if clause.start == 0 or not THIS_CASE.match(text, clause.start):
            return False
        previous = document.clause_at(clause.start - 1)
        return previous.sentence == clause.sentence and any(
            document.has(Topic.CANCELLATION, carveout.start, carveout.end)
            for carveout in previous.carveouts
        )

    def _about_cancelling(self, sentence: Sentence, clauses: list[Clause]) -> bool:
        """The sentence, or the section it stands in, is about cancelling an order before it
        is received, not about returning it."""
        topics = frozenset().union(*(c.topics for c in clauses))
        if Topic.CANCELLATION in topics:
            return Topic.RETURN not in topics
        section = self.document.sections[sentence.section].topics
        return Topic.CANCELLATION in section and not section & {Topic.RETURN, Topic.EXCHANGE}

    def _money_for_defects(self, clause: Clause) -> bool:
        """Money goes back for defective items only ("Faulty items are refunded to your
        card"): beside credit for every other return, it says money is kept for those."""
        text = self._text
        sentence = self.document.sentence_of(clause)
        return (
            MONEY_METHOD.search(text, clause.start, clause.end) is not None
            and not self._money_refused(clause.start, clause.end)
            and (
                clause.condition_defects
                or self.document.has(Topic.DEFECTS, sentence.start, sentence.end)
                or self._under_defects(sentence.section)
            )
        )

    def _under_defects(self, section: int) -> bool:
        """The section's heading is about defective items alone ("Defective, damaged or wrong
        items", "وإذا المنتج وصلني خربان؟")."""
        topics = self.document.sections[section].topics
        return Topic.DEFECTS in topics and not topics & {Topic.RETURN, Topic.EXCHANGE}

    def _refund_refused(self, clause: Clause) -> bool:
        """The clause refuses refunds themselves ("Refunds are not available", "no
        refunds"), for every return: beside credit handed over, credit is then the only way
        back."""
        own = (clause.start, self._own_end(clause))
        # (or the money refused by name: "ما نرجع المبلغ", "مفيش استرجاع فلوس")
        refused = (
            clause.refusal is not None
            and (
                _REFUND_WORD.search(self._text, *clause.refusal)
                or _MONEY_AFTER.match(self._text, clause.refusal[1])
            )
        ) or _REFUNDS_UNAVAILABLE.search(self._text, *own)
        return bool(refused) and not (
            clause.condition is not None or clause.carves_defects or self.document.scope(clause)
        )

    def _mobile_money_paid(self, start: int, end: int) -> bool:
        """The span pays money to a mobile wallet, not refuses it ("ما نحول على STC Pay ولا على
        الحساب البنكي", "مينفعش يتسحب كاش ولا يتحول على فودافون كاش")."""
        text = self._text
        wallet = MOBILE_MONEY.search(text, start, end)
        if wallet is None:
            return False
        reach = max(start, wallet.start() - _NEGATION_REACH)
        return _NEGATOR_BEFORE.search(text, reach, wallet.start()) is None

    def _money_refused(self, start: int, end: int) -> bool:
        """The span refuses money back ("ما فيه تحويل للبنك", "cash refunds are not
        available")."""
        text = self._text
        money = MONEY_METHOD.search(text, start, end)
        if money is None:
            return False
        if _NEGATOR_BEFORE.search(text, start, money.start()):
            return True
        if _INSTEAD.search(text, start, money.start()):
            return True
        return _NOT_AVAILABLE.search(text, money.end(), end) is not None
