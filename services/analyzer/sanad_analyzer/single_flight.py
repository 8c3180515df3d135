"""Concurrent identical requests share one provider call, so a retry storm is billed once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

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
