"""Every error class on every provider kind, through the public API on the real processes: the
emulator injects the fault on the primary, and each test checks the class in ``attempts``, the
next step (retry on the same provider or failover), the health effect (GetProviderStatus) and
how many requests each provider received (one per attempt: no SDK retries)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from sanad.health.v1 import health_pb2
from sanad.type.v1 import error_class_pb2
from tests.integration.conftest import Clients
from tests.integration.test_scenarios import RETURN_POLICY, analyze_request, attempt_classes

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("suite", ["redis"], indirect=True)]

KINDS = ("openai", "gemini", "anthropic")
DEADLINE = 6.0
"""The caller's deadline: a hanging primary times out at its share (a third) of it."""


@pytest.fixture(scope="module")
def suite_kinds() -> tuple[str, ...]:
    return KINDS


@dataclass(frozen=True)
class Case:
    fault: str
    extra: dict[str, Any]
    error_class: str
    retried: bool
    """True: the next step is a retry on the same provider; False: failover."""
    circuit: int
    """The primary's circuit state afterwards."""
    open_until: bool = field(default=False)
    """True if the circuit has a known end (False: closed, or open until reset)."""
    cooled_down: bool = field(default=False)
    """True if the circuit opened for a while and is closed again by the end."""


CASES = [
    Case("quota_exceeded", {}, "QUOTA_EXCEEDED", False, health_pb2.CIRCUIT_STATE_OPEN, True),
    # Cooled down for its 1 s Retry-After; the retry after it is the probe that closes it.
    Case(
        "rate_limited",
        {"retry_after": 1},
        "RATE_LIMITED",
        True,
        health_pb2.CIRCUIT_STATE_CLOSED,
        cooled_down=True,
    ),
    Case(
        "server_error", {"status": 503}, "SERVICE_CRASH", False, health_pb2.CIRCUIT_STATE_OPEN, True
    ),
    Case("connection_reset", {}, "SERVICE_CRASH", False, health_pb2.CIRCUIT_STATE_OPEN, True),
    Case("auth", {}, "AUTHENTICATION", False, health_pb2.CIRCUIT_STATE_OPEN),
    Case("schema_invalid", {}, "INVALID_RESPONSE", True, health_pb2.CIRCUIT_STATE_CLOSED),
    Case("malformed_json", {}, "INVALID_RESPONSE", True, health_pb2.CIRCUIT_STATE_CLOSED),
    Case("hang", {}, "TIMEOUT", False, health_pb2.CIRCUIT_STATE_CLOSED),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", CASES, ids=[case.fault for case in CASES])
async def test_each_error_class_on_each_kind(clients: Clients, kind: str, case: Case) -> None:
    primary, following, *_ = await clients.set_primary(kind)
    await clients.emulator.inject(primary, case.fault, count=1, **case.extra)

    response = await clients.analyzer.Analyze(
        analyze_request(f"{RETURN_POLICY} ({kind} {case.fault})"), timeout=DEADLINE
    )
    status = (
        await clients.health.GetProviderStatus(
            health_pb2.GetProviderStatusRequest(provider=primary)
        )
    ).providers[0]
    requests = await clients.provider_requests()

    answered_by = primary if case.retried else following
    assert response.provider == answered_by
    assert attempt_classes(response) == [(primary, case.error_class), (answered_by, "OK")]
    assert status.circuit_state == case.circuit
    assert status.HasField("open_until") == case.open_until
    failures = {
        error_class_pb2.ErrorClass.Name(entry.error_class).removeprefix("ERROR_CLASS_"): entry.count
        for entry in status.window.failures_by_class
    }
    assert failures == {case.error_class: 1}
    opened = case.circuit == health_pb2.CIRCUIT_STATE_OPEN or case.cooled_down
    assert status.times_blacklisted == (1 if opened else 0)
    if case.circuit == health_pb2.CIRCUIT_STATE_OPEN:
        assert status.open_reason == error_class_pb2.ErrorClass.Value(
            f"ERROR_CLASS_{case.error_class}"
        )
    expected = dict.fromkeys(KINDS, 0)
    expected[primary] += 1
    expected[answered_by] += 1
    assert requests == expected
