"""Time periods in a policy, each bound to the clause it belongs to and what it is for.

A period is a number (ASCII or Arabic-Indic digits, or words in Arabic or English) with a
time unit (hour, day, business day, week, month; dual forms such as "يومين"), a range of them
("7-14 يوم عمل"), or "the day of delivery only". Policies set several side by side: cancelling
before shipping (hours, counted from the order), reporting damage, the return window, the
store's reply and inspection times and the refund payment. Each period takes its purpose from
the nearest purpose word before it in its own clause, else elsewhere in its sentence, else
from its item's lead or its section's heading; a word inside a date anchor ("من تاريخ
الاستلام", "of delivery") or inside a refusal ("no refunds") names no purpose.
"""

from __future__ import annotations

import bisect
import dataclasses
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sanad_analyzer.rules.document import Clause, Document, Sentence
from sanad_analyzer.rules.normalised import NormalisedText, pattern
from sanad_analyzer.rules.vocabulary import (
    CHANGE_OF_MIND,
    CREDIT,
    MONEY_METHOD,
    THIS_CASE,
    Category,
    LexiconScan,
    Topic,
)
from sanad_analyzer.text.numbers import Unit, find_numbers

_UNIT_DAYS: Final = {
    Unit.MINUTE: 1 / 1440,
    Unit.HOUR: 1 / 24,
    Unit.DAY: 1,
    Unit.WEEK: 7,
    Unit.MONTH: 30,
}
BUSINESS_DAY: Final = 1.4
"""Calendar days one business day counts as (five in a week of seven)."""
# "أيام عمل", "أيام عمل رسمي", Egyptian "أيام شغل"
_BUSINESS: Final = pattern(r"\s*(?:عمل|عمل رسمي|شغل|3amal|shoghl)(?!\w)")
_BUSINESS_WORDS: Final = re.compile(r"business|working")
_UNIT_RANGE_JOIN: Final = pattern(r"\s*(?:-|الى|لـ|ل|to|up to|حتى|لحد)\s*")
_RANGE_JOIN: Final = pattern(r"\s*(?:-|الى|لـ|ل|to|او|or|و|and|حتى|لحد)\s*")
# "يوم" or "ساعة" alone is one only after "within": "من يوم الاستلام" is the day of receipt.
_WITHIN: Final = pattern(r"(?:خلال|غضون|مده|مدتها|اقصاها|within|in|5elal|khelal)\s*$")
# English units only at a word start ("sunday", "mind" and "administrative" hold none); the
# check follows the first letter so the pattern stays literal-led (guard.py).
_UNIT_HINT: Final = re.compile(
    r"ساع|يوم|ايام|اسبوع|اسابيع|شهر|اشهر|دقيق|سن|عام"
    r"|h(?<![a-z]h)(?:our|rs?\b)|d(?<![a-z]d)ay|w(?<![a-z]w)eek|y(?<![a-z]y)ear"
    r"|m(?<![a-z]m)(?:onth|in(?:s\b|ute|\b))"
    # Franco-Arabic: "14 yom", "talat ayam", "48 sa3a", "esbo3"
    r"|y(?<![a-z]y)o+u?m|a(?<![a-z]a)yy?am|sa3|esbo3|shahr|shohor"
)
# "the day of delivery only": a one-day window with no number written.
_SAME_DAY: Final = pattern(
    r"(?:on|within) the (?:same )?day of (?:delivery|receipt)"
    r"|same[- ]day (?:of|as) (?:delivery|receipt)"
    # "Exchange size same day only", "الاستبدال في نفس اليوم بس"
    r"|(?:on |within )?(?:the )?same[- ]day only"
    r"|(?:في\s+)?نفس\s+اليوم\s+(?:فقط|بس)"
    r"|(?:في\s+)?يوم\s+(?:ال)?(?:استلام|تسليم|توصيل)\s+نفسه\s+(?:فقط|بس)"
    r"|(?:في\s+)?(?:نفس\s+)?يوم\s+(?:ال)?(?:استلام|تسليم|توصيل)\s+(?:فقط|بس)"
    r"|في\s+(?:نفس|ذات)\s+يوم\s+(?:ال)?(?:استلام|تسليم|توصيل)"
)


class Purpose(enum.StrEnum):
    """What a period in a policy is for."""

    RETURN = "return"
    EXCHANGE = "exchange"
    REFUND = "refund"
    DAMAGE_REPORT = "damage_report"
    DELIVERY = "delivery"
    CANCELLATION = "cancellation"
    """Cancelling an order before it ships (counted from the order, often in hours)."""
    DEFECTS = "defects"
    """The time to return or exchange a defective item."""
    INSPECTION = "inspection"
    REPLY = "reply"
    WARRANTY = "warranty"
    VALIDITY = "validity"
    """How long store credit or a voucher can be spent."""
    OFFER = "offer"
    """How long an offer, a price or a paid listing runs ("Deal of the Day prices apply for
    24 hours", "العرض ساري لمدة أسبوع"): terms pages set them beside the return clauses."""
    UNKNOWN = "unknown"


class Binding(enum.IntEnum):
    """Where the period's purpose was read: closer is surer."""

    CLAUSE = 0
    SENTENCE = 1
    CONTEXT = 2
    """The item's lead or the section's heading."""
    NONE = 3


