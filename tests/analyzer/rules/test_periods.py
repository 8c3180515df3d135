"""Periods in every way stores write them, and what each one is for."""

from __future__ import annotations

import pytest

from sanad_analyzer.rules.document import Document
from sanad_analyzer.rules.normalised import normalise
from sanad_analyzer.rules.periods import Period, Purpose, find_periods


def periods_of(text: str) -> list[Period]:
    return find_periods(Document(normalise(text)))


@pytest.mark.parametrize(
    ("text", "days", "written"),
    [
        ("الإرجاع خلال ثلاثة أيام", 3, "ثلاثة أيام"),
        ("الإرجاع خلال ٣ أيام", 3, "٣ أيام"),
        ("الإرجاع خلال أسبوع", 7, "أسبوع"),
        ("الإرجاع خلال أسبوعين", 14, "أسبوعين"),
        ("الإرجاع خلال 48 ساعة", 2, "48 ساعة"),
        ("الإرجاع خلال يوم واحد", 1, "يوم واحد"),
        ("returns within three days", 3, "three days"),
        ("الإرجاع خلال أربعة عشر (14) يوماً", 14, "أربعة عشر (14) يوماً"),
        ("الإرجاع خلال الأيام السبعة التالية للاستلام", 7, "الأيام السبعة"),
        ("الإرجاع خلال يومين", 2, "يومين"),
        ("مدة الإرجاع أربع وعشرين ساعة", 1, "أربع وعشرين ساعة"),
        ("a 14-day return policy", 14, "14-day"),
        ("return within a week", 7, "a week"),
        ("الإرجاع خلال (3) أيام", 3, "(3) أيام"),
    ],
)
def test_a_period_is_read_in_days_whatever_its_form(text: str, days: float, written: str) -> None:
    normalised = normalise(text)
    [period] = periods_of(text)
    assert period.days == pytest.approx(days)
    assert period.purpose is Purpose.RETURN
    assert normalised.quote(period.start, period.end) == written


def test_a_range_counts_by_its_upper_bound_and_business_days_are_longer() -> None:
    [period] = periods_of("يتم استرداد المبلغ خلال 7-14 يوم عمل")
    assert period.purpose is Purpose.REFUND
    assert period.low_days < period.high_days
    assert period.high_days > 14


def test_a_damage_report_period_is_not_the_return_window() -> None:
    text = (
        "في حال وصول المنتج تالفاً يجب إبلاغنا خلال 24 ساعة من الاستلام. "
        "يحق لك الإرجاع خلال ١٤ يوماً."
    )
    report, window = periods_of(text)
    assert report.purpose is Purpose.DAMAGE_REPORT
    assert window.purpose is Purpose.RETURN
    assert window.days == 14


def test_a_refund_time_beside_a_short_window_keeps_its_own_purpose() -> None:
    text = "يمكنك إرجاع المنتج خلال ثلاثة أيام من الاستلام ويتم استرداد المبلغ خلال 7-14 يوم عمل"
    window, refund = periods_of(text)
    assert (window.purpose, window.days) == (Purpose.RETURN, 3)
    assert refund.purpose is Purpose.REFUND


@pytest.mark.parametrize(
    ("text", "purpose"),
    [
        ("الاستبدال فقط خلال 3 أيام", Purpose.EXCHANGE),
        ("التوصيل خلال 2-5 أيام عمل داخل الرياض", Purpose.DELIVERY),
        ("المبلغ يرجع لك خلال 5 أيام", Purpose.REFUND),
        ("Refunds are processed in 5 to 7 business days", Purpose.REFUND),
        ("من حقك ترجع أو تبدل المنتج خلال 14 يوم", Purpose.RETURN),
        ("بنوصل الأوردر خلال 3 أيام", Purpose.DELIVERY),
    ],
)
def test_the_nearest_purpose_word_decides(text: str, purpose: Purpose) -> None:
    [period] = periods_of(text)
    assert period.purpose is purpose


def test_a_period_in_a_clause_about_defects_is_marked() -> None:
    [period] = periods_of("المنتجات المعيبة يمكن إرجاعها خلال 30 يوماً")
    assert period.about_defects


def test_a_day_alone_is_a_period_only_after_within() -> None:
    [period] = periods_of("الإرجاع خلال 14 يوماً من يوم الاستلام")
    assert period.days == 14
    [period] = periods_of("يمكن الإرجاع خلال يوم من الاستلام")
    assert period.days == 1


def test_two_periods_joined_by_and_are_not_a_range() -> None:
    periods = periods_of("الإرجاع خلال 3 أيام و 14 يوماً للاستبدال")
    assert [p.days for p in periods] == [3, 14]
