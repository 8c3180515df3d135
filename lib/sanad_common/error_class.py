"""The error classes shared by the analyzer (which classifies) and health (which reacts)."""

from __future__ import annotations

import enum

from sanad.type.v1 import error_class_pb2


class ErrorClass(enum.StrEnum):
    """Why a provider attempt failed; the class decides retry, health effect and failover."""

    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
    RATE_LIMITED = "RATE_LIMITED"
    TIMEOUT = "TIMEOUT"
    SERVICE_CRASH = "SERVICE_CRASH"
    AUTHENTICATION = "AUTHENTICATION"
    INVALID_RESPONSE = "INVALID_RESPONSE"
    UNKNOWN = "UNKNOWN"

    def to_proto(self) -> error_class_pb2.ErrorClass.ValueType:
        """The wire value of this class."""
        return error_class_pb2.ErrorClass.Value(f"ERROR_CLASS_{self.value}")

    @classmethod
    def from_proto(cls, value: error_class_pb2.ErrorClass.ValueType) -> ErrorClass | None:
        """The class for a wire value; None for ERROR_CLASS_UNSPECIFIED."""
        if value == error_class_pb2.ERROR_CLASS_UNSPECIFIED:
            return None
        name = error_class_pb2.ErrorClass.Name(value).removeprefix("ERROR_CLASS_")
        return cls(name)
