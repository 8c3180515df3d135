"""Conversions between Python time values and google.protobuf Timestamp and Duration."""

from __future__ import annotations

from google.protobuf import duration_pb2, timestamp_pb2


def timestamp(unix_seconds: float) -> timestamp_pb2.Timestamp:
    """A Timestamp for a Unix time in seconds."""
    stamp = timestamp_pb2.Timestamp()
    stamp.FromNanoseconds(round(unix_seconds * 1e9))
    return stamp


def now() -> timestamp_pb2.Timestamp:
    """A Timestamp for the current time."""
    stamp = timestamp_pb2.Timestamp()
    stamp.GetCurrentTime()
    return stamp


def duration(seconds: float) -> duration_pb2.Duration:
    """A Duration for a number of seconds; negative values become zero."""
    value = duration_pb2.Duration()
    value.FromNanoseconds(round(max(seconds, 0.0) * 1e9))
    return value
