"""The analyzer's own spans: each provider attempt and each cache operation of a request.

Attributes follow the OpenTelemetry GenAI conventions where they exist (``gen_ai.*`` for the
provider, model and tokens, ``error.type`` for the error class). With tracing off the
operation is awaited directly.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

from sanad_analyzer.providers.base import ProviderAnswer, ProviderError
from sanad_common.tracing import tracing_enabled

T = TypeVar("T")
LOOKUPS = ("get", "lookup")
"""Ends of the operation names that look something up (their spans say if it was found)."""
_tracer = trace.get_tracer("sanad.analyzer")


async def traced_attempt(provider: str, operation: Awaitable[ProviderAnswer]) -> ProviderAnswer:
    """One provider call in a span carrying the provider, the error class or the tokens."""
    if not tracing_enabled():
        return await operation
    with _tracer.start_as_current_span(
        f"provider {provider}",
        kind=trace.SpanKind.CLIENT,
        attributes={"gen_ai.provider.name": provider, "gen_ai.operation.name": "chat"},
    ) as span:
        try:
            answer = await operation
        except ProviderError as error:
            span.set_attribute("error.type", error.error_class.value)
            span.set_status(Status(StatusCode.ERROR, error.message))
            raise
        if span.is_recording():
            span.set_attributes(
                {
                    "gen_ai.response.model": answer.model,
                    "gen_ai.usage.input_tokens": answer.prompt_tokens,
                    "gen_ai.usage.output_tokens": answer.completion_tokens,
                }
            )
        return answer


async def traced_cache(what: str, operation: Awaitable[T]) -> T:
    """One cache operation ("idempotency get", "degradation find"...) in a span; a lookup's
    span says whether it found something."""
    if not tracing_enabled():
        return await operation
    with _tracer.start_as_current_span(f"cache {what}") as span:
        result = await operation
        if span.is_recording() and what.endswith(LOOKUPS):
            span.set_attribute("sanad.cache.found", result is not None)
        return result