# Spending words name the validity of credit only beside a credit word ("كوبون تستخدمه خلال 3
# شهور"); elsewhere they describe something else ("البطاقة المستخدمة في الدفع").
_USE_WORDS: Final = r"[تي]?ستخدم\w*|استخدام\w*|can be (?:used|spent)|(?:use|spend) (?:it|them)"
_USE: Final = pattern(_USE_WORDS)
_CREDIT_REACH: Final = 60
_COSTS: Final = ("رسوم", "مصاريف", "تكلفه", "تكاليف", "اجور")
# Shipping named as a cost, or as what a sum leaves out or takes in ("نرجع لك المبلغ (بدون
# الشحن) خلال أسبوع"), is no delivery.
_NOT_SHIPPED: Final = (*_COSTS, "بدون", "دون", "شامل", "عدا")
_SHIPPING_NOT_A_COST: Final = (
    # The look-behinds follow the first letter, so the scan stays led by plain letters.
    "ا" + "".join(f"(?<!{cost} ا)" for cost in _NOT_SHIPPED) + r"لشحن\w*|"
    "ش" + "".join(f"(?<!{cost} ش)(?<!{cost} الش)" for cost in _NOT_SHIPPED) + r"حن\w*"
)
# A return verb with no object ("يرجع", "بترجعلك"): what comes back is its elided subject.
_COMES_BACK: Final = pattern(r"(?:ب|ه)?[يت]رجع(?:لك|لكم|لي)?")
# Purpose words, most specific first: a refund is money going back ("استرداد المبلغ", "المبلغ
# يرجع"), which wins over the bare return word inside it.
_PURPOSE_WORDS: Final = (
    (
        Purpose.REFUND,
        # (English nouns inside Arabic too: "الـ refund بيوصلك خلال 7-10 working days")
        # (a case between: "الفلوس في حالة الإلغاء بترجع خلال ٧ أيام")
        r"(?:ال)?(?:مبلغ|مبالغ|فلوس|اموال|نقود|رصيد|قسيمه|كوبون|refund|money|amount"
        r"|(?:e-?)?gift card|voucher)\w*\s+(?:(?:في|عند) حال(?:ه)?\s+\w+\s+|\w+\s+)?"
        r"(?:(?:ب|ه)?[يت]رجع|[يت]عاد|[يت]رد|[يت]سترد|[يت]حول|[يت]ودع|[يت]ضاف|ين?ضاف|[يت]صرف|ي?وصل"
        r"|(?:ب|ه)?[يت]وصل|بوصل)\w*"
        r"|(?:استرداد|استرجاع|ارجاع|اعاده|رد|تحويل|ايداع|صرف|اضافه|يسترد|يرد|ترد|نرد|نعيد|يعاد"
        r"|تعاد|نحول|يحول|(?:ب|ه)?نرجع|(?:ب|ه)?يرجع|نرجعل|نردل|نحولل)\w*"
        r"\s+(?:(?:لك|لي|لكم)\s+)?"
        r"(?:ال)?(?:مبلغ|مبالغ|قيم|ثمن|تمن|اموال|المال|نقود|مدفوع|فلوس|دفعه|فرق|باقي"
        r"|رصيد)\w*"
        r"|(?:يتم|سيتم|تتم|ستتم|يستغرق|تستغرق|معالجه|تنفيذ)\s+(?:\w+\s+)?(?:ال)?استرداد\w*"
        r"|(?:ال)?استرداد\w*\s+(?:\w+\s+)?(?:ياخذ|ياخد|بياخد|هياخد|يستغرق|بيستغرق|يحتاج)"
        r"|(?:ال)?(?:مبلغ|مبالغ|فلوس|اموال|نقود)\w*|(?:ال)?باقي (?:ال)?مبلغ|مسترد\w*"
        r"|(?:ال)?رصيد\s+(?:ي|ين)?ضاف\w*|(?:يضاف|تضاف|ينضاف)\s+(?:ال)?(?:رصيد|مبلغ|نقاط)\w*"
        # the money's transfer made: "التحويل يتم خلال ٥ إلى ١٠ أيام عمل"
        r"|(?:ال)?تحويل\s+(?:ب|ه)?(?:يتم|تتم|يكون|بيكون)(?!\w)"
        r"|(?:[تين]صدر|اصدار)\s+(?:ال)?(?:قسيمه|كوبون|رصيد)\w*"
        # The store as the subject of paying back: "ويرد المتجر قيمتها خلال سبعة أيام".
        r"|(?:[يت]رد|[يت]عيد|نرد|نعيد)\s+(?:ال)?(?:متجر|شركه|موقع|بائع|تاجر)\s+(?:ال)?"
        r"(?:قيم|مبلغ|ثمن)\w*"
        # What goes back onto a card or an account is money: "طلبات الفيزا بترجع على نفس
        # الكارت خلال 14 يوم" is the refund's time.
        r"|(?:(?:ب|ه)?[يت]رجع|[يت]رد|(?:ب|ه)?[يت]تحول|(?:ب|ه)?[يت]نزل|(?:ال)?تحويل|(?:ال)?ايداع)"
        r"\w*\s+(?:علي|الي|ل|في)\s*(?:نفس\s+)?(?:ال)?(?:كارت|بطاقه|حساب|فيزا|وسيله|طريقه|محفظ)\w*"
        r"|(?:ال)?(?:تحويل|حواله)\s+(?:ال)?بنك\w*"
        # The money "returned" is a refund, not the goods' return ("Refunds for card orders
        # are returned to the card within 5 days"): the word spans the verb.
        r"|(?:refunds?|(?:the |your )?(?:money|amount|funds|payment))\s+(?:\w+\s+){0,4}?"
        r"(?:is|are|will be|gets?|be|being)\s+(?:returned|sent back|paid back)"
        r"|returned to (?:your |the )?(?:card|account|bank|original|wallet|payment|tabby|tamara)"
        r"|(?:back )?(?:to|onto) (?:your |the )?original (?:form of )?payment"
        r"|(?:الي|علي) (?:نفس )?(?:ال)?(?:وسيله|طريقه) (?:ال)?دفع\w*"
        # credit handed over: "E-gift cards are sent within 48 hours of the quality check"
        r"|(?:e-?gift cards?|vouchers?|store credit|credit notes?|coupons?|credit)"
        r" (?:is |are |will be |gets? )?(?:sent|issued|added|credited|emailed|posted)"
        r"|refund(?!s? requests?)\w*|reimburse\w*|money back|credited|credit is added|processed"
        r"|اشعار دائن"
        r"|(?:your |the |of )?(?:money|funds)|(?:the |your )(?:full |paid )?amount|amount paid"
        r"|paid back|transferred (?:back )?to (?:your|the)|credit notes?|the credit(?![a-z])"
        r"|(?:ال)?تعويض\w*|[يتن]عوض\w*"
        # the value of what was returned: "تضاف قيمة المنتج المرتجع رصيداً في محفظتك"
        r"|قيمه (?:ال)?(?:منتج|منتجات|طلب|قطعه|سلعه)\w* (?:ال)?(?:مرتجع|مسترجع)\w*"
        r"|قيمه (?:ال)?(?:مرتجع|منتج|مشتريات|طلب)\w*"
        r"|issu(?:e|es|ed|ing) (?:a |the |your )?(?:store credit|credit notes?|vouchers?"
        r"|e-?gift cards?|gift cards?|coupons?|refunds?)"
        # Franco-Arabic: "el flos btrga3lak 5elal esbo3"
        r"|(?:el )?(?:flos|floos|feloos|mablagh)[a-z]*(?: [a-z]+)? [a-z]{0,4}r[ae]?g+[ae]*3[a-z]*"
        r"|(?:el )?(?:flos|floos|feloos|mablagh)(?![a-z])",
    ),
    (
        Purpose.VALIDITY,
        r"صالح\w*|صلاحيه|valid\w*|expir\w*|" + _USE_WORDS,
    ),
    (
        Purpose.OFFER,
        # (not a bare "price": "We refund the full price within 7 days" is a refund time)
        r"(?:(?:ال)?عرض|(?:ال)?عروض|(?:ال)?حمله)(?!\w)"
        r"|(?:offer|deal|promotion|listing|campaign)s?(?![a-z])|promotional prices?",
    ),
    (
        Purpose.CANCELLATION,
        r"(?:ال)?الغاء\w*|[تين]?لغي\w*|يلغي|cancel\w*|(?:tl|l|tal)a?gh[yi](?![a-z])|elgha2",
    ),
    (
        Purpose.INSPECTION,
        # (its next words, not a paying back after it: "بعد الفحص نرجّع لك المبلغ خلال")
        r"(?:(?:ال)?فحص|[ينت]فحص|inspect)\w*(?:\s+(?!(?:ب|ه)?[نيت](?:رجع|رد|حول|عيد))\w+){0,2}"
        r"|معاينه",
    ),
    (
        Purpose.REPLY,
        r"(?:ن|بن)رد على|الرد على|(?:we )?(?:reply|respond|answer)\w*|نجاوب\w*",
    ),
    (
        Purpose.DAMAGE_REPORT,
        r"(?:ابلاغ|الابلاغ|ابلاغنا|تبليغ|التبليغ|اخطار|الاخطار|اخطارنا|اشعار|اعلامنا|اعلام"
        r"|يبلغ|تبلغ|ب(?<![^\Wو]ب)لغ(?:ت|تو|و|تي)?نا|يخطر|التواصل|تواصل|كلمنا|راسلنا|مراسلتنا"
        r"|بلاغ|البلاغ|ببلاغ|report|notify"
        r"|inform us|contact us|tell us|let us know|message us|email us|write to us|whatsapp us"
        r"|kall?emna|ablaghna|ballaghna|ab3atlna|teb3atlna|eb3atlna)\w*"
        # a photo of the fault sent: "ابعتلنا صورة في نفس يوم الاستلام"
        r"|(?:ابعت|ارسل|تصوير|ارفاق|ارفق)\w*\s+(?:\w+\s+)?صور"
        r"|ص(?<!\wص)ور(?:ه|ها|يه|يها|وه|وها)\s+(?:لنا|لي)(?!\w)"
        r"|(?:send|take|attach|upload)\w*\s+(?:us\s+)?(?:a\s+|clear\s+)?(?:photo|picture|image)"
        # "just email returns@example.com with photos within 3 days"
        r"|(?:email|e-mail|whatsapp|message)\w*\s+(?:us\s+)?(?:\S+\s+)?with\s+(?:a\s+|clear\s+)?"
        r"(?:photo|picture|image)",
    ),
    (
        Purpose.WARRANTY,
        r"(?:ال)?ضمان\w*|warrant\w*|guarantee\w*",
    ),
    (
        Purpose.DELIVERY,
        # "بعد خصم رسوم الشحن خلال 5 أيام": a cost named after shipping is a fee, not a delivery.
        _SHIPPING_NOT_A_COST + r"|(?:توصيل|التوصيل|تسليم|التسليم|يصل|تصل|وصول|يستلم|تجهيز"
        r"|(?:بن|ن|ي|بي|بت)وصل|delivery|deliver|shipping|ship|dispatch|arrive|courier|driver|pickup|collect)\w*"
        # (not a cost: "we refund the full amount, delivery fee included, within 7 days")
        r"(?!\w| (?:fees?|charges?|costs?)(?!\w))"
        # An order being processed is on its way out, not a refund being paid.
        r"|(?:all )?orders? (?:are |is |will be |get |gets )?(?:processed|prepared)"
        r"|(?:ال)?مندوب|pick(?:s|ed)? (?:it |them )?up"
        # the waybill or the pickup time sent for a return is the courier's step, not its
        # window: "نرسل لك بوليصة الشحن المرتجع أو موعد الاستلام خلال يوم عمل"
        r"|بوليص\w*|(?:ال)?موعد (?:ال)?(?:استلام|توصيل|مندوب)\w*|labels?|waybill"
        # an order made or made ready: "كل عباية تنخاط وتتجهز خلال ٣ إلى ٥ أيام عمل"
        r"|(?:ت|ي|بت|بي|هت|هي)(?:تجهز|نخاط|تخاط|تصنع)\w*"
        # "Parcels reach you within 3 to 6 days"
        r"|(?:parcels?|orders?|packages?|shipments?|it|they) (?:will |should |usually )?reach",
    ),
    (
        Purpose.EXCHANGE,
        r"(?:استبدال|الاستبدال|تبديل|التبديل|(?:ت|ي|ن|بت|ا)بدل|exchange|swap)\w*|البدل(?!\w)"
        # Franco-Arabic, from the stem on ("tbaddel", "btetbedel"): literal-led
        r"|estebdal|b[ae]?dd?el[a-z]*",
    ),
    (
        Purpose.RETURN,
        r"(?:ارجاع|الارجاع|استرجاع|الاسترجاع|ترجيع|الترجيع|استرداد|الاسترداد|ارجاعه|ارجاعها"
        r"|اعاده|اعادت|فسخ|العدول|عدول|التراجع|مرتجع|return|withdraw"
        # Not the Egyptian negated verb ("مابترجعش"): what is not given back has no period.
        r"|(?:ت|ي|ن|بت|ا)رجع(?!\w*ش(?!\w))"
        # the past with its object: "إذا رجّعته خلال ٧ أيام"
        r"|ر(?<!\wر)جعت(?:ه|ها|هم|وه|وها)(?!\w)"
        # the imperative or the past, with its object or before it: "رجعه خلال يومين", "رجّع
        # طلبك خلال …", "لو رجعت الأوردر خلال ٤ أيام"
        r"|ر(?<!\wر)جع(?:ه|ها|يه|يها|وه|وها|ت|تي|تيه|تيها|ته|تها)?(?!\w)"
        r"|(?:send|sent|sending)\s+(?:\w+\s+){0,2}back"
        # Franco-Arabic, from the stem on ("trag3", "terga3", "araga3"): literal-led
        r"|r[ae]?g+[ae]*3[a-z]*"
        # a refund asked for within the period is the return's: "Refund requests must be made
        # within 3 days of delivery"
        r"|refunds? requests?)"
        r"\w*|ر(?<!\wر)د(?!\w)|ا(?<!\wا)لرد(?!\w)",
    ),
)
_PURPOSES: Final = tuple((purpose, pattern(regex)) for purpose, regex in _PURPOSE_WORDS)
"""One pattern per purpose (each scans fast); where two match at once, the earlier wins."""
# Date anchors: what a period is counted from. Their words name no purpose.
# Franco-Arabic anchors: "men el estlam", "men yom ma el order yewsalak"; "men ma el 7aga
# tewsalna", "ba3d ma el return yewsalna" (once it is back with us).
_FRANCO_RECEIPT: Final = (
    r"|men\s+(?:yom\s+|wa2t\s+)?(?:ma\s+)?el\s+este?lam"
    r"|men\s+(?:yom\s+)?ma\s+el\s+(?:order|7aga|product|talab)\s+[yt]ewsal(?!na)[a-z]*"
)
_FRANCO_RETURNED: Final = (
    r"|(?:men|ba3d)\s+ma\s+el\s+(?:7aga|return|order|product|piece|pieces)\s+[yt]ewsal(?:na|lna)"
)
_RECEIPT_ANCHOR: Final = pattern(
    # "من وقت ما الأوردر يوصلك": after "ما" the thing received may be named before the verb.
    # (and "من ما الأوردر يوصلك", with no "وقت")
    r"(?:من|بعد)\s+(?:تاريخ\s+|(?:(?:يوم|وقت)\s+)?(?:ما\s+(?:(?:ال)?(?:اوردر|طلب|طرد|شحنه|منتج)"
    r"\w*\s+)?)?)?(?:ال)?"
    r"(?:استلام|تسلم|تسليم|توصيل|وصول|استلمت|استلمته|يوصلك|توصلك|وصوله|وصولها|وصلك)\w*"
    # and what is received: "من يوم توصلك الشحنة"
    r"(?:\s+(?:ال)?(?:شحنه|طلب|اوردر|طرد|منتج|قطعه|بضاعه)\w*)?"
    r"|(?:of|from|after)\s+(?:the\s+)?(?:date\s+of\s+)?"
    r"(?:delivery|receipt|arrival|the delivery date"
    r"|receiving(?:\s+(?:it|them|the\s+\w+|your\s+\w+))?)" + _FRANCO_RECEIPT
)
# Counted from the store's receipt of the returned item ("من استلامنا للمرتجع", "of us
# receiving the parcel"): a time after the return (refund, processing), never its window.
_RETURNED_ANCHOR: Final = pattern(
    r"(?:من|بعد)\s+(?:تاريخ\s+|وقت\s+)?(?:استلامنا|تسلمنا)"
    r"(?:\s+(?:لل|ل|ال)?(?:مرتجع|منتج|طلب|شحنه|سلعه|بضاعه)\w*)?"
    r"|(?:من|بعد)\s+(?:تاريخ\s+)?(?:استلام|وصول|تسلم)\s+(?:ال)?(?:مرتجع|شحنه المرتجعه"
    r"|منتج المرتجع)\w*"
    r"|(?:من|بعد)\s+(?:وصول|وصوله|وصولها)\s+(?:\w+\s+)?(?:الي|ل)\s*(?:ال)?(?:مستودع|مخزن)\w*"
    r"|(?:من|بعد)\s+(?:وصول|وصوله|وصولها|استلام)\s+(?:\w+\s+)?(?:لنا|الينا|عندنا)(?!\w)"
    # "بعد ما المرتجع يوصلنا", "من يوم ما يرجعلنا": once it is back with us
    r"|(?:من|بعد|لما)\s+(?:(?:يوم|وقت)\s+)?(?:ما\s+)?(?:(?:ال)?(?:مرتجع|منتج|طلب|شحنه|قطعه|اوردر"
    r"|طرد)\w*\s+)?(?:ي|ت|بي|بت)?(?:وصل|رجع)(?:نا|لنا|ولنا)(?!\w)"
    # "بعد ما نستلم المرتجع": the store receiving it
    r"|(?:من|بعد|لما)\s+(?:(?:يوم|وقت)\s+)?(?:ما\s+)?(?:ن|بن|هن)(?:ستلم|تسلم)\w*"
    # the store's approval of the return request ("خلال عشرة أيام من تاريخ قبول الطلب")
    r"|(?:من|بعد)\s+(?:تاريخ\s+)?(?:قبول|اعتماد|الموافقه\s+على)\s+(?:ال)?(?:طلب|مرتجع|ارجاع|استرجاع)\w*"
    r"|(?:منذ|من|بعد)\s+(?:تاريخ\s+)?(?:موافقتنا|قبولنا)\s+(?:على\s+)?(?:ال)?(?:طلب|مرتجع|ارجاع|استرجاع)\w*"
    r"|(?:of|from|after|since)\s+(?:the\s+)?(?:approval|acceptance)\s+of\s+(?:the\s+|your\s+)?"
    r"(?:return|request)"
    # the platforms' template: "If more than 15 business days have passed since we've approved
    # your return, please contact us"
    r"|(?:since|after|once)\s+(?:we(?:'ve|’ve| have)?\s+)?(?:approved|accepted)\s+"
    r"(?:the\s+|your\s+)?(?:return|request|refund)"
    r"|(?:after|once|when|of)\s+(?:we|us)\s+(?:receive|receiving|get|getting)"
    r"\s+(?:it|them|(?:the|your)\s+(?:returned\s+)?\w+)"
    r"|(?:after|once|when)\s+(?:the|your)\s+(?:returned\s+)?(?:item|parcel|return|product|package)"
    r"\s+(?:reaches|arrives at|is received)"
    # after the store's inspection of it: "الفلوس بترجع بعد ما نفحص المنتج في خلال 5 أيام"
    r"|بعد\s+(?:ما\s+)?(?:ن|بن)(?:فحص|شيك|عاين)\w*(?:\s+(?:ال)?(?:منتج|مرتجع|قطعه|طلب|اوردر)\w*)?"
    # the courier collecting the return: "within 5 business days of pickup"
    r"|(?:of|from|after)\s+(?:the\s+)?(?:pickup|pick-up|collection)(?![a-z])" + _FRANCO_RETURNED
)
_ORDER_ANCHOR: Final = pattern(
    r"(?:من|بعد)\s+(?:تاريخ\s+|وقت\s+)?(?:ال)?(?:طلب|دفع|شراء|اتمام|تاكيد|اتمامه|تاكيده|الطلب)\w*"
    r"|(?:of|from|after)\s+(?:ordering|placing|payment|purchase|being placed|confirmation"
    r"|the order|your order)"
)
# An exchange offered or joined to a return right after it: "تبدلين العباية أو ترجعينها".
_OR_JOINED: Final = pattern(r"(?: \w+)? (?:او|or|and) |(?: \w+)? و")
# What joins a return to the refund in one clause: "and", "then", or Arabic "و" / "ف" / "ثم"
# opening a word.
_JOINER: Final = pattern(r"(?<!\w)(?:and|then|&|ثم)(?!\w)|(?<!\w)[وف](?=\w)")
_ANCHORS: Final = (
    ("returned", _RETURNED_ANCHOR),
    ("receipt", _RECEIPT_ANCHOR),
    ("order", _ORDER_ANCHOR),
)
"""Kinds of anchor; where two start at one place, the earlier kind is the one read."""
_ANCHOR_RANK: Final = {kind: rank for rank, (kind, _) in enumerate(_ANCHORS)}
SPAN_SCAN: Final = LexiconScan(
    [*(regex for _, regex in _ANCHORS), *(regex for _, regex in _PURPOSES)], one_scan=True
)
"""The anchors and the purpose words, found in one pass over each span that can hold them."""
_DEFECTS_TAKE: Final = frozenset(
    {Purpose.RETURN, Purpose.EXCHANGE, Purpose.REFUND, Purpose.UNKNOWN}
)
"""Purposes a period about defective goods gives up for the defects period."""
_RECOVERY: Final = pattern(r"(?:ال)?استرداد")
# The bare "الرد" (giving back), the refund's own verb where a return period stands beside it.
_GIVING_BACK: Final = pattern(r"(?<!\w)(?:ال)?رد(?!\w)")
# A heading over the steps of a return ("طريقة الترجيع", "How to return").
_STEPS: Final = pattern(
    r"(?:ال)?(?:طريقه|خطوات|كيفيه|مراحل)(?!\w)|(?<!\w)(?:ازاي|كيف)(?!\w)|how to|steps|process"
    r"|procedure"
)
# The article right before a period's number: "بعد الـ ٤٨ ساعة", "after the 48 hours".
_DEFINITE_BEFORE: Final = pattern(r"(?<!\w)(?:ال|the)\s*$")
_RETURN_WORD: Final = pattern(
    r"ارجاع|استرجاع|ترجيع|مرتجع|رجع|فسخ|عدول|return|send\w* (?:\w+ )?back"
)
_ANCHOR_REACH: Final = 40
_AR_ORDINALS: Final = {
    "الاول": 1,
    "الثاني": 2,
    "الثالث": 3,
    "التالت": 3,
    "الرابع": 4,
    "الخامس": 5,
    "السادس": 6,
    "السابع": 7,
    "الثامن": 8,
    "التامن": 8,
    "التاسع": 9,
    "العاشر": 10,
    "الحادي": 1,
}
_EN_ORDINALS: Final = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "fourteenth": 14,
    "fifteenth": 15,
    "twentieth": 20,
    "thirtieth": 30,
}
# A deadline by the day's ordinal: "حتى نهاية اليوم الثالث من الاستلام", "حتى اليوم الرابع عشر",
# "until the end of the third day after delivery": a period of that many days.
_ORDINAL_DEADLINE: Final = pattern(
    r"(?:حتي|لحد|لغايه|قبل) (?:نهايه )?(?:ال)?يوم (?:"
    + "|".join(_AR_ORDINALS)
    + r")(?: عشر)?(?!\w)"
    r"|(?:until|till|by|up to|through|before|no later than) (?:the )?(?:end of )?(?:the )?(?:"
    + "|".join(_EN_ORDINALS)
    + r") day(?![a-z])"
)
_NUMBER_REACH: Final = 32
"""How far (characters) a number and its range may stand before its unit word ("من عشرة إلى
خمسة وأربعين يوماً" is 25)."""
_UNIT_REACH: Final = 12
"""How far after a unit word the parser reads: far enough for "أيام عمل" and "business days"
(the number always stands before its unit)."""
_FOR: Final = pattern(r"\s?(?:ل|لل|for\s(?:the\s)?|to\s)")
# A return named as what a refund is for: "refunds for accepted returns".
_OF_THE_RETURN: Final = pattern(r" (?:for|of|on) (?:the |your |all |accepted |approved )?")
# A return made for money back: "Returns for a refund: 3 days", "الاسترجاع بفلوس خلال عشر أيام".
_FOR_MONEY: Final = pattern(r" (?:for|with) (?:an? |the |your )?(?:full )?| ب| مقابل ")
_ADDRESS_CHARACTERS: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._+-")
_FOR_REACH: Final = 10
_Mention = tuple[int, int, float, float, str, bool]
"""(start, end, low days, high days, unit, in business days), in normalised positions."""


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
    binding: Binding = Binding.CLAUSE
    joined: bool = False
    """Its clause joins a return and a refund ("return it and get your money back within 7
    days"): it may be the return window, the refund time, or both."""
    from_order: bool = False
    """It is counted from the order or the payment, not from receipt."""
    from_receipt: bool = False
    """It is counted from the customer's receipt of the goods, as a return window is."""
    business: bool = False
    """It is counted in business days (already converted in ``low_days``/``high_days``)."""

    @property
    def days(self) -> float:
        """The longest reading of the period (a range counts by its upper bound)."""
        return self.high_days


