"""Logs and metrics set-up shared by every service.

Logs are structured (JSON by default) through structlog, with the service name on every
event; secrets never reach them because settings hold keys as SecretStr. Metrics go through
OpenTelemetry and are exposed for Prometheus on each service's metrics port.
"""

from __future__ import annotations

import logging
import sys

import structlog
from opentelemetry import metrics
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.resources import Resource
from prometheus_client import start_http_server

from sanad_common.config import Settings
from sanad_common.log_limits import GRPC_CORE_LOGGER, ClientGoneFilter

LATENCY_BUCKETS_SECONDS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
)
"""Histogram buckets for latencies recorded in seconds (OpenTelemetry's default buckets are
meant for milliseconds)."""


def configure_logging(service: str, settings: Settings) -> None:
    """Route structlog and the standard logging module to one structured stream on stderr."""
    level = logging.getLevelNamesMapping()[settings.log_level]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if settings.log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "openai", "google_genai", "aiosqlite"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    logging.getLogger(GRPC_CORE_LOGGER).addFilter(ClientGoneFilter())
    structlog.contextvars.bind_contextvars(service=service)


def configure_metrics(service: str, host: str, port: int) -> metrics.Meter:
    """Install the OpenTelemetry meter provider; serve Prometheus on port unless it is 0."""
    reader = PrometheusMetricReader()
    provider = MeterProvider(
        resource=Resource.create({"service.name": f"sanad-{service}"}), metric_readers=[reader]
    )
    metrics.set_meter_provider(provider)
    if port:
        start_http_server(port, addr=host)
    return metrics.get_meter(f"sanad.{service}")
