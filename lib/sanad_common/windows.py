"""Fixed time windows aligned to UTC: the accounting periods of quota and of health's outcome
buckets.

Unix time counts UTC seconds without leap seconds, so whole multiples of 60, 3600 and 86 400
are the starts of UTC minutes, hours and days. A window is only its start and length; its key
names it uniquely among windows of every length, for use in store keys.
"""

from __future__ import annotations

from dataclasses import dataclass

MINUTE = 60
"""Seconds in a minute window."""
HOUR = 3600
"""Seconds in an hour window."""
DAY = 86_400
"""Seconds in a day window."""


@dataclass(frozen=True, order=True)
class TimeWindow:
    """The half-open interval [start, start + length) in Unix seconds, start a multiple of
    length (so it is UTC-aligned when length divides a day)."""

    start: int
    """First second of the window (Unix time)."""
    length: int
    """Length in seconds."""

    def __post_init__(self) -> None:
        if self.length <= 0:
            raise ValueError(f"a window's length must be positive, not {self.length}")
        if self.start % self.length:
            raise ValueError(f"window start {self.start} is not a multiple of {self.length}")

    @classmethod
    def containing(cls, instant: float, length: int) -> TimeWindow:
        """The window of the given length that contains instant (Unix seconds)."""
        if length <= 0:
            raise ValueError(f"a window's length must be positive, not {length}")
        return cls(start=int(instant // length) * length, length=length)

    @property
    def end(self) -> int:
        """First second after the window (Unix time)."""
        return self.start + self.length

    @property
    def key(self) -> str:
        """A name unique among windows of every length, e.g. ``3600@1735689600``."""
        return f"{self.length}@{self.start}"

    def contains(self, instant: float) -> bool:
        """True if instant falls in the window."""
        return self.start <= instant < self.end

    def elapsed(self, instant: float) -> float:
        """Seconds of the window gone by at instant, between 0 and its length."""
        return min(max(instant - self.start, 0.0), float(self.length))

    def remaining(self, instant: float) -> float:
        """Seconds of the window left at instant, between 0 and its length."""
        return self.length - self.elapsed(instant)

    def shifted(self, count: int) -> TimeWindow:
        """The window count lengths later (earlier when negative)."""
        return TimeWindow(start=self.start + count * self.length, length=self.length)

    def split(self, length: int) -> list[TimeWindow]:
        """The windows of a shorter length that tile this one, in order."""
        if length <= 0 or self.length % length:
            raise ValueError(f"{self.length} s does not split into windows of {length} s")
        return [TimeWindow(start, length) for start in range(self.start, self.end, length)]
