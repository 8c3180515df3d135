"""Every phenomenon issue 16 names, as a regression test in new words: periods bound to the
wrong thing, headings and lists read as clauses, exceptions, fee, refund and window wordings
outside the old vocabulary, and the issue's own examples. Each asserts what fires and what
must not, and how sure the checker is."""

from __future__ import annotations

import pytest

from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.rules.checker import CheckResult, Finding, check_policy
from sanad_analyzer.rules.document import Document
from sanad_analyzer.rules.normalised import normalise
from sanad_analyzer.rules.periods import find_periods
from sanad_analyzer.rules.score import compliance_ratio, grade
from sanad_analyzer.rules.vocabulary import Category

SA, EG = Jurisdiction.SA, Jurisdiction.EG


def check(
    text: str, jurisdiction: Jurisdiction, policy: PolicyType = PolicyType.RETURN_EXCHANGE
) -> CheckResult:
    return check_policy(text, policy, jurisdiction)


def found(
    text: str, jurisdiction: Jurisdiction, policy: PolicyType = PolicyType.RETURN_EXCHANGE
) -> dict[str, Finding]:
    return {finding.rule_id: finding for finding in check(text, jurisdiction, policy).findings}


# The issue's own examples.


def test_issue_example_exchanges_only_within_24_hours_and_customer_pays() -> None:
    text = "Exchanges only, no refunds, within 24 hours, and the customer pays return shipping."
    result = check(text, SA)
    rules = {finding.rule_id: finding for finding in result.findings}
    assert rules["return.blanket_no_return"].confident
    assert rules["return.window_too_short"].confident
    # Defective items are not mentioned: the cost clause may or may not cover them.
    defects = rules["return.customer_pays_for_defects"]
    assert not defects.confident
    assert defects.severity == "medium"
    assert defects.uncertainty
    ratio = compliance_ratio(result)
    assert ratio <= 59
    assert grade(ratio) == "F"


def test_issue_example_customer_pays_unless_defective_or_wrong() -> None:
    text = (
        "Returns within 14 days of delivery; refunds within 5 days. The customer pays "
        "return shipping unless the item is defective or wrong."
    )
    assert "return.customer_pays_for_defects" not in found(text, EG)


def test_issue_example_customer_pays_in_all_cases_including_damaged() -> None:
    text = (
        "Returns within 14 days of delivery; refunds within 5 days. The customer pays "
        "return shipping in all cases, including damaged items."
    )
    finding = found(text, EG)["return.customer_pays_for_defects"]
    assert finding.confident
    assert finding.severity == "critical"


# A period attributed to the wrong thing.


@pytest.mark.parametrize(
    "text",
    [
        "إلغاء الطلب متاح خلال ساعتين من الدفع، والإرجاع خلال 14 يوماً من الاستلام.",
        "Orders may be cancelled within 3 hours of ordering. Returns: 14 days from delivery.",
        "نرد على الشكاوى خلال يومي عمل. يحق لك الإرجاع خلال 14 يوماً من الاستلام.",
        "Returns within 14 days of delivery. We inspect returned items within 2 business days.",
        "الإرجاع خلال 14 يوماً من الاستلام، ويُحوَّل المبلغ خلال 5 أيام عمل.",
        "أبلغنا بأي تلف خلال 24 ساعة من الاستلام، والإرجاع متاح خلال 14 يوماً.",
    ],
)
def test_other_periods_beside_the_window_are_not_the_window(text: str) -> None:
    assert "return.window_too_short" not in found(text, EG)


def test_a_cancellation_counted_from_receipt_is_the_return_window() -> None:
    text = "يحق للمستهلك فسخ العقد خلال 3 أيام من تاريخ الاستلام."
    assert found(text, SA)["return.window_too_short"].confident


def test_a_joined_return_and_refund_period_is_both_and_uncertain() -> None:
    text = "Send the item back and get your money back within 3 days."
    rules = found(text, SA)
    assert not rules["return.window_too_short"].confident
    assert not rules["return.refund_time_missing"].confident


def test_a_joined_period_in_business_days_is_the_refund_time() -> None:
    text = "Return any unused item and receive your refund within 5 working days."
    rules = found(text, SA)
    assert "return.window_too_short" not in rules
    assert "return.refund_time_missing" not in rules


def test_two_windows_side_by_side_each_keep_their_purpose() -> None:
    text = "الاسترجاع خلال ثلاثة أيام والاستبدال خلال سبعة أيام من تاريخ الاستلام."
    window = found(text, SA)["return.window_too_short"]
    assert window.confident
    assert "ثلاثة أيام" in window.finding


def test_a_period_given_after_its_purpose_word() -> None:
    # "مهلة 10 أيام للاستبدال و5 أيام للاسترجاع": the purpose follows each period.
    text = "نمنحك مهلة 10 أيام للاستبدال و5 أيام للاسترجاع من تاريخ الاستلام."
    window = found(text, SA)["return.window_too_short"]
    assert "5 أيام" in window.finding


def test_a_defects_period_is_not_the_change_of_mind_window() -> None:
    text = (
        "الإرجاع خلال 14 يوماً من الاستلام ويُرد المبلغ خلال 7 أيام. "
        "إذا ظهر عيب صناعة فلك الاستبدال خلال 30 يوماً."
    )
    assert not {"return.window_too_short", "return.refund_time_too_long"} & found(text, EG).keys()


# Headings and lists read as clauses.


def test_a_heading_of_non_returnable_items_over_a_list_is_not_a_blanket_refusal() -> None:
    text = """الإرجاع
يمكنك إرجاع المنتجات خلال 7 أيام من الاستلام ويُرد المبلغ خلال 5 أيام.

منتجات لا يمكن إرجاعها:
- الملابس الداخلية
- المنتجات المصنوعة حسب الطلب"""
    assert "return.blanket_no_return" not in found(text, SA)


def test_a_numbered_heading_of_refused_cases_over_conditions() -> None:
    text = """2. Returns
You can return items within 10 days of delivery; refunds take 5 days.

3. When we cannot accept a return
1. The item shows signs of use.
2. The tags have been removed."""
    assert "return.blanket_no_return" not in found(text, SA)


@pytest.mark.parametrize(
    "text",
    [
        "Returns within 7 days; refunds in 5 days. Frozen food cannot be returned.",
        "الإرجاع خلال 7 أيام. بطاقات الهدايا غير قابلة للإرجاع.",
        "Returns within 7 days. International orders are non-returnable.",
        "الإرجاع خلال 7 أيام. مستحضرات التجميل بعد فتحها لا ترد.",
    ],
)
def test_a_limited_exclusion_of_named_goods_is_not_a_blanket_refusal(text: str) -> None:
    assert "return.blanket_no_return" not in found(text, SA)


def test_a_hedge_about_some_branches_is_no_refusal() -> None:
    text = "Returns within 14 days; refunds within 5 days. Some branches may allow exchange only."
    rules = found(text, EG)
    assert "return.blanket_no_return" not in rules
    assert "return.sale_items_excluded" not in rules


def test_a_sale_exclusion_listed_under_an_exclusions_heading() -> None:
    text = """الإرجاع خلال 7 أيام ويُرد المبلغ خلال 5 أيام.

ما لا يشمله الإرجاع
- المنتجات المخفضة ضمن العروض"""
    rules = found(text, SA)
    assert "return.sale_items_excluded" in rules
    assert "return.blanket_no_return" not in rules


def test_an_item_lead_narrows_its_item() -> None:
    text = "- Full-price items: returns within 14 days.\n- Sale items: exchange only, no refunds."
    rules = found(text, EG)
    assert "return.sale_items_excluded" in rules
    assert "return.blanket_no_return" not in rules


@pytest.mark.parametrize(
    "text",
    [
        "ترى البضاعة اللي تنباع ما تنرد ولا تتبدل",
        "المنتجات اللي اتباعت مبترجعش ومبتتبدلش",
        "All sales are final.",
        "لا يوجد استرجاع أو استبدال إلا إذا وصل المنتج تالفاً.",
    ],
)
def test_a_blanket_refusal_in_any_dialect_is_confident(text: str) -> None:
    assert found(text, SA)["return.blanket_no_return"].confident


def test_a_refusal_from_the_hand_over_on_without_any_window_is_blanket() -> None:
    # Every return would come after the courier leaves: four blind writers read it so.
    text = "مفيش استرجاع ولا استبدال بعد ما المندوب يمشي، افحص الأوردر قدامه."
    finding = found(text, EG)["return.blanket_no_return"]
    assert finding.confident
    assert finding.severity == "critical"


def test_a_refusal_after_an_unnamed_point_without_any_window_is_uncertain() -> None:
    text = "Check your parcel on arrival. After that, no returns are accepted."
    finding = found(text, SA)["return.blanket_no_return"]
    assert not finding.confident
    assert finding.severity == "medium"


# Exceptions.


@pytest.mark.parametrize(
    "text",
    [
        "يتحمل العميل تكلفة شحن الإرجاع إلا إذا كان المنتج معيباً.",
        "مصاريف الشحن عليك ما لم يكن المنتج فيه عيب.",
        "Customers pay return postage for any reason other than a defect.",
        "Return shipping is on the customer, except for faulty or wrong items.",
    ],
)
def test_an_exception_for_defects_reverses_the_cost_clause(text: str) -> None:
    policy = "الإرجاع خلال 14 يوماً ويُرد المبلغ خلال 5 أيام. " + text
    assert "return.customer_pays_for_defects" not in found(policy, EG)


@pytest.mark.parametrize(
    "text",
    [
        "الشحن على العميل في كل الأحوال حتى لو وصل المنتج متضرراً.",
        "Delivery fees are non-refundable in all cases, including faulty products.",
        "في حال كان المنتج تالفاً يتحمل العميل رسوم الشحن.",
    ],
)
def test_costs_on_defective_items_are_confident(text: str) -> None:
    policy = "الإرجاع خلال 14 يوماً ويُرد المبلغ خلال 5 أيام. " + text
    assert found(policy, EG)["return.customer_pays_for_defects"].confident


def test_a_bare_cost_clause_with_defects_spared_elsewhere_is_no_finding() -> None:
    text = (
        "Returns within 14 days; refunds within 5 days. The customer pays return shipping. "
        "Damaged items are replaced free of charge."
    )
    assert "return.customer_pays_for_defects" not in found(text, EG)


# Fee wordings.


@pytest.mark.parametrize(
    "text",
    [
        "تُخصم رسوم بوابة الدفع من المبلغ المسترد.",
        "A cancellation fee of 10% of the order value is deducted.",
        "يُخصم مبلغ 25 ريال رسوم معالجة من كل مرتجع.",
        "Service charges are not refunded.",
        "If you return it after a week, half the amount is refunded.",
        "A 15% restocking fee applies to opened boxes.",
    ],
)
def test_fees_kept_from_the_refund_in_many_wordings(text: str) -> None:
    policy = "Returns within 14 days; refunds within 5 days. " + text
    assert found(policy, SA)["return.fees_deducted"].confident
    assert found(policy, EG)["return.fees_deducted"].confident


def test_return_shipping_deducted_is_lawful_in_saudi_arabia_but_not_in_egypt() -> None:
    text = (
        "الإرجاع خلال 14 يوماً ويُرد المبلغ خلال 5 أيام. في حال الإرجاع لعدم الرغبة تُخصم تكلفة "
        "الشحن من المبلغ المسترد."
    )
    assert "return.fees_deducted" not in found(text, SA)
    assert found(text, EG)["return.fees_deducted"].confident


def test_a_vat_rate_is_not_a_percentage_fee() -> None:
    text = (
        "الإرجاع خلال 7 أيام ويُرد المبلغ خلال 5 أيام. لا تُسترد رسوم الشحن ولا ضريبة القيمة "
        "المضافة (15%) المحتسبة عليها."
    )
    assert "return.fees_deducted" not in found(text, SA)


def test_a_fee_named_in_the_sentence_before_a_deduction() -> None:
    text = (
        "Returns within 3 days. Return shipping costs 25 SAR. We deduct it from your refund, "
        "which is paid within 5 days."
    )
    assert "return.fees_deducted" not in found(text, SA)


# Refund and window wordings.


@pytest.mark.parametrize(
    ("text", "too_long"),
    [
        ("Refunds are transferred to the same account within 7 to 14 working days.", True),
        ("Refund processing takes 10 to 45 days.", True),
        ("يُرد المبلغ خلال أسبوع من استلام المرتجع.", False),
        ("الفلوس بترجعلك في خلال ٧ أيام.", False),
    ],
)
def test_refund_times_in_many_wordings(text: str, too_long: bool) -> None:
    policy = "الإرجاع خلال 14 يوماً من الاستلام. " + text
    rules = found(policy, EG)
    assert "return.refund_time_missing" not in rules
    assert ("return.refund_time_too_long" in rules) is too_long


@pytest.mark.parametrize(
    "text",
    [
        "Cakes are eligible for return on the day of delivery only.",
        "الاسترجاع متاح يوم الاستلام بس.",
        "الإرجاع خلال تلات أيام من الاستلام.",
        "Returns within one week of delivery.",
    ],
)
def test_short_windows_in_many_wordings(text: str) -> None:
    assert found(text, EG)["return.window_too_short"].confident


# Credit only.


@pytest.mark.parametrize(
    ("text", "credit_only"),
    [
        ("Refunds are added to your in-app wallet; wallet balance cannot be withdrawn.", True),
        ("يُسترد المبلغ على شكل كوبون خصم، ولا يُرد نقداً إلا إذا كان المنتج معيباً.", True),
        ("Refunds go to your card, or to store credit if you prefer.", False),
        ("الفلوس بترجع على محفظة الموبايل أو حسابك في البنك.", False),
        ("Cash on delivery: you receive a voucher. Card payments: refunded to the card.", False),
    ],
)
def test_credit_only_needs_no_money_alternative(text: str, credit_only: bool) -> None:
    policy = "Returns within 14 days of delivery, refunded within 5 days. " + text
    assert ("return.store_credit_only" in found(policy, EG)) is credit_only


# Never compliant when a clause could not be read.


@pytest.mark.parametrize(
    "text",
    [
        # a refund in credit, not said to be the only way back
        "Returns within 14 days of delivery. We refund you with a voucher within 7 days.",
        # a short period whose purpose no word states
        "Returns are welcome. You have 3 days from delivery. Refunds within 7 days.",
    ],
)
def test_an_undecided_rule_keeps_the_grade_below_a(text: str) -> None:
    result = check(text, EG)
    assert result.undecided
    assert grade(compliance_ratio(result)) != "A"


def test_a_quote_is_always_verbatim() -> None:
    text = "سياسة الإرجاع:\nيُمكنكَ إرجاعُ المنتج خلال ٣ أيّام من الاستلام، بشرط عدم استخدامه."
    for finding in check(text, EG).findings:
        assert finding.phrase in text


# More wordings of who pays for defects, credit only and refund times (development items
# d-119 to d-200 carry them in full policies).


@pytest.mark.parametrize(
    "text",
    [
        # a refund period counted from the store's receipt of the return, under a heading
        "الاسترداد\n- خلال 7 أيام من استلامنا للمرتجع.\n\nمدة الإرجاع: 14 يوماً من الاستلام.",
        "Returns within 14 days. You will get your money within one week of us receiving it.",
        "Returns within 14 days. The money is transferred to the same account within 7 days.",
        # "المستخدمة" describes the card, it is no validity of credit
        "الإرجاع خلال 14 يوماً. يعاد المبلغ إلى البطاقة المستخدمة في الدفع خلال 5 أيام.",
        # returns as the subject of "refunded" join nothing
        "Returns within 14 days. All approved returns are refunded to your card within 5 days.",
        "الإرجاع خلال 14 يوماً. يتم التعويض بقسيمة شرائية خلال 3 أيام، ولا تصرف قيمتها نقداً.",
        "الإرجاع خلال 14 يوماً. ستصلك قيمة المرتجع في حسابك خلال مدة لا تتجاوز سبعة أيام.",
        "الترجيع خلال 14 يوم. نرجع لك المبلغ خلال أسبوع كحد أقصى.",
    ],
)
def test_a_refund_time_in_more_wordings_is_read(text: str) -> None:
    assert "return.refund_time_missing" not in found(text, EG)


@pytest.mark.parametrize(
    "text",
    [
        "الترجيع خلال 14 يوم والمندوب هييجي ياخد المنتج خلال 48 ساعة، والفلوس بترجع بنفس الطريقة.",
        "ترجيع المنتج خلال 14 يوم. مفيش استرجاع فلوس، بنديك كوبون تستخدمه خلال 3 شهور.",
        "Orders can be cancelled within 2 hours of ordering. Returns: 14 days from delivery.",
    ],
)
def test_a_pickup_a_credit_validity_or_a_cancellation_is_no_refund_time(text: str) -> None:
    assert found(text, EG)["return.refund_time_missing"].confident


def test_a_range_with_a_unit_at_both_ends_counts_by_its_longer_end() -> None:
    text = (
        "الترجيع خلال 14 يوم. بعد ما المرتجع يوصلنا، "
        "الفلوس بتنزل على الكارت في خلال أسبوع لأسبوعين."
    )
    rules = found(text, EG)
    assert "return.refund_time_missing" not in rules
    assert rules["return.refund_time_too_long"].confident


def test_weekday_names_and_mind_hold_no_period() -> None:
    text = "Our team answers Sunday to Thursday. Change of mind? Returns within 14 days."
    periods = find_periods(Document(normalise(text)))
    assert [period.days for period in periods] == [14.0]


@pytest.mark.parametrize(
    "text",
    [
        "Damaged or defective items can be returned within 30 days, but the return courier "
        "fee is deducted from your refund. Other returns within 14 days; refunds in 7 days.",
        "الترجيع خلال 14 يوم. رسوم الترجيع تنخصم من المبلغ حتى لو المنتج خربان. "
        "المبلغ يرجع خلال 3 أيام.",
        "الترجيع خلال 14 يوم. أي مرتجع، سليم أو تالف، مصاريف شحنه على العميل. "
        "الفلوس بترجع خلال 5 أيام.",
        "الإرجاع خلال 14 يوماً. لا يتحمل المتجر أي مصاريف شحن للمرتجعات مهما كان سبب الإرجاع. "
        "يعاد المبلغ خلال 5 أيام.",
        "Returns within 14 days. Return shipping is non-refundable and borne by the customer, "
        "damaged goods included. Refunds within 5 days.",
        "الإرجاع خلال 14 يوماً. يتحمل العميل رسوم الشحن، بما في ذلك المنتجات التالفة. "
        "يعاد المبلغ خلال 5 أيام.",
    ],
)
def test_costs_on_defective_items_in_more_wordings_are_confident(text: str) -> None:
    finding = found(text, EG)["return.customer_pays_for_defects"]
    assert finding.confident
    assert finding.severity == "critical"


@pytest.mark.parametrize(
    "text",
    [
        "Returns within 14 days. Return shipping is on us if we sent the wrong item or it "
        "arrived damaged. For any other return, you cover the postage. Refunds within 5 days.",
        "الترجيع خلال 14 يوم. لو المنتج وصلك بايظ أو غلط، الشحن علينا. غير كده مصاريف الشحن "
        "عليك. الفلوس بترجع خلال 5 أيام.",
        "المنتجات المعيبة تستبدل خلال 30 يوماً مجاناً، أما المرتجعات الأخرى خلال 14 يوماً فتخصم "
        "منها رسوم الشحن. يرد المبلغ خلال 7 أيام.",
    ],
)
def test_a_cost_for_the_other_returns_is_not_on_defective_items(text: str) -> None:
    assert "return.customer_pays_for_defects" not in found(text, EG)


def test_another_return_is_not_a_change_of_mind_clause() -> None:
    text = (
        "Returns within 14 days; refunds within 7 days. Another return of a damaged item is "
        "at the customer's expense in all cases."
    )
    assert found(text, EG)["return.customer_pays_for_defects"].confident


def test_a_damage_report_before_a_cost_does_not_make_the_cost_about_defects() -> None:
    text = (
        "Returns within 14 days; refunds within 5 days. Damaged items must be reported within "
        "24 hours, but return shipping is paid by the customer."
    )
    finding = found(text, EG).get("return.customer_pays_for_defects")
    assert finding is None or not finding.confident


@pytest.mark.parametrize(
    "text",
    [
        "ترجيع المنتج متاح خلال 14 يوم من الاستلام. مفيش استرجاع فلوس، بنديك كوبون بقيمة المنتج.",
        "Returns are accepted within 14 days. Instead of a cash refund, we issue a gift card for "
        "the full value within 24 hours.",
        "Returns within 14 days. Approved returns receive store credit. We don't offer cash or "
        "card refunds.",
    ],
)
def test_credit_only_when_money_is_refused_in_other_words(text: str) -> None:
    rules = found(text, EG)
    assert rules["return.store_credit_only"].confident
    assert "return.blanket_no_return" not in rules


def test_a_refusal_about_store_credit_is_not_a_sale_exclusion() -> None:
    text = (
        "Store credit from promotions is not refundable. Returns within 14 days are refunded "
        "to your card in 7 days."
    )
    rules = found(text, EG)
    assert not {"return.sale_items_excluded", "return.blanket_no_return"} & rules.keys()


@pytest.mark.parametrize(
    "text",
    [
        "الإرجاع خلال 14 يوماً. مدة الاسترداد 7 أيام.",
        "الإرجاع خلال 14 يوماً والاسترداد خلال 7 أيام.",
        "Returns within 14 days. The credit note is issued within 2 days.",
    ],
)
def test_a_recovery_or_credit_note_beside_a_return_window_is_the_refund_time(text: str) -> None:
    assert "return.refund_time_missing" not in found(text, EG)


def test_a_recovery_period_alone_is_still_the_window() -> None:
    assert found("مدة الاسترداد 3 أيام من الاستلام.", SA)["return.window_too_short"].confident


@pytest.mark.parametrize(
    "text",
    [
        "Returns within 14 days; refunds within 7 days. The customer always pays return "
        "shipping, even for faulty items.",
        "Returns within 14 days; refunds within 7 days. Faulty items are accepted, minus a "
        "15 EGP courier fee.",
        "Returns within 14 days; refunds within 7 days. Return shipping is charged on every "
        "return, including wrong or damaged items.",
    ],
)
def test_costs_on_defective_items_with_an_adverb_a_deduction_or_a_passive(text: str) -> None:
    assert found(text, EG)["return.customer_pays_for_defects"].confident


def test_a_wallet_that_cannot_be_withdrawn_is_credit_only() -> None:
    text = "Returns within 14 days. Refunds go to your store wallet and cannot be withdrawn."
    assert found(text, EG)["return.store_credit_only"].confident


# Found by a probe set written after the held-out figures, in new words (development items
# d-255 onwards): FAQ pages, damage the customer caused, money "returned", and a cost clause
# that goes on from a change-of-mind clause.


@pytest.mark.parametrize(
    ("text", "window"),
    [
        (
            "الأسئلة الشائعة\nهل يمكنني إرجاع المنتج؟\nنعم، خلال 3 أيام من الاستلام.\n"
            "متى يتم استرداد المبلغ؟\nخلال 14 يوم عمل من استلام المنتج.",
            3.0,
        ),
        (
            "FAQ\nCan I return my order?\nYes, within 5 days of delivery, if unused.\n"
            "How long do refunds take?\nUp to 10 business days.",
            5.0,
        ),
    ],
)
def test_a_question_on_its_own_line_heads_its_answer(text: str, window: float) -> None:
    periods = find_periods(Document(normalise(text)))
    assert (periods[0].purpose.value, periods[0].days) == ("return", window)
    assert periods[1].purpose.value == "refund"
    rules = found(text, SA)
    assert "return.refund_time_missing" not in rules
    assert rules["return.window_too_short"].confident


@pytest.mark.parametrize(
    "text",
    [
        "إذا تبين بعد الفحص أن العيب ناتج عن سوء استخدام يتحمل العميل تكاليف الشحن.",
        "If the damage was caused by misuse, the customer pays the return shipping.",
        "Defects due to improper use: return shipping is charged to the customer.",
    ],
)
def test_a_cost_for_damage_the_customer_caused_is_not_a_cost_for_defects(text: str) -> None:
    policy = "الإرجاع خلال 14 يوماً ويُرد المبلغ خلال 5 أيام. " + text
    assert "return.customer_pays_for_defects" not in found(policy, EG)


