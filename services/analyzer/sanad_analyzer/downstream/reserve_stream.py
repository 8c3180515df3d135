"""The analyzer's open ReserveStream to quota: each attempt's reservation is one message on it.

A message on an open stream costs both sides about half what a unary Reserve call does
(docs/benchmarks.md, "One gRPC hop"); quota still decides each reservation on its own. The
stream is opened when the first reservation needs it and opened again by the first one after
it broke. Messages go out through the call's own request iterator, never written from an
attempt's task: a write or read cancelled with its task would cancel the whole stream, and so
every other attempt's reservation on it.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

import grpc

from sanad.quota.v1 import quota_pb2, quota_pb2_grpc
from sanad_common.proto_time import duration

CLOSE_GRACE_SECONDS = 1.0
"""How long closing waits for quota to end the stream before cancelling it."""


class ReserveUnansweredError(Exception):
    """Quota gave no decision in time: the stream broke or could not be opened, the answer was
    late, or it was a status instead of a reservation."""

    def __init__(self, code: grpc.StatusCode) -> None:
        super().__init__(code.name)
        self.code = code


class ReserveStreamUnimplementedError(Exception):
    """Quota does not serve ReserveStream (a version from before it); nothing was reserved."""

    def __init__(self, time_left: float) -> None:
        super().__init__(f"{time_left:.3f} s left")
        self.time_left = time_left


class ReserveStream:
    """Reservations as messages of one stream kept open to quota."""

    def __init__(self, stub: quota_pb2_grpc.QuotaServiceAsyncStub) -> None:
        self._stub = stub
        self._ids = itertools.count(1)
        self._open: _OpenStream | None = None

    async def reserve(
        self, request: quota_pb2.ReserveRequest, wait_seconds: float
    ) -> quota_pb2.ReserveResponse:
        """Quota's decision within wait_seconds; raises ReserveUnansweredError otherwise, and
        ReserveStreamUnimplementedError when quota has no ReserveStream."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        if self._open is None or self._open.ended is not None:
            self._open = _OpenStream(self._stub)
        stream = self._open
        try:
            answer = await stream.ask(next(self._ids), request, wait_seconds)
        except ReserveUnansweredError as error:
            if error.code is grpc.StatusCode.UNIMPLEMENTED:
                raise ReserveStreamUnimplementedError(
                    wait_seconds - (loop.time() - started)
                ) from error
            raise
        if answer.WhichOneof("result") == "status":
            raise ReserveUnansweredError(_CODES.get(answer.status.code, grpc.StatusCode.UNKNOWN))
        return answer.reserve

    async def aclose(self) -> None:
        """Close the stream: quota answers what it still has and ends it; cancelled if it
        does not within CLOSE_GRACE_SECONDS."""
        if self._open is not None:
            await self._open.aclose()
            self._open = None


_CODES = {code.value[0]: code for code in grpc.StatusCode}
"""grpc.StatusCode by its number, as a google.rpc.Status carries it."""


class _OpenStream:
    """One ReserveStream call, the reservations waiting on it, and the task reading it."""

    def __init__(self, stub: quota_pb2_grpc.QuotaServiceAsyncStub) -> None:
        self._outgoing: asyncio.Queue[quota_pb2.ReserveStreamRequest | None] = asyncio.Queue()
        self._pending: dict[int, asyncio.Future[quota_pb2.ReserveStreamResponse]] = {}
        self._call = stub.ReserveStream(self._messages())
        self._reader = asyncio.get_running_loop().create_task(
            self._read(), name="quota-reserve-stream"
        )
        self.ended: grpc.StatusCode | None = None
        """How the stream ended; None while it is open."""

    async def ask(
        self, message_id: int, request: quota_pb2.ReserveRequest, wait_seconds: float
    ) -> quota_pb2.ReserveStreamResponse:
        """Send one reservation and wait for its answer, at most wait_seconds."""
        if self.ended is not None:
            raise ReserveUnansweredError(self.ended)
        answered: asyncio.Future[quota_pb2.ReserveStreamResponse]
        answered = asyncio.get_running_loop().create_future()
        self._pending[message_id] = answered
        self._outgoing.put_nowait(
            quota_pb2.ReserveStreamRequest(
                id=message_id, reserve=request, timeout=duration(wait_seconds)
            )
        )
        try:
            async with asyncio.timeout(wait_seconds):
                return await answered
        except TimeoutError:
            raise ReserveUnansweredError(grpc.StatusCode.DEADLINE_EXCEEDED) from None
        finally:
            self._pending.pop(message_id, None)

    async def _messages(self) -> AsyncIterator[quota_pb2.ReserveStreamRequest]:
        """What gRPC writes on the stream, in the order sent; ends (a half-close) at None."""
        while (message := await self._outgoing.get()) is not None:
            yield message

    async def _read(self) -> None:
        """Hand each answer to its reservation; once the stream ends, every reservation still
        waiting on it is unanswered."""
        ended = grpc.StatusCode.UNAVAILABLE  # quota ended a stream the analyzer had not closed
        try:
            async for answer in self._call:
                waiting = self._pending.pop(answer.id, None)
                if waiting is not None and not waiting.done():
                    waiting.set_result(answer)
        except grpc.aio.AioRpcError as error:
            ended = error.code()
        except asyncio.CancelledError:
            ended = grpc.StatusCode.CANCELLED
            raise
        finally:
            self.ended = ended
            self._outgoing.put_nowait(None)
            for waiting in self._pending.values():
                if not waiting.done():
                    waiting.set_exception(ReserveUnansweredError(ended))
            self._pending.clear()

    async def aclose(self) -> None:
        self._outgoing.put_nowait(None)
        try:
            await asyncio.wait_for(asyncio.shield(self._reader), CLOSE_GRACE_SECONDS)
        except TimeoutError:
            self._call.cancel()
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
