"""What the analyzer observes of its own work: a span and two GenAI metrics per provider
attempt, and a span per cache operation.

Names and attributes follow the OpenTelemetry GenAI semantic conventions where they exist:
``gen_ai.client.operation.duration`` and ``gen_ai.client.token.usage`` with
``gen_ai.provider.name``, ``gen_ai.response.model``, ``gen_ai.token.type`` and ``error.type``
(the error class). With tracing off no span is started; the metrics are always recorded.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Awaitable
from typing import TypeVar

from opentelemetry import metrics, trace
from opentelemetry.trace import Span, Status, StatusCode

from sanad_analyzer.providers.base import ProviderAnswer, ProviderError
from sanad_common.telemetry import LATENCY_BUCKETS_SECONDS
from sanad_common.tracing import tracing_enabled

T = TypeVar("T")
LOOKUPS = ("get", "lookup")
"""Ends of the operation names that look something up (their spans say if it was found)."""
TOKEN_BUCKETS = (1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576)
"""Token-count buckets the GenAI conventions advise."""

_tracer = trace.get_tracer("sanad.analyzer")
_meter = metrics.get_meter("sanad.analyzer")
_operation_duration = _meter.create_histogram(
    "gen_ai.client.operation.duration",
    unit="s",
    explicit_bucket_boundaries_advisory=LATENCY_BUCKETS_SECONDS,
    description="Duration of provider calls, by provider and error type",
)
_token_usage = _meter.create_histogram(
    "gen_ai.client.token.usage",
    unit="{token}",
    explicit_bucket_boundaries_advisory=TOKEN_BUCKETS,
    description="Tokens used by successful provider calls, by provider and token type",
)


async def observed_attempt(provider: str, operation: Awaitable[ProviderAnswer]) -> ProviderAnswer:
    """One provider call, measured, in a span carrying the provider, error class or tokens."""
    attributes = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": provider}
    started = time.perf_counter()
    with (
        _tracer.start_as_current_span(
            f"provider {provider}", kind=trace.SpanKind.CLIENT, attributes=attributes
        )
        if tracing_enabled()
        else contextlib.nullcontext(None)
    ) as span:
        try:
            answer = await operation
        except ProviderError as error:
            _operation_duration.record(
                time.perf_counter() - started,
                {**attributes, "error.type": error.error_class.value},
            )
            _mark_failed(span, error)
            raise
        answered = {**attributes, "gen_ai.response.model": answer.model}
        _operation_duration.record(time.perf_counter() - started, answered)
        _token_usage.record(answer.prompt_tokens, {**answered, "gen_ai.token.type": "input"})
        _token_usage.record(answer.completion_tokens, {**answered, "gen_ai.token.type": "output"})
        if span is not None:
            span.set_attributes(
                {
                    "gen_ai.response.model": answer.model,
                    "gen_ai.usage.input_tokens": answer.prompt_tokens,
                    "gen_ai.usage.output_tokens": answer.completion_tokens,
                }
            )
        return answer


def _mark_failed(span: Span | None, error: ProviderError) -> None:
    if span is not None:
        span.set_attribute("error.type", error.error_class.value)
        span.set_status(Status(StatusCode.ERROR, error.message))


async def traced_cache(what: str, operation: Awaitable[T]) -> T:
    """One cache operation ("idempotency get", "degradation lookup"...) in a span; a lookup's
    span says whether it found something."""
    if not tracing_enabled():
        return await operation
    with _tracer.start_as_current_span(f"cache {what}") as span:
        result = await operation
        if what.endswith(LOOKUPS):
            span.set_attribute("sanad.cache.found", result is not None)
        return result