@pytest.mark.parametrize(
    "text",
    [
        "Returns within 7 days. Refunds for Tabby orders are returned to Tabby within 5 "
        "business days.",
        "Returns within 7 days. Your money will be returned to the card within 5 days.",
    ],
)
def test_money_that_is_returned_is_a_refund(text: str) -> None:
    periods = find_periods(Document(normalise(text)))
    assert [period.purpose.value for period in periods] == ["return", "refund"]
    assert "return.refund_time_missing" not in found(text, SA)


def test_a_cost_clause_going_on_from_a_change_of_mind_clause_is_about_those_returns() -> None:
    text = (
        "إذا وصلك المنتج تالف، تواصل معنا خلال 24 ساعة ونستبدله لك.\n"
        "الاسترجاع للرغبة الشخصية خلال 7 أيام، والعميل يتحمل رسوم الشحن.\n"
        "يرجع المبلغ خلال 7 أيام عمل."
    )
    assert "return.customer_pays_for_defects" not in found(text, SA)
    # The same cost clause after a return clause that names no reason: the page deals with
    # damaged items apart (a free replacement), so the cost is not theirs either.
    plain = text.replace(" للرغبة الشخصية", "")
    assert "return.customer_pays_for_defects" not in found(plain, SA)
    # Without that provision, the bare cost beside a return right is read as the returns'
    # own, as every blind labeller read it: no finding.
    bare = plain.replace("إذا وصلك المنتج تالف، تواصل معنا خلال 24 ساعة ونستبدله لك.\n", "")
    assert "return.customer_pays_for_defects" not in found(bare, SA)


@pytest.mark.parametrize(
    "text",
    [
        "We cannot accept returns without the original invoice.",
        "لا يقبل الإرجاع بدون الفاتورة الأصلية.",
    ],
)
def test_a_refusal_of_returns_that_lack_a_document_is_a_condition(text: str) -> None:
    policy = text + " Returns within 7 days; refunds within 7 days."
    assert "return.blanket_no_return" not in found(policy, SA)


def test_a_size_that_does_not_fit_is_no_defect() -> None:
    text = "مش بنقبل استرجاع الأوردرات نهائي، الاستبدال بس خلال ٣ أيام لو في مشكلة في المقاس."
    periods = find_periods(Document(normalise(text)))
    assert [(period.purpose.value, period.days) for period in periods] == [("exchange", 3.0)]
    rules = found(text, EG)
    assert rules["return.blanket_no_return"].confident
    assert rules["return.window_too_short"].confident


def test_a_shipping_fee_named_a_clause_before_its_deduction_is_shipping() -> None:
    text = (
        "في حال رغبة العميل في الإرجاع، يتحمل رسوم الشحن ذهاباً وإياباً، وتخصم من المبلغ "
        "المسترد. مدة الإرجاع 7 أيام."
    )
    # Saudi rules allow the return's shipping to be charged; Egypt's do not.
    assert "return.fees_deducted" not in found(text, SA)
    assert found(text, EG)["return.fees_deducted"].confident


def test_money_that_goes_back_onto_the_card_is_a_refund() -> None:
    text = "طلبات الفيزا بترجع على نفس الكارت خلال ١٤ يوم.\nالاسترجاع متاح خلال ١٤ يوم."
    periods = find_periods(Document(normalise(text)))
    assert [period.purpose.value for period in periods] == ["refund", "return"]


def test_orders_being_processed_is_no_refund_time() -> None:
    text = (
        "Orders\nAll orders are processed within 1-2 business days.\nReturns\n"
        "All sales are final. We do not accept returns or exchanges."
    )
    periods = find_periods(Document(normalise(text)))
    assert [period.purpose.value for period in periods] == ["delivery"]
    assert "return.refund_time_missing" in found(text, SA)


def test_sale_items_listed_under_a_heading_that_refuses_returns() -> None:
    text = (
        "⏰ مدة الاسترجاع\nتقدر ترجع أي منتج خلال 14 يوم من استلامه.\n\n"
        "❌ مش بنقبل استرجاع\n- الإكسسوارات والحلقان.\n- المنتجات اللي عليها خصم أكتر من 50%.\n\n"
        "💸 رجوع الفلوس\nالفلوس بترجع خلال 7 أيام عمل من وصول المرتجع لينا."
    )
    rules = found(text, EG)
    assert "return.sale_items_excluded" in rules
    assert "return.blanket_no_return" not in rules


@pytest.mark.parametrize(
    "text",
    [
        "We are not responsible for items returned without prior approval.",
        "We cannot process returns without an order number.",
        "لا نقبل المرتجعات التي لا تحتوي على الملصق الأصلي.",
        "Items returned damaged by the customer will not be refunded.",
    ],
)
def test_a_refusal_of_some_returns_only_is_no_blanket_refusal(text: str) -> None:
    assert "return.blanket_no_return" not in found(text, SA)
    policy = text + "\nالإرجاع خلال 7 أيام من الاستلام، ويرد المبلغ خلال 7 أيام."
    assert "return.blanket_no_return" not in found(policy, SA)


def test_a_refusal_after_an_accepted_exchange_beside_a_window_is_no_refusal() -> None:
    text = (
        "لا يحق للعميل طلب استرداد المبلغ بعد قبول الاستبدال.\n"
        "الإرجاع خلال 7 أيام من الاستلام، ويرد المبلغ خلال 7 أيام."
    )
    assert "return.blanket_no_return" not in found(text, SA)


def test_credit_for_cash_payers_only_is_not_credit_only() -> None:
    text = (
        "ما نقدر نرجع فلوس الطلبات المدفوعة كاش، نعوضك برصيد في المتجر.\n"
        "الإرجاع خلال 7 أيام من الاستلام."
    )
    assert "return.store_credit_only" not in found(text, SA)


def test_an_egyptian_final_sale_with_no_return_is_read_and_refused() -> None:
    result = check("البيع نهائي، مفيش رجوع في البضاعة.", EG)
    assert result.readable
    rules = {finding.rule_id: finding for finding in result.findings}
    assert rules["return.blanket_no_return"].confident
    assert "return.sale_items_excluded" not in rules


@pytest.mark.parametrize(
    ("text", "jurisdiction"),
    [
        ("رسوم إعادة التخزين 15% تطبق على المرتجعات.", SA),
        ("Returns incur a 50 EGP fee.", EG),
    ],
)
def test_a_fee_charged_on_returns_is_a_fee_kept(text: str, jurisdiction: Jurisdiction) -> None:
    policy = text + " Returns within 14 days of delivery; refunds within 7 days."
    assert "return.fees_deducted" in found(policy, jurisdiction)


@pytest.mark.parametrize(
    "text",
    [
        "لو المنتج بايظ، ابعته على حسابك ونصلحه.",
        "المنتجات المعيبة تستبدل بعد دفع رسوم الشحن من قبل العميل.",
    ],
)
def test_a_defective_item_sent_back_at_the_customers_cost(text: str) -> None:
    policy = text + "\nالاسترجاع خلال 14 يوم من الاستلام، والفلوس بترجع خلال 7 أيام."
    assert found(policy, EG)["return.customer_pays_for_defects"].confident


def test_credit_onto_your_account_is_no_cost_at_your_expense() -> None:
    text = "الترجيع خلال 14 يوم. المرتجع بيتحول رصيد على حسابك في الموقع، ومش بنرجع فلوس."
    assert "return.customer_pays_for_defects" not in found(text, EG)


@pytest.mark.parametrize(
    ("text", "rule_id"),
    [
        (
            "Refunds will not be given for change of mind on sale items.",
            "return.sale_items_excluded",
        ),
        ("Returns are only accepted for items that arrived damaged or incorrect.", None),
    ],
)
def test_a_refusal_with_the_refused_thing_first(text: str, rule_id: str | None) -> None:
    rules = found(text, SA)
    if rule_id is None:
        assert rules["return.blanket_no_return"].confident
    else:
        assert rule_id in rules and "return.blanket_no_return" not in rules


@pytest.mark.parametrize(
    "text",
    [
        "We don't accept returns of products purchased from other retailers.",
        "The store is not obliged to accept returns of items bought more than 7 days ago.",
        "Returns are not possible for orders delivered outside Saudi Arabia.",
    ],
)
def test_a_refusal_of_other_goods_or_late_returns_is_no_blanket_refusal(text: str) -> None:
    policy = text + " Refunds within 7 days."
    assert "return.blanket_no_return" not in found(policy, SA)


def test_gift_cards_that_cannot_be_refunded_are_no_credit_only_refund() -> None:
    for text in (
        "Gift cards are non-refundable. Returns within 7 days of delivery; refunds within 7 days.",
        "بطاقات الهدايا غير قابلة للاسترداد. الإرجاع خلال 7 أيام، ويرد المبلغ خلال 7 أيام.",
    ):
        assert "return.store_credit_only" not in found(text, SA)


def test_a_fee_refunded_only_for_defects_is_kept_on_other_returns() -> None:
    text = (
        "You may return any item within 14 days of receiving it. Refunds are made within 14 "
        "days. Delivery fees are refunded only if the item was defective."
    )
    assert found(text, EG)["return.fees_deducted"].confident
    # Saudi rules allow the return's shipping to be charged.
    assert "return.fees_deducted" not in found(text, SA)


def test_black_friday_goods_listed_as_not_returnable_are_sale_items() -> None:
    text = (
        "Returns\nYou may return any item within 14 days of receiving it.\n\nExceptions\n"
        "The following cannot be returned:\n- Underwear and socks\n- Items bought on Black "
        "Friday\n\nRefunds\nRefunds are made within 14 days."
    )
    assert "return.sale_items_excluded" in found(text, EG)


def test_no_returns_after_the_period_has_expired_is_no_blanket_refusal() -> None:
    text = (
        "No returns will be accepted after the return period has expired. Returns are "
        "accepted within 7 days of delivery; refunds within 7 days."
    )
    assert "return.blanket_no_return" not in found(text, SA)


def test_no_returns_once_delivered_is_a_blanket_refusal() -> None:
    assert found("Orders cannot be returned once delivered.", SA)[
        "return.blanket_no_return"
    ].confident


def test_cash_refunds_not_available_in_egyptian_leave_credit_only() -> None:
    text = (
        "تقدر تبدل المنتج خلال ١٤ يوم، لكن الاسترجاع النقدي مش متاح.\n"
        "بنرجعلك قيمة المنتج كوبون تستخدمه في أي وقت."
    )
    assert "return.store_credit_only" in found(text, EG)


def test_the_store_paying_the_value_back_is_the_refund_time() -> None:
    text = (
        "للمستهلك الحق في استبدال السلعة أو إعادتها خلال أربعة عشر يوماً من تاريخ تسلمها، "
        "ويرد المتجر قيمتها خلال سبعة أيام."
    )
    periods = find_periods(Document(normalise(text)))
    assert [(period.purpose.value, period.days) for period in periods] == [
        ("return", 14.0),
        ("refund", 7.0),
    ]


# Fee, credit and defect-cost wordings of the probe d-444 to d-486.


def test_a_defect_cost_for_items_that_arrive_damaged() -> None:
    text = (
        "Returns within 14 days. For items that arrive damaged, a 30 EGP inspection fee is "
        "deducted from the refund. Refunds within 10 days."
    )
    assert found(text, EG)["return.customer_pays_for_defects"].confident


def test_only_accepted_for_items_that_arrived_damaged_stays_a_blanket_refusal() -> None:
    text = "Returns are only accepted for items that arrived damaged or incorrect."
    assert found(text, SA)["return.blanket_no_return"].confident


def test_gulf_we_bear_everything_for_broken_items_is_no_defect_cost() -> None:
    text = (
        "إذا المنتج خربان نتكفل بكل شي، وإذا مجرد ما عجبك تدفع أنت الشحن. الإرجاع خلال 7 أيام "
        "ونرجع فلوسك خلال 5 أيام."
    )
    assert "return.customer_pays_for_defects" not in found(text, SA)


def test_egyptian_balance_on_the_site_and_no_cash_refund_is_credit_only() -> None:
    text = (
        "تقدر ترجع أي منتج خلال ١٤ يوم، وقيمته بتتضاف رصيد في حسابك على الموقع تشتري بيه "
        "بعدين. مفيش استرداد كاش."
    )
    assert found(text, EG)["return.store_credit_only"].confident


def test_a_gulf_negator_joined_to_and_refuses_cash() -> None:
    text = (
        "ترجيع الطلب خلال ٧ أيام من وصوله، ونحول قيمته رصيد في محفظتك بالمتجر، وما فيه استرجاع كاش."
    )
    assert found(text, SA)["return.store_credit_only"].confident


def test_egyptian_money_that_reaches_you_is_the_refund_time() -> None:
    text = (
        "الاسترجاع متاح لمدة ١٤ يوم من الاستلام.\n"
        "- فلوسك بتوصلك على نفس وسيلة الدفع خلال ٥ أيام عمل."
    )
    periods = find_periods(Document(normalise(text)))
    assert [period.purpose.value for period in periods] == ["return", "refund"]
    assert "return.refund_time_missing" not in found(text, EG)


def test_a_window_counted_from_when_the_order_reaches_you_is_the_return_window() -> None:
    text = "معاك يومين بس من وقت ما الطلب يوصلك لو حبيت ترجعه. التبديل متاح لحد أسبوعين."
    periods = find_periods(Document(normalise(text)))
    assert (periods[0].purpose.value, periods[0].days) == ("return", 2.0)
    assert found(text, EG)["return.window_too_short"].confident


def test_change_of_mind_shipping_beside_the_store_bearing_defects_in_egyptian() -> None:
    text = (
        "الإرجاع خلال ١٤ يوم. في حالة تغيير الرأي العميل بيدفع مصاريف الشحن، ولو القطعة فيها "
        "عيب صناعة إحنا بنتحمل الشحن كله."
    )
    assert "return.customer_pays_for_defects" not in found(text, EG)


def test_an_faq_in_egyptian_with_question_and_answer_labels() -> None:
    text = (
        "س: أقدر أرجع الطلب؟\nج: أيوه، خلال ٣ أيام من الاستلام.\n"
        "س: مين بيدفع شحن المرتجع؟\nج: الشحن على حضرتك في كل الحالات، حتى لو المنتج وصل "
        "تالف.\n"
        "س: فلوسي هترجع إمتى؟\nج: خلال ٧ أيام على المحفظة الإلكترونية أو الكارت، "
        "ومصاريف الدفع عند الاستلام مابترجعش."
    )
    periods = find_periods(Document(normalise(text)))
    assert [(period.purpose.value, period.days) for period in periods] == [
        ("return", 3.0),
        ("refund", 7.0),
    ]
    rules = found(text, EG)
    assert rules["return.window_too_short"].confident
    assert rules["return.customer_pays_for_defects"].confident
    assert rules["return.fees_deducted"].confident
    assert "return.refund_time_missing" not in rules


def test_an_faq_answer_takes_its_subject_from_the_question() -> None:
    text = (
        "س: مين بيدفع شحن المرتجع؟\nج: على حضرتك في كل الحالات، حتى لو المنتج وصل تالف.\n"
        "س: أقدر أرجع الطلب؟\nج: أيوه، خلال ١٤ يوم من الاستلام."
    )
    assert found(text, EG)["return.customer_pays_for_defects"].confident
    text = (
        "س: مين بيدفع شحن المرتجع؟\nج: إحنا بنتحمله في كل الحالات.\n"
        "س: أقدر أرجع الطلب؟\nج: أيوه، خلال ١٤ يوم من الاستلام."
    )
    assert "return.customer_pays_for_defects" not in found(text, EG)


@pytest.mark.parametrize(
    "text",
    [
        "عليك تختار شركة الشحن اللي تناسبك. الإرجاع خلال ١٤ يوم من الاستلام.",
        "على حضرتك التأكد من المنتج وقت الشحن. الإرجاع خلال ١٤ يوم من الاستلام.",
    ],
)
def test_a_duty_on_the_customer_is_no_cost(text: str) -> None:
    assert "return.customer_pays_for_defects" not in found(text, EG)


def test_an_egyptian_we_do_not_deduct_is_no_fee() -> None:
    text = "ترجع المنتج خلال ١٤ يوم وفلوسك بترجعلك كاملة خلال ٥ أيام، ومش بنخصم أي رسوم."
    assert "return.fees_deducted" not in found(text, EG)


def test_a_refund_time_after_a_deducted_shipping_fee_is_the_refund_time() -> None:
    text = "الاسترجاع خلال ٧ أيام من الاستلام. يعاد المبلغ بعد خصم مصاريف الشحن خلال ٣ أيام عمل."
    periods = find_periods(Document(normalise(text)))
    assert [period.purpose.value for period in periods] == ["return", "refund"]
    assert "return.refund_time_missing" not in found(text, SA)


@pytest.mark.parametrize(
    "text",
    [
        "الإرجاع خلال 7 أيام، ورسوم تمارا وتابي لا تسترد.",
        "Returns within 7 days; the Tabby instalment fee is non-refundable.",
    ],
)
def test_a_buy_now_pay_later_fee_kept_is_a_fee_under_sa(text: str) -> None:
    assert found(text, SA)["return.fees_deducted"].confident


def test_english_fee_nouns_inside_an_arabic_deduction() -> None:
    text = "الـ exchange متاح خلال 14 يوم، والـ refund بعد خصم الـ delivery charges."
    assert found(text, EG)["return.fees_deducted"].confident


def test_returns_accepted_only_if_defective_is_a_refusal_of_every_other_return() -> None:
    text = (
        "We only take returns if the product is faulty or damaged on arrival. Tell us within "
        "2 days of delivery."
    )
    assert found(text, SA)["return.blanket_no_return"].confident
    text = "Items cannot be returned if they were damaged by misuse. Returns within 14 days."
    assert "return.blanket_no_return" not in found(text, SA)


def test_never_paying_for_return_shipping_is_no_refusal() -> None:
    text = (
        "Returns are accepted within 14 days of delivery. Our courier collects them and you "
        "never pay for return shipping. Refunds take 5 days."
    )
    assert "return.blanket_no_return" not in found(text, SA)


def test_value_added_to_the_account_balance_is_credit() -> None:
    text = (
        "Change of mind? Send the item back within 14 days and we add its value to your "
        "account balance. Faulty items are refunded to your card."
    )
    assert "return.store_credit_only" in found(text, EG)


def test_a_list_label_that_keeps_the_fees_it_lists() -> None:
    text = (
        "Returns policy\n- Return window: 7 days from delivery.\n- Refund time: up to 10 days.\n"
        "- What is not refunded: customs duties and the cash handling fee."
    )
    assert "return.fees_deducted" in found(text, SA)


def test_cash_refunds_not_offered_beside_a_credit_note_is_no_blanket_refusal() -> None:
    text = (
        "Unwanted items can be returned within 7 days for an exchange or a credit note; cash "
        "refunds are not offered."
    )
    rules = found(text, SA)
    assert "return.blanket_no_return" not in rules
    assert rules["return.store_credit_only"].confident


def test_a_refund_time_for_damaged_items_is_a_refund_time() -> None:
    text = (
        "If your parcel arrives broken, our courier picks it up at no cost and we refund you "
        "within 6 days. Other returns are accepted within 7 days."
    )
    periods = find_periods(Document(normalise(text)))
    assert ("refund", 6.0) in [(period.purpose.value, period.days) for period in periods]
    assert "return.refund_time_missing" not in found(text, SA)


def test_an_arabic_refund_time_for_damaged_items_is_a_refund_time() -> None:
    text = (
        "الإرجاع متاح خلال 7 أيام من الاستلام.\n"
        "إذا وصلك المنتج معيباً نتحمل رسوم الشحن ويرد لك المبلغ خلال 4 أيام."
    )
    assert "return.refund_time_missing" not in found(text, SA)


def test_a_time_to_ask_for_a_refund_of_a_defective_item_is_no_refund_time() -> None:
    text = (
        "If a product is defective, you may ask for a replacement or a full refund within 30 "
        "days of receiving it. Other returns are accepted within 14 days."
    )
    periods = find_periods(Document(normalise(text)))
    assert "refund" not in [period.purpose.value for period in periods]
    assert "return.refund_time_missing" in found(text, EG)


# Periods and refusals of the probe d-487 to d-516.


def test_a_refund_time_after_a_semicolon_belongs_to_the_refund_before_it() -> None:
    text = (
        "Returns are accepted for 14 days after delivery. Once approved, your refund goes "
        "back to the card you paid with; allow 3 to 6 business days for it to show."
    )
    periods = find_periods(Document(normalise(text)))
    assert [period.purpose.value for period in periods] == ["return", "refund"]
    assert "return.refund_time_missing" not in found(text, SA)


def test_we_only_accept_returns_of_faulty_items_is_a_blanket_refusal() -> None:
    text = "We will only accept returns of products that arrive broken. Report faults in 2 days."
    assert found(text, EG)["return.blanket_no_return"].confident


# Privacy pages laid out with bilingual headings and lists.


def test_a_bilingual_heading_about_sharing_shares_nothing() -> None:
    text = (
        "Who receives your data / من يستلم بياناتك\n"
        "- The delivery company, only to bring you your order.\n"
        "We use your data to process orders. You can ask to see or delete your data. "
        "Order records are kept for 5 years."
    )
    assert "privacy.third_party_sharing_unclear" not in found(text, SA, PolicyType.PRIVACY_ACCOUNT)


def test_retention_periods_listed_under_a_heading() -> None:
    text = (
        "We use your data to process your orders.\n"
        "How long we keep your data\n"
        "- Invoices: 10 years.\n"
        "- Support chats: 6 months.\n"
        "You may request access to your data or its deletion at any time."
    )
    assert "privacy.retention_missing" not in found(text, SA, PolicyType.PRIVACY_ACCOUNT)


def test_a_consent_page_without_the_word_data_is_read() -> None:
    text = (
        "Newsletter\nWith your consent, we send offers by e-mail and pass your contact "
        "details to selected partners. You can unsubscribe whenever you like."
    )
    rules = found(text, SA, PolicyType.PRIVACY_ACCOUNT)
    assert "privacy.third_party_sharing_unclear" in rules
    assert "privacy.purpose_missing" not in rules


# Shipping and privacy wordings of the probe d-517 to d-532.


def test_parcels_that_reach_you_within_days_state_the_delivery_time() -> None:
    text = "Shipping is free. Your package should reach you within 2 to 5 working days."
    assert "shipping.delivery_time_missing" not in found(text, EG, PolicyType.SHIPPING_DELIVERY)


def test_a_missed_delivery_date_with_a_refund_is_a_late_delivery_remedy() -> None:
    text = (
        "Delivery within 5 days, 40 EGP. If we miss the promised date, we refund the "
        "delivery charge."
    )
    assert "shipping.late_delivery_remedy_missing" not in found(
        text, EG, PolicyType.SHIPPING_DELIVERY
    )


def test_compensation_in_the_gulf_for_a_late_order_is_a_remedy() -> None:
    text = "التوصيل مجاني وخلال 3 أيام، وإذا تأخر طلبك نعوضك بقسيمة شرائية."
    assert "shipping.late_delivery_remedy_missing" not in found(
        text, EG, PolicyType.SHIPPING_DELIVERY
    )


def test_data_passed_only_to_the_courier_is_specific_sharing_and_erasure_a_term() -> None:
    text = (
        "We use your details only to fulfil orders and pass them to no one but the courier "
        "who delivers them. When you close your account we delete your data within 14 "
        "days. You may ask for a copy of your data at any time."
    )
    rules = found(text, SA, PolicyType.PRIVACY_ACCOUNT)
    assert "privacy.third_party_sharing_unclear" not in rules
    assert "privacy.retention_missing" not in rules


def test_a_bilingual_refund_label_names_its_period_the_refund_time() -> None:
    text = (
        "Returns / الإرجاع: خلال 14 يوماً من الاستلام.\n"
        "Refunds / الاسترداد: within 5 days to the card you paid with."
    )
    periods = find_periods(Document(normalise(text)))
    assert [(period.purpose.value, period.days) for period in periods] == [
        ("return", 14.0),
        ("refund", 5.0),
    ]


# Probes 11 to 13 (blind, d-608 on): words that looked like refusals, costs under a case
# heading, deductions denied, deictic lists, and credit beside refused refunds.


def test_egyptian_lama_is_when_not_a_refusal() -> None:
    text = "لما تسترجع الطلب خلال ١٤ يوم، بنرجعلك المبلغ على الكارت خلال ٥ أيام."
    assert "return.blanket_no_return" not in found(text, EG)


