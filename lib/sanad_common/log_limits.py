"""A bound on how often one kind of event is logged, for events a caller can cause at will.

An undecodable request, a wrong key or a cancelled stream costs the caller one packet; logging
each one would let anyone fill the disk. The first few are logged, then one per interval, each
saying how many were left out since the last.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any


class LogRate:
    """A token bucket for log lines: ``burst`` at once, then one per ``interval`` seconds."""

    def __init__(
        self,
        burst: int,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._burst = burst
        self._interval = interval
        self._clock = clock
        self._tokens = float(burst)
        self._last = clock()
        self._suppressed = 0
        self._lock = threading.Lock()

    def admit(self) -> int | None:
        """None when this event is not to be logged; else how many events were left out
        since the last one logged (0 if none)."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self._burst, self._tokens + (now - self._last) / self._interval)
            self._last = now
            if self._tokens < 1:
                self._suppressed += 1
                return None
            self._tokens -= 1
            suppressed, self._suppressed = self._suppressed, 0
            return suppressed

    def warning(self, logger: Any, event: str, **fields: Any) -> None:
        """Log ``event`` as a warning through a structlog logger, if the bucket admits it,
        with how many were left out since the last one logged."""
        suppressed = self.admit()
        if suppressed is not None:
            logger.warning(event, **fields, not_logged_since_last=suppressed)


GRPC_CORE_LOGGER = "grpc._cython.cygrpc"
"""The logger of grpc's own asyncio server."""
CLIENT_GONE_EVENT = "ExecuteBatchError raised in core by servicer method"
"""What grpc logs, with a traceback, when a streaming call's client went away just before the
server sent its status (a race inside grpc: the call had already ended)."""


class ClientGoneFilter(logging.Filter):
    """Turns grpc's traceback for a vanished client into a rate-limited one-line warning.

    Any caller can cause the event by cancelling a stream, so each one must not write a
    traceback; the call had ended, and nothing is lost.
    """

    def __init__(self, rate: LogRate | None = None) -> None:
        super().__init__()
        self._rate = rate or LogRate(5, 10.0)

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.getMessage().startswith(CLIENT_GONE_EVENT):
            return True
        suppressed = self._rate.admit()
        if suppressed is None:
            return False
        record.msg = (
            f"{record.getMessage()}: the client went away before the status was sent"
            f" ({suppressed} more not logged since the last)"
        )
        record.args = None
        record.exc_info = None
        record.exc_text = None
        record.levelno = logging.WARNING
        record.levelname = logging.getLevelName(logging.WARNING)
        return True
