"""A bound on how often one kind of event is logged, for events a caller can cause at will.

An undecodable request or a wrong key costs the caller one packet; logging each one would let
anyone fill the disk. The first few are logged, then one per interval, each saying how many
were left out since the last.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


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