@pytest.mark.parametrize(
    "text",
    [
        "عند الإرجاع لسبب غير العيب يدفع العميل تكلفة الشحن.",
        "Where a return is not due to a defect on our part, the buyer covers the courier.",
    ],
)
def test_a_return_for_a_reason_other_than_a_defect_is_change_of_mind(text: str) -> None:
    assert "return.customer_pays_for_defects" not in found(text, EG)


def test_we_are_the_ones_who_pay_and_deduct_nothing_is_the_store_paying() -> None:
    text = (
        "ترجع أي حاجة خلال ١٤ يوم. لو الطلب وصل بايظ، احنا اللي بنتحمل مصاريف الشحن ومش "
        "بنخصم أي رسوم من فلوسك."
    )
    rules = found(text, EG)
    assert "return.customer_pays_for_defects" not in rules
    assert "return.fees_deducted" not in rules


def test_a_deduction_denied_with_without_is_no_fee() -> None:
    text = "يحق لك الإرجاع خلال ١٤ يومًا، ويعاد المبلغ خلال ٥ أيام دون أن يُخصم منه أي ريال."
    assert "return.fees_deducted" not in found(text, SA)


def test_sales_final_on_the_listed_items_is_no_blanket_refusal() -> None:
    text = (
        "Returns are accepted within 7 days of delivery; refunds within 5 days.\n"
        "All sales of these products are final:\n- face masks\n- earrings"
    )
    assert "return.blanket_no_return" not in found(text, SA)


def test_otherwise_no_return_after_defects_only_is_a_blanket_refusal() -> None:
    text = "الإرجاع فقط للقطع المعيبة، وغير ذلك ما نقبل أي إرجاع."
    rules = found(text, SA)
    assert rules["return.blanket_no_return"].confident


def test_no_money_back_for_a_change_of_mind_with_an_exchange_is_exchange_only() -> None:
    text = "مش بنرجع فلوس في حالة تغيير الرأي، لكن ممكن تبدل القطعة خلال ٥ أيام من الاستلام."
    rules = found(text, EG)
    assert rules["return.blanket_no_return"].confident
    assert rules["return.window_too_short"].confident


def test_a_refund_limited_to_defective_goods_refuses_every_other_return() -> None:
    text = "يقتصر الاسترداد على المنتجات التي يظهر بها عيب أو تصل تالفة."
    assert found(text, SA)["return.blanket_no_return"].confident


def test_not_liking_it_opens_the_return_and_the_day_of_delivery_only_is_its_window() -> None:
    text = "لو القطعة مش مناسبة ليك ترجعها يوم الاستلام بس مع المندوب، والفلوس بترجع خلال ٣ أيام."
    rules = found(text, EG)
    assert "return.blanket_no_return" not in rules
    assert rules["return.window_too_short"].confident


def test_an_english_defect_word_inside_arabic_includes_defects() -> None:
    text = "تقدر ترجع خلال ١٤ يوم. رسوم التغليف ١٥ جنيه بتتخصم من المبلغ، حتى لو القطعة defective."
    rules = found(text, EG)
    assert rules["return.customer_pays_for_defects"].confident
    assert rules["return.fees_deducted"].confident


def test_a_cost_named_by_its_item_label_applies_to_faulty_items_included() -> None:
    text = (
        "Returns within 14 days; refunds within 7 days.\n"
        "Return shipping: SAR 20 is taken off every refund, faulty items included."
    )
    assert found(text, SA)["return.customer_pays_for_defects"].confident


def test_a_heading_that_states_the_case_binds_the_costs_under_it() -> None:
    defects = "لو القطعة فيها عيب:\nبنبدلها بواحدة جديدة، بس الشحن على حسابك."
    assert found(defects, EG)["return.customer_pays_for_defects"].confident
    mind = "غيرت رأيك؟\nرجعها خلال ١٤ يوم والشحن عليك."
    assert "return.customer_pays_for_defects" not in found(mind, EG)


def test_a_fee_that_is_not_paid_back_in_egyptian_is_kept() -> None:
    text = "تقدر ترجع خلال ١٤ يوم. رسوم التقسيط مش بتترد."
    assert found(text, EG)["return.fees_deducted"].confident


def test_a_collection_fee_under_a_return_shipping_heading_is_the_returns_shipping() -> None:
    text = (
        "Returns within 7 days of delivery; refunds within 7 days.\n"
        "Return shipping\nA SAR 20 collection fee is deducted from the refund."
    )
    assert "return.fees_deducted" not in found(text, SA)
    assert found(text, EG)["return.fees_deducted"].confident


def test_goods_that_are_final_sale_are_not_sale_goods() -> None:
    text = "Returns within 14 days, refunds within 7. International orders are final sale."
    assert "return.sale_items_excluded" not in found(text, EG)


@pytest.mark.parametrize(
    "text",
    ["الفلوس بترجعلك خلال ٦ أيام شغل.", "الـ refund بيوصلك خلال 10-12 يوم."],
)
def test_egyptian_working_days_and_an_english_refund_noun_time_the_refund(text: str) -> None:
    rules = found("تقدر ترجع المنتج خلال ١٤ يوم. " + text, EG)
    assert "return.refund_time_missing" not in rules
    assert rules["return.refund_time_too_long"].confident


@pytest.mark.parametrize(
    "text",
    [
        "Returns within 14 days. Refunds are not available: returned items earn store credit.",
        "الإرجاع خلال ١٤ يوم، والمبلغ ينضاف لرصيدك عندنا. ما نرجع المبالغ للبطاقات.",
        "Changed your mind? Return it within 14 days and we add its value to your store "
        "balance. Damaged items are refunded to the card.",
    ],
)
def test_credit_beside_refused_or_defects_only_money_is_credit_only(text: str) -> None:
    assert found(text, EG)["return.store_credit_only"].confident


# Probes 11, 14 and 15 (blind, d-668 on): English and legal-style pages.


def test_a_return_not_caused_by_a_store_error_is_change_of_mind() -> None:
    text = (
        "يحق للعميل الإرجاع خلال ٧ أيام. تخصم رسوم إدارية ١٥ ريالاً من كل إرجاع لا يكون سببه "
        "عيب في المنتج."
    )
    assert "return.customer_pays_for_defects" not in found(text, SA)


def test_a_fee_for_a_defect_claimed_but_not_found_is_no_defect_cost() -> None:
    text = (
        "يحق للعميل الإرجاع خلال ١٤ يوماً. إذا تبين بعد الفحص عدم وجود عيب، يحق للمتجر خصم "
        "رسوم فحص قدرها ٤٠ جنيهاً."
    )
    assert "return.customer_pays_for_defects" not in found(text, EG)


def test_a_money_back_heading_is_no_money_refund_beside_credit() -> None:
    text = (
        "Returns within 14 days of delivery.\nGetting your money back\nChange-of-mind "
        "returns are refunded as an e-voucher. Faulty items are refunded to the card."
    )
    assert found(text, EG)["return.store_credit_only"].confident


def test_a_charge_named_early_in_its_clause_that_is_non_refundable_is_a_fee() -> None:
    text = (
        "Returns within 14 days; refunds within 7 days. The delivery charge you paid at "
        "checkout for the order (EGP 40) is non-refundable."
    )
    rules = found(text, EG)
    assert "return.blanket_no_return" not in rules
    assert rules["return.fees_deducted"].confident


def test_credit_that_cannot_be_turned_into_cash_is_no_refusal_of_returns() -> None:
    text = (
        "يجوز الإرجاع خلال ١٤ يوماً، وترد القيمة رصيداً في حساب العميل، ولا يجوز استبدال "
        "الرصيد بمبلغ نقدي."
    )
    rules = found(text, EG)
    assert "return.blanket_no_return" not in rules
    assert rules["return.store_credit_only"].confident


def test_no_refunds_for_a_change_of_mind_with_an_exchange_is_exchange_only() -> None:
    text = "We don't give refunds for change of mind. You may exchange the item within 5 days."
    assert found(text, EG)["return.blanket_no_return"].confident


@pytest.mark.parametrize(
    "text",
    [
        "بسبب طبيعة منتجاتنا من الحلويات الطازجة، لا نقبل إرجاع أي طلب إلا إذا وصل تالفاً.",
        "Due to the nature of our products (fresh flowers), all sales are final once an order "
        "has been delivered.",
    ],
)
def test_the_nature_of_the_goods_as_a_reason_is_no_scope(text: str) -> None:
    assert found(text, SA)["return.blanket_no_return"].confident


def test_cash_refused_with_only_an_exchange_offered_is_exchange_only() -> None:
    text = "لا يوجد استرداد نقدي. يمكنك استبدال المنتج بمقاس مختلف خلال ٣ أيام من الاستلام."
    rules = found(text, SA)
    assert rules["return.blanket_no_return"].confident
    assert rules["return.window_too_short"].confident


def test_cash_refused_beside_a_card_refund_is_no_refusal() -> None:
    text = (
        "لا يوجد استرداد نقدي، ويرد المبلغ إلى البطاقة خلال ٥ أيام. يمكنك الإرجاع أو "
        "الاستبدال خلال ١٤ يوماً."
    )
    assert "return.blanket_no_return" not in found(text, SA)


def test_in_all_cases_opening_a_sentence_covers_its_deduction() -> None:
    text = (
        "يحق للعميل الإرجاع خلال ٧ أيام، ويتحمل المتجر إعادة المنتج المعيب. في كل الأحوال، "
        "تخصم رسوم الشحن الأصلية من المبلغ المسترد."
    )
    assert found(text, SA)["return.customer_pays_for_defects"].confident


def test_a_store_paying_under_a_faulty_items_heading_spares_defects() -> None:
    text = (
        "Returns within 14 days; refunds within 7 days.\nReturn shipping\nThe customer pays "
        "for sending the item back.\nFaulty items\nWe cover all shipping for these."
    )
    assert "return.customer_pays_for_defects" not in found(text, EG)


@pytest.mark.parametrize("text", ["We don't deduct any fees.", "We never deduct fees."])
def test_fees_denied_with_deduct_are_no_fee(text: str) -> None:
    assert "return.fees_deducted" not in found(
        "Returns within 14 days; refunds within 5 days. " + text, EG
    )


def test_emoji_used_as_bullets_are_items_not_headings() -> None:
    text = (
        "✅ مدة الإرجاع: 14 days من الاستلام\n✅ الاسترداد: refund خلال 5 أيام\n"
        "⚠️ رسوم الدفع عند الاستلام (20 EGP) non-refundable"
    )
    assert found(text, EG)["return.fees_deducted"].confident


def test_half_the_price_refunded_is_a_fee_kept() -> None:
    text = (
        "يجوز الإرجاع خلال ١٤ يوماً والاسترداد خلال ٧ أيام، فإذا فتحت العبوة فلا يرد سوى نصف الثمن."
    )
    assert found(text, EG)["return.fees_deducted"].confident


def test_a_refusing_heading_over_named_goods_refuses_only_those() -> None:
    text = (
        "Returns within 14 days; refunds within 7 days.\nNon-returnable\n"
        "Swimwear and anything bought on sale."
    )
    assert "return.blanket_no_return" not in found(text, EG)


def test_a_return_label_cost_is_the_returns_shipping() -> None:
    text = (
        "Returns within 7 days; refunds within 7 days. The return label cost is deducted "
        "from your refund."
    )
    assert "return.fees_deducted" not in found(text, SA)


def test_a_time_counted_from_the_approval_of_the_request_is_not_the_window() -> None:
    text = (
        "يحق للعميل الإرجاع خلال ١٤ يوماً من الاستلام، ويتم رد القيمة خلال ٥ أيام من تاريخ "
        "قبول الطلب."
    )
    assert "return.window_too_short" not in found(text, EG)


def test_a_customer_cost_that_is_the_exception_to_the_store_paying_is_not_bare() -> None:
    text = (
        "يحق للعميل الإرجاع خلال ١٤ يوماً. تتحمل الشركة مصاريف الاستلام، فيما عدا الطلبات "
        "الأقل من ٢٠٠ جنيه، إذ يتحمل العميل فيها مصاريف الاستلام."
    )
    assert "return.customer_pays_for_defects" not in found(text, EG)


def test_a_remedy_for_defects_under_its_own_heading_spares_them() -> None:
    text = (
        "Returns\nReturn within 14 days; the customer pays the return shipping. Refunds "
        "within 7 days.\nDamaged on arrival\nTell us within 48 hours and we will arrange a "
        "replacement."
    )
    assert "return.customer_pays_for_defects" not in found(text, EG)
    # A remedy that puts a cost on the customer spares nothing.
    costly = text.replace("a replacement", "a replacement at your cost")
    assert "return.customer_pays_for_defects" in found(costly, EG)


# Probes 16 to 18 (blind, d-759 on): FAQ answers, tables, negated payers, deductions.


def test_you_owe_nothing_is_not_the_customer_paying() -> None:
    text = "ترجع خلال ١٤ يوم. ما عليك أي رسوم إذا المنتج وصلك خربان، والمبلغ يرجع خلال ٥ أيام."
    assert "return.customer_pays_for_defects" not in found(text, SA)


def test_an_faq_answer_times_the_refund_from_its_arrival_with_us() -> None:
    text = (
        "كم المدة اللي أقدر أرجع فيها؟\nيومين من الاستلام.\n"
        "متى يرجع لي المبلغ؟\nخلال أسبوع من وصول المنتج لنا."
    )
    assert found(text, SA)["return.window_too_short"].confident


def test_all_sales_final_for_change_of_mind_after_a_reason_is_a_blanket_refusal() -> None:
    text = (
        "Because our candles are poured to order, all sales are final and we do not accept "
        "returns for change of mind. Broken items are replaced."
    )
    assert found(text, SA)["return.blanket_no_return"].confident


def test_a_fee_after_an_amount_ending_in_la_is_still_deducted() -> None:
    text = (
        "يحق للعميل الإرجاع خلال ٧ أيام، وتقبل المنتجات المفتوحة بعد خصم ٣٠ ريالاً رسوم فحص. "
        "يرد المبلغ خلال ٥ أيام."
    )
    assert found(text, SA)["return.fees_deducted"].confident


def test_a_deduction_of_the_fees_named_above_is_a_fee() -> None:
    text = (
        "رسوم الدفع عند الاستلام: ١٥ جنيه.\nيحق الإرجاع خلال ١٤ يوماً، ويرد المبلغ بعد خصم "
        "الرسوم المذكورة أعلاه خلال ٥ أيام."
    )
    assert "return.fees_deducted" in found(text, EG)


def test_a_table_row_of_costs_is_read_as_a_clause() -> None:
    text = (
        "مدة الإرجاع: ٧ أيام من الاستلام. المبلغ يرجع خلال ٥ أيام.\n"
        "الحالة | الشحن | الرسوم\nغيرت رأيك | على العميل | ١٥ ريال رسوم فحص تنخصم من المبلغ"
    )
    assert found(text, SA)["return.fees_deducted"].confident


def test_shipping_deducted_whatever_the_reason_includes_defects() -> None:
    text = (
        "Returns within 14 days; refunds within 7 days. In all cases, shipping both ways is "
        "deducted from your refund, whatever the reason for the return."
    )
    assert found(text, EG)["return.customer_pays_for_defects"].confident


def test_fa_ma_nakhsim_denies_the_deduction_for_defects() -> None:
    text = (
        "الإرجاع خلال ١٤ يوم والمبلغ يرجع خلال ٥ أيام. نخصم رسوم بوابة الدفع إذا غيرت رأيك، "
        "أما لو المنتج فيه عيب فما نخصم شي."
    )
    assert "return.customer_pays_for_defects" not in found(text, SA)


def test_testers_that_are_final_sale_are_named_goods() -> None:
    text = "Returns within 14 days; refunds within 7 days. Testers are final sale."
    assert "return.blanket_no_return" not in found(text, SA)


def test_returns_limited_to_listed_defect_cases_refuse_every_other_return() -> None:
    text = (
        "يقتصر قبول الاسترجاع على الحالات الآتية:\n- وصول المنتج مكسوراً.\n"
        "- وصول منتج غير المطلوب.\n- نقص في محتويات الطلب.\nيرد المبلغ خلال ٥ أيام."
    )
    assert found(text, SA)["return.blanket_no_return"].confident
    # A list of conditions under the same words limits the return, it refuses nothing.
    conditions = text.replace("وصول المنتج مكسوراً", "أن يكون المنتج بتغليفه")
    assert "return.blanket_no_return" not in found(conditions, SA)


@pytest.mark.parametrize(
    "text",
    [
        "الإرجاع خلال ١٤ يوماً والمبلغ يرجع خلال ٥ أيام. لو ظهر بعد الفحص أن الجهاز سليم ولا "
        "يوجد فيه أي عيب، تخصم رسوم فحص ٧٥ جنيه من المبلغ.",
        "Returns within 14 days; refunds within 5 days. If no fault is detected on inspection, "
        "a 75 EGP test fee is deducted from the refund.",
    ],
)
def test_a_fee_charged_when_inspection_finds_the_item_sound_is_no_defect_cost(text: str) -> None:
    rules = found(text, EG)
    assert "return.customer_pays_for_defects" not in rules
    assert rules["return.fees_deducted"].confident


@pytest.mark.parametrize(
    ("text", "jurisdiction"),
    [
        ("Returns within 14 days; refunds within 7 days. Nothing is deducted from the refund.", EG),
        ("الإرجاع خلال ٧ أيام والمبلغ يرجع خلال ٥ أيام، ولا يتم خصم أي رسوم من المبلغ.", SA),
    ],
)
def test_a_deduction_denied_with_nothing_or_la_yatim_is_no_fee(
    text: str, jurisdiction: Jurisdiction
) -> None:
    assert "return.fees_deducted" not in found(text, jurisdiction)


def test_egyptian_future_and_habitual_deductions_are_fees() -> None:
    for verb in ("هنخصم", "بنخصم"):
        text = f"ترجع المنتج خلال ١٤ يوم والفلوس ترجع خلال ٥ أيام، و{verb} ٤٠ جنيه شحن من المبلغ."
        assert found(text, EG)["return.fees_deducted"].confident, verb


def test_half_its_price_in_egyptian_is_a_fee_kept() -> None:
    text = "الاسترجاع خلال ١٤ يوم والفلوس ترجع في ٥ أيام. لو الشنطة اتفتحت بنرجع نص تمنها بس."
    assert found(text, EG)["return.fees_deducted"].confident


def test_these_fees_deducted_take_their_kind_from_the_sentence_before() -> None:
    text = (
        "تفرض شركة التقسيط عمولة ٤٪ على كل طلب.\nوعند الإرجاع تخصم هذه الرسوم من المبلغ.\n"
        "الإرجاع خلال ٧ أيام ويرد المبلغ خلال ٥ أيام."
    )
    assert found(text, SA)["return.fees_deducted"].confident


def test_a_joined_return_and_refund_counted_from_receipt_is_the_window() -> None:
    text = (
        "تقدر ترجع الطلب وتسترد فلوسك كاملة خلال ٤ أيام من تاريخ الاستلام. المبلغ يرجع في ٣ أيام."
    )
    assert found(text, SA)["return.window_too_short"].confident


def test_notifying_the_store_of_a_refund_under_a_returns_heading_is_the_window() -> None:
    text = (
        "الاسترجاع\nإذا حبيت تسترد المبلغ لازم تبلغنا خلال يومين من الاستلام.\n\n"
        "المبلغ يرجع خلال ٥ أيام."
    )
    assert found(text, SA)["return.window_too_short"].confident
    # Telling the store of damage is no window.
    damage = text.replace("إذا حبيت تسترد المبلغ", "إذا وصلك المنتج مكسور وتبي تسترد المبلغ")
    assert "return.window_too_short" not in found(damage, SA)


def test_a_time_after_the_return_reaches_us_in_egyptian_is_the_refunds() -> None:
    text = (
        "الاسترجاع\nترجع القطعة خلال ٣ أيام من الاستلام.\n\nالفلوس\n"
        "من ١٠ لـ ١٥ يوم عمل من يوم ما المرتجع يوصلنا."
    )
    periods = find_periods(Document(normalise(text)))
    assert [period.purpose.value for period in periods] == ["return", "refund"]
    assert found(text, EG)["return.window_too_short"].confident


@pytest.mark.parametrize(
    "text",
    [
        "Returns within 30 days of delivery; refunds within 7 days.\n"
        "Return period by category:\n- Furniture: 15 days\n- Electronics: 2 days",
        "مدة الإرجاع حسب المنتج\n\n| المنتج | المدة |\n|---|---|\n| الملابس | ٣٠ يوم |\n"
        "| الأجهزة الإلكترونية | يومين |\n\nيرد المبلغ خلال ٥ أيام.",
    ],
)
def test_a_shorter_window_for_named_goods_is_too_short_for_them(text: str) -> None:
    assert found(text, SA)["return.window_too_short"].confident


def test_a_shorter_time_for_defective_goods_is_no_short_window() -> None:
    text = (
        "Returns within 30 days of delivery; refunds within 7 days.\n"
        "Damaged electronics must be reported within 2 days."
    )
    assert "return.window_too_short" not in found(text, SA)


def test_a_later_clause_with_its_own_period_keeps_its_words() -> None:
    text = (
        "المدة\nأربعة أيام من يوم الاستلام، ولو فيه خدش لازم تكلمنا خلال ٢٤ ساعة.\n\n"
        "المبلغ يرجع خلال ٥ أيام."
    )
    purposes = [period.purpose.value for period in find_periods(Document(normalise(text)))]
    assert purposes[0] != "damage_report"
    assert purposes[1] == "damage_report"


@pytest.mark.parametrize(
    "text",
    [
        "الإرجاع خلال ١٤ يوماً والمبلغ يرجع خلال ٥ أيام. التوصيل المجاني لا يعني استرداد "
        "تكلفة توصيل عند الإرجاع.",
        "الإرجاع خلال ١٤ يوم والمبلغ يرجع خلال ٥ أيام.\n- العمولة اللي خدتها شركة التقسيط منك "
        "مش بترجع.",
        "كم مدة الإرجاع؟\n١٤ يوم من الاستلام، والمبلغ يرجع في ٥ أيام.\n\nهل ترجع رسوم التوصيل؟\n"
        "لو المنتج معيب ترجع، وغير كذا ما ترجع.",
    ],
)
def test_a_refusal_of_a_cost_or_of_a_meaning_refuses_no_return(text: str) -> None:
    assert "return.blanket_no_return" not in found(text, EG)


def test_a_longer_period_in_this_case_after_a_defect_is_for_defects() -> None:
    text = (
        "لا يقبل إرجاع الساعات بعد مرور يومين من الاستلام، إلا إذا ظهر بها خلل في التصنيع، "
        "فتكون مدة الإرجاع في هذه الحالة ستين يوماً. ويرد المبلغ خلال ٥ أيام."
    )
    assert found(text, SA)["return.window_too_short"].confident


def test_onto_your_bank_account_is_no_cost_but_at_your_expense_in_all_cases_is() -> None:
    refund = "تقدر ترجع المنتج خلال ١٥ يوم، والفلوس بترجعلك تحويل على حسابك البنكي خلال ٥ أيام."
    assert "return.customer_pays_for_defects" not in found(refund, EG)
    cost = "ترجع المنتج خلال ١٤ يوم والفلوس ترجع في ٥ أيام. مصاريف الشحن على حسابك في كل الحالات."
    assert found(cost, EG)["return.customer_pays_for_defects"].confident


# Probes 22 to 24 (development items d-927 to d-1016): store credit, who pays for defects as
# small shops write it, and whole pages.


