"""Steady load on the analyzers: a fixed number of callers, each sending one Analyze after
another with a deadline, a mix of new policies and repeats of answered ones, and recording
what every request got and when."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.rpc import error_details_pb2

from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad_client.channels import channel_options, service_config
from sanad_common.errors import status_details

POLICY = (
    "Returns are accepted within 3 days of delivery if the product is unopened. Refunds are "
    "issued as store credit only, and shipping fees are never refunded. Case {case}."
)
LOST = "LOST"
"""Result of a request that got no answer and no status from Sanad by its deadline."""


@dataclass(frozen=True)
class Outcome:
    """What one request got."""

    started: float
    """Monotonic time the request was sent."""
    latency: float
    """Seconds until its answer or error."""
    result: str
    """The answer's source (FRESH, IDEMPOTENCY_CACHE, DEGRADED_SIMILAR, RULES), a status code
    name for a refusal carrying Sanad's details, or LOST."""
    reason: str = ""
    """ErrorInfo reason of a refusal."""
    accounted_locally: bool = False
    """The answer was paid from an analyzer's safe budget."""
    retry: bool = False
    """A retry, with the same idempotency key, of a lost request."""
    status: str = ""
    """For an error: its status code and message as the caller saw them, so a lost request
    says whether it timed out, found no connection or got a status without Sanad's details."""

    @property
    def answered(self) -> bool:
        """True for an analysis (of any source)."""
        return self.result in SOURCES

    @property
    def finished(self) -> float:
        """Monotonic time the request ended."""
        return self.started + self.latency


SOURCES = ("FRESH", "IDEMPOTENCY_CACHE", "DEGRADED_SIMILAR", "RULES")


@dataclass
class LoadGenerator:
    """Concurrency callers over a round-robin channel to every analyzer replica."""

    targets: Sequence[str]
    """host:port of each analyzer replica."""
    concurrency: int = 8
    """Callers sending at once."""
    deadline: float = 5.0
    """Deadline of each request, in seconds."""
    repeat_share: float = 0.3
    """Share of requests repeating an already answered policy."""
    options: Sequence[tuple[str, Any]] = ()
    """More channel options (the client's service config, for one)."""
    outcomes: list[Outcome] = field(default_factory=list)
    _answered: list[tuple[str, str]] = field(default_factory=list)
    _random: random.Random = field(default_factory=lambda: random.Random(7))

    async def run(self, stop: asyncio.Event) -> list[Outcome]:
        """Send requests until stop is set; every outcome, in the order they ended."""
        addresses = ",".join(self.targets)
        async with grpc.aio.insecure_channel(
            f"ipv4:{addresses}",
            options=[
                ("grpc.lb_policy_name", "round_robin"),
                ("grpc.initial_reconnect_backoff_ms", 100),
                ("grpc.max_reconnect_backoff_ms", 500),
                *self.options,
            ],
        ) as channel:
            stub = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
            await asyncio.gather(*(self._caller(stub, stop) for _ in range(self.concurrency)))
        return self.outcomes

    async def _caller(
        self, stub: analyzer_pb2_grpc.AnalyzerServiceAsyncStub, stop: asyncio.Event
    ) -> None:
        while not stop.is_set():
            if self._answered and self._random.random() < self.repeat_share:
                key, case = self._random.choice(self._answered)
            else:
                key, case = uuid.uuid4().hex, uuid.uuid4().hex[:12]
            outcome = await self._send(stub, key, case, retry=False)
            if outcome.result == LOST:
                # A caller whose request was lost retries it once with the same key.
                outcome = await self._send(stub, key, case, retry=True)
            if outcome.answered:
                self._answered.append((key, case))

    async def _send(
        self,
        stub: analyzer_pb2_grpc.AnalyzerServiceAsyncStub,
        key: str,
        case: str,
        *,
        retry: bool,
    ) -> Outcome:
        request = analyzer_pb2.AnalyzeRequest(
            shop_name="Souq Chaos",
            shop_specialization="electronics",
            policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
            policy_text=POLICY.format(case=case),
            idempotency_key=key,
        )
        started = time.monotonic()
        try:
            response = await stub.Analyze(request, timeout=self.deadline)
        except grpc.aio.AioRpcError as error:
            reason = _reason(error)
            outcome = Outcome(
                started,
                time.monotonic() - started,
                error.code().name if reason else LOST,
                reason,
                retry=retry,
                status=f"{error.code().name}: {error.details()}",
            )
        else:
            outcome = Outcome(
                started,
                time.monotonic() - started,
                analyzer_pb2.Source.Name(response.source).removeprefix("SOURCE_"),
                accounted_locally=response.quota_accounted_locally,
                retry=retry,
            )
        self.outcomes.append(outcome)
        return outcome


def balanced_client_options() -> list[tuple[str, Any]]:
    """Channel options of a client balancing over replicas as a deployment's would: the
    Python client's service config (UNAVAILABLE retried) with client-side health checking,
    so round_robin leaves a replica as soon as it reports NOT_SERVING."""
    config = json.loads(service_config())
    config["healthCheckConfig"] = {"serviceName": ""}
    return channel_options(json.dumps(config))


def _reason(error: grpc.aio.AioRpcError) -> str:
    """The ErrorInfo reason Sanad attached, or "" when the status did not come from Sanad."""
    status = status_details(error)
    for detail in status.details if status is not None else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return str(info.reason)
    return ""