# Getting an order ready or handing it to the courier, which is not its delivery: "الأوردر
# بيتجهز في خلال يومين", "Orders are processed within 1-2 business days", "نقوم بتجهيز طلبك
# وتسليمه لشركة الشحن خلال ٤٨ ساعة".
_PREPARING: Final = pattern(
    r"(?:ت|ي|بت|بي|هت|هي|ن)?(?:تجهز|جهز|نجهز|يجهز|تحضير|حضر|نخاط|تخاط|تصنع|تتعمل|تنفذ)\w*"
    r"|(?:ال)?تجهيز|processed|prepared|processing|dispatch\w*|ships? (?:out )?within"
    r"|(?:ت|ي|ن)?سليم\w* (?:\w+ )?(?:ل|الي )(?:ال)?(?:شركه|شركات) (?:ال)?شحن"
)
# Reaching the customer: "يوصلك خلال", "delivery takes", "arrives within".
_ARRIVING: Final = pattern(
    r"(?:ي|ت|بي|بت|هي|هت)?(?:وصل|صل)(?:ك|كم|لك)\w*|(?:ال)?توصيل|delivery|delivered|arriv\w*"
    r"|reach\w*|(?:ال)?وصول"
)


def time_to_arrive(period: Period, document: Document) -> bool:
    """The delivery period is the time the order takes to reach the customer, not only the
    time to get it ready or hand it over ("الأوردر بيتجهز في خلال يومين" states no delivery
    time; "جهزه في يومين ويوصلك خلال ٥ أيام" does)."""
    text = document.text.text
    clause = document.clause_at(period.start)
    return (
        _PREPARING.search(text, clause.start, clause.end) is None
        or _ARRIVING.search(text, clause.start, clause.end) is not None
    )