@pytest.mark.parametrize(
    "text",
    [
        # a list of the cases the customer pays for, one of them a defect
        "الإرجاع خلال ١٤ يوم والمبلغ يرجع خلال ٥ أيام.\n\nحالات يدفع فيها المشتري مصاريف الإرجاع:\n"
        "- تغيير الرأي\n- قطعة مكسورة عند الاستلام",
        # an FAQ question about a faulty item, answered with a cost on the customer
        "Returns within 14 days; refunds within 5 days.\n\nQ: My order arrived broken, what now?\n"
        "A: We send a new one. The courier charge of SAR 25 is paid by you.",
        # a fault under warranty, and a warranty section's costs
        "الاسترجاع خلال ١٤ يوم والفلوس ترجع في ٥ أيام.\nلو الموبايل عطل خلال الضمان، تكاليف الشحن "
        "للصيانة على العميل.",
        "Returns\nReturn within 14 days; refunds within 7 days.\n\nWarranty\nAll kettles have a "
        "one-year warranty.\n- Send the kettle to our service centre; the customer pays the "
        "courier both ways.",
        # a fee said, two lines down, to hold for every return
        "Returns within 14 days; refunds within 5 days.\n- Bank transfer fees are deducted from "
        "the refund.\n- These charges apply to every return without exception.",
        # second person, with every case and defects named
        "الاسترجاع خلال ١٤ يوم والفلوس ترجع في ٣ أيام.\nالشحن ٤٥ جنيه هتدفعها في كل الأحوال حتى لو "
        "القطعة فيها عيب.",
        "Returns within 30 days; refunds within 5 days. Return postage is at the buyer's expense, "
        "no exceptions.",
        # a table row whose label is a defect
        "Returns within 14 days; refunds within 5 days.\n\nمين بيدفع الشحن؟\nالحالة | الشحن\n"
        "مقاس مش مظبوط | على العميل\nقطعة فيها عيب | على العميل",
        # "in this case" after returns refused but for defects
        "مفيش استرجاع إلا لو القطعة فيها عيب.\nلازم تكلمنا في نفس اليوم.\nوفي الحالة دي الشحن "
        "عليك.",
        # defective goods named first, the cost said of them
        "الإرجاع خلال ١٤ يوم والمبلغ يرجع في ٥ أيام. القطعة اللي توصل مكسورة، شحنها على المشتري.",
        "Returns within 14 days; refunds within 7 days. The buyer bears return postage, including "
        "in the case of faults.",
        "Returns within 14 days; refunds within 7 days. Return postage for warranty repairs is "
        "paid by the customer.",
    ],
)
def test_a_cost_on_the_customer_for_defects_is_found_however_it_is_laid_out(text: str) -> None:
    assert found(text, EG)["return.customer_pays_for_defects"].confident


@pytest.mark.parametrize(
    "text",
    [
        # the store pays under the heading; the wrong size is the customer's own choice
        "الإرجاع خلال ١٤ يوم والمبلغ يرجع خلال ٥ أيام.\n\nالحالات التي يتحمل فيها المتجر مصاريف "
        "الإرجاع:\n- قطعة مكسورة عند الاستلام",
        "الإرجاع خلال ١٤ يوم والمبلغ يرجع خلال ٥ أيام.\n\nالحالات التي يتحمل فيها العميل رسوم "
        "الشحن:\n- اختيار مقاس غلط\n- تغيير الرأي",
        "Returns within 14 days; refunds within 5 days.\nالحالة | الشحن\nخطأ في اختيار المقاس | "
        "على العميل\nقطعة فيها عيب | على المتجر",
        # the fee held for every return but the faulty ones
        "Returns within 14 days; refunds within 5 days.\n- Bank transfer fees are deducted from "
        "the refund.\n- These charges apply to every return except faulty items.",
        # a fee only when inspection finds nothing wrong
        "Returns within 14 days; refunds within 5 days. If our check finds no fault, a test fee of "
        "EGP 80 will be charged to you.",
        # misuse the warranty leaves out, "in those cases"
        "Returns within 14 days; refunds within 5 days.\n\nWarranty\nThe warranty covers "
        "factory faults. Damage caused by misuse is not covered. In those cases the customer "
        "pays for the repair.",
        # the store pays, named first; "in this case" after the ordinary return; an exception
        # for change of mind
        "الاسترجاع خلال ١٤ يوم والفلوس ترجع في ٥ أيام. الشحن على حضرتك، إلا لو القطعة فيها عيب، "
        "وقتها المحل بيتحمل الشحن.",
        "لو الطلب ناقص قطعة كلمنا خلال يوم ونبعتها ببلاش.\nالاسترجاع العادي خلال ١٤ يوم، والشحن "
        "ساعتها عليك. الفلوس ترجع في ٥ أيام.",
        "الإرجاع خلال ١٤ يوماً والمبلغ يرد خلال ٥ أيام. لا يتحمل العميل أي رسوم إلا إذا كان "
        "الإرجاع لرغبته الشخصية وليس لعيب في المنتج. وفي هذه الحالة يتحمل العميل الشحن.",
        # reasons unrelated to a defect; an error that is not ours
        "الإرجاع خلال ١٤ يوماً والمبلغ يرد خلال ٥ أيام. يتحمل العميل الشحن عند الإرجاع لأسباب لا "
        "تتعلق بعيب في المنتج.",
        "Returns within 14 days; refunds within 5 days. A SAR 20 handling charge is kept from "
        "every refund not caused by our error.",
    ],
)
def test_a_cost_the_page_keeps_off_defects_is_no_defect_cost(text: str) -> None:
    assert "return.customer_pays_for_defects" not in found(text, EG)


def test_a_bare_cost_is_undecided_only_where_no_change_of_mind_return_exists() -> None:
    beside = "Returns within 14 days of delivery; refunds within 5 days. Return postage is yours."
    assert "return.customer_pays_for_defects" not in found(beside, EG)
    only = "Exchanges within 3 days of delivery, no refunds. Return postage is yours."
    assert not found(only, EG)["return.customer_pays_for_defects"].confident


def test_a_heading_that_names_nothing_takes_the_page_title_s_topic() -> None:
    text = (
        "سياسة الإرجاع\n\n🕒 الوقت\nيومين من الاستلام بشرط سلامة المنتج.\n\n"
        "💳 المبلغ\nيرجع خلال ٥ أيام."
    )
    purposes = [period.purpose.value for period in find_periods(Document(normalise(text)))]
    assert purposes == ["return", "refund"]
    assert found(text, SA)["return.window_too_short"].confident


@pytest.mark.parametrize(
    ("text", "purposes"),
    [
        # a bulleted FAQ, the receipt named with what is received, the store receiving it
        (
            "- أقدر أرجع الطلب؟\nعندك ٤ أيام من يوم توصلك الشحنة.\n- متى توصلني الفلوس؟\n"
            "خلال ٥ أيام عمل بعد ما نستلم المرتجع.",
            ["return", "refund"],
        ),
        # the past return verb with its object; a voucher that reaches you
        (
            "نعطيك قسيمة إذا رجّعتها خلال ٥ أيام. القسيمة توصلك خلال يوم عمل.",
            ["return", "refund"],
        ),
    ],
)
def test_periods_read_in_gulf_faq_and_credit_wordings(text: str, purposes: list[str]) -> None:
    found_purposes = [p.purpose.value for p in find_periods(Document(normalise(text)))]
    assert found_purposes == purposes


@pytest.mark.parametrize(
    "text",
    [
        # a discount code given instead of money, money refused in Gulf words
        "الإرجاع خلال ١٤ يوم. ما نرجع المبلغ 🙏 لكن نعطيك كود خصم بقيمة القطعة لأي طلب جاي.",
    ],
)
def test_credit_with_money_refused_in_dialect_is_credit_only(text: str) -> None:
    assert found(text, SA)["return.store_credit_only"].confident


@pytest.mark.parametrize(
    "text",
    [
        "الاستبدال خلال ٣ أيام من الاستلام. ما عندنا استرجاع فلوس، لا كاش ولا رصيد.",
        "يمكن استبدال القطعة خلال ٣ أيام من الاستلام، ولا يمكن رد المبلغ بأي حال.",
    ],
)
def test_exchange_only_in_gulf_words_and_in_any_case_is_a_blanket_refusal(text: str) -> None:
    rules = found(text, SA)
    assert rules["return.blanket_no_return"].confident
    assert "return.store_credit_only" not in rules


@pytest.mark.parametrize(
    "text",
    [
        "Returns within 14 days; refunds within 5 days. We do not supply prepaid return labels.",
        "الإرجاع خلال ١٤ يوماً والمبلغ يرد في ٥ أيام. ونود التنويه إلى أن رسوم خدمة التقسيط وقدرها "
        "٢٠ جنيهاً لا ترد.",
        "الإرجاع خلال ١٤ يوماً والمبلغ يرد في ٥ أيام. لا نصدر قسائم بدلاً من الاسترداد.",
        "الإرجاع خلال ١٤ يوماً والمبلغ يرد في ٥ أيام. الاستبدال بسبب المقاس يحسب استبدالاً عادياً.",
        "الإرجاع خلال ١٤ يوماً والمبلغ يرد في ٥ أيام. الكراسات المكتوب فيها لا ترد.",
        "الإرجاع خلال ١٤ يوماً والمبلغ يرد في ٥ أيام. مفيش استرجاع للبوكسرات والشرابات.",
    ],
)
def test_a_refusal_of_a_label_a_fee_credit_or_named_goods_is_no_blanket_refusal(
    text: str,
) -> None:
    assert "return.blanket_no_return" not in found(text, EG)


@pytest.mark.parametrize(
    "text",
    [
        "الإرجاع خلال ١٤ يوم والمبلغ يرجع خلال ٥ أيام. رسوم الدفع عند الاستلام (١٠ ريال) ما "
        "نقدر نرجعها.",
        "Returns within 14 days; refunds within 5 days.\n- Opened boxes: 10% restocking fee",
    ],
)
def test_a_fee_kept_in_gulf_words_or_named_with_its_amount_is_a_fee(text: str) -> None:
    assert "return.fees_deducted" in found(text, SA)


def test_emoji_ordinal_headings_head_their_lists() -> None:
    text = (
        "🔸 أولاً: الإرجاع\n- الإرجاع خلال ١٤ يوماً والمبلغ يرد في ٥ أيام.\n\n"
        "🔸 ثانياً: المنتجات غير القابلة للإرجاع\n- العطور المفتوحة\n- المنتجات المخفضة"
    )
    rules = found(text, SA)
    assert "return.blanket_no_return" not in rules
    assert rules["return.sale_items_excluded"].confident


def test_a_bilingual_list_is_no_table_and_a_table_row_is_no_heading() -> None:
    bilingual = (
        "Non-returnable | لا يرد\n- Swimwear | ملابس السباحة\n- Sale items | المنتجات المخفضة\n"
        "Returns within 14 days; refunds within 5 days."
    )
    assert "return.blanket_no_return" not in found(bilingual, SA)
    table = "الحالة | الشحن\nتغيير الرأي | على العميل\nقطعة مكسورة | على العميل"
    assert all(not sentence.heading for sentence in Document(normalise(table)).sentences)


# Probes 25 to 27 (development items d-1017 to d-1106): refusals and their look-alikes, who
# pays for defects in formal terms, and the refund method.


@pytest.mark.parametrize(
    ("text", "purposes"),
    [
        # a period named again with the article is the one named before
        (
            "لو القطعة وصلت مكسورة صورها وابعتها خلال ٢٤ ساعة من الاستلام.\n"
            "بعد الـ ٢٤ ساعة مش هنقدر نساعدك.",
            ["defects", "defects"],
        ),
        # a report ("بلاغ") is no window; numbered sub-clauses
        (
            "٤-١ لا تقبل الشركة الإرجاع إلا لعيب مصنعي.\n٤-٢ يشترط أن يقدم العميل بلاغاً خلال (٢) "
            "يوم من التسليم.",
            ["damage_report"],
        ),
        # inspection first, then the money
        ("بعد الفحص نرجّع لك المبلغ خلال ٥ أيام عمل.", ["refund"]),
        # a step of the return under a heading of steps
        ("خطوات الإرجاع\n١. كلمنا على الواتساب خلال ٤ أيام من الاستلام.", ["return"]),
    ],
)
def test_periods_named_again_reported_or_stepped_are_read_for_what_they_are(
    text: str, purposes: list[str]
) -> None:
    found_purposes = [p.purpose.value for p in find_periods(Document(normalise(text)))]
    assert found_purposes == purposes


def test_a_range_of_days_opening_a_line_is_a_period_not_a_clause_number() -> None:
    text = "Refunds\n3-5 business days after we receive the item."
    assert [p.high_days for p in find_periods(Document(normalise(text)))] == [5.0 * 7 / 5]


@pytest.mark.parametrize(
    "text",
    [
        "Returns within 14 days; refunds within 5 days. A handling charge of 2% applies to each "
        "refund, which is non-refundable in all circumstances.",
        "الإرجاع خلال ١٤ يوماً والمبلغ يرد في ٥ أيام. ولا نقبل المرتجعات المرسلة بالبريد.",
        "Returns within 14 days; refunds within 5 days. Gift sets cannot be returned via the app.",
        "Returns within 14 days; refunds within 5 days. Repairs under warranty are not returns.",
        "الإرجاع خلال ١٤ يوماً والمبلغ يرد في ٥ أيام. وما نقبل ترجيع الأطباق المكسورة بعد ما يمشي "
        "المندوب.",
    ],
)
def test_a_refusal_of_a_fee_a_means_or_broken_goods_is_no_blanket_refusal(text: str) -> None:
    assert "return.blanket_no_return" not in found(text, EG)


def test_purchases_final_is_a_blanket_refusal_and_returns_only_for_damage_still_is() -> None:
    assert found("All purchases are final once delivered.", EG)[
        "return.blanket_no_return"
    ].confident
    only = "Returns are only accepted for items that arrive broken."
    assert found(only, EG)["return.blanket_no_return"].confident


@pytest.mark.parametrize(
    "text",
    [
        "Returns within 14 days; refunds within 5 days. Return postage is borne by the Customer "
        "irrespective of the reason for the return.",
        "الاسترجاع خلال ١٤ يوم والفلوس ترجع في ٥ أيام. رسوم كشف الفني ٧٥ جنيه بتتدفع مقدماً، ومش "
        "بترجع حتى لو طلع العطل من المصنع.",
        "الإرجاع خلال ١٤ يوماً والمبلغ يرد في ٥ أيام. تحال مطالبات الضمان إلى الوكيل، ويتحمل العميل "
        "نفقات نقل الجهاز إليه.",
    ],
)
def test_a_defect_cost_in_formal_terms_or_after_a_fee_is_found(text: str) -> None:
    assert found(text, EG)["return.customer_pays_for_defects"].confident


def test_a_deduction_denied_to_you_is_no_cost() -> None:
    text = (
        "الإرجاع خلال ١٤ يوم والمبلغ يرجع في ٥ أيام.\n\n🚚 مين يدفع الشحن؟\n- إذا جاك المنتج "
        "فيه عيب مصنعي أو غلط: الشحن كله علينا رايح جاي، وما نخصم عليك ولا ريال.\n"
        "- إذا غيرت رأيك: الشحن عليك."
    )
    assert "return.customer_pays_for_defects" not in found(text, SA)


@pytest.mark.parametrize(
    "text",
    [
        # the fee's kind from the item label, and from the clause before it
        "Return window: 7 days / مدة الإرجاع ٧ أيام. Refunds within 5 days.\n"
        "Return shipping: SAR 15, deducted from the refund / رسوم الشحن ١٥ ريال تنخصم.",
        "الإرجاع خلال ٧ أيام والمبلغ يرجع خلال ٥ أيام.\n• رسوم الشحن على العميل، والرسوم ٢٠ ريال "
        "تنخصم من المبلغ.",
    ],
)
def test_a_shipping_fee_named_by_its_label_or_before_is_no_fee_finding_in_sa(text: str) -> None:
    assert "return.fees_deducted" not in found(text, SA)


def test_money_under_a_defects_heading_leaves_credit_the_only_refund() -> None:
    text = (
        "Changed your mind?\n- Returns within 7 days.\n- Refunds are given as store credit only."
        "\n\nDamaged or faulty items\n- We pay the courier and refund you to your card."
    )
    assert found(text, SA)["return.store_credit_only"].confident


# Blind probes 28 to 30: periods under an excepted condition, label and value lines, fees kept
# even for defects, negated defects, and credit.


@pytest.mark.parametrize(
    "text",
    [
        "كل المبيعات نهائية ولا تقبل الاسترجاع. بس لو الطلب جالك مكسور، صوّرهولنا واتصل بينا في "
        "نفس اليوم ونبعتلك غيره.",
        "ما نقبل ترجيع ولا تبديل إلا إذا كان فيه خلل من المصنع، وبلغتنا خلال يوم من وصول الطلب.",
        "All sales are final. But if a parcel arrives broken, take a photo within 12 hours and "
        "we will replace it.",
    ],
)
def test_a_period_for_defects_after_a_refusal_is_no_return_window(text: str) -> None:
    rules = found(text, EG)
    assert rules["return.blanket_no_return"].confident
    assert "return.window_too_short" not in rules


@pytest.mark.parametrize(
    "text",
    [
        "Returns\nReturn period | مدة الإرجاع\n15 days | ١٥ يوماً\n\nRefunds\n"
        "Refund time | مدة الاسترداد\n4-6 business days | من ٤ إلى ٦ أيام عمل",
        "Returns\n\nReturn period\n15 days from receipt\n\nRefund time\n4-6 business days",
    ],
)
def test_a_period_on_the_line_under_its_label_is_the_labels(text: str) -> None:
    rules = found(text, SA)
    assert "return.window_too_short" not in rules
    assert "return.refund_time_missing" not in rules


def test_a_transfer_to_the_bank_account_is_the_refund_time() -> None:
    text = (
        "الاسترجاع خلال ١٤ يوم من الاستلام.\nطريقة رد المبلغ:\n• كاش مع المندوب\n"
        "• أو تحويل على حسابك البنكي خلال ٦ أيام"
    )
    assert "return.refund_time_missing" not in found(text, EG)


@pytest.mark.parametrize(
    "text",
    [
        "الإرجاع خلال ١٤ يوماً والمبلغ يرد في ٥ أيام. تُحصّل رسوم كشف قدرها ٨٠ جنيهاً، وتُخصم من "
        "قيمة المرتجع سواء كان الجهاز معطلاً أم سليماً.",
        "الترجيع خلال ١٤ يوم والفلوس بترجع في ٥ أيام. الكشف على الموبايل بـ ١٠٠ جنيه بيتخصم من "
        "المبلغ دايماً، حتى لو لقينا فيه عطل.",
        "Returns within 14 days, refunds within 5 days. A 15% handling charge is deducted from "
        "every refund, whether or not the item turns out to be faulty.",
    ],
)
def test_a_fee_kept_even_for_defective_items_is_a_defect_cost(text: str) -> None:
    assert found(text, EG)["return.customer_pays_for_defects"].confident


def test_a_numbered_heading_over_its_sub_clauses_gives_them_its_case() -> None:
    text = (
        "أحكام الإرجاع\n١- الإرجاع لعدم الرغبة\n١-١ يقبل الإرجاع خلال ٧ أيام.\n١-٢ يُرد المبلغ خلال "
        "٥ أيام.\n٢- الأجهزة المعيبة أو التالفة\n٢-١ يجب إشعارنا خلال يومين.\n٢-٢ يدفع العميل أجرة "
        "نقل الجهاز إلى مركز الصيانة."
    )
    assert found(text, SA)["return.customer_pays_for_defects"].confident


def test_a_later_cell_of_a_defect_row_is_the_rows() -> None:
    text = (
        "الاسترجاع خلال ٧ أيام والمبلغ يرجع في ٥ أيام.\n\n| الحالة | المدة | التكلفة |\n"
        "|---|---|---|\n| منتج معطل | ١٠ أيام | يدفع العميل أجرة المندوب |\n"
        "| تغيير الرأي | ٧ أيام | على العميل |"
    )
    assert found(text, SA)["return.customer_pays_for_defects"].confident


@pytest.mark.parametrize(
    "text",
    [
        "الاسترجاع خلال ٧ أيام والمبلغ يرد في ٥ أيام. تستقطع رسوم معالجة ١٥ ريال من كل مرتجع لا "
        "يرجع إلى خلل في المنتج.",
        "الترجيع خلال ١٤ يوم والفلوس بترجع في ٥ أيام. لو القطعة مفيهاش عيب، الشحن عليك.",
        "Returns within 14 days, refunds within 5 days. Buyers pay the courier on non-defective "
        "returns.",
        "الإرجاع خلال ٧ أيام والمبلغ يرد في ٥ أيام، وتدفع رسوم الشحن إذا لم يكن المنتج تالفاً.",
    ],
)
def test_a_cost_for_goods_without_a_defect_is_no_defect_cost(text: str) -> None:
    rules = found(text, EG)
    assert "return.customer_pays_for_defects" not in rules
    assert "return.blanket_no_return" not in rules


def test_goods_named_by_their_discount_are_no_fee() -> None:
    text = (
        "الاسترجاع خلال ١٤ يوم والفلوس بترجع في ٥ أيام.\nالقطع اللي عليها خصم ٤٠٪ أو أكتر مبترجعش."
    )
    assert "return.fees_deducted" not in found(text, EG)


def test_the_waybill_or_pickup_time_is_no_return_window() -> None:
    text = (
        "يحق لك الاسترجاع خلال ١٤ يوماً من الاستلام. بعد تقديم الطلب نرسل لك بوليصة المرتجع "
        "وموعد المندوب خلال يومي عمل، ويرد المبلغ خلال ٥ أيام."
    )
    assert "return.window_too_short" not in found(text, EG)


def test_a_comma_inside_brackets_does_not_split_the_fee_clause() -> None:
    text = (
        "الاسترجاع خلال ٧ أيام والمبلغ يرجع في ٥ أيام.\nعمولة الدفع الإلكتروني (فيزا، ماستركارد) "
        "ما ترجع مع المبلغ."
    )
    assert found(text, SA)["return.fees_deducted"].confident


def test_a_cancelled_orders_refund_to_the_card_leaves_credit_the_only_refund() -> None:
    text = (
        "Store credit policy\n\nCancelling\nCancel before dispatch and we refund your card in "
        "full.\n\nReturns\nReturn unworn items within 10 days. Every return is refunded as "
        "store credit."
    )
    finding = found(text, SA)["return.store_credit_only"]
    assert "Every return is refunded as store credit" in finding.phrase


def test_credit_refused_beside_the_cash_refund_is_no_credit_finding() -> None:
    text = "التبديل بس خلال ٣ أيام، ومفيش استرداد فلوس أو رصيد."
    rules = found(text, EG)
    assert rules["return.blanket_no_return"].confident
    assert "return.store_credit_only" not in rules


def test_an_amount_held_as_a_balance_is_credit() -> None:
    text = (
        "Returns\n- Send items back within 10 days.\n- No card refunds: the amount is held as "
        "a balance in your account."
    )
    assert found(text, SA)["return.store_credit_only"].confident


def test_the_imperative_return_with_its_object_is_the_window() -> None:
    text = "لو ما عجبتك القطعة رجعها خلال ٣ أيام، والفلوس ترجع لك في ٥ أيام."
    assert found(text, SA)["return.window_too_short"].confident


@pytest.mark.parametrize(
    "text",
    [
        "Returns within 14 days, refunds within 5 days.\n\nWho covers the courier when a "
        "product arrives broken?\nThe customer.",
        "Returns within 14 days, refunds within 5 days. Broken when it came? Send it back at "
        "your own expense and we will swap it.",
        "Returns within 14 days, refunds within 5 days. We don't pay for return shipping "
        "under any circumstances.",
        "الإرجاع خلال ١٤ يوماً والمبلغ يرد في ٥ أيام. ما نتحمل رسوم الشحن في كل الأحوال.",
    ],
)
def test_who_pays_for_defects_in_an_answer_a_question_or_a_refusal_to_pay(text: str) -> None:
    assert found(text, EG)["return.customer_pays_for_defects"].confident


@pytest.mark.parametrize(
    "text",
    [
        "الترجيع خلال ١٤ يوم والفلوس ترجع في ٥ أيام. المنتج المعيب علينا، غير كذا الإرجاع عليك.",
        "Returns within 14 days, refunds within 5 days. We cannot refund parcels lost in "
        "transit, so please use a tracked service.",
    ],
)
def test_otherwise_or_a_lost_parcel_is_no_blanket_refusal(text: str) -> None:
    assert "return.blanket_no_return" not in found(text, EG)


def test_returns_for_faults_only_with_a_report_and_a_refund_time_is_confident() -> None:
    text = (
        "We accept returns only if the goods reach you faulty. Email us within 24 hours of "
        "delivery with photos. Approved refunds are paid back within 5 days."
    )
    rules = found(text, SA)
    assert rules["return.blanket_no_return"].confident
    assert "return.window_too_short" not in rules


def test_the_money_paid_for_delivery_kept_is_a_fee_not_a_refusal() -> None:
    text = (
        "تقدر ترجع الأوردر لحد ١٤ يوم والفلوس ترجعلك في ٥ أيام.\nبس خد بالك إن تمن التوصيل اللي "
        "دفعته مش بيرجع."
    )
    rules = found(text, EG)
    assert "return.blanket_no_return" not in rules
    assert rules["return.fees_deducted"].confident


