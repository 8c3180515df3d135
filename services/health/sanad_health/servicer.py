"""sanad.health.v1.ProviderHealthService: validate, ask the tracker, map the answer to protobuf.

An unknown provider is INVALID_ARGUMENT with a BadRequest in every RPC: the set of providers is
configuration the caller must match, not data that may or may not exist.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc

from sanad.health.v1 import health_pb2, health_pb2_grpc
from sanad.type.v1 import error_class_pb2
from sanad_common.error_class import ErrorClass
from sanad_common.errors import (
    FieldViolation,
    raise_if_violations,
)
from sanad_common.proto_time import duration, timestamp
from sanad_common.providers import provider_violations
from sanad_health.circuit import CircuitState
from sanad_health.status import CircuitView, ProviderStatus, ReportedOutcome
from sanad_health.tracker import ProviderHealthTracker
from sanad_health.window import WindowStats

Context = grpc.aio.ServicerContext[Any, Any]

MAX_BATCH = 1000
"""Most outcomes one ReportOutcomes call may carry."""

_STATES = {
    CircuitState.CLOSED: health_pb2.CIRCUIT_STATE_CLOSED,
    CircuitState.OPEN: health_pb2.CIRCUIT_STATE_OPEN,
    CircuitState.HALF_OPEN: health_pb2.CIRCUIT_STATE_HALF_OPEN,
}


class ProviderHealthServicer(health_pb2_grpc.ProviderHealthServiceServicer):
    """The gRPC face of the provider health tracker."""

    def __init__(self, tracker: ProviderHealthTracker) -> None:
        self._tracker = tracker

    async def GetProviderOrder(
        self, request: health_pb2.GetProviderOrderRequest, context: Context
    ) -> health_pb2.GetProviderOrderResponse:
        order = await self._tracker.order()
        return health_pb2.GetProviderOrderResponse(
            providers=[_candidate(status) for status in order.available],
            unavailable=[_candidate(status) for status in order.unavailable],
        )

    async def ReportOutcome(
        self, request: health_pb2.ReportOutcomeRequest, context: Context
    ) -> health_pb2.ReportOutcomeResponse:
        outcome = self._outcome(request, "")
        status = await self._tracker.report(
            outcome.provider,
            error_class=outcome.error_class,
            latency=outcome.latency,
            retry_after=outcome.retry_after,
        )
        return health_pb2.ReportOutcomeResponse(status=_status(status))

    async def ReportOutcomes(
        self, request: health_pb2.ReportOutcomesRequest, context: Context
    ) -> health_pb2.ReportOutcomesResponse:
        count = len(request.outcomes)
        if not 1 <= count <= MAX_BATCH:
            raise_if_violations(
                [FieldViolation("outcomes", f"must hold 1 to {MAX_BATCH} outcomes, not {count}")]
            )
        outcomes = [
            self._outcome(item, f"outcomes[{index}].")
            for index, item in enumerate(request.outcomes)
        ]
        circuits = await self._tracker.report_many(outcomes)
        return health_pb2.ReportOutcomesResponse(circuits=[_circuit(view) for view in circuits])

    def _outcome(self, request: health_pb2.ReportOutcomeRequest, path: str) -> ReportedOutcome:
        """The outcome a report describes; INVALID_ARGUMENT with every violation otherwise."""
        violations = [
            FieldViolation(f"{path}{violation.field}", violation.description)
            for violation in provider_violations(
                request.provider, self._tracker.providers, required=True
            )
        ]
        error_class: ErrorClass | None = None
        try:
            error_class = ErrorClass.from_proto(request.error_class)
        except ValueError:
            violations.append(
                FieldViolation(f"{path}error_class", f"unknown error class {request.error_class}")
            )
        else:
            if request.success and error_class is not None:
                violations.append(
                    FieldViolation(f"{path}error_class", "must be unspecified when success is true")
                )
            if not request.success and error_class is None:
                violations.append(
                    FieldViolation(f"{path}error_class", "is required when success is false")
                )
        latency = request.latency.ToNanoseconds() / 1e9 if request.HasField("latency") else None
        retry_after = (
            request.retry_after.ToNanoseconds() / 1e9 if request.HasField("retry_after") else None
        )
        for field, seconds in (("latency", latency), ("retry_after", retry_after)):
            if seconds is not None and seconds < 0:
                violations.append(FieldViolation(f"{path}{field}", "must not be negative"))
        raise_if_violations(violations)
        return ReportedOutcome(request.provider, error_class, latency, retry_after)

    async def GetProviderStatus(
        self, request: health_pb2.GetProviderStatusRequest, context: Context
    ) -> health_pb2.GetProviderStatusResponse:
        raise_if_violations(
            provider_violations(request.provider, self._tracker.providers, required=False)
        )
        if request.provider:
            statuses: tuple[ProviderStatus, ...] = (await self._tracker.status(request.provider),)
        else:
            statuses = await self._tracker.statuses()
        return health_pb2.GetProviderStatusResponse(providers=[_status(s) for s in statuses])

    async def WatchProviders(
        self, request: health_pb2.WatchProvidersRequest, context: Context
    ) -> AsyncIterator[health_pb2.WatchProvidersResponse]:
        async for snapshot in self._tracker.watch():
            yield health_pb2.WatchProvidersResponse(
                providers=[_status(status) for status in snapshot.statuses],
                order=snapshot.order,
            )

    async def SetPrimaryProvider(
        self, request: health_pb2.SetPrimaryProviderRequest, context: Context
    ) -> health_pb2.SetPrimaryProviderResponse:
        raise_if_violations(
            provider_violations(request.provider, self._tracker.providers, required=True)
        )
        order = await self._tracker.set_primary(request.provider)
        return health_pb2.SetPrimaryProviderResponse(order=order)

    async def ResetProvider(
        self, request: health_pb2.ResetProviderRequest, context: Context
    ) -> health_pb2.ResetProviderResponse:
        raise_if_violations(
            provider_violations(request.provider, self._tracker.providers, required=True)
        )
        status = await self._tracker.reset(request.provider)
        return health_pb2.ResetProviderResponse(status=_status(status))


def _error_class(value: ErrorClass | None) -> error_class_pb2.ErrorClass.ValueType:
    return error_class_pb2.ERROR_CLASS_UNSPECIFIED if value is None else value.to_proto()


def _candidate(status: ProviderStatus) -> health_pb2.ProviderCandidate:
    candidate = _circuit(
        CircuitView(status.provider, status.circuit_state, status.open_until, status.open_reason)
    )
    if status.window.latency_p95 is not None:
        candidate.latency_p95.CopyFrom(duration(status.window.latency_p95))
    return candidate


def _circuit(view: CircuitView) -> health_pb2.ProviderCandidate:
    candidate = health_pb2.ProviderCandidate(
        provider=view.provider,
        circuit_state=_STATES[view.circuit_state],
        open_reason=_error_class(view.open_reason),
    )
    if view.open_until is not None:
        candidate.open_until.CopyFrom(timestamp(view.open_until))
    return candidate


def _status(status: ProviderStatus) -> health_pb2.ProviderStatus:
    message = health_pb2.ProviderStatus(
        provider=status.provider,
        primary=status.primary,
        circuit_state=_STATES[status.circuit_state],
        available=status.available,
        open_reason=_error_class(status.open_reason),
        success_count=status.success_count,
        failure_count=status.failure_count,
        success_rate=status.success_rate,
        failures_by_class=[
            health_pb2.ErrorClassCount(error_class=error_class.to_proto(), count=count)
            for error_class, count in status.failures_by_class
        ],
        last_error_class=_error_class(status.last_error_class),
        times_blacklisted=status.times_blacklisted,
        window=_window(status.window),
        consecutive_failures=status.consecutive_failures,
        ejection_streak=status.ejection_streak,
        probes_admitted=status.probes_admitted,
        probe_limit=status.probe_limit,
    )
    if status.open_until is not None:
        message.open_until.CopyFrom(timestamp(status.open_until))
    if status.last_failure_time is not None:
        message.last_failure_time.CopyFrom(timestamp(status.last_failure_time))
    return message


def _window(window: WindowStats) -> health_pb2.OutcomeWindow:
    message = health_pb2.OutcomeWindow(
        length=duration(window.seconds),
        calls=window.calls,
        success_count=window.successes,
        success_rate=window.success_rate,
        failures_by_class=[
            health_pb2.ErrorClassCount(error_class=error_class.to_proto(), count=count)
            for error_class, count in window.failures_by_class
        ],
    )
    if window.latency_p50 is not None:
        message.latency_p50.CopyFrom(duration(window.latency_p50))
    if window.latency_p95 is not None:
        message.latency_p95.CopyFrom(duration(window.latency_p95))
    return message