def find_periods(document: Document) -> list[Period]:
    """Every period of the document, in order, each bound to its clause and purpose."""
    text = document.text
    content = text.text
    if _UNIT_HINT.search(content) is None and _SAME_DAY.search(content) is None:
        return []
    mentions = _mentions(text)
    mentions.extend(
        (match.start(), match.end(), 1.0, 1.0, Unit.DAY.value, False)
        for match in _SAME_DAY.finditer(content)
    )
    if not mentions:
        return []
    mentions.sort()
    words = _PurposeWords(document, mentions)
    periods: list[Period] = []
    previous_end = 0
    for index, mention in enumerate(mentions):
        until = mentions[index + 1][0] if index + 1 < len(mentions) else len(content)
        periods.append(words.period(mention, since=previous_end, until=until))
        previous_end = mention[1]
    return _named_again(
        document, _listed_after(document, _recovery_beside_return(document, periods))
    )


def _listed_after(document: Document, periods: list[Period]) -> list[Period]:
    """A period with no purpose words of its own that follows another in its clause ("التوصيل
    داخل الرياض خلال 24 ساعة وباقي المناطق من 2 إلى 4 أيام", "Riyadh 1-2 days, other cities
    3-5 days") goes on with that one's list: it takes that one's purpose, not the heading's."""
    found = list(periods)
    for index in range(1, len(periods)):
        period, earlier = periods[index], found[index - 1]
        if period.binding not in (Binding.CONTEXT, Binding.NONE):
            continue
        if earlier.binding is not Binding.CLAUSE:
            continue
        if document.clause_at(earlier.start) != document.clause_at(period.start):
            continue
        found[index] = _bound_as(period, earlier, Binding.CLAUSE)
    return found