def test_a_refund_in_full_but_for_a_fee_keeps_the_fee() -> None:
    text = "يحق لك الإرجاع خلال ٧ أيام، ويُعاد لك المبلغ كاملاً ما عدا عمولة الدفع خلال ٥ أيام."
    assert found(text, SA)["return.fees_deducted"].confident


def test_the_stores_own_e_wallet_is_credit_not_mobile_money() -> None:
    text = (
        "يحق للعميل الإرجاع خلال ١٤ يوماً.\nتُرد قيمة المرتجع رصيداً في المحفظة الإلكترونية "
        "الخاصة بك على الموقع، ولا يتم الرد نقداً."
    )
    assert found(text, EG)["return.store_credit_only"].confident


def test_credit_sent_within_a_period_is_no_return_window() -> None:
    text = (
        "Returns within 30 days of delivery.\nRefunds are given as store credit only: "
        "vouchers are emailed within 2 days of approval."
    )
    rules = found(text, SA)
    assert "return.window_too_short" not in rules
    assert "return.refund_time_missing" not in rules


# Blind probes 34 to 36: mobile wallets, refused payment methods, the courier's charge, cost
# columns and line labels, headings of change of mind, order payment and price differences.


@pytest.mark.parametrize(
    "text",
    [
        "الاسترجاع خلال ٧ أيام من الاستلام. المبالغ ترجع لمحفظة STC Pay المسجلة عندنا.",
        "الاسترجاع خلال ٧ أيام من الاستلام، والمبلغ يرجع لحسابك خلال ٥ أيام. ما نعطي رصيد ولا "
        "قسيمة بدال المبلغ.",
    ],
)
def test_a_mobile_wallet_or_credit_refused_is_no_credit_finding(text: str) -> None:
    assert "return.store_credit_only" not in found(text, SA)


@pytest.mark.parametrize(
    "text",
    [
        "Returns within 10 days. Every refund is issued as store credit. We are unable to "
        "refund to mada, Visa, Mastercard or Apple Pay.",
        "Returns within 10 days of delivery. We don't refund to cards: you receive a gift "
        "voucher for the full value instead.",
        "Return policy\n- Returns within 10 days / الإرجاع خلال ١٠ أيام\n- Store credit only, "
        "no cash or card refunds / رصيد فقط، بدون استرداد نقدي",
        "Returns\n1. Orders\nPayment is authorised through mada or Visa.\n2. Refunds\nEvery "
        "return is refunded as store credit within 2 days.\nReturns within 10 days.",
    ],
)
def test_credit_beside_refused_or_order_payment_methods_is_the_only_refund(text: str) -> None:
    assert found(text, SA)["return.store_credit_only"].confident


def test_a_refund_refused_to_the_card_beside_credit_is_no_blanket_refusal() -> None:
    text = "الإرجاع خلال ١٠ أيام. المبلغ يصير رصيد في حسابك بالمتجر فقط، ما نحول على البطاقة."
    rules = found(text, SA)
    assert "return.blanket_no_return" not in rules
    assert rules["return.store_credit_only"].confident


@pytest.mark.parametrize(
    "text",
    [
        "الترجيع خلال ١٤ يوم والفلوس ترجع في ٥ أيام. المندوب بياخد ٤٠ جنيه في كل مرتجع حتى لو "
        "القطعة فيها عيب.",
        "Returns within 14 days, refunds within 5 days.\n\n| Case | Courier cost |\n|---|---|\n"
        "| منتج معطوب / Faulty item | على العميل – 60 EGP |",
        "Returns within 14 days, refunds within 5 days.\nFaulty items: tell us within 2 days. "
        "We swap the unit; the new unit's shipping is charged to you.",
        "Returns within 14 days, refunds within 5 days.\n\nFaults after 7 days\nRepairs go "
        "through the brand's centre; shipping there is the buyer's responsibility.",
    ],
)
def test_a_cost_for_defects_by_the_courier_a_cost_column_or_a_line_label(text: str) -> None:
    rules = found(text, EG)
    assert rules["return.customer_pays_for_defects"].confident
    assert "return.window_too_short" not in rules


@pytest.mark.parametrize(
    "text",
    [
        "الترجيع خلال ١٤ يوم والفلوس ترجع في ٥ أيام. المندوب بياخده من عندك ببلاش لو فيه عيب.",
        "Returns within 14 days, refunds within 5 days.\nChange of mind: send it back unused. "
        "Return postage is charged to you.",
        "الترجيع خلال ١٤ يوم والفلوس ترجع في ٥ أيام. الشحن عليكي لو غيرتي رأيك، ولو فيه عيب "
        "الشحن علينا.",
    ],
)
def test_a_pickup_or_a_cost_of_changing_ones_mind_is_no_defect_cost(text: str) -> None:
    assert "return.customer_pays_for_defects" not in found(text, EG)


def test_refusing_skincare_and_makeup_is_no_blanket_refusal() -> None:
    text = (
        "الترجيع خلال ١٤ يوم والفلوس ترجع في ٥ أيام.\n• الميك اب ومنتجات العناية بالبشرة "
        "مبتترجعش بعد الفتح."
    )
    assert "return.blanket_no_return" not in found(text, EG)


def test_a_heading_of_change_of_mind_gives_its_period_to_the_return() -> None:
    text = "🔁 لو غيرت رأيك\n- قدامك ٣ أيام من يوم الاستلام.\n- الفلوس ترجع خلال ٥ أيام."
    assert found(text, EG)["return.window_too_short"].confident


def test_an_order_made_ready_within_days_is_no_return_window() -> None:
    text = (
        "سياسة الاسترجاع\n\nالطلب\n- كل قطعة تتجهز خلال ٣ أيام عمل.\n\nالاسترجاع\n- تقدر "
        "ترجع الطلب خلال ١٥ يوم من الاستلام، والمبلغ يرجع خلال ٥ أيام."
    )
    assert "return.window_too_short" not in found(text, SA)


def test_an_exchanges_price_difference_as_credit_leaves_exchange_only() -> None:
    text = (
        "التبديل خلال ٥ أيام من الاستلام. ولو القطعة الجديدة أرخص بنرجعلك الفرق رصيد.\nمش "
        "بنرجع فلوس في حالة تغيير الرأي، المتاح التبديل بس."
    )
    rules = found(text, EG)
    assert rules["return.blanket_no_return"].confident
    assert "return.store_credit_only" not in rules


# Blind probes 37 to 39: English pages, formal terms and short dialect posts.


def test_the_feminine_you_pays_and_the_egyptian_exchange_noun_has_its_period() -> None:
    text = (
        "❌ مفيش رجوع فلوس\n🔄 البدل خلال ٤ أيام بس من الاستلام\n🚚 الشحن رايح جاي عليكي في كل "
        "الحالات"
    )
    rules = found(text, EG)
    assert rules["return.blanket_no_return"].confident
    assert rules["return.window_too_short"].confident
    assert rules["return.customer_pays_for_defects"].confident


def test_a_refund_paid_less_a_fee_in_dialect_keeps_the_fee() -> None:
    text = "الترجيع خلال ١٤ يوم. بعد الفحص بنرجعلك الفلوس ناقص ١٥٪ رسوم خلال ٥ أيام."
    assert found(text, EG)["return.fees_deducted"].confident


def test_limited_editions_refused_are_no_blanket_refusal() -> None:
    text = (
        "Returns within 14 days of delivery; refunds within 5 days.\nLimited-edition drops "
        "are final sale: no returns and no exchanges."
    )
    assert "return.blanket_no_return" not in found(text, SA)


def test_no_returns_once_the_order_leaves_the_warehouse_is_a_blanket_refusal() -> None:
    text = "No returns or exchanges once your parcel leaves our warehouse."
    assert found(text, SA)["return.blanket_no_return"].confident


def test_refund_requests_within_a_period_are_the_return_window() -> None:
    text = "Refund requests must be submitted within 2 days of delivery; refunds take 5 days."
    assert found(text, SA)["return.window_too_short"].confident


def test_costs_on_us_for_a_fault_spare_defects_on_an_exchange_only_page() -> None:
    text = (
        "🔄 التبديل بس، مفيش رجوع فلوس.\n- التبديل خلال ٣ أيام، ومصاريف الشحن عليكي.\n⚠️ لو في "
        "مشكلة\n- لو القطعة وصلت فيها عيب، في الحالة دي مصاريف الشحن كلها علينا."
    )
    assert "return.customer_pays_for_defects" not in found(text, EG)


def test_bound_to_report_damage_is_no_cost() -> None:
    text = (
        "يحق للعميل الإرجاع خلال ٧ أيام، ويرد المبلغ خلال ٥ أيام.\nيلتزم العميل بإخطار المتجر "
        "بأي كسر في الشحنة خلال ٤٨ ساعة من الاستلام."
    )
    assert "return.customer_pays_for_defects" not in found(text, SA)


def test_a_list_that_no_opens_is_denied_as_a_whole() -> None:
    text = (
        "Returns within 14 days; refunds within 5 days. No fees, courier costs or handling "
        "charges are taken from your refund."
    )
    assert "return.fees_deducted" not in found(text, EG)


@pytest.mark.parametrize(
    "text",
    [
        "لا يقبل استرجاع المنتجات أو استبدالها بعد التسليم، باستثناء الحالات الآتية:\n"
        "أ- وصول المنتج تالفاً.\nب- وصول منتج غير الذي طلبه العميل.\n"
        "١- يرد المبلغ خلال ٥ أيام.",
        "لا يجوز استرداد ثمن المنتج نقداً أو بأي وسيلة أخرى، ويقتصر حق المشتري على التبديل "
        "خلال ٣ أيام.",
        "يقتصر حق الإرجاع على المنتجات المعيبة، وعلى المشتري تقديم الطلب خلال ١٠ أيام من الاستلام.",
    ],
)
def test_formal_refusals_with_defects_or_exchanges_kept_are_blanket(text: str) -> None:
    assert found(text, EG)["return.blanket_no_return"].confident


def test_a_refusal_completed_by_a_list_of_conditions_is_no_blanket_refusal() -> None:
    text = (
        "يحق للعميل الإرجاع خلال ١٤ يوماً، ويرد المبلغ خلال ٥ أيام.\nلا يقبل إرجاع المنتجات "
        "التي:\n- استخدمت أو غسلت.\n- فقدت ملصقها."
    )
    assert "return.blanket_no_return" not in found(text, EG)


@pytest.mark.parametrize(
    "text",
    [
        "الإرجاع خلال ١٤ يوم والفلوس ترجع خلال ٥ أيام.\n- لو رجعت الشاشة من غير عيب هيتخصم ٥٪ من "
        "تمنها.",
        "الإرجاع خلال ١٤ يوماً ويرد المبلغ خلال ٥ أيام.\n- إذا ما ظهر بالجهاز أي عطل بعد الفحص تخصم "
        "رسوم فحص ٧٥ جنيه من المبلغ.",
        "Returns within 14 days, refunds within 5 days. A 5% fee is deducted from items "
        "returned without any fault.",
    ],
)
def test_a_fee_kept_for_goods_without_a_defect_is_no_defect_cost(text: str) -> None:
    findings = found(text, EG)
    assert findings["return.fees_deducted"].confident
    assert "return.customer_pays_for_defects" not in findings


@pytest.mark.parametrize(
    "heading",
    ["شاشات مستوردة – شروط البيع", "الشروط والأحكام", "Terms and Conditions"],
)
def test_a_pages_terms_title_is_no_list_of_conditions(heading: str) -> None:
    text = f"{heading}\n• التبديل بس خلال ٣ أيام من الاستلام.\n• مفيش رجوع فلوس خالص."
    findings = found(text, EG)
    assert findings["return.blanket_no_return"].confident
    assert findings["return.window_too_short"].confident


def test_sale_in_terms_of_sale_names_no_discounted_goods() -> None:
    text = "Terms of sale: no cash refunds on any order; exchanges only, within 3 days."
    assert "return.sale_items_excluded" not in found(text, SA)


def test_appliances_refused_once_installed_are_named_goods() -> None:
    text = (
        "الإرجاع خلال ١٤ يوماً ويرد المبلغ خلال ٧ أيام.\n- الغسالات بعد تركيبها لا يمكن "
        "استرجاعها إلا لعيب صناعة."
    )
    assert "return.blanket_no_return" not in found(text, EG)


def test_a_fee_rows_refusal_and_its_translation_keep_the_fee() -> None:
    text = (
        "| البند / Item | التفاصيل / Details |\n|---|---|\n"
        "| مدة الإرجاع / Return period | ١٤ يوم / 14 days |\n"
        "| رد المبلغ / Refund | ٥ أيام / 5 days |\n"
        "| رسوم الدفع عند الاستلام / COD fee | لا ترد / not refunded |\n"
        "| كروت الألعاب / Gaming cards | لا تسترجع / non-returnable |"
    )
    findings = found(text, EG)
    assert findings["return.fees_deducted"].confident
    assert "return.blanket_no_return" not in findings


def test_a_requirement_on_the_exchange_limits_no_refusal_beside_it() -> None:
    text = "ما نرجع فلوس أبداً، التبديل بس خلال يومين بشرط إن المنتج ما اتفتح ولا اتلبس."
    findings = found(text, SA)
    assert findings["return.blanket_no_return"].confident
    assert findings["return.window_too_short"].confident


@pytest.mark.parametrize(
    "text",
    [
        "🔁 التبديل: خلال ٤ أيام ✅\n💵 الاسترداد النقدي: غير متاح ❌",
        "Exchanges: within 4 days of delivery.\nRefunds: unavailable.",
    ],
)
def test_a_label_refused_by_its_value_is_a_refusal(text: str) -> None:
    assert found(text, SA)["return.blanket_no_return"].confident


def test_a_cost_for_returns_not_owed_to_a_defect_is_no_defect_cost() -> None:
    text = (
        "الإرجاع خلال ٧ أيام ويرد المبلغ خلال ٥ أيام عمل.\nيدفع العميل رسوم الشحن إذا كان الإرجاع "
        "غير ناتج عن عيب في المنتج."
    )
    assert "return.customer_pays_for_defects" not in found(text, SA)


@pytest.mark.parametrize(
    "refused",
    [
        "Engraved rings and monogrammed bags cannot be returned or exchanged.",
        "الاسترجاع غير متاح للشحنات الدولية.",
        "Refunds are not available for installation services already provided.",
    ],
)
def test_named_goods_refused_beside_a_window_are_no_blanket_refusal(refused: str) -> None:
    text = f"{refused}\nReturns within 7 days of delivery; refunds within 5 days."
    assert "return.blanket_no_return" not in found(text, SA)


def test_a_bare_return_cost_where_only_defects_come_back_is_theirs() -> None:
    text = (
        "لا نقبل الإرجاع أو الاستبدال إلا إذا وصل المنتج تالفاً، ويتم الإبلاغ خلال يومين.\n"
        "رسوم شحن المرتجع على العميل."
    )
    assert found(text, SA)["return.customer_pays_for_defects"].confident


def test_a_bare_return_cost_beside_an_exchange_stays_uncertain() -> None:
    text = "Exchanges only, within 3 days; no refunds. The customer pays return shipping."
    assert not found(text, SA)["return.customer_pays_for_defects"].confident


def test_a_table_row_of_other_orders_refused_is_no_blanket_refusal() -> None:
    text = (
        "| النوع | مدة الإرجاع | الاسترداد |\n|---|---|---|\n"
        "| الطلبات العادية | 14 يوم | 5 أيام عمل |\n"
        "| طلبات الجملة | غير قابلة للإرجاع | — |"
    )
    assert "return.blanket_no_return" not in found(text, SA)


def test_a_table_row_of_the_return_itself_refused_is_a_blanket_refusal() -> None:
    text = "| البند | الحكم |\n|---|---|\n| الاسترجاع | غير متاح |\n| التبديل | خلال 3 أيام |"
    assert found(text, SA)["return.blanket_no_return"].confident


def test_a_pickup_cost_kept_for_change_of_mind_is_the_returns_shipping() -> None:
    text = (
        "الإرجاع خلال ١٤ يوماً، ويرد المبلغ خلال ٥ أيام.\nالإرجاع مجاني للمنتجات المعيبة، وفي غير "
        "ذلك تخصم رسوم الاستلام ٢٠ ريال من المبلغ المسترد."
    )
    assert "return.fees_deducted" not in found(text, SA)


def test_sales_made_on_a_named_site_are_final() -> None:
    text = "All sales made on Bayt Alward are final. Faulty items are replaced within 3 days."
    assert found(text, SA)["return.blanket_no_return"].confident


def test_a_return_for_a_reason_refused_by_its_predicate_is_a_refusal() -> None:
    text = "الإرجاع لتغيير الرأي غير مقبول نهائياً، والتبديل متاح خلال 5 أيام من الاستلام فقط."
    findings = found(text, EG)
    assert findings["return.blanket_no_return"].confident
    assert findings["return.window_too_short"].confident


def test_a_payment_method_listed_after_a_credit_method_is_no_credit_validity() -> None:
    text = (
        "كيف نعيد المبلغ\n"
        "بعد اعتماد المرتجع تختار إحدى الطريقتين:\n"
        "- نقاط في حسابك لدينا: تضاف في نفس اليوم.\n"
        "- الحساب البنكي المستخدم عند الشراء: خلال 12 يوم عمل.\n"
        "سياسة الترجيع\n"
        "عندك 14 يوم من يوم الاستلام ترجع فيهم أي منتج."
    )
    rules = found(text, EG)
    assert "return.refund_time_missing" not in rules
    assert rules["return.refund_time_too_long"].confident


def test_a_list_lead_under_a_refund_heading_takes_the_heading_for_its_periods() -> None:
    text = (
        "Refund of your payment\n"
        "After the approval of your return, pick one of these:\n"
        "1. Wallet balance: added at once.\n"
        "2. The card used at checkout: within 6 working days.\n"
        "Return period: 14 days from the delivery date."
    )
    periods = find_periods(Document(normalise(text)))
    assert [(period.purpose.value, period.days) for period in periods] == [
        ("refund", 6 * 1.4),
        ("return", 14.0),
    ]


def test_a_table_cell_takes_its_purpose_from_its_column_heading() -> None:
    text = (
        "## المدد | Periods\n"
        "| طريقة التوصيل | إلغاء الطلب | الإبلاغ عن العيب | الترجيع | الاسترداد |\n"
        "|---|---|---|---|---|\n"
        "| شحن سريع من مستودعنا | خلال ساعتين من الطلب | 24 ساعة | 14 يوم | 7 أيام عمل |\n"
        "| شحن عادي | قبل خروج الشحنة | 24 ساعة | 14 يوم | 7 أيام عمل |"
    )
    periods = find_periods(Document(normalise(text)))
    assert [period.purpose.value for period in periods] == [
        "cancellation",
        "damage_report",
        "return",
        "refund",
        "damage_report",
        "return",
        "refund",
    ]
    rules = found(text, EG)
    assert "return.refund_time_missing" not in rules
    assert "return.window_too_short" not in rules


def test_payment_methods_listed_under_an_inspection_lead_are_refund_times() -> None:
    text = (
        "سؤال: إمتى الفلوس توصلني؟\n"
        "جواب: بعد ما نفحص المرتجع خلال 3 أيام عمل:\n"
        "- فيزا وماستركارد: من 7 إلى 14 يوم عمل.\n"
        "- فودافون كاش: خلال يومين.\n"
        "سؤال: مدة الترجيع كام؟\n"
        "جواب: 14 يوم من الاستلام."
    )
    rules = found(text, EG)
    assert "return.refund_time_missing" not in rules
    assert rules["return.refund_time_too_long"].confident


def test_a_payment_method_label_under_a_return_lead_stays_the_return_window() -> None:
    text = (
        "مدة الإرجاع حسب طريقة الدفع:\n"
        "- البطاقات البنكية: 3 أيام من الاستلام.\n"
        "- الدفع عند الاستلام: 3 أيام من الاستلام."
    )
    periods = find_periods(Document(normalise(text)))
    assert [period.purpose.value for period in periods] == ["return", "return"]
    assert found(text, EG)["return.window_too_short"].confident


def test_goods_in_a_title_that_names_the_shop_limit_no_refusal() -> None:
    text = (
        "إلى عملاء متجر عطور الياسمين\n"
        "المنتجات المباعة لا تسترجع ولا تبدل، إلا إذا وصل العطر مكسوراً أو فيه تسريب."
    )
    assert found(text, EG)["return.blanket_no_return"].confident


def test_goods_in_a_title_that_names_a_category_still_limit_its_refusal() -> None:
    text = (
        "العطور ومستحضرات التجميل\n"
        "لا تسترجع ولا تبدل بعد فتحها.\n"
        "باقي المنتجات\n"
        "الإرجاع خلال 14 يوماً من الاستلام."
    )
    assert "return.blanket_no_return" not in found(text, EG)


def test_goods_in_an_exception_for_defects_limit_no_refusal() -> None:
    text = (
        "سياسة البيع\n"
        "البضاعة المباعة لا ترد ولا تستبدل، إلا في حالة وجود عيب في الملابس الداخلية "
        "يتم الإبلاغ عنه خلال يوم."
    )
    assert found(text, SA)["return.blanket_no_return"].confident


def test_points_coming_back_instead_of_money_are_store_credit() -> None:
    text = (
        "حاب ترجع الطلب؟ معك عشرة أيام من يوم ما يوصلك.\n"
        "ملاحظة: الطلب المرتجع ما يرجع كاش، يرجع لكم نقاط في حساب المتجر تستخدمونها بعدين."
    )
    rules = found(text, SA)
    assert rules["return.store_credit_only"].confident
    assert "return.blanket_no_return" not in rules


def test_a_period_before_an_exchange_or_a_return_is_the_return_window() -> None:
    text = "ما نرد المبلغ نقداً، لكن تقدر خلال 4 أيام تبدل الثوب أو ترجعه وتاخذ كوبون بقيمته."
    assert found(text, SA)["return.window_too_short"].confident


def test_the_verbs_tustarja_and_tustarad_name_no_tester() -> None:
    text = "جميع الطلبات لا تسترجع ولا تسترد قيمتها بعد البيع."
    assert found(text, EG)["return.blanket_no_return"].confident


def test_the_shops_goods_named_as_sold_and_refused_are_a_blanket_refusal() -> None:
    text = (
        "شروط الشراء\n"
        "الكتب المباعة لا ترد ولا تستبدل، إلا إذا وصلت ممزقة أو ناقصة فنرسل بديلاً عنها."
    )
    assert found(text, SA)["return.blanket_no_return"].confident


def test_goods_named_as_sold_beside_a_return_granted_for_others_are_an_exclusion() -> None:
    text = (
        "الكتب المباعة لا ترد ولا تستبدل.\n"
        "أما الأدوات المكتبية فيمكن إرجاعها خلال 14 يوماً من الاستلام."
    )
    assert "return.blanket_no_return" not in found(text, SA)


def test_a_choice_of_the_customers_own_card_or_a_balance_is_no_credit_only() -> None:
    text = (
        "الإرجاع خلال 14 يوماً من الاستلام.\n"
        "يختار المشتري بين رد القيمة إلى بطاقته أو تحويلها رصيداً في حسابه لدينا خلال 5 أيام."
    )
    assert "return.store_credit_only" not in found(text, SA)


# Probes 46 and 47 (food, flower, digital-goods and electronics shops), in new words.


def test_a_refusal_drawn_from_what_all_the_shops_goods_are_refuses_every_return() -> None:
    text = "جميع منتجاتنا تحضر طازجة كل صباح، لذلك لا يمكن إرجاعها بعد الاستلام."
    assert found(text, SA)["return.blanket_no_return"].confident


def test_a_refusal_of_any_order_after_a_reason_about_named_goods_refuses_every_return() -> None:
    text = "كل الورود عندنا طازجة تنقطف نفس اليوم، وعشان كذا أي طلب ما ينرد ولا يتبدل."
    assert found(text, SA)["return.blanket_no_return"].confident


def test_a_reason_about_named_goods_still_limits_the_refusal_that_follows() -> None:
    text = (
        "المنتجات المبردة تفسد بسرعة، لذلك لا يمكن إرجاعها.\n"
        "أما باقي المنتجات فتقبل خلال 14 يوماً من الاستلام."
    )
    assert "return.blanket_no_return" not in found(text, SA)


