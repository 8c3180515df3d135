"""Async client for the emulator's control API, for tests, benchmarks and demos.

Typical use: ``async with EmulatorControl(url) as emulator``, then
``await emulator.inject("openai", "server_error", status=503, count=2)``, exercise the code
under test, and check ``(await emulator.stats())["openai"].faults_served``.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

import aiohttp

from sanad_emulator.faults import FaultKind, FaultSpec, ProviderStats

__all__ = ["EmulatorControl", "EmulatorControlError", "ProviderStats"]


class EmulatorControlError(RuntimeError):
    """The control API refused a request (for example a fault it cannot serve)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"emulator control API answered {status}: {message}")
        self.status = status
        self.message = message


class EmulatorControl:
    """Inject and clear faults, read counters. The HTTP session opens on first use."""

    def __init__(self, base_url: str, *, timeout_s: float = 10.0) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def inject(
        self,
        provider: str,
        fault: FaultKind | str,
        *,
        count: int | None = None,
        status: int | None = None,
        retry_after: float | None = None,
        latency_ms: int | None = None,
    ) -> FaultSpec:
        """Queue a fault for ``provider``'s next ``count`` requests (None: until cleared)."""
        body = {
            "provider": provider,
            "fault": str(fault),
            "count": count,
            "status": status,
            "retry_after": retry_after,
            "latency_ms": latency_ms,
        }
        stored = await self._call(
            "POST", "/control/faults", json={k: v for k, v in body.items() if v is not None}
        )
        return FaultSpec.from_json(stored)

    async def clear(self, provider: str | None = None) -> None:
        """Drop queued faults (of one provider or all) and release hung requests."""
        params = {} if provider is None else {"provider": provider}
        await self._call("DELETE", "/control/faults", params=params)

    async def stats(self) -> dict[str, ProviderStats]:
        counters = await self._call("GET", "/control/stats")
        return {
            provider: ProviderStats(
                requests=entry["requests"], faults_served=entry["faults_served"]
            )
            for provider, entry in counters.items()
        }

    async def requests(self) -> list[dict[str, str]]:
        """Provider requests received since the last reset, oldest first: provider, model and
        the prompt's text (every message joined)."""
        received: list[dict[str, str]] = await self._call("GET", "/control/requests")
        return received

    async def reset(self) -> None:
        """Clear every fault, zero the counters and empty the request log."""
        await self._call("POST", "/control/reset")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        url = self._base_url + path
        async with self._session.request(method, url, json=json, params=params) as response:
            payload = await response.json()
            if response.status != 200:
                message = payload.get("error") if isinstance(payload, dict) else None
                raise EmulatorControlError(response.status, str(message or payload))
            return payload
