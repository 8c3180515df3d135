"""A TCP relay in front of a server: counts the connections clients open through it and can cut
them, to see from the server's side how a client uses its connections and what it does when
one is lost, and can hold the server's replies back for a while (a slow link), so a client's
deadline passes after the server has acted. It runs its own event loop in a thread, so a
blocking client (a subprocess run) can be watched."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time

_TIMEOUT = 5.0
"""Longest wait for the relay to start or to stop."""


class TcpRelay:
    """Relays 127.0.0.1:<port> to host:port; use as a context manager."""

    def __init__(self, host: str, port: int, *, reply_delay: float = 0.0) -> None:
        self._upstream = (host, port)
        self._reply_delay = reply_delay
        self._port = 0
        self._accepted = 0
        self._clients: set[asyncio.StreamWriter] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._relays: set[asyncio.Task[None]] = set()
        self._listening = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def target(self) -> str:
        """host:port for clients."""
        return f"127.0.0.1:{self._port}"

    @property
    def accepted(self) -> int:
        """Connections accepted since the start."""
        return self._accepted

    @property
    def open_connections(self) -> int:
        """Client connections open now."""
        return len(self._clients)

    def __enter__(self) -> TcpRelay:
        self._thread.start()
        if not self._listening.wait(_TIMEOUT):
            raise RuntimeError("the relay did not start")
        return self

    def __exit__(self, *_: object) -> None:
        self.cut()
        self._thread.join(_TIMEOUT)

    def cut(self) -> None:
        """Stop listening and close every connection, as when the server goes away."""
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)

    def all_closed_within(self, timeout: float) -> bool:
        """Whether every client connection is closed within timeout seconds."""
        deadline = time.monotonic() + timeout
        while self.open_connections and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self.open_connections

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self._port = server.sockets[0].getsockname()[1]
        self._listening.set()
        await self._stop.wait()
        server.close()
        for writer in list(self._writers):
            writer.close()
        if self._relays:
            await asyncio.wait(self._relays, timeout=_TIMEOUT)
        await server.wait_closed()

    def _accept(self, client_in: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        relay = asyncio.get_running_loop().create_task(self._relay(client_in, client))
        self._relays.add(relay)
        relay.add_done_callback(self._relays.discard)

    async def _relay(self, client_in: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        self._accepted += 1
        self._clients.add(client)
        self._writers.add(client)
        try:
            upstream_in, upstream = await asyncio.open_connection(*self._upstream)
            self._writers.add(upstream)
            await asyncio.gather(
                _pipe(client_in, upstream), _pipe(upstream_in, client, self._reply_delay)
            )
            self._writers.discard(upstream)
        finally:
            client.close()
            self._writers.discard(client)
            self._clients.discard(client)


async def _pipe(
    source: asyncio.StreamReader, sink: asyncio.StreamWriter, delay: float = 0.0
) -> None:
    """Copy source to sink; with a delay, each chunk leaves delay seconds after it arrived
    (a constant latency: chunks wait side by side, not one after another)."""
    if not delay:
        with contextlib.suppress(ConnectionError):
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        sink.close()
        return
    chunks: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def read() -> None:
        with contextlib.suppress(ConnectionError):
            while data := await source.read(65536):
                chunks.put_nowait((time.monotonic() + delay, data))
        chunks.put_nowait((time.monotonic() + delay, b""))

    reader = asyncio.ensure_future(read())
    try:
        with contextlib.suppress(ConnectionError):
            while True:
                due, data = await chunks.get()
                await asyncio.sleep(max(due - time.monotonic(), 0.0))
                if not data:
                    break
                sink.write(data)
                await sink.drain()
    finally:
        reader.cancel()
        sink.close()
