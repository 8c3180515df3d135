"""The five return rules on phrasings the corpus does not use: Egyptian dialect, passive
English, fees and credit written other ways, and compliant texts that must stay silent."""

from __future__ import annotations

import pytest

from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.rules.checker import check_policy

RETURN_RULES = {
    "return.window_too_short",
    "return.blanket_no_return",
    "return.customer_pays_for_defects",
    "return.fees_deducted",
    "return.store_credit_only",
}


@pytest.mark.parametrize(
    ("jurisdiction", "text", "expected"),
    [
        (
            "SA",
            "يحق للعميل طلب الاسترجاع خلال مدة لا تتجاوز ثلاثة أيام من تاريخ الشراء.",
            ["return.window_too_short"],
        ),
        ("SA", "سياسة الاسترجاع: ٣ أيام من تاريخ الاستلام", ["return.window_too_short"]),
        ("SA", "يُقبل الإرجاع في غضون 24 ساعة فقط من وقت التوصيل", ["return.window_too_short"]),
        ("SA", "فترة الاسترجاع 5 ايام", ["return.window_too_short"]),
        ("EG", "الاسترجاع متاح لمدة 7 أيام من تاريخ الاستلام", ["return.window_too_short"]),
        ("EG", "يمكنك ارجاع المنتج خلال ١٤ يوم من الاستلام", []),
        (
            "SA",
            "You can request a return within 2 days of receiving your order.",
            ["return.window_too_short"],
        ),
        ("SA", "The return period is 5 days from delivery.", ["return.window_too_short"]),
        ("SA", "لا يمكن استرجاع أو استبدال المنتجات بعد البيع", ["return.blanket_no_return"]),
        ("SA", "نعتذر عن عدم إمكانية الإرجاع أو الاستبدال", ["return.blanket_no_return"]),
        ("SA", "جميع المنتجات غير قابلة للإرجاع", ["return.blanket_no_return"]),
        ("SA", "We do not accept returns.", ["return.blanket_no_return"]),
        ("SA", "Items are non-returnable and non-refundable.", ["return.blanket_no_return"]),
        ("EG", "مفيش ترجيع للمنتجات", ["return.blanket_no_return"]),
        (
            "SA",
            "الإرجاع خلال 7 أيام. في حال كان المنتج تالفاً يتحمل المشتري رسوم الشحن.",
            ["return.customer_pays_for_defects"],
        ),
        (
            "SA",
            "الإرجاع خلال 7 أيام. تكاليف شحن المنتجات المعيبة يتحملها العميل.",
            ["return.customer_pays_for_defects"],
        ),
        (
            "SA",
            "Return within 7 days. Return shipping for defective items is paid by the customer.",
            ["return.customer_pays_for_defects"],
        ),
        (
            "SA",
            "الإرجاع خلال 7 أيام. يتم خصم 10% من قيمة المنتج كرسوم إرجاع.",
            ["return.fees_deducted"],
        ),
        (
            "SA",
            "الإرجاع خلال 7 أيام. تطبق رسوم استرجاع قدرها 25 ريال تخصم من المبلغ.",
            ["return.fees_deducted"],
        ),
        (
            "SA",
            "Returns within 7 days. A $10 return fee will be subtracted from your refund.",
            ["return.fees_deducted"],
        ),
        ("SA", "Returns within 7 days. A 20% restocking fee applies.", ["return.fees_deducted"]),
        (
            "SA",
            "الإرجاع خلال 7 أيام، ويكون الاسترداد على هيئة رصيد في حسابك بالمتجر.",
            ["return.store_credit_only"],
        ),
        (
            "SA",
            "الإرجاع خلال 7 أيام، ويتم التعويض بكوبون شراء بنفس القيمة.",
            ["return.store_credit_only"],
        ),
        (
            "SA",
            "Returns within 7 days. Refunds are given in store credit.",
            ["return.store_credit_only"],
        ),
        (
            "SA",
            "Returns within 7 days. We will issue a gift card for the value of the item.",
            ["return.store_credit_only"],
        ),
        (
            "SA",
            "الإرجاع خلال 7 أيام ويُرد المبلغ لنفس وسيلة الدفع خلال 5 أيام، "
            "ولا نتحمل مسؤولية المنتجات المستخدمة.",
            [],
        ),
        ("EG", "تقدر ترجع أي منتج خلال ٣ ايام بس من الاستلام", ["return.window_too_short"]),
        ("EG", "مدة الاستبدال والاسترجاع ٧ أيام", ["return.window_too_short"]),
        (
            "EG",
            "الفلوس مش بترجع، بس ممكن تستبدل المنتج خلال أسبوع",
            # Exchange only: the exchange week is the window, shorter than Egypt's 14 days.
            ["return.blanket_no_return", "return.window_too_short"],
        ),
        (
            "EG",
            "مصاريف الشحن في حالة الاسترجاع على العميل حتى لو المنتج فيه عيب",
            ["return.customer_pays_for_defects"],
        ),
        ("EG", "يتم خصم 50 جنيه مصاريف إدارية عند الاسترجاع", ["return.fees_deducted"]),
        ("EG", "المبلغ بيرجع على شكل رصيد في المحفظة", ["return.store_credit_only"]),
        (
            "SA",
            "سياسة الإرجاع: يحق لك إرجاع المنتج خلال 14 يومًا. الشحن مجاني للمنتجات المعيبة.",
            [],
        ),
        ("SA", "يمكن إرجاع المنتجات خلال 10 أيام، ولا نخصم أي رسوم من المبلغ المسترد.", []),
        (
            "SA",
            "Returns accepted within 30 days. Refunds to original payment method, "
            "or store credit if you prefer.",
            [],
        ),
        ("SA", "We accept returns within 14 days. Damaged items: we cover return shipping.", []),
        ("SA", "Returns within 14 days. Please report damaged items within 48 hours.", []),
        ("SA", "Exchanges only within 7 days; no refunds.", ["return.blanket_no_return"]),
        ("SA", "يتم استرجاع المنتج خلال 7 أيام وفي حال عدم الرغبة يتحمل العميل رسوم الشحن", []),
        ("EG", "يتم استرجاع المنتج خلال 14 يوم وفي حال عدم الرغبة يتحمل العميل رسوم الشحن", []),
        (
            "SA",
            "Returns within 7 days. Customers are responsible for return shipping costs "
            "on all returns, including faulty products.",
            ["return.customer_pays_for_defects"],
        ),
        ("SA", "Returns are accepted up to 72 hours after delivery.", ["return.window_too_short"]),
        ("SA", "Return window: 3 days.", ["return.window_too_short"]),
        ("SA", "يسمح بالإرجاع خلال يومين عمل", ["return.window_too_short"]),
        ("SA", "الإرجاع خلال 7 أيام. المنتجات التي عليها خصم لا يمكن إرجاعها.", []),
    ],
)
def test_the_return_rules_fire_on_other_phrasings(
    jurisdiction: str, text: str, expected: list[str]
) -> None:
    result = check_policy(text, PolicyType.RETURN_EXCHANGE, Jurisdiction(jurisdiction))
    assert {finding.rule_id for finding in result.findings} & RETURN_RULES == set(expected)
