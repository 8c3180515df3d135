"""The attempts of one request, as the response lists them and progress events report them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias

from opentelemetry import metrics

from sanad.analyzer.v1 import analyzer_pb2
from sanad_common.error_class import ErrorClass
from sanad_common.proto_time import duration, now

_meter = metrics.get_meter("sanad.analyzer")
_attempts = _meter.create_counter(
    "sanad_provider_attempts", description="Provider attempts by provider and outcome"
)

QUOTA_UNAVAILABLE = "QUOTA_UNAVAILABLE"
"""ErrorInfo reason (and per-provider value) when quota could not be asked and the local safe
budget refused: a dependency outage, never a provider's error class."""

Stage: TypeAlias = analyzer_pb2.Stage.ValueType
ProgressSink = Callable[[analyzer_pb2.ProgressEvent], None]


@dataclass
class AttemptLog:
    """The attempts of one request, and how to tell the caller about them."""

    request_id: str
    """Id of the request, sent with quota reservations."""
    sink: ProgressSink | None
    """Where progress events go (AnalyzeStream), or None."""
    items: list[analyzer_pb2.ProviderAttempt] = field(default_factory=list)
    """Every attempt so far, in order."""
    retry_after: list[float] = field(default_factory=list)
    """Every Retry-After heard, in seconds."""
    kept_out: dict[str, ErrorClass] = field(default_factory=dict)
    """Providers health kept out, with the class that opened their circuit."""
    quota_down: set[str] = field(default_factory=set)
    """Providers not called because quota could not be asked and the safe budget refused."""
    accounted_locally: bool = False
    """True once an attempt was paid from the local safe budget."""

    def event(
        self,
        stage: Stage,
        message: str,
        provider: str = "",
        error_class: ErrorClass | None = None,
    ) -> None:
        """Send one progress event, if anyone listens."""
        if self.sink is None:
            return
        event = analyzer_pb2.ProgressEvent(
            stage=stage, provider=provider, message=message, time=now()
        )
        if error_class is not None:
            event.error_class = error_class.to_proto()
        self.sink(event)

    def failed(
        self,
        provider: str,
        error_class: ErrorClass,
        latency: float,
        message: str,
        retry_after: float | None,
    ) -> None:
        """Record a failed attempt."""
        self.items.append(
            analyzer_pb2.ProviderAttempt(
                provider=provider,
                success=False,
                error_class=error_class.to_proto(),
                latency=duration(latency),
                message=message,
            )
        )
        if retry_after is not None:
            self.retry_after.append(retry_after)
        _attempts.add(1, {"provider": provider, "outcome": error_class.value})

    def unaccountable(self, provider: str, reason: str) -> None:
        """Record a provider not called: quota could not be asked and the safe budget refused."""
        self.quota_down.add(provider)
        self.items.append(
            analyzer_pb2.ProviderAttempt(provider=provider, success=False, message=reason)
        )
        self.event(analyzer_pb2.STAGE_QUOTA_DENIED, reason, provider)

    def failure_classes(self) -> dict[str, str]:
        """Why each provider gave no answer: its error class, or QUOTA_UNAVAILABLE."""
        classes = {name: cls.value for name, cls in self.kept_out.items()}
        for attempt in self.items:
            classes[attempt.provider] = (
                QUOTA_UNAVAILABLE
                if attempt.provider in self.quota_down
                else (ErrorClass.from_proto(attempt.error_class) or ErrorClass.UNKNOWN).value
            )
        return classes

    def succeeded(self, provider: str, latency: float) -> None:
        """Record a successful attempt."""
        self.items.append(
            analyzer_pb2.ProviderAttempt(provider=provider, success=True, latency=duration(latency))
        )
        _attempts.add(1, {"provider": provider, "outcome": "SUCCESS"})
