"""Rules every storage adapter applies the same way, so they stay interchangeable.

Kept private to the storage package: callers see only the port and ``open_store``.
"""

from __future__ import annotations

import math
import re

_NAMESPACE = re.compile(r"[A-Za-z0-9_.-]+")


def check_namespace(namespace: str) -> str:
    """Return the namespace if it is usable as a key prefix, else raise ValueError.

    A namespace may not contain ``:`` (namespaces ``a`` and ``a:b`` could then produce the same
    full key) nor braces (they would become a Redis Cluster hash tag and change the slot of
    every key), so only letters, digits, ``_``, ``.`` and ``-`` are allowed.
    """
    if not _NAMESPACE.fullmatch(namespace):
        raise ValueError(
            f"invalid storage namespace {namespace!r}: use letters, digits, '_', '.' or '-'"
        )
    return namespace


def ttl_milliseconds(ttl: float) -> int:
    """A positive time-to-live in whole milliseconds (rounded up), or ValueError."""
    if not math.isfinite(ttl) or ttl <= 0:
        raise ValueError(f"ttl must be a positive number of seconds, not {ttl!r}")
    return max(1, math.ceil(ttl * 1000))
