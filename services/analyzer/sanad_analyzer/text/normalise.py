"""Arabic-aware normalisation for matching texts that say the same thing.

Two spellings of one word should compare equal: with or without diacritics and tatweel,
with any alef form, ى or ي, ة or ه, Arabic-Indic, Persian or ASCII digits, upper or lower
case. This form is for similarity search and number extraction only; the idempotency hash
keeps its own stricter form (`sanad_analyzer.request.normalise_text`), because there two
texts must be the same wording, not merely close.

`fold` keeps punctuation and maps every character of its output back to the original text,
so number extraction can report spans in the caller's text; `normalise_for_matching` then
turns punctuation into spaces and collapses whitespace.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass

# Diacritics (tashkeel), Quranic annotation marks, superscript alef and the tatweel: they
# change how a word looks, not which word it is. Invisible format characters (directional
# marks, zero-width joiners) are dropped too.
_MARKS = frozenset(
    chr(code)
    for low, high in ((0x0610, 0x061A), (0x064B, 0x065F), (0x06D6, 0x06ED))
    for code in range(low, high + 1)
) | {"\u0670", "\u0640"}

_LETTERS = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ى": "ي",
    "ة": "ه",
    "ؤ": "ء",
    "ئ": "ء",
    "ی": "ي",  # Persian yeh
    "ک": "ك",  # Persian keheh
    "٫": ".",  # Arabic decimal separator
    "٬": ",",  # Arabic thousands separator
    "٪": "%",
}
_DIGITS = {chr(0x0660 + d): str(d) for d in range(10)} | {
    chr(0x06F0 + d): str(d) for d in range(10)
}
_TABLE = str.maketrans(_LETTERS | _DIGITS)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class FoldedText:
    """A folded text and, for each of its characters, the original characters it stands for."""

    text: str
    """The folded text: same words, one spelling."""
    starts: tuple[int, ...]
    """For each character of `text`, the index of the original character it comes from."""
    ends: tuple[int, ...]
    """For each character of `text`, the end of its original characters, dropped marks after
    it included."""

    def span_in_original(self, start: int, end: int) -> tuple[int, int]:
        """The original text's span of the folded span [start, end) (end > start)."""
        return self.starts[start], self.ends[end - 1]


@functools.lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    out = []
    for piece in unicodedata.normalize("NFKC", char):
        if piece in _MARKS or unicodedata.category(piece) == "Cf":
            continue
        out.append(piece.translate(_TABLE).casefold())
    return "".join(out)


def _fold_each(text: str) -> FoldedText:
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        if not folded and ends:
            ends[-1] = index + 1
        chars.append(folded)
        starts.extend([index] * len(folded))
        ends.extend([index + 1] * len(folded))
    return FoldedText("".join(chars), tuple(starts), tuple(ends))


# The fast path: for the characters store policies are written in (Latin, Arabic, general
# punctuation, Arabic presentation forms), each character's fold is computed once, here. A
# text is lower-cased by str.lower and only the characters whose fold differs from that are
# replaced, which on Arabic text is several times faster than str.translate. Characters
# outside these ranges, or whose fold is not one character (or not the fold of their lower
# case), take the per-character path.
_FAST_RANGES = ((0x0000, 0x06FF), (0x2000, 0x206F), (0xFB50, 0xFEFF))
_FAST_FOLD = {
    chr(code): _fold_char(chr(code)) for low, high in _FAST_RANGES for code in range(low, high + 1)
}
_SLOW_CHARS = "".join(
    re.escape(char)
    for char, out in _FAST_FOLD.items()
    if len(out) > 1 or len(char.lower()) != 1 or _FAST_FOLD.get(char.lower()) != out
)
_CHANGED = {char: out for char, out in _FAST_FOLD.items() if out != char and len(out) <= 1}
_CHANGED_CHAR = re.compile("[" + "".join(re.escape(char) for char in _CHANGED) + "]")
_RANGES_CLASS = "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in _FAST_RANGES)
_SLOW_PATH = re.compile(f"[^{_RANGES_CLASS}]|[{_SLOW_CHARS}]")
_DROPPED_RUN = re.compile(
    "[" + "".join(re.escape(char) for char, out in _FAST_FOLD.items() if not out) + "]+"
)


def _changed(match: re.Match[str]) -> str:
    return _CHANGED[match.group()]


def fold(text: str) -> FoldedText:
    """Fold each character: NFKC, no marks, one alef, ي, ه, ء, ASCII digits, lower case."""
    if _SLOW_PATH.search(text) is not None:
        return _fold_each(text)
    kept = bytearray(b"\x01") * len(text)
    for run in _DROPPED_RUN.finditer(text):
        kept[run.start() : run.end()] = bytes(run.end() - run.start())
    starts = tuple(itertools.compress(range(len(text)), kept))
    # A kept character's original span runs up to the next kept one: only marks lie between.
    ends = (*starts[1:], len(text)) if starts else ()
    return FoldedText(_CHANGED_CHAR.sub(_changed, text.lower()), starts, ends)


def fold_word(word: str) -> str:
    """One word or phrase folded: for building tables in the spelling `fold` produces."""
    return fold(word).text


@functools.lru_cache(maxsize=8192)
def _is_separator(char: str) -> bool:
    return unicodedata.category(char)[0] in "PSZC"


def normalise_for_matching(text: str) -> str:
    """The matching form: folded, punctuation and symbols as spaces, whitespace collapsed."""
    folded = fold(text).text
    spaced = "".join(" " if _is_separator(char) else char for char in folded)
    return _SPACES.sub(" ", spaced).strip()


def words(text: str) -> list[str]:
    """The words of a text in its matching form."""
    normalised = normalise_for_matching(text)
    return normalised.split(" ") if normalised else []