def _bound_as(period: Period, earlier: Period, binding: Binding) -> Period:
    """``period`` with the purpose the ``earlier`` one it goes on from has."""
    return dataclasses.replace(
        period, purpose=earlier.purpose, about_defects=earlier.about_defects, binding=binding
    )


def _named_again(document: Document, periods: list[Period]) -> list[Period]:
    """A period named again with the article and no purpose words of its own ("ابعتلنا
    صورته خلال ٤٨ ساعة ... بعد الـ ٤٨ ساعة مش هنقدر نعمل حاجة", "after the 48 hours") is
    the one named before: it takes that one's purpose."""
    content = document.text.text
    found = list(periods)
    for index, period in enumerate(periods):
        if period.binding not in (Binding.CONTEXT, Binding.NONE):
            continue
        if _DEFINITE_BEFORE.search(content, max(0, period.start - 6), period.start) is None:
            continue
        earlier = next(
            (
                other
                for other in reversed(found[:index])
                if (other.low_days, other.high_days, other.unit)
                == (period.low_days, period.high_days, period.unit)
            ),
            None,
        )
        if earlier is not None:
            found[index] = _bound_as(period, earlier, Binding.SENTENCE)
    return found


def _recovery_beside_return(document: Document, periods: list[Period]) -> list[Period]:
    """ "الاسترداد" alone means getting either the goods' price or the goods back, and "الرد"
    giving either back; beside a return period named by a return word ("الإرجاع خلال 14 يوماً.
    مدة الاسترداد 7 أيام", "طلب الاسترجاع خلال 14 يوماً، … ويتم الرد خلال 7 أيام") it is the
    refund's time."""
    content = document.text.text
    recoveries = set()
    named = False
    for index, period in enumerate(periods):
        if period.purpose is not Purpose.RETURN:
            continue
        clause = document.clause_at(period.start)
        # The words since the period before it in the clause belong to this one.
        since = max(
            [clause.start]
            + [other.end for other in periods[:index] if clause.start <= other.end <= period.start]
        )
        lead = document.sentence_of(clause).lead
        if since == clause.start and lead is not None and lead[1] <= clause.start:
            since = lead[0]  # "Refunds / الاسترداد: within 7 days": the label names it
        words = content[since : period.start]
        if (_RECOVERY.search(words) or _GIVING_BACK.search(words)) and not _RETURN_WORD.search(
            words
        ):
            recoveries.add(index)
        else:
            named = True
    if not recoveries or not named:
        return periods
    return [
        dataclasses.replace(period, purpose=Purpose.REFUND) if index in recoveries else period
        for index, period in enumerate(periods)
    ]


