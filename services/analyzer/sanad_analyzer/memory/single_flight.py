"""Concurrent identical requests share one provider call, so a retry storm is billed once:
inside one process (SingleFlight) and across analyzer replicas (SharedFlight)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Final, Generic, TypeVar

import grpc
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.message import Message
from google.rpc import status_pb2

from sanad.analyzer.v1 import analyzer_pb2
from sanad_analyzer.deadline import Deadline
from sanad_analyzer.memory.entries import pack_response, unpack_response
from sanad_common.errors import STATUS_DETAILS_KEY, ServiceError
from sanad_common.storage import Delete, Put, Store, StoreUnavailableError, Write

T = TypeVar("T")


class FingerprintMismatchError(Exception):
    """A call with the same key but a different fingerprint is already in flight."""


class SingleFlight(Generic[T]):
    """Runs one call per key at a time; callers arriving meanwhile get its result.

    Each flight carries a fingerprint of what it computes: a caller with the same key and a
    different fingerprint (an idempotency key reused for another request) is refused rather
    than handed someone else's answer. If the leader's caller goes away, its flight is
    cancelled and a waiting caller carries on as the new leader.
    """

    def __init__(self) -> None:
        self._flights: dict[str, tuple[str, asyncio.Future[T]]] = {}

    async def run(
        self, key: str, fingerprint: str, produce: Callable[[], Awaitable[T]]
    ) -> tuple[T, bool]:
        """The result of produce() for key, and whether it was shared from another caller."""
        while (flight := self._flights.get(key)) is not None:
            leader_fingerprint, leader = flight
            if leader_fingerprint != fingerprint:
                raise FingerprintMismatchError(key)
            try:
                return await asyncio.shield(leader), True
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if leader.cancelled() and not (current and current.cancelling()):
                    continue
                raise
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._flights[key] = (fingerprint, future)
        try:
            value = await produce()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved here, so there is no warning when no one waited
            raise
        else:
            future.set_result(value)
            return value, False
        finally:
            del self._flights[key]


class SharedFlight:
    """One provider call per request across every analyzer replica, through a store lease.

    The first replica to write the lease ``flight:<key>`` leads: it renews the lease while it
    works and publishes the outcome (the response, or the error for the caller) under the
    lease's token, where the replicas that found the lease held are waiting for it. When the
    leader dies its lease runs out within ``lease`` seconds and a waiting replica takes it
    over. A waiter whose caller's deadline is about to pass stops waiting and gives up
    (``give_up``: the degraded answer, or the error), without overrunning it.
    """

    def __init__(self, store: Store, *, lease: float, poll_interval: float = 0.05) -> None:
        self._store = store
        self._lease = lease
        self._poll = poll_interval
        self._held: dict[str, bytes] = {}
        self._renewer: asyncio.Task[None] | None = None
        self._releases: set[asyncio.Task[None]] = set()

    async def aclose(self) -> None:
        """Stop renewing; let lease releases under way finish, and give back any lease still
        held (its request never ended), so other replicas take over at once instead of
        waiting for it to run out (within a bound)."""
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
        if self._held:
            release = asyncio.create_task(self._release([Delete(tuple(self._held))]))
            self._releases.add(release)
            self._held.clear()
        if self._releases:
            await asyncio.wait(self._releases, timeout=RELEASE_WAIT)

    async def run(
        self,
        key: str,
        fingerprint: str,
        deadline: Deadline,
        produce: Callable[[], Awaitable[analyzer_pb2.AnalyzeResponse]],
        give_up: Callable[[], Awaitable[analyzer_pb2.AnalyzeResponse]],
    ) -> tuple[analyzer_pb2.AnalyzeResponse, bool]:
        """The response for key, and whether another replica produced it.

        With the store down, replicas cannot see each other: the request is produced here.
        """
        try:
            return await self._shared(key, fingerprint, deadline, produce, give_up)
        except _OutOfTimeError:
            return await give_up(), False
        except StoreUnavailableError:
            return await produce(), False

    async def _shared(
        self,
        key: str,
        fingerprint: str,
        deadline: Deadline,
        produce: Callable[[], Awaitable[analyzer_pb2.AnalyzeResponse]],
        give_up: Callable[[], Awaitable[analyzer_pb2.AnalyzeResponse]],
    ) -> tuple[analyzer_pb2.AnalyzeResponse, bool]:
        lease_key = f"{FLIGHT_PREFIX}{key}"
        while True:
            token = uuid.uuid4().hex
            lease = json.dumps({"token": token, "fingerprint": fingerprint}).encode()
            taken = await _within(
                deadline, self._store.set_if_absent(lease_key, lease, ttl=self._lease)
            )
            if taken:
                return await self._lead(lease_key, lease, token, produce), False
            held = await _within(deadline, self._store.get(lease_key))
            if held is None:
                continue
            holder = json.loads(held)
            if holder["fingerprint"] != fingerprint:
                raise FingerprintMismatchError(key)
            outcome = await self._wait(lease_key, str(holder["token"]), deadline)
            if outcome is _TAKE_OVER:
                continue
            if outcome is None:
                return await give_up(), False
            return _restore(outcome), True

    async def _lead(
        self,
        lease_key: str,
        lease: bytes,
        token: str,
        produce: Callable[[], Awaitable[analyzer_pb2.AnalyzeResponse]],
    ) -> analyzer_pb2.AnalyzeResponse:
        """Produce under the lease; publish the outcome and give the lease back off the
        request path (the answer is already in the idempotency cache for a repeat)."""
        self._held[lease_key] = lease
        if self._renewer is None or self._renewer.done():
            self._renewer = asyncio.create_task(self._renew_forever(), name="flight-leases")
        result_key = _outcome_key(lease_key, token)
        outcome: bytes | None = None
        try:
            response = await produce()
        except ServiceError as error:
            outcome = _error_outcome(error)
            raise
        else:
            outcome = pack_response(response)
            return response
        finally:
            self._held.pop(lease_key, None)
            writes: list[Write] = [Delete((lease_key,))]
            if outcome is not None:
                writes.insert(0, Put(result_key, outcome, max(self._lease, RESULT_TTL)))
            release = asyncio.create_task(self._release(writes))
            self._releases.add(release)
            release.add_done_callback(self._releases.discard)

    async def _release(self, writes: list[Write]) -> None:
        """Publish an outcome for waiting replicas and delete the lease, in one round trip."""
        with contextlib.suppress(StoreUnavailableError):
            await self._store.write(writes)

    async def _renew_forever(self) -> None:
        """Keep every lease this process holds, all in one round trip a third of a lease."""
        while True:
            await asyncio.sleep(self._lease / 3)
            if self._held:
                with contextlib.suppress(StoreUnavailableError):
                    await self._store.write(
                        [Put(key, lease, self._lease) for key, lease in self._held.items()]
                    )

    async def _wait(self, lease_key: str, token: str, deadline: Deadline) -> bytes | object | None:
        """The leader's published outcome; _TAKE_OVER when its lease went without one;
        None when the caller's deadline leaves no more time to wait."""
        result_key = _outcome_key(lease_key, token)
        while True:
            outcome, held = await _within(deadline, self._store.get_many([result_key, lease_key]))
            if outcome is not None:
                return outcome
            if held is None or json.loads(held)["token"] != token:
                # Published between the two reads, or the leader is gone.
                late = await _within(deadline, self._store.get(result_key))
                return late if late is not None else _TAKE_OVER
            if deadline.remaining() <= self._poll:
                return None
            await asyncio.sleep(self._poll)


