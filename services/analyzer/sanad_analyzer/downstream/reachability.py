"""Whether the health service is worth asking right now: after a call to it failed, requests
use their fallbacks without asking for a short while, and the report queue waits as long."""

from __future__ import annotations

import time

import grpc
import structlog

log = structlog.get_logger(__name__)


class Reachability:
    """Health's reachability as this replica last saw it."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        """Seconds after a failed call during which health is not asked again."""
        self._down_until = 0.0

    @property
    def asking(self) -> bool:
        """True unless a call to health failed within the last ``retry_after`` seconds."""
        return time.monotonic() >= self._down_until

    def failed(self, what: str, error: grpc.aio.AioRpcError) -> None:
        """A call failed: stop asking for a while (logged once per outage, not per call)."""
        if self.asking:
            log.warning(what, code=error.code().name)
        self._down_until = time.monotonic() + self.retry_after

    def answered(self) -> None:
        """A call went through: ask again at once."""
        self._down_until = 0.0