def test_gulf_cannot_before_the_refused_verb_is_a_refusal() -> None:
    text = "ما نقدر نقبل إرجاع أي قطعة بعد ما توصلك."
    assert found(text, SA)["return.blanket_no_return"].confident


def test_greeting_cards_sold_are_no_bank_card_to_refund_to() -> None:
    text = (
        "حرصاً على رضاكم، نستبدل بطاقات المعايدة والعلب خلال 10 أيام بمنتج آخر بنفس القيمة "
        "أو مع دفع الفرق.\n"
        "لا يتم رد المبلغ نقداً أو إلى البطاقة في أي حال."
    )
    assert found(text, SA)["return.blanket_no_return"].confident


def test_goods_that_do_not_perish_are_not_damaged_goods() -> None:
    text = "نقبل إرجاع السلع غير القابلة للتلف خلال يومين من الاستلام، ويرد المبلغ خلال 5 أيام."
    assert found(text, SA)["return.window_too_short"].confident


def test_goods_named_in_a_lines_label_limit_its_refusal() -> None:
    text = (
        "Engraved items: all sales final.\n"
        "Other items may be returned within 14 days of delivery for a refund to your card."
    )
    assert "return.blanket_no_return" not in found(text, SA)


def test_a_label_naming_the_topic_limits_no_refusal() -> None:
    text = "Returns: all sales are final, whatever the item."
    assert found(text, SA)["return.blanket_no_return"].confident


def test_flash_sales_are_sale_items() -> None:
    text = (
        "Anything bought in our flash sales cannot be refunded.\n"
        "Other purchases may be returned within 14 days of delivery."
    )
    rules = found(text, SA)
    assert rules["return.sale_items_excluded"].confident
    assert "return.blanket_no_return" not in rules


def test_what_cancelling_a_plan_leaves_unrefunded_is_no_refusal_of_returns() -> None:
    text = (
        "Plans can be cancelled whenever you like; cancelling ends the renewals, but the "
        "month already started is not refunded.\n"
        "Physical kits can be returned within 14 days of delivery."
    )
    assert "return.blanket_no_return" not in found(text, SA)


def test_gift_cards_the_shop_sells_are_goods_not_the_refund() -> None:
    text = (
        "Digital Products – Refund Policy\n\n"
        "All gift cards, game codes and vouchers sold here arrive by e-mail.\n"
        "Unused codes can be returned within 14 days; the refund goes to your card in 5 days."
    )
    assert "return.store_credit_only" not in found(text, SA)


def test_once_it_has_been_delivered_narrows_no_refusal() -> None:
    text = "We do not refund or exchange any item once it has been delivered."
    assert found(text, SA)["return.blanket_no_return"].confident


def test_a_hyphened_change_of_mind_refusal_refuses_every_return() -> None:
    text = "We don't accept change-of-mind returns. Faulty units are repaired under warranty."
    assert found(text, SA)["return.blanket_no_return"].confident


def test_egyptian_fee_not_paid_back_without_the_alef() -> None:
    text = (
        "تقدر ترجع المنتج خلال ١٤ يوم، والفلوس بترجع خلال ٧ أيام.\nرسوم الدفع عند الاستلام متترجعش."
    )
    assert found(text, EG)["return.fees_deducted"].confident


def test_without_there_being_a_defect_is_change_of_mind() -> None:
    text = (
        "الاسترجاع خلال ١٤ يوم والفلوس ترجع في ٥ أيام.\n"
        "لو بترجع المنتج من غير ما يكون فيه عيب، هنخصم ٤٠ جنيه مصاريف شحن من المبلغ. لو فيه "
        "عيب الشحن علينا."
    )
    rules = found(text, EG)
    assert rules["return.fees_deducted"].confident
    assert "return.customer_pays_for_defects" not in rules


def test_a_refused_cancellation_or_refund_joined_by_or_is_a_refusal() -> None:
    text = "بعد تفعيل الاشتراك لا يمكن إيقاف الطلب أو استرداد قيمته بأي حال."
    assert found(text, EG)["return.blanket_no_return"].confident


# Real pages' spellings: Persian letters, a unit written on its number.


def test_persian_yeh_and_keheh_read_as_arabic_letters() -> None:
    assert found("الاسترجاع غير ممکن بعد الشراء.", SA)["return.blanket_no_return"].confident
    assert found("البضاعة ما یرجع ولا یتبدل.", SA)["return.blanket_no_return"].confident


def test_a_time_limit_with_its_unit_on_the_number_is_a_time_limit() -> None:
    # (as "after 7 days": the period it refuses returns after is the window it grants)
    assert "return.blanket_no_return" not in found("Returns not accepted after 7days.", SA)


def test_a_period_with_its_unit_on_the_number_is_a_headings_value() -> None:
    text = "Return window\n3days from delivery\n\nRefund time\n5 business days"
    assert found(text, SA)["return.window_too_short"].confident


# Pages as a crawler delivers them: markdown headings and bold labels, lists without their
# markers, a breadcrumb and an update date around the policy.


def test_a_markdown_title_over_a_table_is_the_pages_title() -> None:
    text = (
        "## سياسة الإرجاع والاسترداد\n\n"
        "| الحالة | المدة | طريقة التعويض |\n"
        "|---|---|---|\n"
        "| تغيير الرأي | 7 أيام من الاستلام | رصيد في حسابك |\n"
        "| منتج تالف | 3 أيام من الاستلام | استرداد كامل إلى البطاقة |\n"
    )
    assert "return.window_too_short" not in found(text, SA)


def test_a_bold_heading_refusing_returns_over_unmarked_lines_of_goods_limits_them() -> None:
    text = (
        "**Returns**\n"
        "Send any item back within 14 days of delivery for a refund to your card in 5 days.\n\n"
        "**Non-returnable**\n"
        "Swimwear\n"
        "Gift cards\n"
    )
    assert "return.blanket_no_return" not in found(text, SA)


def test_a_breadcrumb_is_not_the_pages_title() -> None:
    text = (
        "Home > Help > Returns\n"
        "Last updated: 2 March 2026\n\n"
        "Game Codes – Refund Policy\n\n"
        "If a code does not work:\n"
        "1. Message support within 48 hours of delivery.\n"
        "2. We send a new code once the supplier confirms it."
    )
    assert "return.window_too_short" not in found(text, SA)


# The law's period quoted against the store's own.


def test_the_laws_period_quoted_before_the_stores_shorter_one_is_not_the_window() -> None:
    text = (
        "يمنح نظام التجارة الإلكترونية المستهلك حق الإرجاع خلال سبعة أيام، غير أن المتجر "
        "يقبل طلبات الإرجاع خلال ثلاثة أيام فقط من الاستلام."
    )
    assert found(text, SA)["return.window_too_short"].confident


def test_the_laws_period_set_against_the_stores_terms_in_the_next_sentence() -> None:
    text = (
        "ينص قانون حماية المستهلك على حق الإرجاع خلال ١٤ يوماً من الاستلام.\n"
        "أما لدينا فمدة الإرجاع خمسة أيام من الاستلام، ويرد المبلغ خلال أسبوع."
    )
    assert found(text, EG)["return.window_too_short"].confident


def test_the_laws_period_the_store_adopts_is_its_window() -> None:
    text = (
        "طبقاً لقانون حماية المستهلك رقم 181 لسنة 2018، يحق للعميل إرجاع المنتج خلال 14 "
        "يوماً من الاستلام.\n"
        "يُرد المبلغ خلال 7 أيام من تاريخ استلامنا للمنتج."
    )
    assert "return.window_too_short" not in found(text, EG)


def test_a_clause_saying_what_the_law_exempts_limits_no_refusal() -> None:
    text = (
        "كل منتجاتنا تُطبع باسمك، عشان كذا ما نقبل الاسترجاع أبد، وهذا متوافق مع نظام "
        "التجارة الإلكترونية اللي يستثني المنتجات المخصصة."
    )
    assert found(text, SA)["return.blanket_no_return"].confident


def test_a_negator_after_a_word_that_holds_another_one_is_read() -> None:
    # "صغير" holds "غير": that match, not at a word start, no longer hides "ومش بنرجع"
    text = "إحنا محل صغير ومش بنرجّع فلوس خالص، الاستبدال بس خلال ٣ أيام."
    rules = found(text, EG)
    assert rules["return.blanket_no_return"].confident
    assert rules["return.window_too_short"].confident


def test_otherwise_is_no_exception() -> None:
    text = (
        "الإرجاع خلال 14 يوماً من الاستلام.\n"
        "يُرد المبلغ كاملاً إذا كان المنتج معيباً، وفيما عدا ذلك تُخصم مصاريف الشحن من المبلغ "
        "المسترد خلال 7 أيام."
    )
    assert found(text, EG)["return.fees_deducted"].confident


def test_after_we_deduct_is_no_waiver() -> None:
    text = (
        "تقدر ترجع طلبك خلال سبعة أيام من يوصلك.\n"
        "نرجع لك المبلغ خلال أسبوع بعد ما نخصم رسوم بوابة الدفع."
    )
    assert found(text, SA)["return.fees_deducted"].confident


# Run-on pages (line breaks lost), FAQ pages, and words of probes 50 and 51.


def test_a_run_on_heading_of_cases_over_inline_items_refuses_nothing() -> None:
    text = (
        "حالات لا يُقبل فيها الإرجاع - إذا استُخدم المنتج - إذا فُقدت الفاتورة - المنتجات "
        "المخفضة. يمكن الإرجاع خلال 7 أيام من الاستلام ويُرد المبلغ خلال 5 أيام."
    )
    assert "return.blanket_no_return" not in found(text, SA)


def test_run_on_emoji_items_are_items() -> None:
    text = (
        "سياسة الاسترجاع ✅ تقدر ترجع خلال ١٤ يوم ✅ الأندروير والمايوهات مش بتترجع لأسباب "
        "صحية ✅ الفلوس بترجع خلال ٧ أيام على فودافون كاش"
    )
    assert "return.blanket_no_return" not in found(text, EG)


def test_for_any_reason_other_than_defects_is_change_of_mind() -> None:
    text = (
        "الإرجاع خلال ١٤ يوم من الاستلام والفلوس ترجع في ٧ أيام، ومصاريف الشحن يدفعها العميل "
        "في حالة الاسترجاع لأي سبب غير العيوب."
    )
    assert "return.customer_pays_for_defects" not in found(text, EG)


def test_the_second_of_two_fees_kept_is_named() -> None:
    text = (
        "يحق للعميل الإرجاع خلال 15 يوماً من الاستلام، ويعاد المبلغ خلال 7 أيام.\n"
        "رسوم الشحن والدفع الإلكتروني غير مستردة."
    )
    assert found(text, SA)["return.fees_deducted"].confident


def test_no_money_back_in_any_case_but_a_defect_is_exchange_only() -> None:
    text = "التبديل متاح خلال أسبوع، ومفيش استرجاع فلوس في أي حالة غير لو المنتج فيه عيب."
    rules = found(text, EG)
    assert rules["return.blanket_no_return"].confident
    assert rules["return.window_too_short"].confident


def test_english_words_in_an_egyptian_sentence_keep_a_fee_and_put_a_cost_on_defects() -> None:
    text = (
        "تقدر تعمل return خلال 14 days من الـ delivery. الـ delivery fees مش refundable، "
        "والـ return shipping على الـ customer في كل الحالات."
    )
    rules = found(text, EG)
    assert rules["return.fees_deducted"].confident
    assert rules["return.customer_pays_for_defects"].confident


def test_each_of_two_refusals_in_a_sentence_keeps_its_own_time() -> None:
    text = (
        "البضاعة المباعة لا ترد ولا تستبدل، ولو فيه عيب ترجعها مع المندوب، وبعد ما المندوب "
        "يمشي مش بنقبل أي مرتجع."
    )
    assert found(text, EG)["return.blanket_no_return"].confident


def test_an_answer_on_the_questions_line_takes_its_purpose() -> None:
    text = "هل يمكن إرجاع المنتج؟ نعم، خلال 3 أيام من الاستلام.\nيعاد المبلغ خلال أسبوع."
    assert found(text, SA)["return.window_too_short"].confident


def test_from_when_the_order_reaches_you_is_an_anchor_and_i_exchange_a_purpose() -> None:
    text = (
        "🔸 أقدر أبدل في قد إيه؟\n"
        "خلال ٣ أيام من ما الأوردر يوصلك.\n"
        "🔸 ينفع أرجع وآخد فلوسي؟\n"
        "لأ، إحنا مش بنرجع فلوس خالص."
    )
    assert found(text, EG)["return.window_too_short"].confident


def test_medicines_named_limit_a_refusal() -> None:
    text = (
        "لا يمكن إرجاع الأدوية بعد خروجها من الصيدلية.\n"
        "باقي المنتجات تُرجع خلال 7 أيام من الاستلام ويُرد المبلغ خلال 5 أيام."
    )
    assert "return.blanket_no_return" not in found(text, SA)


def test_a_requirement_that_the_item_be_unused_refuses_nothing() -> None:
    text = (
        "يمكن إرجاع الحذاء خلال 7 أيام بشرط عدم استخدامه وإرجاعه في علبته، ويرد المبلغ خلال 5 أيام."
    )
    assert "return.blanket_no_return" not in found(text, SA)


def test_egyptian_el_sale_is_sale_items() -> None:
    text = "قطع السيل بتتبدل بس.\nباقي القطع ترجع خلال ١٤ يوم والفلوس بترجع في ٥ أيام."
    rules = found(text, EG)
    assert rules["return.sale_items_excluded"].confident
    assert "return.blanket_no_return" not in rules


# Probes 52 and 53 (a mixed sample; exceptions and "only"), in new words.


def test_a_negated_liking_keeps_no_fee() -> None:
    text = (
        "بعد الاستلام تقدر ترجع الطلب خلال ١٤ يوم والفلوس ترجع في ٧ أيام.\n"
        "من حقك تعاين الطلب قدام المندوب، ولو مش عاجبك ترجعه معاه وتدفع مصاريف الشحن بس."
    )
    assert "return.fees_deducted" not in found(text, EG)


def test_dialect_and_if_opens_the_case_the_store_pays_for() -> None:
    text = (
        "الاسترجاع خلال ١٤ يوم والفلوس ترجع في ٥ أيام.\n"
        "شحن المرتجع عليك، ولو القطعة فيها عيب إحنا اللي بنتحمل الشحن."
    )
    assert "return.customer_pays_for_defects" not in found(text, EG)


def test_even_if_defective_still_puts_the_cost_on_defects() -> None:
    text = (
        "الاسترجاع خلال ١٤ يوماً ويرد المبلغ خلال ٥ أيام.\n"
        "يتحمل العميل مصاريف الشحن ولو كان المنتج معيباً."
    )
    assert found(text, EG)["return.customer_pays_for_defects"].confident


def test_returns_only_for_defective_goods_in_arabic_refuse_every_other_return() -> None:
    text = "الإرجاع فقط للقطع التي يظهر بها عيب تصنيع.\nويمكن تبديل المقاس خلال 5 أيام من الاستلام."
    assert found(text, SA)["return.blanket_no_return"].confident


def test_card_refunds_for_cancelled_orders_only_leave_credit_only() -> None:
    text = (
        "Returns are accepted within 14 days of delivery. Refunds are given as store credit "
        "only, unless the order was cancelled before dispatch, in which case the card is "
        "refunded."
    )
    assert found(text, SA)["return.store_credit_only"].confident


def test_if_it_is_not_defective_is_change_of_mind() -> None:
    text = (
        "نقبل الإرجاع خلال 14 يوماً ويرد المبلغ خلال 5 أيام.\n"
        "يتحمل العميل شحن الإرجاع في حال لم يكن المنتج معيباً."
    )
    assert "return.customer_pays_for_defects" not in found(text, SA)


def test_a_fee_not_paid_back_by_la_yatim_istirdad() -> None:
    text = (
        "يحق لك الإرجاع خلال 7 أيام من الاستلام، ويعاد المبلغ خلال 5 أيام.\n"
        "لا يتم استرداد رسوم الدفع عند الاستلام."
    )
    assert found(text, SA)["return.fees_deducted"].confident


def test_a_bare_imperative_return_is_a_return() -> None:
    text = "رجّع أي قطعة خلال يومين من الاستلام، والمبلغ يرجع لك خلال ٥ أيام عمل."
    assert found(text, SA)["return.window_too_short"].confident


# Shipping and privacy pages (probe 54), in new words.

SHIPPING, PRIVACY = PolicyType.SHIPPING_DELIVERY, PolicyType.PRIVACY_ACCOUNT


def test_a_coupon_or_free_shipping_for_a_late_order_is_a_remedy() -> None:
    for text in (
        "Delivery takes 2 to 4 days, shipping is SAR 20.\n"
        "If your parcel is late, we send you a 15% discount code for your next order.",
        "التوصيل خلال ٣ أيام والشحن ٤٠ جنيه.\n"
        "ولو الأوردر اتأخر، الشحن هيبقى free على الأوردر الجاي.",
    ):
        assert "shipping.late_delivery_remedy_missing" not in found(text, SA, SHIPPING)


def test_a_remedy_listed_under_a_late_delivery_heading_is_a_remedy() -> None:
    text = (
        "التوصيل من ٢ لـ ٥ أيام، والشحن ٥٠ جنيه.\n"
        "⏰ لو الطلب اتأخر\n"
        "لو عدى أسبوعين ومجاش، من حقك تختار:\n"
        "١- تلغي الطلب ونرجعلك فلوسك\n"
        "٢- أو تستنى ونرجعلك مصاريف الشحن"
    )
    assert "shipping.late_delivery_remedy_missing" not in found(text, EG, SHIPPING)


def test_getting_an_order_ready_is_no_delivery_time() -> None:
    text = "Orders are processed within 2 business days. Shipping is SAR 25 to every city."
    assert found(text, SA, SHIPPING)["shipping.delivery_time_missing"].confident


def test_a_delivery_time_beside_the_preparation_is_stated() -> None:
    text = "بنجهز الطلب في يوم، ويوصلك خلال ٣ أيام. الشحن ٤٠ جنيه."
    assert "shipping.delivery_time_missing" not in found(text, EG, SHIPPING)


def test_gulf_retention_until_the_account_is_deleted_and_a_purpose_with_nijahhiz() -> None:
    text = (
        "وش ناخذ منك؟ اسمك وجوالك وعنوانك.\n"
        "ليش؟ عشان نجهز طلبك ونوصله لك.\n"
        "مين يشوفها؟ شركة الشحن بس.\n"
        "كم نحتفظ فيها؟ نحتفظ فيها إلى أن تحذف حسابك.\n"
        "تقدر تشوف بياناتك وتعدلها من صفحة حسابي."
    )
    rules = found(text, SA, PRIVACY)
    assert "privacy.purpose_missing" not in rules
    assert "privacy.retention_missing" not in rules


def test_egyptian_data_wiped_after_a_period_is_retention_and_denied_sharing_is_none() -> None:
    text = (
        "بناخد اسمك وعنوانك عشان نوصلك الأوردر.\n"
        "البيانات دي بنديها لشركة الشحن بس، ومش بنديها لأي حد تاني.\n"
        "بيانات الأوردرات بتتمسح بعد سنة من التسليم، ولو عايز نمسحها قبل كده كلمنا."
    )
    rules = found(text, EG, PRIVACY)
    assert "privacy.retention_missing" not in rules
    assert "privacy.third_party_sharing_unclear" not in rules


def test_only_our_staff_seeing_the_data_is_no_open_sharing() -> None:
    text = (
        "نستخدم بياناتك لتوصيل طلباتك ونشاركها مع شركة الشحن فقط، ونحتفظ بها سنتين.\n"
        "نحمي بياناتك بالتشفير، ولا يطلع عليها إلا الموظفون المخولون.\n"
        "يحق لك طلب نسخة من بياناتك أو حذفها في أي وقت."
    )
    assert "privacy.third_party_sharing_unclear" not in found(text, SA, PRIVACY)


def test_a_refused_deletion_is_no_right_to_delete() -> None:
    text = (
        "نستخدم بياناتك لتنفيذ طلباتك، ونشاركها مع شركة الشحن فقط، ونحتفظ بها 5 سنوات.\n"
        "يحق لك الاطلاع على بياناتك من صفحة حسابك.\n"
        "لا يمكن حذف بيانات الطلبات السابقة لارتباطها بالفواتير."
    )
    assert found(text, SA, PRIVACY)["privacy.deletion_right_missing"].confident


def test_a_denial_hands_over_to_the_clause_that_shares() -> None:
    text = (
        "We collect your name and address to deliver your orders and keep them for 2 years. "
        "We don't sell your data but share it with partners. You may ask for a copy or its "
        "deletion."
    )
    assert found(text, SA, PRIVACY)["privacy.third_party_sharing_unclear"].confident


# Terms-of-service pages (probe 55), in new words.


def test_no_fee_for_a_faulty_product_puts_no_cost_on_defects() -> None:
    text = (
        "Returns are accepted within 14 days; refunds take 5 days.\n"
        "A SAR 30 handling fee is deducted from change-of-mind refunds. No fee applies if the "
        "product is faulty, broken or not as described."
    )
    assert "return.customer_pays_for_defects" not in found(text, SA)


def test_an_offers_half_price_is_no_partial_refund() -> None:
    text = (
        "تقدر ترجع خلال ١٤ يوم والفلوس ترجع في ٧ أيام.\n"
        "عرض الجمعة: القطعة التانية بنص التمن لمدة يومين."
    )
    assert "return.fees_deducted" not in found(text, EG)


def test_a_marketplace_that_sets_no_return_periods_refuses_nothing() -> None:
    text = (
        "The platform does not set return periods: each seller publishes its own, within the "
        "14 days the law gives, and refunds are paid within 7 days."
    )
    assert "return.blanket_no_return" not in found(text, EG)


def test_what_sellers_pay_the_marketplace_is_no_fee_kept() -> None:
    text = (
        "Buyers may return items within 14 days; refunds are paid within 7 days.\n"
        "Sellers pay a commission of 10% of the sale price."
    )
    assert "return.fees_deducted" not in found(text, EG)


def test_you_may_instead_choose_credit_is_a_choice() -> None:
    text = (
        "الإرجاع خلال 15 يوماً من الاستلام.\n"
        "7.1 Card refunds: 5 to 7 business days after we receive the item.\n"
        "7.2 يمكنك بدلاً من ذلك اختيار رصيد فوري في محفظة المتجر."
    )
    assert "return.store_credit_only" not in found(text, SA)


def test_a_gift_wrapping_charge_kept_is_a_fee() -> None:
    text = (
        "Send back unused items within 30 days for a refund within 5 days.\n"
        "The gift wrapping charge is non-refundable once the order has been wrapped."
    )
    assert found(text, SA)["return.fees_deducted"].confident


def test_how_long_an_offer_runs_is_no_return_window() -> None:
    text = (
        "3. Prices and promotions\n"
        '3.1 "Flash deal" prices apply for 24 hours only.\n'
        "6. Returns\n"
        "6.1 Most items may be returned within 15 days of delivery and are refunded within 5 "
        "days."
    )
    assert "return.window_too_short" not in found(text, SA)


# Probes 56 to 59: platform templates, who pays for defects, credit refunds, store builders.


def test_the_templates_contact_us_after_approval_is_no_return_window() -> None:
    text = (
        "Returns: 2 days from delivery.\n"
        "If 15 business days have passed since we've approved your return and your money has "
        "not arrived, please write to us."
    )
    assert found(text, SA)["return.window_too_short"].confident


def test_a_fee_named_only_as_a_fee_takes_its_kind_from_its_sentence() -> None:
    text = (
        "Returns within 10 days of delivery; refunds within 5 days.\n"
        "If you book our pickup service, a fee of SAR 20 is deducted from your refund."
    )
    assert "return.fees_deducted" not in found(text, SA)


def test_a_fee_said_non_refundable_by_a_pronoun_is_kept() -> None:
    text = (
        "يحق لك إرجاع الساعة خلال ١٤ يوماً من الاستلام، ويرد المبلغ خلال ٧ أيام.\n"
        "يدفع العميل رسوم فحص قدرها ٥٠ جنيهاً عند تسليم الساعة، وهي غير مستردة."
    )
    assert found(text, EG)["return.fees_deducted"].confident


def test_an_amount_paid_back_less_a_fee_keeps_the_fee() -> None:
    text = (
        "تقدر ترجع المنتج خلال ١٤ يوم من الاستلام.\n"
        "بنحول لك فلوسك خلال ٥ أيام، مخصوم منها رسوم الدفع الإلكتروني."
    )
    assert found(text, EG)["return.fees_deducted"].confident


