"""A matching form of a policy text that remembers, per character, where it came from.

Patterns run on the normalised form (one spelling per letter, ASCII digits, no diacritics,
single spaces, tabs kept as table cells' dividers, lower case); a match is mapped back through
``origin`` so the phrase a finding quotes is a slice of the text exactly as the store wrote it.
"""

from __future__ import annotations

import bisect
import functools
import re
import string
from dataclasses import dataclass
from typing import Final

from sanad_analyzer.rules.guard import guarded, literal_led

# Diacritics (tashkeel), Quranic marks, the tatweel, bidi marks and the variation selectors
# after an emoji ("✔️"): they change looks only.
_DROPPED_CLASS: Final = (
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c-\u200f\ufe00-\ufe0f"
)
# Markdown emphasis, as pages copied by a crawler carry it ("**مدة الإرجاع:**", "__Refunds__"):
# a run of two or more asterisks or underscores marks how words look, like the marks above.
_EMPHASIS: Final = r"\*{2,}|_{2,}"
_DROPPED: Final = re.compile(f"[{_DROPPED_CLASS}]+")
_DROPPED_OR_EMPHASIS: Final = re.compile(f"[{_DROPPED_CLASS}]+|{_EMPHASIS}")
"""The same with emphasis: scanned only when the text has some (a class alone scans faster)."""
# Whitespace that is not already a single space or a single line break: a run of two or
# more, or one other whitespace character. Led by one class, so the scan skips the other
# characters in C (as two branches, ``\s{2,}|[^\S \n]``, it tried a match at every one).
_WHITESPACE: Final = re.compile(r"\s(?:\s+|(?<=[^\S \n]))")
# What the matching form leaves out: the rest of a whitespace run after its first character
# (marks inside the run included), and marks anywhere else. Led by the class of its first
# characters, so the scan skips ordinary letters in C; the look-behinds tell which branch
# the first character began.
_REMOVED: Final = re.compile(
    f"[\\s{_DROPPED_CLASS}]"
    f"(?:(?<=\\s)[\\s{_DROPPED_CLASS}]+|(?<=[{_DROPPED_CLASS}])[{_DROPPED_CLASS}]*)"
)
_REMOVED_OR_EMPHASIS: Final = re.compile(
    f"[\\s{_DROPPED_CLASS}]"
    f"(?:(?<=\\s)(?:[\\s{_DROPPED_CLASS}]|{_EMPHASIS})+|(?<=[{_DROPPED_CLASS}])[{_DROPPED_CLASS}]*)"
    f"|(?:{_EMPHASIS})(?:[{_DROPPED_CLASS}]|{_EMPHASIS})*"
)
"""The same with emphasis, for a text that has some (as ``_DROPPED_OR_EMPHASIS``)."""
# Every mapping is one character to one character, so positions stay aligned. Applied with
# str.replace, which is many times faster than str.translate on Arabic text.
_FOLD: Final = (
    *((form, "ا") for form in "أإآٱ"),
    ("ى", "ي"),
    ("ة", "ه"),
    ("ؤ", "و"),
    ("ئ", "ي"),
    ("ی", "ي"),
    ("ک", "ك"),
    ("ھ", "ه"),
    *((chr(0x0660 + digit), str(digit)) for digit in range(10)),
    *((chr(0x06F0 + digit), str(digit)) for digit in range(10)),
    ("٪", "%"),
    ("،", ","),
    ("؛", ";"),
    ("؟", "?"),
    ("–", "-"),
    ("—", "-"),
    ("\u2019", "'"),
)
_ASCII_UPPER: Final = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
# The Arabic part of the fold, for writing patterns in natural spelling ("على", "إرجاع").
_PATTERN_FOLD: Final = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
)
_SENTENCE_END: Final = re.compile(r"[.!?;\n]|\s[-•*]\s|•")


