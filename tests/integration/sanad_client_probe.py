"""A platform's script: run with the python of a virtualenv that holds only sanad-client, it
calls the analyzer through sanad_client's helpers and prints what it saw as one JSON object.

Usage: python sanad_client_probe.py TARGET KEY walk
       python sanad_client_probe.py TARGET KEY failing TEXT
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import grpc

import sanad
from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad_client import (
    RichError,
    call_with_retry_info,
    decode_error,
    open_aio_channel,
    open_channel,
)

POLICY = (
    "Returns are accepted within 14 days of delivery. Refunds go back to the original payment "
    "method within 5 business days."
)


def request(text: str) -> analyzer_pb2.AnalyzeRequest:
    """A return-policy request for text."""
    return analyzer_pb2.AnalyzeRequest(
        shop_name="Probe Shop",
        policy_type=analyzer_pb2.POLICY_TYPE_RETURN_EXCHANGE,
        policy_text=text,
    )


def described(error: RichError) -> dict[str, Any]:
    """The decoded error as JSON values."""
    return {
        "code": error.code.name,
        "reason": error.reason,
        "domain": error.domain,
        "metadata": dict(error.metadata),
        "retry_delay": error.retry_delay,
        "fields": [violation.field for violation in error.field_violations],
        "localized": dict(error.localized),
        "arabic": error.message_for("ar"),
        "english": error.message_for("en"),
    }


def failure(call: Any) -> dict[str, Any]:
    """The decoded error of a call that must fail."""
    try:
        call()
    except grpc.RpcError as error:
        return described(decode_error(error))
    raise AssertionError("the call succeeded")


async def bad_input(target: str) -> dict[str, Any]:
    """An empty policy text through an asyncio channel: INVALID_ARGUMENT with a BadRequest."""
    async with open_aio_channel(target) as channel:
        stub = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
        try:
            await stub.Analyze(request("   "), timeout=10)
        except grpc.aio.AioRpcError as error:
            return described(decode_error(error))
    raise AssertionError("the call succeeded")


def walk(target: str, key: str) -> dict[str, Any]:
    """An analysis, an admin read with the key and one without, and a bad request."""
    with open_channel(target, tenant_key=key) as channel:
        stub = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
        answer = call_with_retry_info(
            lambda seconds_left: stub.Analyze(request(POLICY), timeout=seconds_left),
            total_timeout=60,
        )
        stats = stub.GetCacheStats(analyzer_pb2.GetCacheStatsRequest(), timeout=10)
    with open_channel(target) as channel:
        stub = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
        no_key = failure(lambda: stub.GetCacheStats(analyzer_pb2.GetCacheStatsRequest()))
    return {
        "sanad_file": sanad.__file__,
        "source": analyzer_pb2.Source.Name(answer.source),
        "provider": answer.provider,
        "grade": answer.analysis.compliance_report.compliance_grade,
        "idempotency_entries": stats.idempotency_entries,
        "no_key": no_key,
        "bad_input": asyncio.run(bad_input(target)),
    }


def failing(target: str, key: str, text: str) -> dict[str, Any]:
    """An analysis no provider can give."""
    with open_channel(target, tenant_key=key) as channel:
        stub = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
        return failure(lambda: stub.Analyze(request(text), timeout=30))


def main() -> None:
    target, key, mode, *rest = sys.argv[1:]
    report = walk(target, key) if mode == "walk" else failing(target, key, *rest)
    sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
