"""Terms a page keeps beside the ones in force, set aside before the policy is read.

An updated page often shows what it used to say: a block under "السياسة السابقة (ملغاة)" or
"Change log", a sentence that opens with what was ("كانت مدة الاسترجاع سابقاً ٥ أيام، وأصبحت
الآن ١٤ يوماً", "Returns were previously accepted within 14 days"), the old value of a change
("بدل ٧ أيام", "from 14 days to 7 days", "(previously 7 days)") or a struck-through line
("~~Returns accepted within 7 days~~"). Read as terms, they fire findings the page no longer
makes. Their characters are blanked in the matching form (its positions, and so every quote
of the original, stay as they were), so no rule reads them.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Final

from sanad_analyzer.rules.normalised import NormalisedText, pattern

# A heading over the old terms, or over a list of what changed and when.
_OLD_HEADING: Final = pattern(
    r"(?:ال)?(?:سياسه|شروط)\w* (?:ال)?(?:سابقه|قديمه)|(?:ال)?شروط (?:ال)?سابقه"
    r"|سجل (?:ال)?(?:تعديلات|تحديثات|تغييرات)"
    r"|(?<![a-z])(?:previous|old|former|earlier) (?:policy|terms|version)|change ?log"
    r"|version history|revision history"
)
# A heading over the terms in force, which ends the old block.
_CURRENT_HEADING: Final = pattern(
    r"(?:ال)?(?:سياسه|شروط)\w* (?:ال)?(?:حاليه|جديده|المعمول بها)"
    r"|(?<![a-z])(?:current|new|updated) (?:policy|terms)"
)
_HEADING_WORDS: Final = 8
"""The most words of a line that heads an old block."""
# A sentence that states what used to be: "كانت مدة الاسترجاع سابقاً ٥ أيام", "Returns were
# previously accepted within 14 days", "وكانت السياسة السابقة تسمح بالإرجاع خلال ثلاثة أيام".
_WAS: Final = pattern(r"(?:و)?(?:كانت|كان)(?!\w)")
_WERE: Final = pattern(
    r"(?<![a-z])(?:was|were|had been) (?:\w+ ){0,3}?(?:previously|formerly|in the past)"
    r"|(?<![a-z])(?:previously|formerly),? (?:\w+ )?(?:was|were|had|could|accepted|allowed"
    r"|offered|gave|took|charged|deducted|refunded)(?![a-z])|(?<![a-z])used to(?![a-z])"
)
_FORMERLY: Final = pattern(
    r"(?<!\w)(?:سابقا|السابقه|السابق|في السابق|قبل التعديل|قبل التحديث)(?!\w)"
    r"|(?<![a-z])(?:previously|formerly|used to|in the past|before the update)(?![a-z])"
)
# Where the sentence turns to what is now: "…، وأصبحت الآن ١٤ يوماً", "…; it is now 7 days".
_NOW: Final = pattern(
    r"(?:و)?(?:اصبحت|اصبح|صارت|صار|الان|حاليا)(?!\w)"
    r"|(?<![a-z])(?:now|currently|today)(?![a-z])"
)
_SENTENCE: Final = re.compile(r"[^.!?;\n]+")
_MARKERS: Final = " #-•*0123456789.)🔹📌⚠"
"""What may open a line or a sentence before its words: a bullet, a number, an emoji."""
_NO_LONGER: Final = pattern(r"(?<!\w)و?لم (?:ي|ت)عد(?!\w)|(?<![a-z])no longer(?![a-z])")
_PERIOD: Final = (
    r"\S+ (?:ايام|يوم|يوما|ساعه|ساعات|اسبوع|اسابيع|شهر|days?|hours?|weeks?|months?)(?!\w)"
)
# The old value of a change: "بدل ٧ أيام", "بدلاً من ١٤ يوماً", "instead of 14 days", "(previously
# 7 days)".
_OLD_VALUE: Final = pattern(
    # (not the exchange: "تقدر ترجع أو تبدل خلال يومين", "البدل خلال يومين")
    rf"(?<!\w)(?:بدلا من|بدل|عوضا عن|instead of) (?!خلال|في|من|within|in )(?:{_PERIOD})"
    rf"|\((?:previously|formerly|سابقا) {_PERIOD}\)"
)
# The "from" end of a change: "refund time shortened from 14 days to 7 days", "قللنا مدة
# الإرجاع من ١٤ يوم إلى ٧ أيام" (not a range: "delivery takes from 3 days to 7 days").
# (compiled as written, already in the matching form's spelling: its group names the old end)
_CHANGED_FROM: Final = re.compile(
    r"(?:shortened|extended|reduced|increased|changed|cut|moved|تعدلت|تغيرت|تم تعديل|تم تقليل"
    r"|تم تمديد|قللنا|مددنا|غيرنا|عدلنا) (?:\S+ ){0,4}?"
    rf"(?P<old>(?:from|من) {_PERIOD})(?= (?:to|الي|ل) ?\S+ (?:days?|hours?|weeks?|months?|ايام"
    r"|يوم|يوما|ساعه|ساعات|اسبوع|شهر))"
)
_STRUCK: Final = re.compile(r"~~[^~\n]+~~")


def set_aside_superseded(text: NormalisedText) -> NormalisedText:
    """``text`` with the terms it no longer applies blanked in its matching form (the
    checker asks only when the document's scan found a word of them, ``PAST_MARKERS``)."""
    content = text.text
    spans = [
        *_old_blocks(content),
        *_old_sentences(content),
        *_no_longer(content),
        *(match.span() for match in _OLD_VALUE.finditer(content)),
        *(match.span("old") for match in _CHANGED_FROM.finditer(content)),
        *(match.span() for match in _STRUCK.finditer(content)),
    ]
    if not spans:
        return text
    characters = list(content)
    for start, end in spans:
        for index in range(start, end):
            if characters[index] != "\n":
                characters[index] = " "
    return dataclasses.replace(text, text="".join(characters))


def _old_blocks(content: str) -> list[tuple[int, int]]:
    """Each old block: its heading's line and the lines under it, to a blank line or to a
    heading of the terms in force."""
    spans = []
    lines = [match.span() for match in re.finditer(r"[^\n]*", content) if match.group()]
    index = 0
    while index < len(lines):
        start, end = lines[index]
        line = content[start:end]
        opening = start + _marker_length(line)
        if (
            len(line.split()) > _HEADING_WORDS
            or line.rstrip().endswith(".")
            or _OLD_HEADING.match(content, opening, end) is None
        ):
            index += 1
            continue  # (not "فتُسترجع بنفس الشروط السابقة.", the terms stated above)
        last = end
        index += 1
        while index < len(lines):
            next_start, next_end = lines[index]
            if "\n\n" in content[last:next_start] or _CURRENT_HEADING.search(
                content, next_start, next_end
            ):
                break
            last = next_end
            index += 1
        spans.append((start, last))
    return spans


def _old_sentences(content: str) -> list[tuple[int, int]]:
    """Each sentence that states what used to be, up to where it turns to what is now."""
    spans = []
    for sentence in _SENTENCE.finditer(content):
        start, end = sentence.span()
        start += _marker_length(sentence.group())
        formerly = _FORMERLY.search(content, start, end)
        if formerly is None:
            continue
        if _WAS.match(content, start) is None and _WERE.search(content, start, end) is None:
            continue  # "(previously 7 days)" after what is now is read as an old value
        now = _NOW.search(content, formerly.end(), end)
        spans.append((start, now.start() if now is not None else end))
    return spans


def _no_longer(content: str) -> list[tuple[int, int]]:
    """Each sentence that says what was and is no longer ("كانت رسوم الشحن تُخصم من المبلغ
    المسترد، ولم تعد تُخصم"): all of it, since what is now is only the denial."""
    return [
        sentence.span()
        for sentence in _SENTENCE.finditer(content)
        if _WAS.match(content, sentence.start() + _marker_length(sentence.group()))
        and _NO_LONGER.search(content, sentence.start(), sentence.end()) is not None
    ]


def _marker_length(sentence: str) -> int:
    """How many characters of bullet, number or emoji open the sentence."""
    return len(sentence) - len(sentence.lstrip(_MARKERS))
