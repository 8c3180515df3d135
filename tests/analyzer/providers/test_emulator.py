"""Both adapters against the provider emulator: real SDKs, real HTTP, every fault kind.

Each case also checks the emulator's request counter: one ``analyze`` is one HTTP request,
whatever the SDK would have retried on its own.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import replace
from typing import Any, NamedTuple

import pytest

from sanad_analyzer.analysis import analysis_from_proto, analysis_to_proto, validate_analysis
from sanad_analyzer.providers.base import Provider, ProviderError
from sanad_common.error_class import ErrorClass
from sanad_emulator.control import EmulatorControl
from tests.analyzer.providers.support import (
    ANTHROPIC_KEY,
    GEMINI_KEY,
    OPENAI_KEY,
    PROMPT,
    make_provider,
)
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


_TIMEOUT_S = 10.0


async def _requests(emulator: EmulatorControl, provider: Provider) -> int:
    return (await emulator.stats())[provider.name].requests


async def test_normal_answer_is_valid_and_round_trips(
    provider: Provider, emulator: EmulatorControl
) -> None:
    answer = await provider.analyze(PROMPT, timeout=_TIMEOUT_S)

    assert validate_analysis(answer.analysis) == answer.analysis
    assert analysis_from_proto(analysis_to_proto(answer.analysis)) == answer.analysis
    assert answer.model == provider.model
    assert answer.prompt_tokens > 0
    assert answer.completion_tokens > 0
    assert answer.total_tokens == answer.prompt_tokens + answer.completion_tokens
    assert await _requests(emulator, provider) == 1


async def test_improved_policy_only_when_requested(
    provider: Provider, emulator: EmulatorControl
) -> None:
    plain = await provider.analyze(PROMPT, timeout=_TIMEOUT_S)
    improved = await provider.analyze(
        replace(PROMPT, include_improved_policy=True), timeout=_TIMEOUT_S
    )

    assert plain.analysis["improved_policy"] == ""
    assert improved.analysis["improved_policy"] != ""


class FaultCase(NamedTuple):
    """One emulator fault and what the adapter must make of it."""

    fault: str
    extra: dict[str, Any]
    expected: ErrorClass
    statuses: dict[str, int | None]  # per provider: the HTTP status, None without a response


_NO_STATUS: dict[str, int | None] = {"openai": None, "gemini": None, "anthropic": None}
_FAULTS = [
    FaultCase(
        "quota_exceeded",
        {},
        ErrorClass.QUOTA_EXCEEDED,
        {"openai": 429, "gemini": 429, "anthropic": 402},
    ),
    FaultCase(
        "rate_limited",
        {},
        ErrorClass.RATE_LIMITED,
        {"openai": 429, "gemini": 429, "anthropic": 429},
    ),
    *(
        FaultCase(
            "server_error",
            {"status": status},
            ErrorClass.SERVICE_CRASH,
            {"openai": status, "gemini": status, "anthropic": status},
        )
        for status in (500, 502, 503, 504)
    ),
    FaultCase(
        "auth", {}, ErrorClass.AUTHENTICATION, {"openai": 401, "gemini": 400, "anthropic": 401}
    ),
    FaultCase(
        "auth",
        {"status": 403},
        ErrorClass.AUTHENTICATION,
        {"openai": 403, "gemini": 403, "anthropic": 403},
    ),
    FaultCase("malformed_json", {}, ErrorClass.INVALID_RESPONSE, _NO_STATUS),
    FaultCase("schema_invalid", {}, ErrorClass.INVALID_RESPONSE, _NO_STATUS),
    FaultCase("empty", {}, ErrorClass.INVALID_RESPONSE, _NO_STATUS),
    FaultCase("connection_reset", {}, ErrorClass.SERVICE_CRASH, _NO_STATUS),
]


@pytest.mark.parametrize(
    "case", _FAULTS, ids=[f"{case.fault}-{case.extra.get('status', '')}" for case in _FAULTS]
)
async def test_fault_is_classified_after_one_request(
    provider: Provider, emulator: EmulatorControl, case: FaultCase
) -> None:
    await emulator.inject(provider.name, case.fault, count=1, **case.extra)

    with pytest.raises(ProviderError) as caught:
        await provider.analyze(PROMPT, timeout=_TIMEOUT_S)

    assert caught.value.error_class is case.expected
    assert caught.value.status_code == case.statuses[provider.name]
    assert OPENAI_KEY not in caught.value.message
    assert GEMINI_KEY not in caught.value.message
    assert ANTHROPIC_KEY not in caught.value.message
    assert await _requests(emulator, provider) == 1


async def test_rate_limited_carries_retry_after(
    provider: Provider, emulator: EmulatorControl
) -> None:
    await emulator.inject(provider.name, "rate_limited", count=1, retry_after=2.5)

    with pytest.raises(ProviderError) as caught:
        await provider.analyze(PROMPT, timeout=_TIMEOUT_S)

    assert caught.value.error_class is ErrorClass.RATE_LIMITED
    assert caught.value.retry_after == pytest.approx(2.5)


async def test_server_error_carries_retry_after_when_sent(
    provider: Provider, emulator: EmulatorControl
) -> None:
    await emulator.inject(provider.name, "server_error", count=1, status=503, retry_after=7)

    with pytest.raises(ProviderError) as caught:
        await provider.analyze(PROMPT, timeout=_TIMEOUT_S)

    assert caught.value.error_class is ErrorClass.SERVICE_CRASH
    assert caught.value.retry_after == pytest.approx(7)


async def test_hang_times_out_within_the_timeout(
    provider: Provider, emulator: EmulatorControl
) -> None:
    await emulator.inject(provider.name, "hang", count=1)
    timeout = 0.5

    started = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        await provider.analyze(PROMPT, timeout=timeout)
    elapsed = time.monotonic() - started

    assert caught.value.error_class is ErrorClass.TIMEOUT
    assert timeout * 0.8 <= elapsed < timeout + 0.5
    assert await _requests(emulator, provider) == 1


async def test_latency_beyond_the_timeout_is_a_timeout(
    provider: Provider, emulator: EmulatorControl
) -> None:
    await emulator.inject(provider.name, "latency", count=1, latency_ms=2000)

    with pytest.raises(ProviderError) as caught:
        await provider.analyze(PROMPT, timeout=0.5)

    assert caught.value.error_class is ErrorClass.TIMEOUT


async def test_latency_within_the_timeout_still_answers(
    provider: Provider, emulator: EmulatorControl
) -> None:
    await emulator.inject(provider.name, "latency", count=1, latency_ms=200)

    answer = await provider.analyze(PROMPT, timeout=_TIMEOUT_S)

    assert validate_analysis(answer.analysis) == answer.analysis


async def test_an_unbounded_timeout_is_accepted(
    provider: Provider, emulator: EmulatorControl
) -> None:
    answer = await provider.analyze(PROMPT, timeout=math.inf)

    assert validate_analysis(answer.analysis) == answer.analysis


@pytest.mark.parametrize("fault", ["connection_reset", "hang", "server_error"])
async def test_adapter_recovers_after_a_fault(
    provider: Provider, emulator: EmulatorControl, fault: str
) -> None:
    """A reset or abandoned connection must not poison the client's connection pool.

    The first call is ended only once the emulator has taken it (and with it the fault): a
    short timeout instead could run out before the request arrived on a loaded machine, and
    the second call would then meet the fault. A hung call is abandoned as an attempt's own
    timeout abandons it, by cancellation."""
    await emulator.inject(provider.name, fault, count=1)
    first = asyncio.create_task(provider.analyze(PROMPT, timeout=_TIMEOUT_S))
    await eventually(
        lambda: _requests(emulator, provider),
        lambda requests: requests == 1,
        what="the emulator taking the first call",
    )
    if fault == "hang":
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
    else:
        with pytest.raises(ProviderError):
            await first

    answer = await provider.analyze(PROMPT, timeout=_TIMEOUT_S)

    assert validate_analysis(answer.analysis) == answer.analysis
    assert await _requests(emulator, provider) == 2


async def test_anthropic_overloaded_is_a_crash_after_one_request(
    emulator_url: str, emulator: EmulatorControl
) -> None:
    provider = make_provider("anthropic", emulator_url)
    await emulator.inject("anthropic", "server_error", count=1, status=529)

    with pytest.raises(ProviderError) as caught:
        await provider.analyze(PROMPT, timeout=_TIMEOUT_S)
    await provider.aclose()

    assert caught.value.error_class is ErrorClass.SERVICE_CRASH
    assert caught.value.status_code == 529
    assert "overloaded_error" in caught.value.message
    assert await _requests(emulator, provider) == 1