def test_an_extra_discount_on_a_voucher_is_no_fee() -> None:
    text = (
        "عند قبول الإرجاع خلال ١٤ يوماً يمكنك الاختيار: استرداد المبلغ إلى البطاقة خلال ٥ أيام، "
        "أو قسيمة شراء بقيمة المنتج مع خصم إضافي 10%."
    )
    assert "return.fees_deducted" not in found(text, EG)


def test_costs_for_other_than_defects_put_nothing_on_defects() -> None:
    text = (
        "الاستبدال خلال ٥ أيام من الاستلام، ولا يسترد المبلغ بعد الاستلام.\n"
        "يتحمل العميل تكاليف الشحن في الاستبدال لغير العيوب."
    )
    assert "return.customer_pays_for_defects" not in found(text, SA)


def test_a_cost_in_both_cases_names_defects_beside_change_of_mind() -> None:
    text = (
        "الإرجاع خلال ٧ أيام من الاستلام، ويرد المبلغ خلال ٥ أيام.\n"
        "يتحمل المشتري أجرة الشحن في كلتا الحالتين: الإرجاع لعدم الرغبة أو وجود عيب في المنتج."
    )
    assert found(text, SA)["return.customer_pays_for_defects"].confident


def test_a_cost_paid_by_the_customer_in_the_next_clause_in_every_case() -> None:
    text = (
        "Returns within 14 days; refunds within 5 days.\n"
        "Each replacement carries a courier charge of EGP 40, paid by the customer, for any "
        "reason."
    )
    assert found(text, EG)["return.customer_pays_for_defects"].confident


def test_a_share_of_a_defects_cost_left_to_the_customer() -> None:
    text = (
        "الإرجاع خلال ١٤ يوم والفلوس بترجع في ٧ أيام.\n"
        "لو المنتج بايظ إحنا بنتحمل نص مصاريف الشحن وانت تدفع الباقي."
    )
    assert found(text, EG)["return.customer_pays_for_defects"].confident


def test_shipping_to_the_service_centre_is_a_defects_cost() -> None:
    text = (
        "Sealed items can be returned within 14 days, refunded within 7 days.\n"
        "Faulty appliances go to our repair centre in Alexandria; transport to and from the "
        "repair centre is at the customer's expense."
    )
    assert found(text, EG)["return.customer_pays_for_defects"].confident


def test_a_mobile_wallet_refused_leaves_credit_only() -> None:
    text = (
        "الإرجاع خلال ١٤ يوماً من الاستلام.\n"
        "يُرد المبلغ رصيداً في محفظة المتجر فقط، لا نحول إلى STC Pay ولا إلى الحساب البنكي."
    )
    assert found(text, SA)["return.store_credit_only"].confident


def test_a_wallet_balance_that_cannot_be_cashed_is_credit_only() -> None:
    text = (
        "ترجع أي قطعة خلال ١٤ يوم.\n"
        "المبلغ بيتضاف لمحفظتك على الموقع خلال ٢٤ ساعة.\n"
        "رصيد المحفظة للشراء بس، مينفعش يتسحب كاش."
    )
    assert found(text, EG)["return.store_credit_only"].confident


def test_a_promo_code_worth_the_item_is_credit() -> None:
    text = (
        "Returns within 14 days of delivery.\n"
        "We don't pay refunds in cash: you get a promo code worth the full price of the item, "
        "sent within 3 days."
    )
    assert found(text, EG)["return.store_credit_only"].confident


def test_a_gift_card_sent_within_days_is_no_window_for_gift_cards() -> None:
    text = (
        "Items can be returned within 14 days of receipt.\n"
        "No cash refunds: after inspection you'll receive a gift card for the item's value "
        "within 3 days."
    )
    assert "return.window_too_short" not in found(text, SA)


@pytest.mark.parametrize(
    "text",
    [
        "Return within 14 days.\nتُضاف النقاط إلى حسابك خلال 48 ساعة بعد فحص المنتج.",
        "Return within 14 days.\nنرجّع لك المبلغ (بدون الشحن) خلال أسبوع.",
        "مدة الإرجاع ١٤ يوم.\nالتحويل يتم خلال ٣ إلى ٥ أيام عمل.",
        "مدة الإرجاع ١٤ يوم.\nتضاف قيمة المنتج المرتجع رصيداً في محفظتك خلال يومين.",
        "Returns within 14 days.\nWe will issue store credit to your account within 3 days.",
        "Returns within 14 days.\nالـ gift card بتوصلك على الإيميل خلال يومين.",
    ],
)
def test_credit_and_transfers_paid_within_days_are_refund_times(text: str) -> None:
    assert "return.refund_time_missing" not in found(text, EG)


def test_a_refusal_in_all_cases_among_a_returns_conditions_is_blanket() -> None:
    text = (
        "شروط الاستبدال\n"
        "١. يمكن استبدال القطعة بمقاس آخر خلال ٤ أيام من الاستلام.\n"
        "٢. لا يتم رد المبالغ المدفوعة في جميع الأحوال."
    )
    assert found(text, SA)["return.blanket_no_return"].confident


# Probes 60 and 61: periods that refine or contradict each other, small shops' short pages.


def test_periods_listed_in_one_delivery_clause_are_all_delivery_times() -> None:
    text = (
        "سياسة الإرجاع – الساعات\n"
        "الساعات غير المستعملة: ترجعها خلال 14 يوماً من الاستلام.\n"
        "يرد المبلغ خلال 5 أيام.\n"
        "الشحن داخل جدة خلال يوم وباقي المدن من 3 إلى 5 أيام."
    )
    assert "return.window_too_short" not in found(text, SA)


def test_a_shorter_period_called_the_only_one_beside_a_longer_is_uncertain() -> None:
    text = (
        "Returns are accepted within 30 days of delivery; refunds take 5 days.\n"
        "تنبيه: مدة الإرجاع يومان فقط من الاستلام، ولا تقبل الطلبات بعد انقضائها."
    )
    finding = found(text, SA)["return.window_too_short"]
    assert not finding.confident
    assert finding.uncertainty


@pytest.mark.parametrize(
    "text",
    [
        "ترجع أي حاجة خلال ١٤ يوم والفلوس في ٧ أيام.\nالبرفانات مش بتترجع بعد ما تتفتح.",
        "يحق لك الإرجاع خلال 14 يوماً ويرد المبلغ خلال 7 أيام.\n"
        "لا يمكن استرجاع المنتجات بعد غسلها أو تعديلها.",
        "ترجع المنتج خلال ٣ أيام عمل والفلوس في ٧ أيام.\nبعد الـ 3 أيام عمل مش هنقبل أي مرتجع.",
        "ترجّع القطعة يوم الاستلام بس، والفلوس ترجع في يومين.\nومن تاني يوم مفيش استرجاع.",
    ],
)
def test_a_refusal_of_some_goods_or_after_the_window_is_no_blanket_refusal(text: str) -> None:
    assert "return.blanket_no_return" not in found(text, EG)


def test_an_faq_answer_after_its_marker_names_who_pays_in_all_cases() -> None:
    text = (
        "Q: How long do I have to return an item?\nA: 14 days from delivery.\n"
        "Q: When is my money back?\nA: Within 5 days.\n"
        "Q: Who pays the return courier?\nA: The customer, in all cases."
    )
    assert found(text, EG)["return.customer_pays_for_defects"].confident


def test_an_answer_on_its_questions_line_spares_defects() -> None:
    text = (
        "All sales are final.\n"
        "Wrong size? Tell us within 5 days and we exchange it once; you pay the courier.\n"
        "Arrived broken? We send a new one at our cost."
    )
    assert "return.customer_pays_for_defects" not in found(text, SA)


# Probes 62 to 65: formal terms of sale, clothing brands' English pages, Saudi shops, hard
# negatives.


@pytest.mark.parametrize(
    "text",
    [
        "Items may be returned within 14 days; refunds follow within 7 days.\n"
        "No return shipping is charged, in any case, where the item is faulty.",
        "2. Returns\nYou may return items within 14 days of delivery, refunded within 7 days.\n"
        "7. Products that cannot be returned under clause 2\n(a) earrings;\n(b) opened make-up.",
        "يحق لك الإرجاع خلال 14 يوماً من الاستلام ويرد المبلغ خلال 7 أيام.\n"
        "بعد ما تخلص الأربعة عشر يوم ما نقدر نقبل أي مرتجع.",
    ],
)
def test_a_cost_a_list_heading_or_the_window_s_end_refuses_nothing(text: str) -> None:
    assert "return.blanket_no_return" not in found(text, EG)


@pytest.mark.parametrize(
    "text",
    [
        "Goods once sold will not be taken back or exchanged.",
        "جميع المبيعات نهائية، ولا يمكن إرجاع الطلبات أو استبدالها بعد تأكيد الطلب.",
    ],
)
def test_no_returns_once_sold_or_ordered_is_a_blanket_refusal(text: str) -> None:
    assert found(text, SA)["return.blanket_no_return"].confident


@pytest.mark.parametrize(
    "text",
    [
        "Returns within 14 days, refunded within 7 days.\n"
        "We do not deduct a handling fee, a packaging fee or any other charge from refunds.",
        "Returns within 14 days, refunded within 7 days.\n"
        "No restocking, handling or gateway fee is deducted from any refund.",
    ],
)
def test_fees_listed_after_a_denial_are_not_kept(text: str) -> None:
    assert "return.fees_deducted" not in found(text, EG)


@pytest.mark.parametrize(
    "text",
    [
        "Returns within 14 days of delivery.\n"
        "Accepted returns are refunded solely as account credit within 3 days. Credit cannot be "
        "withdrawn, moved or paid out in cash.",
        "الإرجاع خلال ١٤ يوم.\nبنرجعلك قيمة القطعة على شكل e-Gift Card على الإيميل خلال يومين.",
    ],
)
def test_credit_solely_or_in_the_form_of_a_gift_card_is_credit_only(text: str) -> None:
    assert found(text, EG)["return.store_credit_only"].confident


def test_a_fee_kept_under_any_circumstance_is_kept_for_defects_too() -> None:
    text = (
        "يحق للعميل الإرجاع خلال 14 يوماً ويرد المبلغ خلال 7 أيام.\n"
        "رسوم الدفع الإلكتروني لا تسترد تحت أي ظرف."
    )
    assert found(text, EG)["return.customer_pays_for_defects"].confident


def test_the_cost_of_a_defect_s_replacement_put_on_the_customer() -> None:
    text = (
        "All sales are final.\n"
        "If your parcel arrives broken, write to us the same day and we will ship a replacement. "
        "The courier fee for the replacement (EGP 50) is paid by the customer."
    )
    assert found(text, EG)["return.customer_pays_for_defects"].confident


def test_a_payment_method_label_under_a_recovery_heading_is_a_refund_time() -> None:
    text = (
        "🕒 المدة\n• الاسترجاع: ثلاثة أيام من استلام الطلب\n\n"
        "💳 الاسترداد\n• مدى / فيزا: 7-14 يوم عمل"
    )
    rules = found(text, SA)
    assert rules["return.window_too_short"].confident
    assert "return.refund_time_missing" not in rules


def test_an_faq_answer_to_return_or_exchange_is_the_return_window() -> None:
    text = (
        "Q: How long do I have to return or exchange?\nA: 3 days from delivery.\n"
        "Q: When is my money back?\nA: Within 5 days."
    )
    assert found(text, EG)["return.window_too_short"].confident


def test_a_fee_shown_at_checkout_is_not_kept_from_refunds() -> None:
    text = (
        "Delivery\nA cash-on-delivery fee of SAR 10 applies and is shown at checkout.\n\n"
        "Returns\nReturns within 14 days of delivery; refunds within 5 days."
    )
    assert "return.fees_deducted" not in found(text, SA)


def test_credit_added_within_a_time_to_be_spent_later_is_the_refund_time() -> None:
    text = (
        "الإرجاع خلال 14 يوم من الاستلام.\n"
        "تضاف قيمة المرتجع إلى رصيدك في التطبيق خلال 24 ساعة لاستخدامها في طلب لاحق."
    )
    rules = found(text, EG)
    assert rules["return.store_credit_only"].confident
    assert "return.refund_time_missing" not in rules


@pytest.mark.parametrize(
    "text",
    [
        # the value paid back, in the possessive
        "يمكن الإرجاع خلال 14 يوماً.\nأما الدفع بالبطاقة فتُرد قيمته إلى البطاقة خلال 5 أيام عمل.",
        # what comes back, after the item's money label
        "الإرجاع: خلال 14 يوم من الاستلام.\n💰 الفلوس: بترجعلك خلال 5 أيام.",
        # a delivery fee named beside the refund is a cost, not a delivery
        "Return it within 14 days and we refund the full amount, delivery fee included, "
        "within 5 days.",
        # counted from the courier's pickup of the return, onto the original payment method
        "Returns are accepted within 14 days.\nHow are refunds paid?\n"
        "To your original payment method within 5 business days of pickup.",
        # the bare "الرد" beside a return period
        "ويمكن طلب الاسترجاع خلال 14 يوماً من الاستلام، ويتم الرد خلال 5 أيام عمل.",
    ],
)
def test_refund_times_in_wordings_the_refund_words_missed(text: str) -> None:
    assert "return.refund_time_missing" not in found(text, EG)


def test_the_question_answered_names_the_period_before_a_later_clause() -> None:
    text = "ينفع أرجع المنتج؟\nينفع خلال 3 أيام من الاستلام، بس الفلوس بترجعلك رصيد في المحفظة."
    rules = found(text, EG)
    assert rules["return.window_too_short"].confident
    assert "return.refund_time_too_long" not in rules


def test_a_table_whose_cells_are_divided_by_tabs() -> None:
    text = (
        "الإرجاع\nعندك 14 يوم من الاستلام.\n\n"
        "مين يدفع الشحن؟\nالحالة\tمصاريف الشحن\nمنتج تالف\tعلى العميل\nتغيير الرأي\tعلى العميل"
    )
    assert found(text, EG)["return.customer_pays_for_defects"].confident


def test_an_empty_cell_s_dash_does_not_cut_a_table_row() -> None:
    text = (
        "Type: Sealed device | Period: 14 days from delivery | Refund: to the card\n"
        "Type: Gift cards and software | Period: — | Not returnable"
    )
    assert "return.blanket_no_return" not in found(text, SA)


def test_a_note_in_brackets_is_no_heading() -> None:
    text = (
        "📌 المصاريف\nالسبب\tمصاريف الشحن\nمش عاجبك\tعلى العميل\n"
        "(في كل الحالات مصاريف الشحن على العميل ومبترجعش)\n\n📌 الفلوس\nبترجع خلال ٥ أيام."
    )
    assert found(text, EG)["return.customer_pays_for_defects"].confident


def test_a_refusal_cited_by_name_is_not_the_shop_s() -> None:
    text = (
        "يقبل الإرجاع خلال سبعة أيام من الاستلام، ولا نعمل بعبارة «البضاعة المباعة لا ترد ولا "
        "تستبدل» في أي فرع. ويرد المبلغ خلال خمسة أيام."
    )
    assert "return.blanket_no_return" not in found(text, SA)


def test_an_item_s_label_reaches_past_its_semicolon() -> None:
    text = (
        "- Clothing: 30 days from delivery\n"
        "- Fresh food: tell us of any problem within 24 hours; no change-of-mind returns\n"
        "Refunds within 7 days."
    )
    assert "return.blanket_no_return" not in found(text, EG)


def test_a_title_naming_the_shop_limits_nothing_under_a_later_list() -> None:
    text = "متجر عطور الياسمين\nشروط الإرجاع:\n- لا يقبل إرجاع أي منتج بعد ثلاثة أيام من الاستلام."
    document = Document(normalise(text))
    refusal = next(clause for clause in document.clauses if clause.refusal is not None)
    assert Category.HYGIENE not in document.scope(refusal)


def test_the_terms_that_follow_are_no_list_of_goods() -> None:
    document = Document(normalise("تسري على منتجات هذا البائع الشروط التالية:\n- لا إرجاع."))
    assert Category.LISTED not in document.scope(document.clauses[-1])


def test_damaged_packaging_sent_back_is_no_defect() -> None:
    text = (
        "الإرجاع خلال ٧ أيام من الاستلام.\n"
        "لو الكرتون مفتوح أو الغلاف متضرر، يخصم 10% من قيمة المنتج.\n"
        "المبلغ يرجع خلال أسبوع."
    )
    rules = found(text, SA)
    assert rules["return.fees_deducted"].confident
    assert "return.customer_pays_for_defects" not in rules


def test_every_change_of_mind_return_is_not_every_case() -> None:
    text = (
        "يقبل الإرجاع خلال 14 يوماً. وفي كل حالات الإرجاع لعدم الرغبة يتحمل العميل الشحن ويخصم من "
        "المبلغ، أما المنتج المعيب فيتحمل المتجر شحنه. ويرد المبلغ خلال 7 أيام."
    )
    assert "return.customer_pays_for_defects" not in found(text, EG)


def test_after_is_no_negation_of_the_money_refund() -> None:
    text = (
        "ترجع القطعة خلال 14 يوم. وبعد ما القطعة توصلنا بنرجعلك تمنها على المحفظة أو الكارت "
        "خلال أسبوع."
    )
    rules = found(text, EG)
    assert "return.store_credit_only" not in rules
    assert "return.refund_time_missing" not in rules


def test_non_conforming_goods_returnable_is_no_refusal() -> None:
    text = (
        "يحق للعميل الإرجاع خلال 14 يوماً من الاستلام.\n"
        "أما المنتجات المعيبة أو غير المطابقة فيمكن إرجاعها خلال ثلاثين يوماً.\n"
        "ويرد المبلغ خلال سبعة أيام."
    )
    assert "return.blanket_no_return" not in found(text, EG)


def test_baby_care_goods_are_named_goods() -> None:
    text = (
        "✔️ الإرجاع خلال 7 أيام من الاستلام.\n"
        "✔️ الحفاضات والحليب ومنتجات الاستحمام ما تنرجع أبد.\n"
        "✔️ المبلغ يرجع خلال 5 أيام."
    )
    assert "return.blanket_no_return" not in found(text, SA)


def test_a_deposit_kept_is_a_fee() -> None:
    text = (
        "الإرجاع خلال 14 يوم والفلوس بترجع خلال 5 أيام.\n"
        "طلبات التورت المخصوص: العربون (150 جنيه) مش بيرجع لو الأوردر اتلغى."
    )
    assert found(text, EG)["return.fees_deducted"].confident


def test_contacting_us_under_how_to_return_is_the_window() -> None:
    text = (
        "ازاي ترجع الأوردر؟\n1- ابعتلنا واتساب في خلال 3 أيام من الاستلام.\n"
        "2- الفلوس بترجع بعد ما نفحص المنتج في خلال 5 أيام."
    )
    rules = found(text, EG)
    assert rules["return.window_too_short"].confident
    assert "return.refund_time_missing" not in rules


@pytest.mark.parametrize(
    "text",
    [
        "يقبل الإرجاع خلال يومي عمل من الاستلام، والمبلغ يرد خلال 5 أيام.",
        "لو رجعت الطلب خلال ٤ أيام من الاستلام بنرجعلك تمن المنتج كامل خلال أسبوع.",
    ],
)
def test_short_windows_in_the_dual_and_the_past(text: str) -> None:
    assert found(text, SA)["return.window_too_short"].confident


def test_a_window_in_working_days_short_as_written_is_uncertain() -> None:
    finding = found("Returns within 5 business days of delivery; refunds within 5 days.", SA)[
        "return.window_too_short"
    ]
    assert not finding.confident
    assert "working days" in finding.uncertainty


def test_a_window_the_page_says_does_not_apply_is_not_the_window() -> None:
    text = (
        "Returns within 3 days of delivery, unopened only.\n"
        "The platform's usual 14-day return window does not apply to this seller.\n"
        "Refunds within 5 days."
    )
    assert found(text, EG)["return.window_too_short"].confident


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("- Return window: 14 days\n- Restocking fee: 20 ر.س على كل قطعة\n- Refund: 5 days", True),
        ("- Return window: 14 days\n- Restocking fee: 0 SAR on any item\n- Refund: 5 days", False),
    ],
)
def test_a_handling_fee_named_by_its_item_s_label(text: str, kept: bool) -> None:
    assert ("return.fees_deducted" in found(text, SA)) is kept


# Egyptian Arabic written in Latin letters (Franco-Arabic).


def test_a_franco_arabic_window_and_refusal() -> None:
    text = (
        "🔁 Exchange Policy\nel exchange bas 5elal talat ayam men yom el estlam, "
        "mafesh refund 5ales.\nel 7aga lazem tkon bel tag."
    )
    rules = found(text, EG)
    assert rules["return.window_too_short"].confident
    assert rules["return.blanket_no_return"].confident


def test_a_franco_arabic_cost_not_refunded_is_no_refusal() -> None:
    text = (
        "Q: a2dar araga3 el order?\nA: aywa, 5elal 14 yom men el estlam.\n"
        "Q: el shipping byrga3?\nA: la2, masareef el shipping el asleya non-refundable."
    )
    assert "return.blanket_no_return" not in found(text, EG)


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        (
            "el return 5elal 14 yom men el estlam.\n"
            "masareef el shipping 3ala el 3ameel fe kol el 7alat, 7atta law feh 3eib masna3.",
            True,
        ),
        (
            "el return 5elal 14 yom men el estlam.\n"
            "el shipping fees el asleya msh btrga3 ella law el order kan ghalat aw damaged.",
            False,
        ),
    ],
)
def test_franco_arabic_defect_costs_and_their_exception(text: str, fires: bool) -> None:
    assert ("return.customer_pays_for_defects" in found(text, EG)) is fires


def test_an_english_mesh_is_no_franco_negation() -> None:
    text = "Mesh bags can be returned within 14 days of delivery. Refunds within 5 days."
    assert "return.blanket_no_return" not in found(text, EG)


# Reasons about all the shop's goods, "even if", cited phrases (probes 74 to 78).


@pytest.mark.parametrize(
    "text",
    [
        # "so" glued to the negation
        "عطورنا ودهن العود منتجات شخصية، فما عندنا استرجاع ولا استبدال بعد ما يوصلك الطلب.",
        # a reason in two clauses, and "even if" that takes in
        "كل منتجاتنا عطور وبخور، وهي منتجات عناية شخصية، فما نقبل إرجاعها حتى لو ما انفتحت.",
        # the heading names the goods the reason says are all the shop sells
        "حلويات الدار\nمنتجاتنا حلويات طازجة تنجهز يوم طلبك، وعشان كذا ما نقدر نقبل إرجاعها ولا "
        "تبديلها.",
        # and so does the rule itself
        "بما إن جميع عباياتنا تفصيل على مقاسك، ما نقبل إرجاعها أو استبدالها بعد التفصيل.",
    ],
)
def test_a_refusal_after_a_reason_about_all_the_shop_s_goods(text: str) -> None:
    assert found(text, SA)["return.blanket_no_return"].confident


def test_the_nature_of_some_goods_still_limits_their_refusal() -> None:
    text = (
        "تمور النخيل\nنظراً لطبيعة التمور، لا يمكن إرجاعها بعد الاستلام.\n"
        "أما علب الهدايا والمباخر فيمكن إرجاعها خلال 7 أيام. ويرد المبلغ خلال 5 أيام."
    )
    rules = found(text, SA)
    assert (
        "return.blanket_no_return" not in rules or not rules["return.blanket_no_return"].confident
    )


@pytest.mark.parametrize(
    "text",
    [
        "نضمن لك إرجاع أي منتج خلال ٧ أيام من استلامه، حتى لو كان البائع لا يقبل الإرجاع في "
        "صفحته. ويرد المبلغ خلال 5 أيام.",
        'عندنا ما فيه "البضاعة المباعة لا ترد ولا تستبدل"\nتقدر ترجع أي منتج خلال 7 أيام من '
        "الاستلام، والمبلغ يرجع خلال 5 أيام.",
    ],
)
def test_a_refusal_granted_against_or_denied_is_none(text: str) -> None:
    assert "return.blanket_no_return" not in found(text, SA)


def test_an_extended_warranty_bought_is_a_fee_not_a_defect_cost() -> None:
    text = (
        "Returns within 14 days of delivery; refunds within 5 days.\n"
        "Delivery and extended warranty charges are non-refundable."
    )
    rules = found(text, SA)
    assert rules["return.fees_deducted"].confident
    assert "return.customer_pays_for_defects" not in rules


