"""Policy types as the analyzer's logic sees them, apart from their wire enum."""

from __future__ import annotations

import enum

from sanad.analyzer.v1 import analyzer_pb2


class PolicyType(enum.StrEnum):
    """The kind of store policy a text claims to be."""

    RETURN_EXCHANGE = "return_exchange"
    SHIPPING_DELIVERY = "shipping_delivery"
    PRIVACY_ACCOUNT = "privacy_account"

    def to_proto(self) -> analyzer_pb2.PolicyType.ValueType:
        """The wire value of this type."""
        return analyzer_pb2.PolicyType.Value(f"POLICY_TYPE_{self.name}")

    @classmethod
    def from_proto(cls, value: analyzer_pb2.PolicyType.ValueType) -> PolicyType | None:
        """The type for a wire value; None for POLICY_TYPE_UNSPECIFIED or an unknown number."""
        if value == analyzer_pb2.POLICY_TYPE_UNSPECIFIED:
            return None
        try:
            name = analyzer_pb2.PolicyType.Name(value).removeprefix("POLICY_TYPE_")
        except ValueError:
            return None
        return cls[name]
