"""A corpus for the near-duplicate search: policies, their true near-duplicates, and texts that
must not match them.

Each base policy is a realistic short store policy (Arabic or English) naming its shop. The
variants are built by rules a shop owner's edits follow (rename the shop, reorder clauses,
change spelling, add a sentence), plus hand-written number changes, so the test measures the
method, not a list of hand-picked pairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sanad_analyzer.policy import PolicyType

RETURN = PolicyType.RETURN_EXCHANGE
SHIPPING = PolicyType.SHIPPING_DELIVERY
PRIVACY = PolicyType.PRIVACY_ACCOUNT


@dataclass(frozen=True)
class Policy:
    """One base policy."""

    name: str
    policy_type: PolicyType
    arabic: bool
    shop: str
    text: str
    number_changes: tuple[tuple[str, str], ...]
    """(old, new) replacements that change what a number says."""


@dataclass(frozen=True)
class Variant:
    """A text derived from a base policy, and whether it should match it."""

    base: Policy
    kind: str
    text: str
    shop: str


BASES: tuple[Policy, ...] = (
    Policy(
        "ar-return-1",
        RETURN,
        True,
        "متجر الأناقة",
        "سياسة الإرجاع والاستبدال في متجر الأناقة. يحق للعميل إرجاع المنتج خلال ١٤ يوماً من "
        "تاريخ الاستلام بشرط أن يكون المنتج بحالته الأصلية وفي عبوته الأصلية. يتم استرداد المبلغ "
        "إلى وسيلة الدفع نفسها خلال سبعة أيام عمل من استلامنا للمنتج. لا يمكن إرجاع الملابس "
        "الداخلية والعطور المفتوحة لأسباب صحية. يتحمل متجر الأناقة تكلفة الشحن إذا كان المنتج "
        "معيباً أو مخالفاً للطلب.",
        (("١٤ يوماً", "٣ أيام"), ("سبعة أيام", "ثلاثة أيام"), ("١٤ يوماً", "ثلاثين يوماً")),
    ),
    Policy(
        "ar-return-2",
        RETURN,
        True,
        "دار العطور",
        "في دار العطور نضمن رضاك. يمكنك استبدال أي منتج خلال أسبوعين من الشراء مع إبراز "
        "الفاتورة. المنتجات المخفضة لا تسترد ولا تستبدل. في حال وجود عيب مصنعي يحق لك الإرجاع "
        "خلال ٣٠ يوماً واسترداد كامل المبلغ. تخصم رسوم إعادة تخزين بنسبة ١٠٪ من قيمة المنتجات "
        "المرتجعة بدون عيب.",
        (("أسبوعين", "أسبوع"), ("١٠٪", "٢٠٪"), ("٣٠ يوماً", "١٥ يوماً")),
    ),
    Policy(
        "ar-return-3",
        RETURN,
        True,
        "بيت الإلكترونيات",
        "سياسة الاسترجاع لدى بيت الإلكترونيات: تقبل طلبات الإرجاع خلال ثلاثة أيام فقط من تاريخ "
        "التسليم للأجهزة غير المفتوحة. الأجهزة التي تم تفعيلها أو فتح غلافها لا يمكن إرجاعها إلا "
        "في حال وجود عيب فني يثبته مركز الصيانة. تتم معالجة المبالغ المستردة خلال ١٠ أيام. يجب "
        "على العميل التواصل مع خدمة العملاء قبل إرسال أي منتج.",
        (("ثلاثة أيام", "سبعة أيام"), ("١٠ أيام", "٥ أيام")),
    ),
    Policy(
        "ar-shipping-1",
        SHIPPING,
        True,
        "متجر الورد",
        "يقوم متجر الورد بتوصيل الطلبات داخل الرياض خلال يومين عمل، وإلى باقي مدن المملكة خلال "
        "٣ إلى ٥ أيام عمل. الشحن مجاني للطلبات التي تزيد قيمتها على ٢٠٠ ريال، وتبلغ رسوم الشحن "
        "٢٥ ريالاً للطلبات الأقل. يتم إرسال رقم التتبع عبر رسالة نصية فور شحن الطلب. لا نتحمل "
        "مسؤولية التأخير الناتج عن عنوان غير صحيح.",
        (("٢٠٠ ريال", "٣٠٠ ريال"), ("يومين", "ثلاثة أيام"), ("٢٥ ريالاً", "١٥ ريالاً")),
    ),
    Policy(
        "ar-shipping-2",
        SHIPPING,
        True,
        "سوق القاهرة",
        "يشحن سوق القاهرة الطلبات إلى جميع محافظات مصر. مدة التوصيل داخل القاهرة والجيزة من "
        "يوم إلى يومين، وللمحافظات الأخرى حتى سبعة أيام. رسوم الشحن ٥٠ جنيهاً، والشحن مجاني "
        "للطلبات فوق ١٠٠٠ جنيه. يمكن للعميل رفض الاستلام إذا كانت العبوة تالفة. الدفع عند "
        "الاستلام متاح بإضافة رسوم ١٥ جنيهاً.",
        (("سبعة أيام", "عشرة أيام"), ("٥٠ جنيهاً", "٦٠ جنيهاً"), ("١٠٠٠ جنيه", "٥٠٠ جنيه")),
    ),
    Policy(
        "ar-privacy-1",
        PRIVACY,
        True,
        "متجر النخبة",
        "يحترم متجر النخبة خصوصية عملائه. نجمع الاسم ورقم الجوال والعنوان لتنفيذ الطلبات فقط، "
        "ولا نبيع بياناتك لأي طرف ثالث. نحتفظ ببيانات الطلبات لمدة سنتين لأغراض المحاسبة ثم "
        "نحذفها. يمكنك طلب حذف حسابك في أي وقت عبر خدمة العملاء وسنقوم بذلك خلال ٣٠ يوماً. "
        "نستخدم ملفات تعريف الارتباط لتحسين تجربة التصفح.",
        (("سنتين", "خمس سنوات"), ("٣٠ يوماً", "٩٠ يوماً")),
    ),
    Policy(
        "en-return-1",
        RETURN,
        False,
        "Nile Threads",
        "Nile Threads accepts returns within 14 days of delivery. Items must be unworn, "
        "unwashed and returned with their original tags. Refunds are issued to the original "
        "payment method within 7 business days after we receive the item. Sale items can be "
        "exchanged but not refunded. Nile Threads pays return shipping for damaged or wrong "
        "items.",
        (("14 days", "30 days"), ("7 business days", "10 business days"), ("14 days", "3 days")),
    ),
    Policy(
        "en-return-2",
        RETURN,
        False,
        "Desert Gadgets",
        "At Desert Gadgets you may return any unopened product within seven days for a full "
        "refund. Opened electronics can only be returned if they are defective, within thirty "
        "days of purchase. A restocking fee of 15% applies to returns without a defect. Proof "
        "of purchase is required for every return or exchange.",
        (("seven days", "three days"), ("15%", "25%"), ("thirty days", "fourteen days")),
    ),
    Policy(
        "en-return-3",
        RETURN,
        False,
        "Oud House",
        "Oud House wants you to love your fragrance. If you are not satisfied, contact us within "
        "two weeks of receiving your order to arrange an exchange or a refund. Perfumes must be "
        "sealed and unused. Gift sets and sample kits are final sale. Refunds are processed within "
        "5 days of inspection.",
        (("two weeks", "a week"), ("5 days", "15 days")),
    ),
    Policy(
        "en-shipping-1",
        SHIPPING,
        False,
        "Red Sea Market",
        "Red Sea Market ships to every city in Saudi Arabia. Orders placed before 2 pm are "
        "dispatched the same day. Delivery takes 1-3 business days in Jeddah and Riyadh and up "
        "to 7 business days elsewhere. Shipping is free on orders over 150 SAR; otherwise a flat "
        "fee of 20 SAR applies. You will receive a tracking link by email.",
        (("150 SAR", "250 SAR"), ("7 business days", "10 business days"), ("20 SAR", "30 SAR")),
    ),
    Policy(
        "en-shipping-2",
        SHIPPING,
        False,
        "Cairo Crafts",
        "Cairo Crafts delivers handmade goods across Egypt. Standard delivery takes five to "
        "seven days and costs 60 EGP. Express delivery within 48 hours is available in Cairo for "
        "120 EGP. Orders above 2,000 EGP ship free. Please inspect your parcel on arrival and "
        "report any damage to the courier.",
        (("48 hours", "24 hours"), ("60 EGP", "80 EGP"), ("five to seven days", "ten days")),
    ),
    Policy(
        "en-privacy-1",
        PRIVACY,
        False,
        "Gulf Pages",
        "Gulf Pages collects your name, email address and phone number to create your account "
        "and deliver your orders. We never sell personal data. Payment details are handled by "
        "our payment provider and are not stored on our servers. We keep order records for 5 "
        "years as the law requires. You can ask us to delete your account at any time and we "
        "will do so within 30 days.",
        (("5 years", "10 years"), ("30 days", "90 days")),
    ),
)

_NEW_SHOPS_AR = ("متجر السعادة", "ركن الهدايا", "بوتيك ليلى")
_NEW_SHOPS_EN = ("Blue Harbor", "Sunrise Goods", "Atlas Store")
_ADDED_AR = (
    "لمزيد من المعلومات يرجى التواصل معنا عبر البريد الإلكتروني أو الهاتف.",
    "نسعى دائماً لتقديم أفضل خدمة ممكنة لعملائنا الكرام.",
)
_ADDED_EN = (
    "For more information please contact our support team by email or phone.",
    "We always aim to give our customers the best possible service.",
)
_SENTENCE = re.compile(r"(?<=[.!؟])\s+")


def _sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE.split(text.strip()) if part]


def renamed(policy: Policy, new_shop: str) -> str:
    """The shop name replaced everywhere it appears."""
    return policy.text.replace(policy.shop, new_shop)


def reordered(policy: Policy) -> str:
    """The last clause moved to the front, and the second and third swapped."""
    parts = _sentences(policy.text)
    parts = [parts[-1], *parts[:-1]]
    parts[1], parts[2] = parts[2], parts[1]
    return " ".join(parts)


_DIACRITICS = ("\u064e", "\u064f", "\u0650", "\u0652")


def respelled_arabic(text: str) -> str:
    """Diacritics on some words, hamza dropped from alefs, final ة as ه, ى as ي, tatweel,
    Arabic-Indic digits as ASCII and the other way round."""
    words = text.split(" ")
    out = []
    for index, original in enumerate(words):
        word = original
        if index % 3 == 0 and len(word) > 2:
            word = word[0] + _DIACRITICS[index % 4] + word[1:]
        if index % 4 == 1:
            word = word.replace("أ", "ا").replace("إ", "ا")
        if index % 5 == 2 and word.endswith("ة"):
            word = word[:-1] + "ه"
        if index % 7 == 3 and len(word) > 3:
            word = word[:2] + "ـ" + word[2:]
        out.append(word.replace("ى", "ي"))
    respelled = " ".join(out)
    to_ascii = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
    return respelled.translate(to_ascii)


def respelled_english(text: str) -> str:
    """Case, punctuation and spacing changed."""
    changed = text.replace(". ", ".  ").replace(", ", " , ").replace(" and ", " & ")
    return changed.upper() if len(text) % 2 else changed.lower()


def true_near_duplicates(policy: Policy) -> list[Variant]:
    """Texts that say what the policy says: they must find its analysis."""
    shops = _NEW_SHOPS_AR if policy.arabic else _NEW_SHOPS_EN
    added = _ADDED_AR if policy.arabic else _ADDED_EN
    respell = respelled_arabic if policy.arabic else respelled_english
    variants = [
        Variant(policy, "shop renamed", renamed(policy, shops[0]), shops[0]),
        Variant(policy, "shop renamed", renamed(policy, shops[1]), shops[1]),
        Variant(policy, "clauses reordered", reordered(policy), policy.shop),
        Variant(policy, "spelling changed", respell(policy.text), policy.shop),
        Variant(policy, "sentence added", f"{policy.text} {added[0]}", policy.shop),
        Variant(policy, "sentence added", f"{added[1]} {policy.text}", policy.shop),
        Variant(
            policy,
            "renamed and respelled",
            respell(renamed(policy, shops[2])),
            shops[2],
        ),
        Variant(
            policy,
            "reordered and sentence added",
            f"{reordered(policy)} {added[0]}",
            policy.shop,
        ),
    ]
    return variants


def number_changes(policy: Policy) -> list[Variant]:
    """Texts that differ from the policy only in a number: they must never match it."""
    variants = []
    for old, new in policy.number_changes:
        assert old in policy.text, (policy.name, old)
        variants.append(Variant(policy, "number changed", policy.text.replace(old, new, 1), ""))
        respell = respelled_arabic if policy.arabic else respelled_english
        variants.append(
            Variant(
                policy,
                "number changed, shop renamed",
                renamed(policy, "Other").replace(old, new, 1),
                "Other",
            )
        )
        variants.append(
            Variant(
                policy, "number changed, respelled", respell(policy.text.replace(old, new, 1)), ""
            )
        )
    return variants


def different_policies(policy: Policy) -> list[Policy]:
    """Other policies of the same type: they must not match it."""
    return [
        other
        for other in BASES
        if other.policy_type is policy.policy_type and other.name != policy.name
    ]