FLIGHT_PREFIX = "flight:"
OUTCOME_INFIX = ":outcome:"
"""Between the lease's key and its token in the key of the published outcome. (Releases
that published JSON with the response in base64 wrote it under ``<lease key>:<token>``:
a replica of either kind waiting on the other's lease finds no outcome under the key it
reads, sees the lease go, and produces the answer itself, rather than misreading it.)"""
RESULT_TTL = 60.0
"""Seconds a published outcome stays readable for replicas still waiting for it."""
RELEASE_WAIT = 2.0
"""Seconds a closing analyzer waits for its last outcomes to be published."""
_TAKE_OVER = object()


class _OutOfTimeError(Exception):
    """A store call of the flight used up the caller's time: the request gives up."""


async def _within(deadline: Deadline, call: Awaitable[T]) -> T:
    """A store call on the request path, given no more than the caller's time for providers:
    a blackholed store link holds each call for the socket timeout, and a few of them would
    outlast the caller."""
    try:
        async with asyncio.timeout(max(deadline.remaining(), 0.0)):
            return await call
    except TimeoutError:
        raise _OutOfTimeError from None


_ERROR: Final = b"{"
"""First byte of a published error (JSON). A published response is packed (compressed) as
stored answers are: every fresh answer is published, and Redis keeps an expired outcome
until its expiry sampling reaches it, so outcomes no replica reads any more can outnumber
the live ones (decisions.md)."""


def _outcome_key(lease_key: str, token: str) -> str:
    return f"{lease_key}{OUTCOME_INFIX}{token}"


def _error_outcome(error: ServiceError) -> bytes:
    status = error.to_status()
    details = dict(status.trailing_metadata).get(STATUS_DETAILS_KEY, b"")
    if isinstance(details, str):
        details = details.encode()
    return json.dumps(
        {
            "code": error.code.name,
            "message": error.message,
            "status": base64.b64encode(details).decode(),
        }
    ).encode()


def _restore(raw: bytes | object) -> analyzer_pb2.AnalyzeResponse:
    """The published response, or the published error raised as a ServiceError."""
    assert isinstance(raw, bytes)
    if not raw.startswith(_ERROR):
        return unpack_response(raw)
    outcome = json.loads(raw)
    status = status_pb2.Status()
    status.ParseFromString(base64.b64decode(outcome["status"]))
    details: list[Message] = []
    for packed in status.details:
        descriptor = descriptor_pool.Default().FindMessageTypeByName(packed.TypeName())
        detail = message_factory.GetMessageClass(descriptor)()
        packed.Unpack(detail)
        details.append(detail)
    raise ServiceError(grpc.StatusCode[outcome["code"]], outcome["message"], details)
