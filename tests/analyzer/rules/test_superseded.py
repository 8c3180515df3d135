"""Superseded terms: what the page marks as no longer applying is blanked in the matching
form only, so positions and quotes stay, and nothing else is touched."""

from __future__ import annotations

from sanad_analyzer.rules.normalised import normalise
from sanad_analyzer.rules.superseded import set_aside_superseded


def test_a_page_without_old_terms_is_returned_as_it_is() -> None:
    text = normalise("Returns within 14 days of delivery; refunds within 7 days.")
    assert set_aside_superseded(text) is text


def test_an_old_block_ends_at_the_current_policy_s_heading() -> None:
    original = "Previous policy:\nReturns within 3 days.\nCurrent policy:\nReturns within 14 days."
    kept = set_aside_superseded(normalise(original))
    assert len(kept.text) == len(normalise(original).text)
    assert "3 days" not in kept.text
    assert "current policy:\nreturns within 14 days." in kept.text
    # the original, and so every quote, is untouched
    assert kept.quote(0, len(kept.text)) == original


def test_a_sentence_of_what_was_is_set_aside_up_to_what_is_now() -> None:
    kept = set_aside_superseded(normalise("كانت مدة الاسترجاع سابقاً ٥ أيام، وأصبحت الآن ١٤ يوماً."))
    assert "5" not in kept.text
    assert "واصبحت الان 14 يوما" in kept.text


def test_old_values_and_struck_lines_are_set_aside() -> None:
    kept = set_aside_superseded(
        normalise("~~Returns within 7 days~~\nReturns within 2 days (previously 7 days).")
    )
    assert "7" not in kept.text
    assert "returns within 2 days" in kept.text


def test_terms_stated_above_and_an_exchange_period_are_kept() -> None:
    original = "تقدر ترجع أو تبدل خلال يومين. والمخفض يسترجع بنفس الشروط السابقة."
    assert set_aside_superseded(normalise(original)).text == normalise(original).text
