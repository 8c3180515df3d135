"""Tracing follows the standard OTEL_* variables: off by default, otlp and console on request,
an unknown exporter refused at start-up with one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanad_common.tracing import (
    TracingConfigurationError,
    client_interceptors,
    exporter_names,
    server_interceptors,
    tracing_enabled,
)
from tests.support.services import service_process


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, []),
        ({"OTEL_TRACES_EXPORTER": "none"}, []),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, ["otlp"]),
        ({"OTEL_TRACES_EXPORTER": "OTLP, console"}, ["otlp", "console"]),
        ({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "true"}, []),
    ],
)
def test_exporters_come_from_the_standard_variables(
    environ: dict[str, str], expected: list[str]
) -> None:
    assert exporter_names(environ) == expected


def test_an_unknown_exporter_is_refused() -> None:
    with pytest.raises(TracingConfigurationError, match="unknown exporter jaeger"):
        exporter_names({"OTEL_TRACES_EXPORTER": "otlp,jaeger"})


def test_tracing_off_adds_no_interceptor() -> None:
    assert not tracing_enabled()
    assert server_interceptors() == []
    assert client_interceptors() == []


def test_a_service_with_an_unknown_exporter_stops_with_one_line(tmp_path: Path) -> None:
    log = tmp_path / "quota.log"
    env = {"OTEL_TRACES_EXPORTER": "zipkin-json", "SANAD_QUOTA_METRICS_PORT": "0"}
    with service_process("sanad_quota", env, log) as process:
        code = process.wait(timeout=30)

    assert code == 2
    assert log.read_text().strip().splitlines()[-1] == (
        "sanad-quota: invalid configuration: OTEL_TRACES_EXPORTER: unknown exporter "
        "zipkin-json; use console, none, otlp"
    )