class _PurposeWords:
    """The purpose words of a document, found once, that periods are bound to."""

    def __init__(self, document: Document, mentions: list[_Mention]) -> None:
        self._document = document
        content = self._text = document.text.text
        # Purpose words are read only where a period can take them: the sentences that hold
        # periods and those they go on from (after a semicolon, or the question they answer),
        # and their items' leads and
        # sections' headings.
        spans = set()
        self._columns: dict[int, tuple[int, int]] = {}
        """The column heading of each period that stands in a table's cell, by its start."""
        for mention in mentions:
            clause = document.clause_at(mention[0])
            sentence = document.sentence_of(clause)
            spans.add((sentence.start, sentence.end))
            previous = document.goes_on_from(clause.sentence)
            if previous is not None:
                spans.add((previous.start, previous.end))
            if sentence.lead:
                spans.add(sentence.lead)
            spans.update(document.section_of(clause).headings)
            column = document.column_heading(mention[0])
            if column is not None:
                spans.add(column)
                self._columns[mention[0]] = column
        anchors: list[tuple[int, int, str]] = []
        words: list[tuple[int, int, Purpose]] = []
        for start, end in _merge(spans):
            found = SPAN_SCAN.spans(content, start, end)
            for (kind, _), kind_found in zip(_ANCHORS, found, strict=False):
                anchors.extend(
                    (match_start, match_end, kind) for match_start, match_end in kind_found
                )
            words.extend(_purpose_words(start, found[len(_ANCHORS) :]))
        anchors.sort(key=lambda anchor: (anchor[0], _ANCHOR_RANK[anchor[2]]))
        self._anchors = anchors
        # "no refunds" names nothing a period could be for; "after 14 days we cannot accept
        # the return" still bounds the return window.
        refusals = sorted(
            span
            for clause in document.clauses
            if clause.refusal is not None and Category.TIME not in document.scope(clause)
            for span in document.refusals(clause)
        )
        anchor_spans = [(start, end) for start, end, _ in anchors]
        # (nor the name of a mailbox: "just email returns@example.com with photos within 3 days")
        addresses = _addresses(content) if "@" in content else []
        self._words = [
            word
            for word in words
            if not _inside(anchor_spans, word[0])
            and not (addresses and _inside(addresses, word[0]))
            and not (word[2] in (Purpose.RETURN, Purpose.REFUND) and _inside(refusals, word[0]))
            and not (word[2] is Purpose.VALIDITY and self._use_without_credit(word))
        ]
        self._starts = [start for start, _, _ in self._words]

    def _use_without_credit(self, word: tuple[int, int, Purpose]) -> bool:
        """A spending word ("used", "تستخدمه") with no credit word shortly before it."""
        start, end, _ = word
        if _USE.fullmatch(self._text, start, end) is None:
            return False
        # (on its own line: a list item before it that offers credit is another method's)
        line_start = self._text.rfind("\n", 0, start) + 1
        reach = max(line_start, start - _CREDIT_REACH)
        return CREDIT.search(self._text, reach, start) is None

    def _between(self, start: int, end: int) -> list[tuple[int, int, Purpose]]:
        first = bisect.bisect_left(self._starts, start)
        last = bisect.bisect_left(self._starts, end)
        return self._words[first:last]

    def period(self, mention: _Mention, *, since: int, until: int) -> Period:
        """The period of a mention; ``since`` is where the period before it ends: the words
        before that belong to it ("الاسترجاع خلال 3 أيام والاستبدال خلال 7 أيام"); ``until``
        is where the next one starts."""
        start, end, low, high, unit, business = mention
        document = self._document
        clause = document.clause_at(start)
        purpose, binding, joined = self._purpose(clause, start, end, since=since, until=until)
        anchor = next(
            (
                kind
                for a_start, _, kind in self._anchors
                if end <= a_start <= end + _ANCHOR_REACH and a_start < clause.end
            ),
            None,
        )
        if purpose is Purpose.CANCELLATION and anchor == "receipt":
            purpose = Purpose.RETURN  # "فسخ العقد خلال 7 أيام من الاستلام" is the return window
        elif anchor == "returned" and purpose in (Purpose.RETURN, Purpose.UNKNOWN):
            # "خلال 7 أيام من استلامنا للمرتجع" runs after the return: the refund's time.
            purpose = Purpose.REFUND
        defects = _about_defects(document, clause, start)
        if joined and anchor == "receipt":
            # "إرجاع المنتج واسترداد المبلغ خلال 5 أيام من تاريخ الاستلام": a time counted from
            # the customer's receipt is the time to send the item back, not to pay it back.
            purpose = Purpose.RETURN
        elif (
            purpose is Purpose.DAMAGE_REPORT
            and not defects
            and self._tells_of_return(clause, start)
        ):
            # "لو عايز فلوسك ترجع، لازم تبلغنا خلال 3 أيام" under a returns heading: telling
            # the store of a return, not of damage, is the return's own time.
            context = self._context(clause)
            if context in (Purpose.RETURN, Purpose.EXCHANGE):
                purpose, binding = context, Binding.CONTEXT
            elif context is None and self._return_named_before(clause, start):
                # "law 7ad 7ab yerga3 7aga yeb3atlna 5elal 10 ayam", "لو حابب ترجع حاجة
                # كلمنا خلال 10 أيام" under no heading: the return the sentence names
                purpose, binding = Purpose.RETURN, Binding.SENTENCE
        # "If the item arrived damaged, we refund you within 5 days" is the refund's time for
        # those items; "a full refund within 30 days of receiving it" is the time to ask for one.
        paid_back = purpose is Purpose.REFUND and anchor in (None, "returned")
        if defects and not paid_back and purpose in _DEFECTS_TAKE:
            purpose = Purpose.DEFECTS
        return Period(
            low_days=low,
            high_days=high,
            unit=unit,
            purpose=purpose,
            about_defects=defects,
            start=start,
            end=end,
            binding=binding,
            joined=joined,
            from_order=anchor == "order",
            from_receipt=anchor == "receipt",
            business=business,
        )

    def _for_money(self, before: list[tuple[int, int, Purpose]]) -> bool:
        """The last words name a return made for money back ("Returns for a refund: 3 days
        from delivery", "الاسترجاع بفلوس في خلال عشر أيام"): the period is the return's."""
        return [word[2] for word in before[-2:]] == [
            Purpose.RETURN,
            Purpose.REFUND,
        ] and _FOR_MONEY.fullmatch(self._text, before[-2][1], before[-1][0]) is not None

    def _return_named_before(self, clause: Clause, start: int) -> bool:
        """A return word stands in the period's sentence before it."""
        sentence = self._document.sentence_of(clause)
        return any(word[2] is Purpose.RETURN for word in self._between(sentence.start, start))

    def _opens(self, sentence: Sentence, position: int) -> bool:
        """``position`` opens the sentence, or the words after its item's label ("💰 الفلوس:
        بترجعلك خلال 7 أيام")."""
        if position == sentence.start:
            return True
        return sentence.lead is not None and not self._text[sentence.lead[1] : position].strip(
            " :-"
        )

    def _tells_of_return(self, clause: Clause, start: int) -> bool:
        """The sentence asks to be told of a return, a refund or an exchange before the period
        ("If you want your money back, notify us within"), and neither it nor the sentence
        before speaks of damaged, defective or wrong items."""
        document = self._document
        sentence = document.sentence_of(clause)
        heading = document.section_of(clause).heading
        # (or the heading is the return's steps: "طريقة الترجيع" / "١. كلّمنا خلال ٣ أيام")
        steps = heading is not None and _STEPS.search(document.text.text, *heading) is not None
        if not steps and not any(
            word[2] in (Purpose.RETURN, Purpose.REFUND, Purpose.EXCHANGE)
            for word in self._between(sentence.start, start)
        ):
            return False
        before = document.sentences[max(clause.sentence - 1, 0)]
        return not (
            document.has(Topic.DEFECTS, before.start, sentence.end)
            or Topic.DEFECTS in document.section_of(clause).topics
        )

    def _purpose(
        self, clause: Clause, start: int, end: int, *, since: int, until: int
    ) -> tuple[Purpose, Binding, bool]:
        sentence = self._document.sentence_of(clause)
        sentence_start, sentence_end = sentence.start, sentence.end
        following = self._between(end, end + _FOR_REACH)
        before = self._between(max(clause.start, since), start)
        if (
            following
            and _FOR.fullmatch(self._document.text.text, end, following[0][0])
            # (not credit paid within a time to be spent later: "تضاف قيمة المرتجع إلى
            # محفظتك خلال 48 ساعة لاستخدامها في طلبك القادم" is the refund's time)
            and not (
                following[0][2] is Purpose.VALIDITY and before and before[-1][2] is Purpose.REFUND
            )
        ):
            # "مهلة 10 أيام للاستبدال", "14 days for exchanges": the purpose follows.
            return following[0][2], Binding.CLAUSE, False
        if before:
            kinds = [word[2] for word in before]
            last = kinds[-1]
            if kinds[-2:] == [Purpose.REFUND, Purpose.RETURN] and _OF_THE_RETURN.fullmatch(
                self._text, before[-2][1], before[-1][0]
            ):
                # "refunds for accepted returns are made within 7 working days": the refund's
                return Purpose.REFUND, Binding.CLAUSE, False
            if last is Purpose.EXCHANGE and Purpose.RETURN in kinds:
                # "ترجع أو تبدل خلال 14 يوم": a return offered beside an exchange.
                return Purpose.RETURN, Binding.CLAUSE, False
            if self._for_money(before):
                return Purpose.RETURN, Binding.CLAUSE, False
            if (
                kinds == [Purpose.RETURN]
                and self._opens(sentence, before[0][0])
                and _COMES_BACK.fullmatch(self._document.text.text, before[0][0], before[0][1])
                and self._context(clause) is Purpose.REFUND
            ):
                # "💳 المبلغ" / "يرجع خلال 5 أيام": what comes back is what the heading names.
                return Purpose.REFUND, Binding.CONTEXT, False
            return last, Binding.CLAUSE, self._joined(before)
        column = self._column_purpose(start)
        if column is not None:
            return column, Binding.CLAUSE, False
        before = self._between(sentence_start, clause.start)
        if before:
            if self._for_money(before):
                return Purpose.RETURN, Binding.SENTENCE, False
            return before[-1][2], Binding.SENTENCE, False
        after = self._between(end, clause.end)
        if after:
            if [word[2] for word in after[:2]] == [
                Purpose.EXCHANGE,
                Purpose.RETURN,
            ] and _OR_JOINED.fullmatch(self._text, after[0][1], after[1][0]):
                # "خلال ٥ أيام تبدلين العباية أو ترجعينها": a return offered beside an exchange
                return Purpose.RETURN, Binding.CLAUSE, False
            return after[0][2], Binding.CLAUSE, False
        # Not the words of a later clause that holds the next period ("ثلاثة أيام من الاستلام،
        # وإذا فيه كسر لازم تبلغنا خلال 24 ساعة"): they are that period's.
        limit = sentence_end
        if until < sentence_end:
            limit = max(clause.end, self._document.clause_at(until).start)
        after = self._between(clause.end, limit)
        continued = self._continued(clause.sentence)
        if after and not (continued and self._document.answers(clause.sentence)):
            # (the question answered names it first: "ينفع أرجع المنتج؟" / "ينفع خلال ١٤ يوم من
            # الاستلام، بس الفلوس بتنزلك رصيد" is the return's window)
            return after[0][2], Binding.SENTENCE, False
        if continued:
            kinds = [word[2] for word in continued]
            if kinds[-1] is Purpose.EXCHANGE and Purpose.RETURN in kinds:
                # "How long do I have to return or exchange?" / "10 days from delivery."
                return Purpose.RETURN, Binding.SENTENCE, False
            return kinds[-1], Binding.SENTENCE, False
        context = self._context(clause)
        if context is not None:
            return context, Binding.CONTEXT, False
        return Purpose.UNKNOWN, Binding.NONE, False

    def _column_purpose(self, start: int) -> Purpose | None:
        """What a table cell's period is for, read in its column's heading; the bare
        "الاسترداد" beside a column named by a return word is the refund's ("| الإرجاع |
        الاسترداد |")."""
        column = self._columns.get(start)
        if column is None:
            return None
        words = self._between(*column)
        if not words:
            return None
        if self._bare_recovery(words):
            text = self._text
            row_start = text.rfind("\n", 0, column[0]) + 1
            row_end = text.find("\n", column[1])
            row_end = len(text) if row_end < 0 else row_end
            if _RETURN_WORD.search(text, row_start, column[0]) or _RETURN_WORD.search(
                text, column[1], row_end
            ):
                return Purpose.REFUND
        return words[-1][2]

    def _continued(self, index: int) -> list[tuple[int, int, Purpose]]:
        """The purpose words of the sentence this one goes on from (``Document.goes_on_from``)."""
        previous = self._document.goes_on_from(index)
        return [] if previous is None else self._between(previous.start, previous.end)

    def _joined(self, before: list[tuple[int, int, Purpose]]) -> bool:
        """The period's refund word is joined by "and" or "then" to a return before it:
        "Return it and get your money back within 7 days", "ارجع المنتج واسترد فلوسك". A
        return that is the refund's subject ("Returns are refunded within 5 days") or the
        bare "رد" (pay back, the refund's own verb) joins nothing."""
        refund = before[-1]
        if refund[2] is not Purpose.REFUND:
            return False
        returns = [
            word
            for word in before[:-1]
            if word[2] is Purpose.RETURN and self._text[word[0] : word[1]] not in ("رد", "الرد")
        ]
        if not returns:
            return False
        # (from the first return word: "إرجاع المنتج واسترداد كامل المبلغ")
        # (before the refund word: "إلى وسيلة الدفع" holds no "and")
        return _JOINER.search(self._text, returns[0][1], refund[0] + 1) is not None

    def _context(self, clause: Clause) -> Purpose | None:
        """The purpose the item's lead, else the section's headings (its own, then the one
        it stands under), give its periods."""
        context = self._context_of_spans(clause)
        lead = self._document.sentence_of(clause).lead
        if (
            # (under "💳 الاسترداد" too, whose bare recovery word reads as a return; not under
            # "مدة الإرجاع حسب طريقة الدفع:", a window by payment method)
            (
                context in (None, Purpose.INSPECTION)
                or (context is Purpose.RETURN and self._recovery_headed(clause))
            )
            and lead is not None
            and not self._between(*lead)
            and MONEY_METHOD.search(self._text, *lead)
        ):
            # "بعد فحص المرتجع خلال يومي عمل:" / "- مدى: 5-10 أيام عمل": a way of paying
            # named as the item's label is what the period pays back by.
            return Purpose.REFUND
        return context

    def _recovery_headed(self, clause: Clause) -> bool:
        """Every purpose word of the clause's headings is the bare "الاسترداد"."""
        words = [
            word
            for heading in self._document.section_of(clause).headings
            for word in self._between(*heading)
        ]
        return bool(words) and self._bare_recovery(words)

    def _bare_recovery(self, words: list[tuple[int, int, Purpose]]) -> bool:
        """Every purpose word is the bare "الاسترداد", which may mean the goods' return or the
        money's."""
        return all(
            kind is Purpose.RETURN and _RECOVERY.fullmatch(self._text, start, end)
            for start, end, kind in words
        )

    def _context_of_spans(self, clause: Clause) -> Purpose | None:
        """The purpose the lead and headings name, read in their order."""
        document = self._document
        sentence = document.sentence_of(clause)
        spans = [sentence.lead] if sentence.lead else []
        spans.extend(document.section_of(clause).headings)
        recovery_only = False
        for span in spans:
            words = self._between(*span)
            kinds = [word[2] for word in words]
            if not kinds:
                if CHANGE_OF_MIND.search(self._text, *span):
                    return Purpose.RETURN  # "🔄 لو غيرت رأيك" / "عندك أسبوع من يوم الاستلام"
                continue
            if self._bare_recovery(words):
                # "يمكنك اختيار طريقة الاسترداد:" under "استرداد المبالغ": the bare recovery
                # word is the refund's where a heading above names money going back.
                recovery_only = True
                continue
            if recovery_only and Purpose.REFUND not in kinds:
                return Purpose.RETURN
            if Purpose.CANCELLATION in kinds:
                return Purpose.CANCELLATION
            if Purpose.REFUND in kinds and all(
                _RECOVERY.fullmatch(self._text, start, end)
                for start, end, kind in words
                if kind is Purpose.RETURN
            ):
                return Purpose.REFUND  # "Refund time | مدة الاسترداد": the refund's
            if Purpose.RETURN in kinds:
                return Purpose.RETURN
            return kinds[0]
        return Purpose.RETURN if recovery_only else None


