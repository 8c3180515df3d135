"""What the analyzer may decide from health's snapshot alone, and what it must ask health."""

from __future__ import annotations

from google.protobuf import timestamp_pb2

from sanad.health.v1 import health_pb2
from sanad.type.v1 import error_class_pb2
from sanad_analyzer.downstream.provider_view import Snapshot
from sanad_common.error_class import ErrorClass

NOW = 1_000_000.0


def status(
    name: str,
    state: health_pb2.CircuitState.ValueType,
    *,
    open_until: float | None = None,
    primary: bool = False,
) -> health_pb2.ProviderStatus:
    message = health_pb2.ProviderStatus(
        provider=name,
        circuit_state=state,
        primary=primary,
        open_reason=error_class_pb2.ERROR_CLASS_SERVICE_CRASH
        if state != health_pb2.CIRCUIT_STATE_CLOSED
        else error_class_pb2.ERROR_CLASS_UNSPECIFIED,
    )
    if open_until is not None:
        message.open_until.CopyFrom(timestamp_pb2.Timestamp(seconds=int(open_until)))
    return message


def snapshot(*statuses: health_pb2.ProviderStatus, order: tuple[str, ...] = ()) -> Snapshot:
    return Snapshot.from_proto(
        health_pb2.WatchProvidersResponse(providers=list(statuses), order=list(order))
    )


def test_closed_and_open_circuits_are_decided_here_in_health_s_order() -> None:
    view = snapshot(
        status("openai", health_pb2.CIRCUIT_STATE_OPEN, open_until=NOW + 60),
        status("gemini", health_pb2.CIRCUIT_STATE_CLOSED),
        status("anthropic", health_pb2.CIRCUIT_STATE_CLOSED),
        order=("anthropic", "openai", "gemini"),
    )

    order = view.provider_order(NOW)

    assert order is not None
    assert order.available == ("anthropic", "gemini")
    assert [(s.name, s.reason, s.open_until) for s in order.skipped] == [
        ("openai", ErrorClass.SERVICE_CRASH, NOW + 60)
    ]


def test_a_probe_permit_or_a_run_out_open_period_is_health_s_to_give() -> None:
    half_open = snapshot(
        status("openai", health_pb2.CIRCUIT_STATE_HALF_OPEN),
        status("gemini", health_pb2.CIRCUIT_STATE_CLOSED),
    )
    run_out = snapshot(
        status("openai", health_pb2.CIRCUIT_STATE_OPEN, open_until=NOW - 1),
        status("gemini", health_pb2.CIRCUIT_STATE_CLOSED),
    )

    assert half_open.provider_order(NOW) is None
    assert run_out.provider_order(NOW) is None


def test_an_open_circuit_until_reset_stays_out() -> None:
    view = snapshot(
        status("openai", health_pb2.CIRCUIT_STATE_OPEN),
        status("gemini", health_pb2.CIRCUIT_STATE_CLOSED),
    )

    order = view.provider_order(NOW)

    assert order is not None
    assert order.available == ("gemini",)
    assert order.skipped[0].open_until is None


def test_without_an_order_the_primary_leads_then_the_configured_order() -> None:
    view = snapshot(
        status("openai", health_pb2.CIRCUIT_STATE_CLOSED),
        status("gemini", health_pb2.CIRCUIT_STATE_CLOSED),
        status("anthropic", health_pb2.CIRCUIT_STATE_CLOSED, primary=True),
    )

    order = view.provider_order(NOW)

    assert order is not None
    assert order.available == ("anthropic", "openai", "gemini")
