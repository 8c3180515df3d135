"""Analyze requests from command-line options and from batch items."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format

from sanad.analyzer.v1 import analyzer_pb2
from sanad_cli.errors import CliError

ITEM_ONLY_FIELDS = frozenset({"id"})
"""Batch item fields that are not AnalyzeRequest fields."""


def policy_type(text: str) -> analyzer_pb2.PolicyType.ValueType:
    """A policy type from "return-exchange", "RETURN_EXCHANGE" or the full enum name."""
    value: analyzer_pb2.PolicyType.ValueType = _enum_value(
        analyzer_pb2.PolicyType, "POLICY_TYPE_", text, "policy type"
    )
    return value


def jurisdiction(text: str) -> analyzer_pb2.Jurisdiction.ValueType:
    """A jurisdiction from "sa", "EG" or the full enum name."""
    value: analyzer_pb2.Jurisdiction.ValueType = _enum_value(
        analyzer_pb2.Jurisdiction, "JURISDICTION_", text, "jurisdiction"
    )
    return value


def _enum_value(enum: Any, prefix: str, text: str, what: str) -> Any:
    name = text.strip().upper().replace("-", "_")
    full = name if name.startswith(prefix) else prefix + name
    try:
        value = enum.Value(full)
    except ValueError:
        choices = ", ".join(
            option.removeprefix(prefix).lower().replace("_", "-")
            for option in enum.keys()  # noqa: SIM118 (a protobuf enum wrapper, not a dict)
            if not option.endswith("UNSPECIFIED")
        )
        raise CliError(f"unknown {what} {text!r}: choose one of {choices}") from None
    return value


def batch_request(item: Mapping[str, Any]) -> analyzer_pb2.AnalyzeRequest:
    """The AnalyzeRequest of one batch item (AnalyzeRequest's JSON fields, plus "id").

    Without an idempotency key of its own an item gets one derived from its content, so a
    resumed batch asks the analyzer with the same key and is answered without new billing.
    """
    fields = {key: value for key, value in item.items() if key not in ITEM_ONLY_FIELDS}
    for key, parse in (("policy_type", policy_type), ("jurisdiction", jurisdiction)):
        if isinstance(fields.get(key), str):
            fields[key] = int(parse(fields[key]))
    request = analyzer_pb2.AnalyzeRequest()
    try:
        json_format.ParseDict(fields, request)
    except json_format.ParseError as error:
        raise CliError(f"not an analyze request: {error}") from None
    if not request.idempotency_key:
        canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()
        request.idempotency_key = f"batch-{hashlib.sha256(canonical).hexdigest()[:32]}"
    return request


def as_json(message: Any) -> dict[str, Any]:
    """A message as JSON-ready data, with the proto field names."""
    data: dict[str, Any] = json_format.MessageToDict(message, preserving_proto_field_name=True)
    return data
