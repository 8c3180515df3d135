"""Jurisdiction detection: each kind of signal names its country, conflicting or missing
signals name none, and "the Kingdom" or a dialect alone are not signals."""

from __future__ import annotations

import pytest

from sanad_analyzer.jurisdiction import Jurisdiction
from sanad_analyzer.rules.jurisdiction_signals import detect_jurisdiction


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("الشحن 25 ريال لكل طلب", Jurisdiction.SA),
        ("رسوم الإرجاع 20 ر.س", Jurisdiction.SA),
        ("Return shipping costs SAR 30.", Jurisdiction.SA),
        ("الشحن 45 جنيه لكل المحافظات", Jurisdiction.EG),
        ("رسوم الإرجاع ٣٠ ج.م", Jurisdiction.EG),
        ("Delivery fee EGP 60.", Jurisdiction.EG),
        ("WhatsApp +966 55 000 0000", Jurisdiction.SA),
        ("كلمنا على ‎+20 100 000 0000", Jurisdiction.EG),
        ("خدمة العملاء 0100 000 0000", Jurisdiction.EG),
        ("وفق نظام التجارة الإلكترونية", Jurisdiction.SA),
        ("وفقاً لقانون حماية المستهلك رقم 181 لسنة 2018", Jurisdiction.EG),
        ("Under Consumer Protection Law No. 181 of 2018.", Jurisdiction.EG),
        ("Prices include 15% VAT.", Jurisdiction.SA),
        ("الأسعار شاملة ضريبة القيمة المضافة 14%", Jurisdiction.EG),
        ("نشحن من الرياض وجدة", Jurisdiction.SA),
        ("فرعنا في جدة", Jurisdiction.SA),
        ("Our warehouse in Cairo ships to Alexandria and Giza.", Jurisdiction.EG),
        ("نرجع المبلغ على STC Pay أو بطاقة mada", Jurisdiction.SA),
        ("Refunds to mada cards take 5 days.", Jurisdiction.SA),
        ("الفلوس بترجع على InstaPay أو فودافون كاش", Jurisdiction.EG),
        ("Pay with Fawry or in instalments with valU.", Jurisdiction.EG),
        ("نقبل الدفع بمدى، فيزا، ماستركارد وApple Pay.", Jurisdiction.SA),
        ("المبلغ يرجع لبطاقة مدى اللي دفعت منها.", Jurisdiction.SA),
        ("Delivery charge: SR 20 per order.", Jurisdiction.SA),
        ("متجرنا موثّق في منصة معروف.", Jurisdiction.SA),
    ],
)
def test_each_signal_names_its_country(text: str, country: Jurisdiction) -> None:
    assert detect_jurisdiction(text).jurisdiction is country


@pytest.mark.parametrize(
    "text",
    [
        "Returns within 7 days of delivery.",
        "الشحن مجاني لجميع مناطق المملكة.",
        "تقدر ترجع المنتج خلال ٣ أيام",
        "مفيش استرجاع بعد ما المندوب يمشي",
        "Prices in SAR; we also ship to Cairo.",
        # common words, not the payment schemes: "مدى" (extent), "فوري" (immediate)
        "يعتمد قبول الإرجاع على مدى سلامة المنتج، والاسترداد فوري.",
        # one country's payment scheme against the other's currency: a conflict, as a city is
        "Pay with mada here; prices in EGP.",
        # a shop of another Gulf country that names Saudi Arabia among where it ships
        "نوصّل من الكويت لجميع دول الخليج (الكويت، السعودية، الإمارات). رسوم الإرجاع ٢ د.ك. "
        "واتساب: +965 0000 0000",
        "الأسعار بالريال القطري (ر.ق) والتوصيل داخل الدوحة مجاني.",
        # the cotton, not the country
        "Every sheet set is woven from long-staple Egyptian cotton. Prices in USD.",
        "ملايات من القطن المصري، والأسعار بالدولار.",
    ],
)
def test_no_signal_or_conflicting_weak_signals_name_no_country(text: str) -> None:
    assert detect_jurisdiction(text).jurisdiction is None


def test_strong_signals_outweigh_a_single_city_of_the_other_country() -> None:
    text = "الأسعار بالريال وتشمل ضريبة القيمة المضافة 15%. نشحن أيضاً إلى القاهرة. ‎+966 50 000 0000"
    detection = detect_jurisdiction(text)
    assert detection.jurisdiction is Jurisdiction.SA
    assert "EG:city" in detection.signals


def test_detection_is_deterministic() -> None:
    text = "Returns within 14 days. Prices in EGP. Cairo office."
    assert detect_jurisdiction(text) == detect_jurisdiction(text)


def test_a_city_is_a_whole_word() -> None:
    text = "يمكن إرجاع الأدوات الرياضية والملابس الرياضية خلال 15 يوماً."
    assert detect_jurisdiction(text).jurisdiction is None