@dataclass(frozen=True)
class NormalisedText:
    """The original text and its matching form; ``origin`` maps one back to the other."""

    original: str
    text: str

    @functools.cached_property
    def _segments(self) -> tuple[list[int], list[int], list[int]]:
        """The matching form as runs of kept characters (found when first quoted): where each
        run starts in the matching form and in the original, and how far the original is ahead
        there. A policy has tens of removed runs, so this is far cheaper than a per-character
        map."""
        starts, original_starts, shifts = [0], [0], [0]
        removed = 0
        removed_run = _REMOVED_OR_EMPHASIS if _has_emphasis(self.original) else _REMOVED
        for match in removed_run.finditer(self.original):
            first = match.start() + 1 if match.group()[0].isspace() else match.start()
            removed += match.end() - first
            starts.append(match.end() - removed)
            original_starts.append(match.end())
            shifts.append(removed)
        return starts, original_starts, shifts

    def original_index(self, position: int) -> int:
        """The original index of the matching character at ``position``."""
        starts, _, shifts = self._segments
        return position + shifts[bisect.bisect_right(starts, position) - 1]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that normalised span [start, end) came from."""
        length = len(self.text)
        first = self.original_index(start) if start < length else len(self.original)
        if end <= start:
            return first, first
        # Up to the next kept character, so marks written after the last letter stay quoted.
        last = self.original_index(end) if end < length else len(self.original)
        while last > first and self.original[last - 1].isspace():
            last -= 1
        return first, last

    def position_of(self, original_index: int) -> int:
        """The normalised position of an original index (of the next kept character)."""
        starts, original_starts, shifts = self._segments
        run = bisect.bisect_right(original_starts, original_index) - 1
        following = starts[run + 1] if run + 1 < len(starts) else len(self.text)
        return min(original_index - shifts[run], following)

    def quote(self, start: int, end: int) -> str:
        """The original wording of normalised span [start, end), verbatim."""
        first, last = self.original_span(start, end)
        return self.original[first:last]

    @functools.cached_property
    def _breaks(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Starts and ends of the sentence breaks, found once per text."""
        found = [
            match
            for match in _SENTENCE_END.finditer(self.text)
            if not _is_decimal_point(self.text, match.start())
        ]
        return tuple(m.start() for m in found), tuple(m.end() for m in found)

    def sentence_bounds(self, position: int) -> tuple[int, int]:
        """The normalised span of the sentence (or list item) holding ``position``."""
        starts, ends = self._breaks
        index = bisect.bisect_right(starts, position - 1)
        start = ends[index - 1] if index else 0
        start = min(start, position)
        end = starts[index] if index < len(starts) else len(self.text)
        while start < end and self.text[start] == " ":
            start += 1
        return start, end


def _is_decimal_point(text: str, index: int) -> bool:
    return (
        text[index] == "."
        and 0 < index < len(text) - 1
        and text[index - 1].isdigit()
        and text[index + 1].isdigit()
    )


def pattern(regex: str) -> re.Pattern[str]:
    """Compile a regex written in natural Arabic spelling so it matches the normalised text,
    with its branches led by plain characters (CPython then scans for them in C) or, when
    they cannot be, behind a guard of its first characters (see guard.py).

    ``\\s`` stands for the one space the matching form has between words, never for its line
    breaks (a match does not run from a heading into the line under it), and ``\\d`` for the
    ASCII digits, the only ones the matching form has."""
    folded = (
        _DROPPED.sub("", regex).translate(_PATTERN_FOLD).replace(r"\s", " ").replace(r"\d", "[0-9]")
    )
    led = literal_led(folded)
    return re.compile(led if led is not None else guarded(folded))


def _has_emphasis(original: str) -> bool:
    """The text has markdown emphasis to drop (the scans for it are slower, so only then)."""
    return "**" in original or "__" in original


def _one_space(match: re.Match[str]) -> str:
    """A line break, a tab (the divider of a table's cells as a page copies them), else one
    space."""
    run = match.group()
    if "\n" in run or "\r" in run:
        return "\n"
    return "\t" if "\t" in run else " "


def normalise(original: str) -> NormalisedText:
    """The matching form of ``original``: C loops only; the origin map waits for a quote."""
    dropped = _DROPPED_OR_EMPHASIS if _has_emphasis(original) else _DROPPED
    text = _WHITESPACE.sub(_one_space, dropped.sub("", original))
    for form, folded in _FOLD:
        if form in text:
            text = text.replace(form, folded)
    lowered = text.lower()
    # lower() keeps the length except for a few letters (such as "İ"); then ASCII only.
    text = lowered if len(lowered) == len(text) else text.translate(_ASCII_UPPER)
    return NormalisedText(original=original, text=text)