def _purpose_words(
    start: int, found: Sequence[list[tuple[int, int]]]
) -> list[tuple[int, int, Purpose]]:
    """Purpose words in a span from ``start``, given each purpose's matches there, as one
    alternation of the purposes in their order would find them: leftmost first, the earlier
    purpose first at the same place, and no word inside another ("يرجع" in "المبلغ يرجع" is
    the refund's)."""
    ordered = sorted(
        (match_start, rank, match_end, purpose)
        for rank, ((purpose, _), matches) in enumerate(zip(_PURPOSES, found, strict=True))
        for match_start, match_end in matches
        if match_end > match_start
    )
    words: list[tuple[int, int, Purpose]] = []
    reached = start
    for word_start, _, word_end, purpose in ordered:
        if word_start >= reached:
            words.append((word_start, word_end, purpose))
            reached = word_end
    return words


def _merge(spans: set[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _addresses(content: str) -> list[tuple[int, int]]:
    """The spans of the e-mail addresses in ``content``, found from each "@" outwards (a
    pattern for them would be tried at every position)."""
    spans = []
    at = content.find("@")
    while at >= 0:
        start, end = at, at + 1
        while start > 0 and content[start - 1] in _ADDRESS_CHARACTERS:
            start -= 1
        while end < len(content) and content[end] in _ADDRESS_CHARACTERS:
            end += 1
        if start < at and "." in content[at:end]:
            spans.append((start, end))
        at = content.find("@", end)
    return spans


def _inside(spans: Sequence[tuple[int, ...]], position: int) -> bool:
    """``position`` falls in one of the sorted, non-overlapping-ish ``spans``."""
    index = bisect.bisect_right(spans, (position, float("inf"))) - 1
    return any(span[0] <= position < span[1] for span in spans[max(0, index - 2) : index + 1])


def _about_defects(document: Document, clause: Clause, start: int) -> bool:
    """The period's clause, or the condition it holds under, is about defective items."""
    if document.has(Topic.DEFECTS, clause.start, start) and not clause.change_of_mind:
        return True
    if clause.condition_defects and not clause.change_of_mind:
        return True
    if THIS_CASE.search(document.text.text, clause.start, clause.end) and clause.start > 0:
        # "ما لم يكن به عيب مصنعي، فتمتد مدة الاسترجاع في هذه الحالة إلى ثلاثين يوماً": the
        # case is the clause before it.
        previous = document.clause_at(clause.start - 1)
        if previous.sentence == clause.sentence and (
            previous.condition_defects or document.has(Topic.DEFECTS, previous.start, previous.end)
        ):
            return not clause.change_of_mind and not previous.change_of_mind
    section = document.section_of(clause)
    return Topic.DEFECTS in section.topics and not section.topics & {
        Topic.RETURN,
        Topic.EXCHANGE,
        Topic.CANCELLATION,
        Topic.REFUND,
    }


def _mentions(text: NormalisedText) -> list[_Mention]:
    """Periods of the text: the number parser reads only windows around unit words (a number
    stands within a few words of its unit), each within its line."""
    found: list[_Mention] = []
    content = text.text
    for line in re.finditer(r"[^\n]+", content):
        windows: list[tuple[int, int]] = []
        for unit in _UNIT_HINT.finditer(content, line.start(), line.end()):
            window = (max(line.start(), unit.start() - _NUMBER_REACH), unit.end() + _UNIT_REACH)
            window = (_word_boundary(content, window[0], line.start()), min(line.end(), window[1]))
            if windows and window[0] <= windows[-1][1]:
                windows[-1] = (windows[-1][0], max(windows[-1][1], window[1]))
            else:
                windows.append(window)
        for start, end in windows:
            found.extend(_line_mentions(text, start, _word_end(content, end, line.end())))
    if "يوم" in content or " day" in content:
        found = _with_ordinal_deadlines(content, found)
    return found


def _with_ordinal_deadlines(content: str, found: list[_Mention]) -> list[_Mention]:
    """The mentions with the deadlines written as a day's ordinal added (none overlaps a
    number's mention), in order."""
    added: list[_Mention] = []
    for match in _ORDINAL_DEADLINE.finditer(content):
        words = match.group().split()
        day = next(index for index, word in enumerate(words) if word in ("day", "يوم", "اليوم"))
        if words[day] == "day":
            ordinal = words[day - 1]
            days = _EN_ORDINALS[ordinal]
            first = day - 2 if day >= 2 and words[day - 2] == "the" else day - 1
        else:
            ordinal = words[day + 1]
            teen = words[-1] == "عشر"
            if ordinal == "الحادي" and not teen:
                continue  # "الحادي" alone is no day's number
            days = _AR_ORDINALS[ordinal] + (10 if teen else 0)
            first = day
        start = match.start() + len(" ".join(words[:first])) + (1 if first else 0)
        if any(m[0] < match.end() and start < m[1] for m in found):
            continue
        added.append((start, match.end(), float(days), float(days), Unit.DAY.value, False))
    return sorted(found + added) if added else found


def _word_boundary(text: str, position: int, floor: int) -> int:
    """Back to the start of the word ``position`` falls in."""
    while position > floor and not text[position - 1].isspace():
        position -= 1
    return position


def _word_end(text: str, position: int, ceiling: int) -> int:
    while position < ceiling and not text[position].isspace():
        position += 1
    return position


def _line_mentions(text: NormalisedText, start: int, end: int) -> list[_Mention]:
    first, last = text.original_span(start, end)
    found: list[_Mention] = []
    previous_value = 0.0
    for mention in find_numbers(text.original[first:last]):
        if mention.unit not in _UNIT_DAYS:
            continue
        begin = text.position_of(first + mention.start)
        finish = text.position_of(first + mention.end)
        if text.text[begin].isspace():
            continue  # (in terms set aside as superseded: superseded.py)
        if (
            mention.implicit
            and mention.value == 1
            and mention.unit in (Unit.DAY, Unit.HOUR)
            and not _WITHIN.search(text.text, max(0, begin - 12), begin)
        ):
            continue
        factor = _UNIT_DAYS[mention.unit]
        business = _BUSINESS.match(text.text, finish)
        in_business_days = business is not None or bool(
            _BUSINESS_WORDS.search(text.text, begin, finish)
        )
        if in_business_days:
            factor *= BUSINESS_DAY
            finish = business.end() if business is not None else finish
        value = float(mention.value)
        if found and _unit_range(text, found[-1], begin, value * factor):
            # "أسبوع لأسبوعين", "one week to two weeks": both ends carry their own unit.
            found[-1] = (
                found[-1][0],
                finish,
                found[-1][2],
                value * factor,
                mention.unit.value,
                in_business_days or found[-1][5],
            )
        elif found and previous_value < value and _is_range(text, found[-1], begin):
            # "7-14 يوم عمل": the first end takes the unit of the second.
            found[-1] = (
                found[-1][0],
                finish,
                previous_value * factor,
                value * factor,
                mention.unit.value,
                in_business_days,
            )
        else:
            found.append(
                (
                    begin,
                    finish,
                    value * factor,
                    value * factor,
                    mention.unit.value,
                    in_business_days,
                )
            )
        previous_value = value
    return found


def _unit_range(text: NormalisedText, previous: _Mention, start: int, days: float) -> bool:
    """The previous period, unit and all, is the first end of a range up to this one ("أسبوع
    لأسبوعين"): a joiner between them ("to", "-", "ل", not "and"), and this end is longer."""
    content = text.text
    if previous[3] >= days or _UNIT_HINT.search(content, previous[0], previous[1]) is None:
        return False
    if _UNIT_RANGE_JOIN.fullmatch(content, previous[1], start) is not None:
        return True
    # The parser may keep the joining "ل" in the second end: "أسبوع لأسبوعين".
    return content.startswith("ل", start) and not content[previous[1] : start].strip()


def _is_range(text: NormalisedText, previous: _Mention, start: int) -> bool:
    """The previous number is the first end of a range: no unit of its own, then a joiner."""
    return (
        _UNIT_HINT.search(text.text, previous[0], previous[1]) is None
        and _RANGE_JOIN.fullmatch(text.text, previous[1], start) is not None
    )
