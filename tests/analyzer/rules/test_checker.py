"""The checker on the cases the issue names, in both jurisdictions."""

from __future__ import annotations

import pytest

from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.rules.checker import check_policy, language_of
from sanad_analyzer.rules.score import compliance_ratio, grade

RETURNS = PolicyType.RETURN_EXCHANGE


def fired(text: str, jurisdiction: Jurisdiction, policy_type: PolicyType = RETURNS) -> set[str]:
    return {f.rule_id for f in check_policy(text, policy_type, jurisdiction).findings}


def test_a_short_window_is_quoted_verbatim_and_cites_the_jurisdictions_right() -> None:
    text = "سياسة الإرجاع:\nيُمكنكَ إرجاعُ المنتج خلال ٣ أيام من الاستلام."
    saudi = check_policy(text, RETURNS, Jurisdiction.SA)
    [window] = [f for f in saudi.findings if f.rule_id == "return.window_too_short"]
    assert window.phrase == "يُمكنكَ إرجاعُ المنتج خلال ٣ أيام من الاستلام"
    assert window.phrase in text
    assert "7" in window.legal_reference
    assert window.severity == "critical"
    egyptian = check_policy(text, RETURNS, Jurisdiction.EG)
    [window] = [f for f in egyptian.findings if f.rule_id == "return.window_too_short"]
    assert "14" in window.legal_reference
    assert "181" in window.legal_reference


def test_a_seven_day_window_passes_in_saudi_arabia_but_not_in_egypt() -> None:
    text = "يحق لك إرجاع المنتج خلال 7 أيام من الاستلام، ويعاد المبلغ خلال 5 أيام."
    assert "return.window_too_short" not in fired(text, Jurisdiction.SA)
    assert "return.window_too_short" in fired(text, Jurisdiction.EG)


def test_a_damage_report_period_is_not_taken_for_the_return_window() -> None:
    text = "يجب إبلاغنا بأي تلف خلال 24 ساعة من الاستلام. الإرجاع متاح خلال 14 يوماً."
    assert "return.window_too_short" not in fired(text, Jurisdiction.EG)


def test_findings_are_in_the_language_of_the_policy() -> None:
    english = check_policy("Returns within 3 days only.", RETURNS, Jurisdiction.SA)
    arabic = check_policy("الإرجاع خلال 3 أيام فقط", RETURNS, Jurisdiction.SA)
    assert english.language == "en"
    assert english.findings[0].finding.startswith("The return")
    assert arabic.language == "ar"
    assert arabic.findings[0].finding.startswith("مدة")


def test_change_of_mind_shipping_may_be_deducted_in_saudi_arabia_but_not_in_egypt() -> None:
    text = (
        "الإرجاع خلال 14 يوماً. في حال الإرجاع لعدم الرغبة تخصم تكلفة الشحن من المبلغ المسترد، "
        "ويعاد الباقي خلال 5 أيام."
    )
    assert "return.fees_deducted" not in fired(text, Jurisdiction.SA)
    assert "return.fees_deducted" in fired(text, Jurisdiction.EG)


def test_charging_for_defective_items_is_flagged_in_both() -> None:
    text = "الإرجاع خلال 14 يوماً ويعاد المبلغ خلال 5 أيام. المنتج المعيب يتحمل العميل رسوم شحنه."
    for jurisdiction in (Jurisdiction.SA, Jurisdiction.EG):
        assert "return.customer_pays_for_defects" in fired(text, jurisdiction)


@pytest.mark.parametrize(
    ("text", "rule_id"),
    [
        ("البضاعة المباعة لا ترد ولا تستبدل", "return.blanket_no_return"),
        ("الاستبدال فقط خلال 3 أيام ولا يمكن استرجاع المبلغ", "return.blanket_no_return"),
        ("All sales are final, no refunds.", "return.blanket_no_return"),
        ("الإرجاع خلال 7 أيام. المنتجات المخفضة لا ترد ولا تستبدل", "return.sale_items_excluded"),
        ("الإرجاع خلال 7 أيام ويتم رد المبلغ كرصيد في المحفظة فقط", "return.store_credit_only"),
        (
            "Returns within 7 days; refunds are issued as store credit only.",
            "return.store_credit_only",
        ),
    ],
)
def test_clauses_fire_their_rule(text: str, rule_id: str) -> None:
    assert rule_id in fired(text, Jurisdiction.SA)


def test_a_sale_exclusion_is_not_a_blanket_clause() -> None:
    rules = fired("الإرجاع خلال 7 أيام. القطع المخفضة لا ترد ولا تستبدل", Jurisdiction.SA)
    assert "return.blanket_no_return" not in rules


def test_a_lawful_hygiene_exclusion_is_not_a_blanket_clause() -> None:
    text = "الإرجاع خلال 7 أيام ويعاد المبلغ خلال 5 أيام. الملابس الداخلية لا ترد بعد فتح الغلاف."
    assert fired(text, Jurisdiction.SA) == set()


