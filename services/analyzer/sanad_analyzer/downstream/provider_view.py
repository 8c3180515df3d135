"""Health's view of the providers, pushed to the analyzer through WatchProviders.

The per-attempt question "which providers may I call, in what order" is answered from the
latest snapshot instead of a call to health for every request (architecture §2). Health stays
the authority: the snapshot is its own answer, at most one poll of its store old, and
anything the snapshot cannot settle on its own goes back to health: a HALF_OPEN provider, or
one whose open period has run out, needs one of health's probe permits, and a view that is
not live (no stream, or nothing heard for too long) is not used at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import grpc
import structlog

from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad_analyzer.ports import ProviderOrder, SkippedProvider
from sanad_common.error_class import ErrorClass

log = structlog.get_logger(__name__)

REFRESH_SECONDS = 5.0
"""How long one WatchProviders stream runs before it is opened again. Health sends only
changes, so a quiet stream says nothing about health being there; a new stream starts with a
full snapshot, which does."""
RETRY_SECONDS = 0.25
"""Pause before opening the stream again after it failed."""


@dataclass(frozen=True)
class _Circuit:
    """One provider's circuit, as the snapshot gave it."""

    state: health_pb2.CircuitState.ValueType
    open_until: float | None
    open_reason: ErrorClass
    latency_p95: float | None


@dataclass(frozen=True)
class Snapshot:
    """One WatchProviders message, read into what the order needs."""

    order: tuple[str, ...]
    circuits: dict[str, _Circuit]

    @classmethod
    def from_proto(cls, message: health_pb2.WatchProvidersResponse) -> Snapshot:
        """The snapshot of a message; an older health without ``order`` puts the primary
        first, then the configured order."""
        circuits = {
            status.provider: _Circuit(
                state=status.circuit_state,
                open_until=status.open_until.ToNanoseconds() / 1e9
                if status.HasField("open_until")
                else None,
                open_reason=ErrorClass.from_proto(status.open_reason) or ErrorClass.UNKNOWN,
                latency_p95=status.window.latency_p95.ToNanoseconds() / 1e9
                if status.window.HasField("latency_p95")
                else None,
            )
            for status in message.providers
        }
        order = tuple(message.order) or tuple(
            sorted(circuits, key=lambda name: not _primary(message, name))
        )
        return cls(order=order, circuits=circuits)

    def provider_order(self, now: float) -> ProviderOrder | None:
        """The order health would give at unix time ``now``; None if only health can say
        (a provider needs a probe permit)."""
        available: list[str] = []
        skipped: list[SkippedProvider] = []
        for name in self.order:
            circuit = self.circuits.get(name)
            if circuit is None:
                return None
            if circuit.state == health_pb2.CIRCUIT_STATE_CLOSED:
                available.append(name)
            elif circuit.state == health_pb2.CIRCUIT_STATE_OPEN and (
                circuit.open_until is None or circuit.open_until > now
            ):
                skipped.append(SkippedProvider(name, circuit.open_reason, circuit.open_until))
            else:
                return None
        return ProviderOrder(
            available=tuple(available),
            skipped=tuple(skipped),
            latency_p95={
                name: circuit.latency_p95
                for name, circuit in self.circuits.items()
                if circuit.latency_p95 is not None
            },
        )


@dataclass(frozen=True)
class LastView:
    """The provider statuses of the last message health pushed, and when it came."""

    statuses: tuple[health_pb2.ProviderStatus, ...]
    """Each provider's status as health sent it."""
    heard_at: float
    """Unix time the message arrived."""


def _primary(message: health_pb2.WatchProvidersResponse, name: str) -> bool:
    return any(status.primary for status in message.providers if status.provider == name)


class ProviderView:
    """Follows health's WatchProviders stream and keeps its latest snapshot."""

    def __init__(
        self,
        channel: grpc.aio.Channel,
        *,
        refresh: float = REFRESH_SECONDS,
        retry: float = RETRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stub = health_pb2_grpc.ProviderHealthServiceStub(channel)
        self._refresh = refresh
        self._retry = retry
        self._clock = clock
        self._snapshot: Snapshot | None = None
        self._heard_at = float("-inf")
        self.last: LastView | None = None
        """The last message's statuses, kept when the stream is lost (the roll-up's last
        known view); never used to order providers."""
        self._task: asyncio.Task[None] | None = None
        self.messages_read = 0
        """Messages read from health so far, over every stream."""
        self._kept_out_at: dict[str, int] = {}

    def start(self) -> None:
        """Follow the stream from now on (idempotent; needs a running event loop)."""
        if self._task is None:
            self._task = asyncio.create_task(self._follow(), name="health-provider-view")

    async def aclose(self) -> None:
        """Stop following the stream."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @property
    def live(self) -> bool:
        """True while the latest snapshot is one health sent within a refresh period."""
        return (
            self._snapshot is not None
            and self._clock() - self._heard_at <= self._refresh + self._retry
        )

    def closed(self, provider: str) -> bool:
        """True if the live snapshot has the provider's circuit CLOSED."""
        if not self.live or self._snapshot is None:
            return False
        circuit = self._snapshot.circuits.get(provider)
        return circuit is not None and circuit.state == health_pb2.CIRCUIT_STATE_CLOSED

    def kept_out_after(self, provider: str, message: int) -> bool:
        """True while the view is live if a message read after the first ``message`` ones had
        the provider's circuit other than CLOSED (the view kept it out of an order, or sent
        the order to health for a probe permit)."""
        return self.live and self._kept_out_at.get(provider, -1) > message

    def provider_order(self, now: float) -> ProviderOrder | None:
        """The order from the live snapshot at unix time ``now``; None when health must be
        asked (no live snapshot, or a provider needs a probe permit)."""
        if not self.live or self._snapshot is None:
            return None
        return self._snapshot.provider_order(now)

    async def _follow(self) -> None:
        """Keep a stream open: a new one every refresh period, and after any failure."""
        while True:
            try:
                stream = self._stub.WatchProviders(
                    health_pb2.WatchProvidersRequest(), timeout=self._refresh
                )
                heard = False
                async for message in stream:
                    self._snapshot = Snapshot.from_proto(message)
                    self._heard_at = self._clock()
                    self.messages_read += 1
                    for name, circuit in self._snapshot.circuits.items():
                        if circuit.state != health_pb2.CIRCUIT_STATE_CLOSED:
                            self._kept_out_at[name] = self.messages_read
                    self.last = LastView(tuple(message.providers), time.time())
                    heard = True
                if not heard:
                    await asyncio.sleep(self._retry)
            except grpc.aio.AioRpcError as error:
                if error.code() is grpc.StatusCode.DEADLINE_EXCEEDED:
                    continue
                if self._snapshot is not None:
                    log.info("provider view lost", code=error.code().name)
                self._snapshot = None
                await asyncio.sleep(self._retry)
            except Exception:
                # A snapshot this version cannot read (a newer health's enum value, say): no
                # view, so every order is asked of health, until a stream reads again.
                log.exception("provider view unreadable")
                self._snapshot = None
                await asyncio.sleep(self._retry)
