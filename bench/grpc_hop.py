"""CPU per round trip of one grpc.aio hop: a unary call against a message on an open stream.

The analyzer asks quota once per provider attempt (``Reserve``), a unary call. This measures
what that hop costs the caller and the server on this machine, and what the same exchange
costs as a message on a bidirectional stream that stays open (the shape a streamed Reserve
would take). The server runs in a child process with a generic handler that answers at once
with a pre-built ``ReserveResponse``, so only gRPC's own work is counted; requests are real
``ReserveRequest`` messages. Concurrent callers share one channel (unary) or one stream,
each message tagged so that its answer finds its caller. Rounds of the two alternate; the
figures are medians over the rounds of each process's CPU (utime + stime from /proc) per
round trip, and wall-clock microseconds per round trip. Writes its section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import struct
import sys
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import grpc
import uvloop

from bench.procstat import command_line, cpu_seconds, own_cpu_seconds
from bench.report import provenance, write_section
from sanad.quota.v1 import quota_pb2

SECTION = "## One gRPC hop: a unary call against a message on an open stream"
SERVICE = "sanad.bench.v1.Hop"
TAG = struct.Struct("!Q")
REQUEST = quota_pb2.ReserveRequest(
    provider="openai",
    estimated_tokens=1200,
    request_id="0f8e7d6c5b4a39281706f5e4d3c2b1a0",
    tenant="tenant-a",
    idempotency_key="0f8e7d6c5b4a39281706f5e4d3c2b1a0:openai:1",
).SerializeToString()
RESPONSE = quota_pb2.ReserveResponse(
    allowed=True,
    reservation_id="res-0f8e7d6c5b4a39281706f5e4d3c2b1a0",
    warning_level=quota_pb2.WARNING_LEVEL_NORMAL,
    usage=[
        quota_pb2.WindowUsage(window=window, metric=metric, used=120, limit=10000, percent=1.2)
        for window in (quota_pb2.WINDOW_MINUTE, quota_pb2.WINDOW_HOUR, quota_pb2.WINDOW_DAY)
        for metric in (quota_pb2.METRIC_REQUESTS, quota_pb2.METRIC_TOKENS)
    ],
).SerializeToString()


def _same(data: bytes) -> bytes:
    return data


async def _serve(port_sender: Connection) -> None:
    async def unary(request: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> bytes:
        return RESPONSE

    async def stream(
        requests: AsyncIterator[bytes], context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[bytes]:
        async for request in requests:
            yield request[: TAG.size] + RESPONSE

    server = grpc.aio.server()
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                SERVICE,
                {
                    "Unary": grpc.unary_unary_rpc_method_handler(unary, _same, _same),
                    "Stream": grpc.stream_stream_rpc_method_handler(stream, _same, _same),
                },
            ),
        )
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    port_sender.send(port)
    await server.wait_for_termination()


def _server_main(port_sender: Connection) -> None:
    uvloop.run(_serve(port_sender))


class _StreamCaller:
    """One open stream shared by concurrent callers: each message carries a tag, and one
    reader hands every answer to the caller waiting on its tag."""

    def __init__(self, call: grpc.aio.StreamStreamCall[bytes, bytes]) -> None:
        self._call = call
        self._waiting: dict[int, asyncio.Future[bytes]] = {}
        self._next = 0
        self._writing = asyncio.Lock()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for answer in self._call:
            (tag,) = TAG.unpack_from(answer)
            self._waiting.pop(tag).set_result(answer)

    async def __call__(self) -> bytes:
        self._next += 1
        tag = self._next
        answer: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._waiting[tag] = answer
        async with self._writing:
            await self._call.write(TAG.pack(tag) + REQUEST)
        return await answer

    async def close(self) -> None:
        await self._call.done_writing()
        await self._reader


async def _round(
    call: Callable[[], Coroutine[Any, Any, bytes]], server_pid: int, trips: int, callers: int
) -> tuple[float, float, float]:
    """Client CPU, server CPU and wall-clock microseconds per round trip."""

    async def caller(count: int) -> None:
        for _ in range(count):
            await call()

    each = trips // callers
    client, server, started = own_cpu_seconds(), cpu_seconds(server_pid), time.perf_counter()
    await asyncio.gather(*(caller(each) for _ in range(callers)))
    done = each * callers
    return (
        (own_cpu_seconds() - client) * 1e6 / done,
        (cpu_seconds(server_pid) - server) * 1e6 / done,
        (time.perf_counter() - started) * 1e6 / done * callers,
    )


async def measure(
    trips: int, rounds: int, concurrency: tuple[int, ...]
) -> dict[tuple[str, int], list[tuple[float, float, float]]]:
    """Per (kind, callers), one (client, server, wall) triple per round."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    server = context.Process(target=_server_main, args=(sender,), daemon=True)
    server.start()
    try:
        port = receiver.recv()
        assert server.pid is not None
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            unary_call = channel.unary_unary(
                f"/{SERVICE}/Unary", request_serializer=_same, response_deserializer=_same
            )
            opened = channel.stream_stream(
                f"/{SERVICE}/Stream", request_serializer=_same, response_deserializer=_same
            )
            streamed = _StreamCaller(opened())

            async def unary() -> bytes:
                return await unary_call(REQUEST, timeout=5)

            calls: dict[str, Callable[[], Coroutine[Any, Any, bytes]]] = {
                "unary call": unary,
                "stream message": streamed,
            }
            for call in calls.values():
                await _round(call, server.pid, 2000, 1)  # warm up
            results: dict[tuple[str, int], list[tuple[float, float, float]]] = {
                (name, callers): [] for callers in concurrency for name in calls
            }
            for _ in range(rounds):
                for callers in concurrency:
                    for name, call in calls.items():
                        results[name, callers].append(
                            await _round(call, server.pid, trips, callers)
                        )
            await streamed.close()
            return results
    finally:
        server.kill()
        server.join()


def render(
    results: dict[tuple[str, int], list[tuple[float, float, float]]], trips: int, command: str
) -> str:
    """This benchmark's section of docs/benchmarks.md."""
    lines = [
        SECTION,
        "",
        "CPU per round trip of a `ReserveRequest` answered at once with a `ReserveResponse`",
        "(quota's message shapes, no work on either side), as a unary grpc.aio call and as a",
        f"message on one open bidirectional stream; {trips} round trips a round, rounds of the",
        "two alternated, medians over the rounds. Wall time is per round trip as one caller",
        "waits for it.",
        "",
        *provenance(command),
        "",
        "| exchange | callers | client CPU µs | server CPU µs | both µs | wall µs |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for (name, callers), rounds in results.items():
        client, server, wall = (statistics.median(column) for column in zip(*rounds, strict=True))
        lines.append(
            f"| {name} | {callers} | {client:.0f} | {server:.0f} | {client + server:.0f} "
            f"| {wall:.0f} |"
        )
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    """Parse arguments, measure, write the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trips", type=int, default=8000, help="round trips per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    args = parser.parse_args()
    results = uvloop.run(measure(args.trips, args.rounds, (1, 8)))
    report = render(results, args.trips, command_line("bench.grpc_hop"))
    write_section(args.output, report)
    sys.stdout.write(report)


if __name__ == "__main__":
    main()