def test_missing_things_have_no_phrase() -> None:
    result = check_policy(
        "نشحن لجميع مدن المملكة عبر أفضل شركات الشحن", PolicyType.SHIPPING_DELIVERY, Jurisdiction.SA
    )
    missing = {f.rule_id: f.phrase for f in result.findings}
    assert missing["shipping.delivery_time_missing"] == ""
    assert missing["shipping.late_delivery_remedy_missing"] == ""


def test_privacy_rules_need_sharing_and_deletion_to_be_stated() -> None:
    text = "نستخدم بياناتك لتنفيذ الطلبات، وقد نشارك معلوماتك مع أطراف ثالثة."
    rules = fired(text, Jurisdiction.EG, PolicyType.PRIVACY_ACCOUNT)
    assert {"privacy.deletion_right_missing", "privacy.third_party_sharing_unclear"} <= rules


@pytest.mark.parametrize("text", ["", "   ", "hello", "١٢٣ ٤٥٦", "lorem ipsum dolor sit amet"])
def test_text_that_is_not_a_policy_is_not_readable(text: str) -> None:
    result = check_policy(text, RETURNS, Jurisdiction.SA)
    assert not result.readable
    assert result.findings == ()


def test_ratio_and_grade_follow_from_the_findings() -> None:
    clean = check_policy(
        "يحق لك إرجاع المنتج خلال 14 يوماً، ويعاد المبلغ خلال 5 أيام إلى وسيلة الدفع.",
        RETURNS,
        Jurisdiction.SA,
    )
    assert clean.findings == ()
    assert (compliance_ratio(clean), grade(compliance_ratio(clean))) == (100.0, "A")
    bad = check_policy("البضاعة المباعة لا ترد ولا تستبدل", RETURNS, Jurisdiction.SA)
    ratio = compliance_ratio(bad)
    assert ratio <= 59
    assert grade(ratio) == "F"


@pytest.mark.parametrize(
    ("ratio", "letter"),
    [(100, "A"), (90, "A"), (89.9, "B"), (80, "B"), (70, "C"), (60, "D"), (59.9, "F"), (0, "F")],
)
def test_grade_bands(ratio: float, letter: str) -> None:
    assert grade(ratio) == letter


def confident(text: str, jurisdiction: Jurisdiction = Jurisdiction.SA) -> set[str]:
    return {f.rule_id for f in check_policy(text, RETURNS, jurisdiction).findings if f.confident}


def test_a_nor_after_a_kept_fee_names_one_more_kept_fee_and_waives_nothing() -> None:
    kept = "يحق للعميل إرجاع الطلب خلال 14 يوماً، ولا تسترد رسوم الدفع عند الاستلام ولا رسوم الخدمة."
    waived = "يحق للعميل إرجاع الطلب خلال 14 يوماً، ويسترد المبلغ كاملاً ولا رسوم على الإرجاع."
    assert "return.fees_deducted" in confident(kept)
    assert "return.fees_deducted" not in confident(waived)


def test_an_aside_between_a_cost_and_its_payer_is_read_as_one_clause() -> None:
    aside = (
        "Returns are accepted within 14 days. Shipping fees for any return, even for faulty "
        "products, are paid by the customer."
    )
    spared = (
        "Returns are accepted within 14 days. Shipping fees for any return, except for faulty "
        "products, are paid by the customer."
    )
    assert "return.customer_pays_for_defects" in confident(aside)
    assert "return.customer_pays_for_defects" not in confident(spared)


def test_credit_handed_over_in_a_return_clause_is_the_refund_method() -> None:
    voucher = (
        "We do not offer cash refunds. Returned items within 14 days receive a gift voucher "
        "for the same value."
    )
    goods = "Returns are accepted within 14 days. Gift cards cannot be returned."
    assert "return.store_credit_only" in confident(voucher)
    assert "return.store_credit_only" not in fired(goods, Jurisdiction.SA)


def test_exchange_only_with_cash_refused_is_a_blanket_refusal() -> None:
    text = "الاستبدال فقط ولا يوجد استرجاع نقدي، خلال 14 يوم من الاستلام."
    assert "return.blanket_no_return" in confident(text)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ػػػ abc", "ar"),  # letters U+063B-U+063F, which Windows-1256 lacks, still count
        ("پپپپ گگ ab", "en"),  # Persian letters are outside U+0621-U+064A
        ("éééé ب", "ar"),  # Latin-1 letters are not A-Z
        ("😀 ١٢٣ 123 ـ ab", "en"),  # digits are no letters; the tatweel is in the range
        ("ـــ ab", "ar"),
        ("", "en"),
    ],
)
def test_language_counts_arabic_letters_against_ascii_letters(text: str, language: str) -> None:
    assert language_of(text) == language