@pytest.mark.parametrize(
    "text",
    [
        # "unless" is no refusal of the money
        "الإرجاع خلال 14 يوماً. يُضاف المبلغ رصيداً في محفظتك، ما لم تطلب استرداده إلى وسيلة "
        "الدفع الأصلية خلال سبعة أيام.",
        # a choice listed under its lead, the money's method named by its item's label
        "When you start a return (within 30 days of delivery), choose one:\n"
        "• Store credit: added to your wallet at once.\n"
        "• Original payment method: refunded within 5-10 business days.",
        # the answer to a question about the money
        "Q: How long do I have to return?\nA: 14 days from delivery.\n"
        "Q: How do I get my money back?\nA: To the card or wallet you paid with, within 5 days.",
    ],
)
def test_money_offered_beside_credit_is_no_credit_only(text: str) -> None:
    assert "return.store_credit_only" not in found(text, EG)


def test_a_refund_taken_off_remaining_instalments_keeps_nothing() -> None:
    text = (
        "Returns within 14 days; refunds within 5 days.\n"
        "If you paid with Tabby and still have instalments to pay, the refunded amount is taken "
        "off the remaining ones."
    )
    assert "return.fees_deducted" not in found(text, SA)


@pytest.mark.parametrize(
    "text",
    [
        "Returns within 14 days; refunds within 5 days.\n\n"
        "What is not refunded\n- The cash on delivery fee (SAR 15)\n- Gift wrapping",
        "Returns within 14 days; refunds within 5 days.\n"
        "A handling fee of SAR 30 is charged on each return. The fee is deducted from the refund.",
    ],
)
def test_fees_kept_under_a_heading_or_pointed_back_to(text: str) -> None:
    assert found(text, SA)["return.fees_deducted"].confident


# The law's period quoted beside the store's own, and short notes (probes 79 to 83).


@pytest.mark.parametrize(
    ("text", "jurisdiction"),
    [
        (
            "أولاً: الإطار النظامي\nنصّت المادة الثالثة عشرة من نظام التجارة الإلكترونية على حق "
            "المستهلك في فسخ العقد خلال سبعة أيام من تاريخ تسلّمه المنتج.\n\nثانياً: سياسة المتجر\n"
            "- تُقبل طلبات الاسترجاع خلال ثلاثة أيام من تاريخ الاستلام فقط.",
            SA,
        ),
        (
            "While the Saudi E-Commerce Law gives consumers seven days to withdraw, we accept "
            "sealed items only, and only within 72 hours of delivery; refunds for accepted "
            "returns are made within 7 working days.",
            SA,
        ),
        (
            "Under Egypt's Consumer Protection Law No. 181 of 2018, consumers may return goods "
            "within 14 days of receipt. However, our store policy is as follows:\n"
            "1. Returns are accepted within 3 days of delivery only.",
            EG,
        ),
        (
            "أولاً: حقوقك وفقاً للقانون\nينص قانون حماية المستهلك على حق المستهلك في الإرجاع خلال "
            "أربعة عشر يوماً من تاريخ تسلمها.\n\nثانياً: سياسة المتجر\nإلا أن سياسة المتجر تقبل "
            "الإرجاع خلال 5 أيام من الاستلام.",
            EG,
        ),
    ],
)
def test_the_law_s_period_quoted_beside_a_shorter_one_of_the_store(
    text: str, jurisdiction: Jurisdiction
) -> None:
    assert found(text, jurisdiction)["return.window_too_short"].confident


def test_a_period_the_store_keeps_from_the_law_is_its_window() -> None:
    text = "وفقاً لقانون حماية المستهلك، يحق للعميل الإرجاع خلال أربعة عشر يوماً من الاستلام."
    assert "return.window_too_short" not in found(text, EG)


def test_a_refusal_quoted_then_named_and_denied_is_none() -> None:
    text = (
        "«البضاعة المباعة لا ترد ولا تستبدل» جملة مش موجودة عندنا 😊\n"
        "من حقك ترجع أو تبدل خلال 14 يوم من الاستلام، والفلوس ترجعلك خلال 5 أيام."
    )
    assert "return.blanket_no_return" not in found(text, EG)


def test_a_note_on_one_product_is_no_refusal_of_every_return() -> None:
    assert "return.blanket_no_return" not in found("Non-returnable item.", SA)


def test_all_of_the_amount_refunded_keeps_nothing() -> None:
    text = (
        "Returns within 7 days of delivery; refunds within 5 days.\n"
        "If the product is defective, we pay the return shipping and refund 100% of amount."
    )
    assert "return.fees_deducted" not in found(text, SA)


def test_a_defect_sent_at_the_customer_s_own_expense() -> None:
    text = (
        "- Change of mind: 14 days, item unused.\n"
        "- Defective item: 30 days. The customer sends the item to our service center at his "
        "own expense.\n- Refund: within 7 days of approval."
    )
    assert found(text, EG)["return.customer_pays_for_defects"].confident


def test_a_fee_only_on_returns_not_due_to_a_defect_spares_defects() -> None:
    text = (
        "يحق للعميل الإرجاع خلال ١٤ يوماً ويرد المبلغ خلال ٧ أيام.\n"
        "يخصم مبلغ ٢٥ جنيهاً رسوماً إدارية من كل عملية استرجاع لا ترجع لعيب في المنتج."
    )
    rules = found(text, EG)
    assert rules["return.fees_deducted"].confident
    assert "return.customer_pays_for_defects" not in rules


def test_a_fee_asked_about_and_denied_is_not_kept() -> None:
    text = (
        "We accept returns within 14 days of delivery; refunds within 7 days.\n"
        "Do we charge a restocking fee? No. You get back every riyal you paid."
    )
    assert "return.fees_deducted" not in found(text, SA)


# Probes 86 to 91: instalment and sale pages, auto parts and appliances, rights-framed terms,
# non-native English, number words, made-to-order and wholesale shops.


@pytest.mark.parametrize(
    "text",
    [
        "🚨 NO REFUND ONLY EXCHANGE 🚨\n✔️ exchange within 3 days from receive the order\n"
        "✔️ piece must be with tag and not washed",
        "NO REFUND ONLY EXCHANGE\n- exchange within 3 days from receiving the order\n"
        "- shipping fees on client",
    ],
)
def test_a_heading_that_refuses_refunds_and_offers_exchange_only(text: str) -> None:
    rules = found(text, EG)
    assert rules["return.blanket_no_return"].confident
    assert rules["return.window_too_short"].confident


def test_a_refusing_heading_over_a_list_of_goods_still_lists_them() -> None:
    text = "❌ مش بنقبل استرجاع\n- الملابس الداخلية\n- المايوهات\nالاسترجاع خلال 14 يوم."
    assert "return.blanket_no_return" not in found(text, EG)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (
            "We dont do cash refund sorry 🙏\nYou can return within 14 days and refund will "
            "be as store credit in your account.",
            "return.store_credit_only",
        ),
        ("We cant accept return or exchange.", "return.blanket_no_return"),
        ("We dont accept returns.", "return.blanket_no_return"),
    ],
)
def test_contractions_written_without_their_apostrophe(text: str, rule: str) -> None:
    assert found(text, EG)[rule].confident


def test_money_back_as_a_balance_is_credit() -> None:
    text = (
        "Return accepted only if product not opened, in 2 days from delivery.\n"
        "Money back as balance in your account on our website.\nNo cash back sorry."
    )
    assert found(text, SA)["return.store_credit_only"].confident


@pytest.mark.parametrize(
    "text",
    [
        "Return within 7 days ✅\nReturn shipping on customer in all cases, even damage item.",
        "الاسترجاع خلال 14 يوم.\nمصاريف شحن المرتجع رايح جاي على العميلة في كل الحالات.",
        "البند الأول: يحق للطرف الثاني إرجاع المنتج خلال أربعة عشر يوماً من تاريخ الاستلام.\n"
        "البند الثالث: يتحمل الطرف الثاني مصاريف شحن الإرجاع في جميع الأحوال.",
        "Article (1): The Second Party may return the product within seven (7) days of "
        "receipt.\nArticle (2): The Second Party shall bear all costs of return, including in "
        "cases of manufacturing defects.",
    ],
)
def test_the_customer_named_otherwise_pays_for_defects(text: str) -> None:
    assert found(text, EG)["return.customer_pays_for_defects"].confident


def test_a_customer_s_city_named_puts_no_cost_on_them() -> None:
    text = (
        "Delivery time depends on the customer's city. Returns within 14 days; we pay return "
        "shipping."
    )
    assert "return.customer_pays_for_defects" not in found(text, EG)


def test_shipping_paid_back_once_the_fault_is_confirmed_spares_defects() -> None:
    text = (
        "Defective part? Here's how it works\n"
        "Ship the part to our workshop at your own cost. Our technician tests it within 3 "
        "working days.\n"
        "• Fault confirmed: we refund the part price and reimburse your shipping.\n"
        "• No fault found: the part is sent back to you.\n\nChange of mind\n"
        "Unopened parts can be returned within 7 days of delivery. The customer pays the "
        "return shipping."
    )
    assert "return.customer_pays_for_defects" not in found(text, SA)


def test_a_later_sentence_of_an_item_about_defects_keeps_its_case() -> None:
    text = (
        "1. Returns within 14 days of delivery; refunds within 7 days.\n"
        "2. If your sign arrives damaged, contact us within 48 hours of delivery. You will "
        "need to ship it back to our workshop at your own expense."
    )
    assert found(text, SA)["return.customer_pays_for_defects"].confident


@pytest.mark.parametrize(
    "text",
    [
        "Unopened parts can be returned within 7 days of delivery.\n"
        "Parts damaged by incorrect fitting are not covered.",
        "Unopened parts can be returned within 7 days of delivery.\n"
        "Parts that have been installed cannot be returned.",
        "- أي عدة أو ماكينة تقدر ترجعها خلال 7 أيام بالفاتورة.\n"
        "- الماكينات اللي اتشغلت أو اتفكت مبترجعش إلا لو فيها عيب.",
        "- الكفرات: تقدر ترجعها خلال ثلاثة أيام من الاستلام.\n"
        "- البطاريات: ما نقبل رجوعها بعد التركيب.",
    ],
)
def test_goods_fitted_or_set_to_work_are_a_condition_not_every_return(text: str) -> None:
    assert "return.blanket_no_return" not in found(text, EG)


def test_a_dash_inside_brackets_ends_no_sentence() -> None:
    text = (
        "✅ المرتجع خلال ١٤ يوم من الاستلام.\n"
        "❌ قطع الكهربا (حساسات – طرمبات بنزين – كويلات) مبترجعش ولا بتتبدل خالص."
    )
    document = Document(normalise(text))
    refusing = [
        document.text.text[c.start : c.end] for c in document.clauses if c.refusal is not None
    ]
    assert refusing == ["قطع الكهربا (حساسات - طرمبات بنزين - كويلات) مبترجعش ولا بتتبدل خالص"]


@pytest.mark.parametrize(
    "text",
    [
        "All our pieces are made to order so we can't accept return or exchange.",
        "جميع منتجات الموقع بيع نهائي: لا ترد ولا تستبدل، لأنها قطع تصفية بخصومات تصل إلى 70%.",
        "نظراً لطبيعة منتجاتنا من العطور والبخور ودهن العود، وحرصاً على سلامة عملائنا:\n"
        "• جميع المبيعات نهائية، ولا يحق للعميل إرجاع المنتج أو استبداله بعد استلامه.\n"
        "• يحق للعميل الإبلاغ عن أي تلف ناتج عن الشحن خلال 24 ساعة من الاستلام.",
    ],
)
def test_goods_described_as_everything_the_shop_sells_limit_no_refusal(text: str) -> None:
    assert found(text, SA)["return.blanket_no_return"].confident


@pytest.mark.parametrize(
    "text",
    [
        "Custom Signs – Returns Policy\n\nEvery sign we sell is produced to the design you "
        "approve.\nWe do not accept returns or exchanges for change of mind.",
        "سياسة التفصيل والاستبدال\n\n• بعد ما القماش يتقص، مفيش إلغاء ولا استرجاع فلوس.",
    ],
)
def test_goods_a_page_s_title_names_are_what_the_shop_sells(text: str) -> None:
    assert found(text, SA)["return.blanket_no_return"].confident


def test_a_refusal_of_any_order_is_not_limited_to_its_heading_s_goods() -> None:
    text = (
        "أولاً: المنتجات المنقوشة\nلا تُستبدل ولا تُسترجع بأي حال.\n\n"
        "ثانياً: المنتجات غير المنقوشة (العلب، البطاقات)\n"
        "يمكن استبدالها بمنتج آخر خلال ثلاثة أيام من الاستلام. لا نقدم استرداداً نقدياً لأي طلب."
    )
    assert found(text, SA)["return.blanket_no_return"].confident


def test_any_product_of_a_kind_is_still_that_kind() -> None:
    text = (
        "المكملات الغذائية\nيمكن إرجاعها خلال ثلاثة أيام من الاستلام.\n\nالمنتجات المبردة\n"
        "الأنسولين وأي منتج يُحفظ في الثلاجة غير قابل للإرجاع."
    )
    assert "return.blanket_no_return" not in found(text, SA)


def test_money_back_in_the_case_of_cancelling_is_the_refund_s_time() -> None:
    periods = find_periods(
        Document(normalise("💵 الفلوس في حالة الإلغاء بترجع خلال ٧ أيام على نفس طريقة الدفع"))
    )
    assert [p.purpose.value for p in periods] == ["refund"]


@pytest.mark.parametrize(
    "text",
    [
        "• Returns for a refund: 3 (three) days from delivery.",
        "• Returns for a refund: three (3) days from delivery.",
        "الاسترجاع بفلوس في خلال عشر أيام بس.",
        "You may request a return until the end of the third day after delivery.",
        "يمكنك طلب الاسترجاع حتى نهاية اليوم الثالث من الاستلام.",
        "تُقبل طلبات الإرجاع حتى اليوم الخامس من الاستلام.",
        "NO REFUND. Exchange size same day only.",
        "مفيش استرجاع. الاستبدال في نفس اليوم بس.",
        "سياسة الاسترجاع 📦\n\n- أول سبع أيام من الاستلام: بترجّع المنتج وبتاخد فلوسك كاملة.",
    ],
)
def test_windows_in_number_words_ordinals_and_same_day(text: str) -> None:
    window = found(text, EG)["return.window_too_short"]
    assert window.confident
    assert "سياسة" not in window.phrase  # (the item's own words, not the heading)


def test_a_fourteenth_day_deadline_is_the_law_s_window() -> None:
    text = "الإرجاع مقبول حتى اليوم الرابع عشر من الاستلام، والفلوس بترجع خلال 7 أيام."
    assert "return.window_too_short" not in found(text, EG)


@pytest.mark.parametrize(
    "text",
    [
        "الإرجاع خلال 14 يوم. بيتخصم عشرين في المية من تمن المنتج لو اتفتح.",
        "Returns within 14 days. A fee of ten percent is deducted from the refund.",
        "تقدر ترجع أي منتج خلال أسبوع من استلامه. إذا المنتج مفتوح نقبله بس نخصم ربع القيمة، "
        "وبقية المدن الشحن على حسابك.",
    ],
)
def test_shares_of_the_price_in_words_are_fees(text: str) -> None:
    assert found(text, EG)["return.fees_deducted"].confident


def test_an_egyptian_teen_number_is_a_refund_time() -> None:
    text = "الإرجاع خلال 14 يوم. الفلوس بترجع في خلال خمستاشر يوم."
    assert found(text, EG)["return.refund_time_too_long"].confident


def test_a_refund_paid_at_once_is_a_refund_time() -> None:
    text = "تقدر ترجع أي منتج خلال أسبوع من استلامه، ونرجع لك فلوسك فور ما يوصلنا المنتج."
    assert "return.refund_time_missing" not in found(text, SA)


def test_credit_offered_if_the_customer_wants_it_is_a_choice() -> None:
    text = (
        "عندك نصف شهر من يوم ما يوصلك الطلب ترجعه. المبلغ يرجع لحسابك خلال أسبوع.\n"
        "وإذا تبي بدال الفلوس كوبون، نعطيك كوبون بقيمة المنتج وفوقه عشرة بالمية هدية منا."
    )
    assert "return.store_credit_only" not in found(text, SA)


def test_a_return_refused_for_sale_items_names_them() -> None:
    text = "Return within 3 days.\nWe dont accept return for sale items."
    rules = found(text, SA)
    assert rules["return.sale_items_excluded"].confident
    assert "return.blanket_no_return" not in rules


# Probes 92 to 98: country signals, chatty prose, checklists, double negatives, updated pages
# and scope quantifiers.


@pytest.mark.parametrize(
    "text",
    [
        "السياسة السابقة (ملغاة منذ ١ يناير ٢٠٢٥):\nالإرجاع خلال ٣ أيام فقط، ويتحمل العميل "
        "تكاليف الشحن في جميع الأحوال، ولا تُرد رسوم الدفع الإلكتروني.\n\nالسياسة الحالية:\n"
        "١. مدة الإرجاع ١٤ يوماً من تاريخ الاستلام.\n٢. يُرد كامل المبلغ خلال ٧ أيام.",
        "أولاً: ما الذي تغيّر؟\n- كانت مدة الاسترجاع سابقاً ٥ أيام، وأصبحت الآن ١٤ يوماً من "
        "تاريخ الاستلام.\n- كانت رسوم الشحن تُخصم من المبلغ المسترد، ولم تعد تُخصم.\n"
        "رابعاً: رد المبلغ\nيُرد المبلغ خلال ٧ أيام من استلام المرتجع.",
        "Returns within 14 days of delivery; refunds within 7 days.\n\n9. Change log\n"
        "- 10 October 2025: refund time shortened from 30 days to 7 days.\n"
        "- 14 December 2024: returns were limited to 3 days.",
    ],
)
def test_terms_the_page_no_longer_applies_fire_nothing(text: str) -> None:
    rules = found(text, EG)
    for rule in (
        "return.window_too_short",
        "return.customer_pays_for_defects",
        "return.fees_deducted",
        "return.refund_time_too_long",
    ):
        assert rule not in rules


@pytest.mark.parametrize(
    "text",
    [
        "عدّلنا سياسة الاسترجاع، وصارت المدة ٣ أيام من يوم الاستلام بدل ٧ أيام.",
        "Returns (updated)\n~~Returns accepted within 7 days~~\n"
        "Returns are now accepted within 48 hours of delivery (previously 7 days).",
        "وكانت السياسة السابقة تسمح بالإرجاع خلال ثلاثين يوماً. أما الآن فالإرجاع خلال ثلاثة أيام "
        "من الاستلام.",
    ],
)
def test_the_new_window_is_read_and_the_old_one_set_aside(text: str) -> None:
    window = found(text, SA)["return.window_too_short"]
    assert window.confident
    assert "7" not in window.phrase.replace("بدل ٧", "")


def test_terms_stated_above_are_not_old_terms() -> None:
    text = (
        "يمكن الإرجاع خلال ٣ أيام من الاستلام.\nأما المنتجات المخفضة فتُسترجع بنفس الشروط السابقة."
    )
    assert found(text, SA)["return.window_too_short"].confident


@pytest.mark.parametrize(
    "text",
    [
        "Returns within 14 days. We never say no to a return inside that window.",
        "Returns within 14 days. Sale items and gift sets are not non-refundable either.",
        "ما في شي ما يترجع. الاسترجاع خلال 14 يوم.",
        "مفيش حاجة مش بترجع، الاسترجاع خلال 14 يوم.",
        "لا نرفض أي طلب استرجاع خلال 14 يوماً.",
        "No item is non-returnable. Returns within 14 days.",
        "لا يحق للمتجر رفض الإرجاع خلال ١٤ يوماً.",
        "The store may not refuse a return within 14 days.",
        "خلافاً للعبارة الشائعة «البضاعة المباعة لا ترد ولا تستبدل»، فإن البضاعة المباعة لدينا "
        "تُرد وتُستبدل خلال أربعة عشر يوماً.",
    ],
)
def test_a_refusal_denied_refuses_nothing(text: str) -> None:
    rules = found(text, EG)
    assert "return.blanket_no_return" not in rules
    assert "return.sale_items_excluded" not in rules


@pytest.mark.parametrize(
    "text",
    [
        "No returns, no exchanges, no exceptions.",
        "لا يمكن لا استرجاع ولا استبدال.",
        "البضاعة المباعة لا ترد ولا تستبدل.\nلا يُستثنى من ذلك أي صنف.",
    ],
)
def test_refusals_written_with_two_negations_still_refuse(text: str) -> None:
    assert found(text, EG)["return.blanket_no_return"].confident


def test_invoice_terms_are_no_return_conditions() -> None:
    text = (
        "شروط الفاتورة\n- الأسعار بالريال السعودي وتشمل ضريبة القيمة المضافة.\n"
        "- البضاعة المباعة لا ترد ولا تستبدل."
    )
    assert found(text, SA)["return.blanket_no_return"].confident


def test_a_refusal_after_the_courier_leaves_in_the_clause_before() -> None:
    text = (
        "١- مصاريف الشحن ٦٠ جنيه.\n٢- من حقك تعاين الأوردر قدام المندوب.\n"
        "٣- بعد ما المندوب يمشي، لا يمكن لا استرجاع ولا استبدال، مهما كان السبب."
    )
    assert found(text, EG)["return.blanket_no_return"].confident


@pytest.mark.parametrize(
    "text",
    [
        "الإرجاع خلال 14 يوم من الاستلام.\nرسوم بوابة الدفع: ✘ غير مستردة",
        "Returns within 14 days; refunds within 7 days.\nShipping fee: ✘ non-refundable",
        "Returns within 14 days; refunds within 7 days.\nShipping fee: non-refundable, except "
        "when we sent you a damaged or wrong item.",
        "Returns within 14 days; refunds within 7 days.\n"
        "Customs duties paid on delivery are not refunded.",
    ],
)
def test_a_fee_kept_as_a_checklist_s_value(text: str) -> None:
    rules = found(text, EG)
    assert rules["return.fees_deducted"].confident
    assert "return.blanket_no_return" not in rules


def test_a_fee_no_longer_refunded_is_kept() -> None:
    text = (
        "Return window: 7 days from delivery. Refund time: up to 14 days.\n"
        "What's new: the cash on delivery fee (SAR 15) is no longer refunded."
    )
    assert found(text, SA)["return.fees_deducted"].confident


def test_a_collection_fee_charged_is_the_return_s_shipping() -> None:
    text = (
        "Returns within 14 days; refunds within 7 days.\n"
        "A collection fee of EGP 40 applies to change-of-mind returns."
    )
    assert "return.fees_deducted" not in found(text, EG)


def test_a_cost_after_a_semicolon_goes_on_about_defective_items() -> None:
    text = (
        "We do not refund any order, for any reason.\nFaulty items can be exchanged within 14 "
        "days of delivery; shipping fees for the exchange are paid by the customer."
    )
    assert found(text, EG)["return.customer_pays_for_defects"].confident


def test_a_gulf_refusal_of_doing_refunds_is_exchange_only() -> None:
    text = "ما نسوي استرجاع مبالغ أبد. تقدر تبدل المقاس خلال 3 أيام من الاستلام."
    rules = found(text, SA)
    assert rules["return.blanket_no_return"].confident
    assert rules["return.window_too_short"].confident


def test_a_window_on_the_day_of_receipt_itself() -> None:
    text = "نقدر نستقبل الإرجاع في يوم الاستلام نفسه بس."
    assert found(text, SA)["return.window_too_short"].confident


def test_a_mailbox_s_name_gives_a_period_no_purpose() -> None:
    text = (
        "You have 14 days from delivery to send back anything unworn.\n"
        "Faulty items: just email returns@example.com with photos within 3 days of delivery."
    )
    assert "return.window_too_short" not in found(text, EG)


def test_credit_or_money_offered_as_either_or_is_a_choice() -> None:
    text = (
        "- عندك 14 يوم من الاستلام ترجّع أي piece بالـ tags بتاعتها.\n"
        "- Refund: يا إما store credit بالقيمة كاملة، يا إما refund كاش ناقص 10% service fee.\n"
        "- الفلوس بتوصلك خلال 5 أيام."
    )
    assert "return.store_credit_only" not in found(text, EG)
