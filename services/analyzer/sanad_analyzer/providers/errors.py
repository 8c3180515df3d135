"""What every adapter shares about errors: crash statuses, Retry-After, key-free messages.

Each adapter module classifies its own SDK's exceptions (the whole table for a provider reads
in one place) with these helpers; nothing here imports an SDK.
"""

from __future__ import annotations

import email.utils
import math
import re
import time
from collections.abc import Mapping
from typing import Final

from sanad_analyzer.providers.base import ProviderError
from sanad_common.error_class import ErrorClass

CRASH_STATUSES: Final = frozenset({500, 502, 503, 504})
"""HTTP statuses of a provider that is down (or its gateway is)."""

_MAX_MESSAGE_CHARS: Final = 200
_REDACTED: Final = "[redacted]"
# Key shapes of OpenAI and Anthropic ("sk-...") and Google ("AIza...") in case an echo reaches
# a message.
_KEY_SHAPES: Final = re.compile(r"sk-[A-Za-z0-9_\-]{8,}|AIza[0-9A-Za-z_\-]{20,}")


def retry_after_from_headers(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date)."""
    if headers is None:
        return None
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            seconds = _seconds_until(value) if name == "retry-after" else math.nan
        if math.isfinite(seconds) and seconds >= 0:
            return seconds
    return None


def _seconds_until(http_date: str) -> float:
    try:
        when = email.utils.parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        return math.nan
    return max(0.0, when.timestamp() - time.time())


def scrub(text: str, secret: str) -> str:
    """One short line without the API key (or anything shaped like a key)."""
    if secret:
        text = text.replace(secret, _REDACTED)
    text = " ".join(_KEY_SHAPES.sub(_REDACTED, text).split())
    if len(text) > _MAX_MESSAGE_CHARS:
        text = text[: _MAX_MESSAGE_CHARS - 1] + "…"
    return text


def describe(exc: BaseException, secret: str) -> str:
    """The exception's type and text as one key-free line."""
    detail = str(exc)
    return scrub(f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__, secret)


def invalid(message: str) -> ProviderError:
    """An answer that arrived but is not a usable analysis."""
    return ProviderError(ErrorClass.INVALID_RESPONSE, message)


def timed_out() -> ProviderError:
    """No answer within the attempt's share of the deadline."""
    return ProviderError(ErrorClass.TIMEOUT, "no answer within the timeout")
