"""The fuzz report's lines: per RPC, the totals, and what the processes showed afterwards."""

from __future__ import annotations

import grpc

from tests.fuzz.report import Aftermath, FuzzReport


def test_the_report_counts_statuses_per_rpc_and_says_what_the_processes_showed() -> None:
    report = FuzzReport()
    report.record("quota QuotaService.Reserve", grpc.StatusCode.INVALID_ARGUMENT, 0)
    report.record("quota QuotaService.Reserve", grpc.StatusCode.OK, 0)
    report.record("analyzer AnalyzerService.Analyze", grpc.StatusCode.OK, 1)
    unchecked = report.lines()[-1]
    report.aftermath = Aftermath(died=("health",), tracebacks={"quota": 2, "analyzer": 0})

    assert report.lines() == [
        "analyzer AnalyzerService.Analyze: 1 messages; OK 1",
        "quota QuotaService.Reserve: 2 messages; INVALID_ARGUMENT 1, OK 1",
        "total: 3 messages to 2 RPCs; OK 2, INVALID_ARGUMENT 1; "
        "provider calls by answered analyses: 1",
        "crashes (processes died): 1 (health); tracebacks logged: 2 (analyzer 0, quota 2)",
    ]
    assert unchecked.startswith("processes and logs: not checked")
