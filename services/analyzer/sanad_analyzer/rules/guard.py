"""A fast-fail guard for the checker's regexes: the characters a match can start with.

Python's ``re`` skips ahead quickly only for patterns that start with a plain literal; the
checker's patterns start with optional prefixes and groups ("(?:ال)?مبلغ"), so the engine
would try every alternative at every position. Prefixing ``(?=[first characters])`` makes
each position cost one set lookup, several times faster, and never changes what matches.
Only the constructs the checker's patterns use are understood; anything else (``\\w`` or
``.`` at the start, a negated class) means no guard, which is slower but still right.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

_ZERO_WIDTH_ESCAPES: Final = frozenset("bBAZ")
_LITERAL_ESCAPES: Final = frozenset("().[]{}?*+|^$\\-/'\"،")
_LOOKAROUNDS: Final = ("?=", "?!", "?<=", "?<!")
_DECIMAL_DIGITS: Final = frozenset(char for char in map(chr, range(0x110000)) if char.isdecimal())
"""What ``\\d`` matches in a str pattern: every Unicode decimal digit, not only 0-9."""

First = tuple[frozenset[str], bool] | None
"""The characters a (sub)pattern can start with and whether it can match empty; None: unknown."""


def first_characters(regex: str) -> frozenset[str] | None:
    """The characters any match of ``regex`` starts with; None if they cannot be told."""
    result = _alternation(regex)
    if result is None or result[1]:
        return None
    return result[0]


def guarded(regex: str) -> str:
    """``regex`` behind a lookahead for its first characters, when they can be told."""
    chars = first_characters(regex)
    if not chars:
        return regex
    return "(?=[" + "".join(re.escape(char) for char in sorted(chars)) + "])(?:" + regex + ")"


def leading_branches(regex: str) -> list[tuple[str, str]] | None:
    """The top-level branches of ``regex``, each as its first character and the rest, when
    every branch starts with a plain character (as ``literal_led`` writes them); else None."""
    branches = []
    for branch in _split_top(regex):
        first = branch[:1]
        if not first or first in _NOT_PLAIN or (branch[1:2] and branch[1] in _QUANTIFIERS):
            return None
        branches.append((first, branch[1:]))
    return branches


def following_characters(regex: str) -> dict[str, frozenset[str] | None] | None:
    """The characters a match of ``regex`` can start with, each with the characters that can
    come second (None: any); None when the first ones cannot be told."""
    found: dict[str, frozenset[str] | None] = {}
    pending = _split_top(regex)
    while pending:
        branch = pending.pop()
        expanded = _expand_first(branch)
        if expanded is None or len(pending) > _MAX_BRANCHES:
            return None
        if expanded != [branch]:
            pending.extend(expanded)
            continue
        first, seconds = branch[0], first_characters(branch[1:]) if branch[1:] else None
        known = found.get(first, frozenset())
        found[first] = None if known is None or seconds is None else known | seconds
    return found


def any_of(regexes: Sequence[str]) -> str:
    """An alternation that matches where any of ``regexes`` does, though not always as the
    first of them that matches would (it is for finding places, not matches): its branches
    are grouped by their first character, so that the engine tests a character once per
    group instead of entering every branch."""
    by_first: dict[str, list[str]] = {}
    others: list[str] = []
    pending = [branch for regex in regexes for branch in _split_top(regex)]
    grouped = 0
    while pending:
        branch = pending.pop()
        expanded = _expand_first(branch) if branch else None
        if expanded is None:
            others.append(branch)
        elif expanded == [branch]:
            by_first.setdefault(branch[0], []).append(branch[1:])
            grouped += 1
        else:
            pending.extend(expanded)
        if len(pending) + len(others) + grouped > _MAX_BRANCHES:
            return "|".join(regexes)
    groups = [
        first if "" in rests else first + "(?:" + "|".join(rests) + ")"
        for first, rests in by_first.items()
    ]
    return "|".join([*groups, *others])


def _split_top(regex: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    start = 0
    index = 0
    while index < len(regex):
        char = regex[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _class_end(regex, index) + 1
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(regex[start:index])
            start = index + 1
        index += 1
    parts.append(regex[start:])
    return parts


def _alternation(regex: str) -> First:
    chars: set[str] = set()
    nullable = False
    for part in _split_top(regex):
        result = _sequence(part)
        if result is None:
            return None
        chars |= result[0]
        nullable = nullable or result[1]
    return frozenset(chars), nullable


def _sequence(regex: str) -> First:
    chars: set[str] = set()
    index = 0
    while index < len(regex):
        atom, index = _atom(regex, index)
        if atom is None:
            return None
        atom_chars, atom_nullable = atom
        quantifier, index = _quantifier(regex, index)
        chars |= atom_chars
        if not (atom_nullable or quantifier == "optional"):
            return frozenset(chars), False
    return frozenset(chars), True


def _atom(regex: str, index: int) -> tuple[First, int]:
    char = regex[index]
    if char == "(":
        end = _group_end(regex, index)
        inner = regex[index + 1 : end]
        if inner.startswith(_LOOKAROUNDS):
            return (frozenset(), True), end + 1
        if inner.startswith("?:"):
            inner = inner[2:]
        elif inner.startswith("?P<"):
            inner = inner[inner.index(">") + 1 :]
        elif inner.startswith("?"):
            return None, end + 1
        return _alternation(inner), end + 1
    if char == "[":
        end = _class_end(regex, index)
        return _class(regex[index + 1 : end]), end + 1
    if char == "\\":
        escaped = regex[index + 1]
        if escaped in _ZERO_WIDTH_ESCAPES:
            return (frozenset(), True), index + 2
        if escaped == "d":
            return (_DECIMAL_DIGITS, False), index + 2
        if escaped in _LITERAL_ESCAPES:
            return (frozenset(escaped), False), index + 2
        return None, index + 2
    if char in "^$":
        return (frozenset(), True), index + 1
    if char == ".":
        return None, index + 1
    return (frozenset(char), False), index + 1


def _quantifier(regex: str, index: int) -> tuple[str, int]:
    if index >= len(regex):
        return "", index
    char = regex[index]
    kind = ""
    if char in "?*":
        kind, index = "optional", index + 1
    elif char == "+":
        kind, index = "repeat", index + 1
    elif char == "{":
        end = regex.index("}", index)
        kind = (
            "optional"
            if regex[index + 1 : end].split(",", maxsplit=1)[0] in ("", "0")
            else "repeat"
        )
        index = end + 1
    if kind and index < len(regex) and regex[index] in "?+":
        index += 1  # lazy or possessive
    return kind, index


def _class(content: str) -> First:
    if content.startswith("^") or "\\" in content:
        return None
    chars: set[str] = set()
    index = 0
    while index < len(content):
        if index + 2 < len(content) and content[index + 1] == "-":
            chars |= {chr(code) for code in range(ord(content[index]), ord(content[index + 2]) + 1)}
            index += 3
        else:
            chars.add(content[index])
            index += 1
    return frozenset(chars), False


def _class_end(regex: str, index: int) -> int:
    position = index + 1
    if position < len(regex) and regex[position] == "^":
        position += 1
    if position < len(regex) and regex[position] == "]":
        position += 1
    while regex[position] != "]":
        position += 2 if regex[position] == "\\" else 1
    return position


def _group_end(regex: str, index: int) -> int:
    depth = 0
    position = index
    while True:
        char = regex[position]
        if char == "\\":
            position += 2
            continue
        if char == "[":
            position = _class_end(regex, position) + 1
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return position
        position += 1


_MAX_BRANCHES: Final = 400
_QUANTIFIERS: Final = "?*+{"
_NOT_PLAIN: Final = frozenset("\\.^$|()[]") | frozenset(_QUANTIFIERS)


def literal_led(regex: str) -> str | None:
    """``regex`` rewritten so that every top-level branch starts with a plain character, or
    None when that cannot be done (a leading lookaround, escape or repetition).

    CPython scans for such a pattern in C, testing only the branches' first characters, which
    is several times faster than a guard: "(?:ال)?(?:ارجاع|رد)" becomes
    "ا(?:ل(?:ارجاع|رد)|رجاع)|رد". Leading optional groups and character classes are
    distributed, then branches are grouped by their first character (branches with different
    first characters never match at the same place, so the order that matters is kept).
    """
    branches: list[str] = []
    pending = _split_top(regex)
    while pending:
        branch = pending.pop()
        expanded = _expand_first(branch)
        if expanded is None:
            return None
        if expanded == [branch]:
            branches.append(branch)
        else:
            pending.extend(expanded)
        if len(branches) + len(pending) > _MAX_BRANCHES:
            return None
    # One top-level branch per first character, so a position costs one test per character
    # the words can start with, not one per word.
    by_first: dict[str, list[str]] = {}
    for branch in reversed(branches):
        by_first.setdefault(branch[0], []).append(branch[1:])
    return "|".join(
        first + (rests[0] if len(rests) == 1 else "(?:" + "|".join(rests) + ")")
        for first, rests in by_first.items()
    )


def _expand_first(branch: str) -> list[str] | None:
    """The branch with its first element distributed ([branch] when it starts with a plain
    character already)."""
    if not branch:
        return None
    char = branch[0]
    if char == "(":
        if not branch.startswith("(?:"):
            return None
        end = _group_end(branch, 0)
        alternatives, rest = _split_top(branch[3:end]), branch[end + 1 :]
    elif char == "[":
        end = _class_end(branch, 0)
        found = _class(branch[1:end])
        if found is None:
            return None
        alternatives, rest = [re.escape(c) for c in sorted(found[0])], branch[end + 1 :]
    elif char in "\\.^$|)" or char in _QUANTIFIERS:
        return None
    else:
        return None if branch[1:2] and branch[1] in _QUANTIFIERS else [branch]
    optional = rest.startswith("?")
    if optional:
        rest = rest[1:]
        if rest.startswith(("?", "+")):
            return None
    elif rest[:1] and rest[0] in _QUANTIFIERS:
        return None
    if any(not alternative for alternative in alternatives):
        return None
    return [alternative + rest for alternative in alternatives] + ([rest] if optional else [])
