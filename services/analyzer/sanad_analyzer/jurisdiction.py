"""Jurisdictions as the analyzer's logic sees them, apart from their wire enum."""

from __future__ import annotations

import enum

from sanad.analyzer.v1 import analyzer_pb2


class Jurisdiction(enum.StrEnum):
    """Whose consumer-protection rules apply: a country's law, or a general baseline."""

    SA = "SA"
    EG = "EG"
    GENERIC = "GENERIC"

    def to_proto(self) -> analyzer_pb2.Jurisdiction.ValueType:
        """The wire value; the general baseline has none and is sent as unspecified."""
        if self is Jurisdiction.GENERIC:
            return analyzer_pb2.JURISDICTION_UNSPECIFIED
        return analyzer_pb2.Jurisdiction.Value(f"JURISDICTION_{self.value}")

    @classmethod
    def from_proto(cls, value: analyzer_pb2.Jurisdiction.ValueType) -> Jurisdiction | None:
        """The jurisdiction of a wire value; None for unspecified or an unknown number."""
        if value == analyzer_pb2.JURISDICTION_UNSPECIFIED:
            return None
        try:
            name = analyzer_pb2.Jurisdiction.Name(value).removeprefix("JURISDICTION_")
        except ValueError:
            return None
        return cls(name)


class JurisdictionSource(enum.StrEnum):
    """How a request's jurisdiction was chosen."""

    REQUESTED = "requested"
    """The caller named it."""
    DETECTED = "detected"
    """The caller left it unset and the text's signals named the country."""
    DEFAULT = "default"
    """The caller left it unset and the text did not settle it: the configured default."""

    def to_proto(self) -> analyzer_pb2.JurisdictionSource.ValueType:
        """The wire value."""
        return analyzer_pb2.JurisdictionSource.Value(f"JURISDICTION_SOURCE_{self.name}")
