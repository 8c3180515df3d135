"""Fault model, per-provider fault queues and request counters.

Faults are injected per provider and served first in, first served: the fault at the
head of a provider's queue applies to that provider's next requests until its ``count``
runs out, then the next queued fault takes over. A fault without ``count`` stays at the
head until cleared, so anything queued behind it waits. Everything runs on one event
loop, so the board needs no locks.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Final

PROVIDERS: Final = ("openai", "gemini", "anthropic")

MAX_LATENCY_MS: Final = 600_000
DEFAULT_LATENCY_MS: Final = 1_000
DEFAULT_RETRY_AFTER: Final = 1.0


class FaultKind(StrEnum):
    """What a provider endpoint does instead of (or before) answering normally."""

    QUOTA_EXCEEDED = "quota_exceeded"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    AUTH = "auth"
    LATENCY = "latency"
    HANG = "hang"
    MALFORMED_JSON = "malformed_json"
    SCHEMA_INVALID = "schema_invalid"
    EMPTY = "empty"
    CONNECTION_RESET = "connection_reset"


# Allowed HTTP statuses per kind and provider; the first entry is the default.
_STATUSES: Final[Mapping[FaultKind, Mapping[str, tuple[int, ...]]]] = {
    FaultKind.QUOTA_EXCEEDED: {"openai": (429,), "gemini": (429,), "anthropic": (402,)},
    FaultKind.RATE_LIMITED: {"openai": (429,), "gemini": (429,), "anthropic": (429,)},
    FaultKind.SERVER_ERROR: {
        "openai": (503, 500, 502, 504),
        "gemini": (503, 500, 502, 504),
        "anthropic": (529, 500, 502, 503, 504),
    },
    FaultKind.AUTH: {"openai": (401, 403), "gemini": (400, 403), "anthropic": (401, 403)},
}

_FIELDS: Final = frozenset({"provider", "fault", "status", "count", "retry_after", "latency_ms"})


class FaultSpecError(ValueError):
    """A control request described a fault that cannot be served."""


@dataclass(frozen=True)
class FaultSpec:
    """One injected fault with every default resolved.

    ``status`` is set only for kinds that answer with an HTTP error; ``retry_after``
    (seconds) only for ``rate_limited`` (always) and ``server_error`` (when given);
    ``latency_ms`` delays every kind before it takes effect. ``count`` None means
    "until cleared".
    """

    provider: str
    fault: FaultKind
    status: int | None = None
    count: int | None = None
    retry_after: float | None = None
    latency_ms: int = 0

    @classmethod
    def from_json(cls, payload: object) -> FaultSpec:
        """Validate a control request body; raise FaultSpecError with a clear message."""
        if not isinstance(payload, dict):
            raise FaultSpecError("body must be a JSON object")
        unknown = sorted(set(payload) - _FIELDS)
        if unknown:
            raise FaultSpecError(
                f"unknown field(s): {', '.join(unknown)}; allowed: {', '.join(sorted(_FIELDS))}"
            )
        provider = payload.get("provider")
        if provider not in PROVIDERS:
            raise FaultSpecError(f"provider must be one of {', '.join(PROVIDERS)}")
        raw_fault = payload.get("fault")
        kinds = [kind.value for kind in FaultKind]
        if not isinstance(raw_fault, str) or raw_fault not in kinds:
            raise FaultSpecError(f"fault must be one of {', '.join(kinds)}")
        fault = FaultKind(raw_fault)
        count = _optional_int(payload, "count", minimum=1)
        latency_ms = _optional_int(payload, "latency_ms", minimum=0, maximum=MAX_LATENCY_MS)
        if latency_ms is None:
            latency_ms = DEFAULT_LATENCY_MS if fault is FaultKind.LATENCY else 0
        return cls(
            provider=provider,
            fault=fault,
            status=_resolve_status(payload.get("status"), fault, provider),
            count=count,
            retry_after=_resolve_retry_after(payload.get("retry_after"), fault),
            latency_ms=latency_ms,
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON form the control API returns and accepts."""
        return {**asdict(self), "fault": self.fault.value}


def _optional_int(
    payload: Mapping[str, object], name: str, *, minimum: int, maximum: int | None = None
) -> int | None:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultSpecError(f"{name} must be an integer or null")
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and <= {maximum}" if maximum is not None else ""
        raise FaultSpecError(f"{name} must be >= {minimum}{upper}")
    return value


def _resolve_status(value: object, fault: FaultKind, provider: str) -> int | None:
    allowed = _STATUSES.get(fault, {}).get(provider)
    if allowed is None:
        if value is not None:
            raise FaultSpecError(f"status does not apply to fault {fault.value}")
        return None
    if value is None:
        return allowed[0]
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        choices = ", ".join(str(status) for status in sorted(allowed))
        raise FaultSpecError(f"status for {provider} {fault.value} must be one of {choices}")
    return value


def _resolve_retry_after(value: object, fault: FaultKind) -> float | None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 86_400
    ):
        raise FaultSpecError("retry_after must be a number of seconds between 0 and 86400")
    if fault is FaultKind.RATE_LIMITED:
        return DEFAULT_RETRY_AFTER if value is None else float(value)
    if fault is FaultKind.SERVER_ERROR and value is not None:
        return float(value)
    return None


@dataclass(frozen=True)
class ProviderStats:
    """Requests that reached a provider endpoint, and how many of them got a fault."""

    requests: int
    faults_served: int


@dataclass
class _Queued:
    spec: FaultSpec
    remaining: int | None


@dataclass
class _ProviderState:
    queue: deque[_Queued] = field(default_factory=deque)
    requests: int = 0
    faults_served: int = 0
    released: asyncio.Event = field(default_factory=asyncio.Event)


class FaultBoard:
    """Per-provider fault queues, counters, and the release switch for hung requests."""

    def __init__(self) -> None:
        self._state = {provider: _ProviderState() for provider in PROVIDERS}

    def add(self, spec: FaultSpec) -> None:
        self._state[spec.provider].queue.append(_Queued(spec, spec.count))

    def take(self, provider: str) -> FaultSpec | None:
        """Count one request to ``provider`` and return the fault it must get, if any."""
        state = self._state[provider]
        state.requests += 1
        if not state.queue:
            return None
        head = state.queue[0]
        if head.remaining is not None:
            head.remaining -= 1
            if head.remaining == 0:
                state.queue.popleft()
        state.faults_served += 1
        return head.spec

    def pending(self) -> dict[str, list[dict[str, Any]]]:
        """Queued faults per provider, head first, with the requests each has left."""
        return {
            provider: [
                {**queued.spec.to_json(), "remaining": queued.remaining} for queued in state.queue
            ]
            for provider, state in self._state.items()
        }

    def clear(self, provider: str | None = None) -> None:
        """Drop queued faults and release requests hung by ``hang``."""
        for name in PROVIDERS if provider is None else (provider,):
            state = self._state[name]
            state.queue.clear()
            state.released.set()
            state.released = asyncio.Event()

    def reset(self) -> None:
        """Clear every fault and zero the counters."""
        self.clear()
        for state in self._state.values():
            state.requests = 0
            state.faults_served = 0

    async def wait_released(self, provider: str) -> None:
        """Block until the provider's faults are cleared (how a ``hang`` ends)."""
        await self._state[provider].released.wait()

    def stats(self) -> dict[str, ProviderStats]:
        return {
            provider: ProviderStats(state.requests, state.faults_served)
            for provider, state in self._state.items()
        }
