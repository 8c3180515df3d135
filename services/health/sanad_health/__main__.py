"""``python -m sanad_health``: the provider health service process."""

from __future__ import annotations

from sanad_common.lean_process import keep_out_unused_modules


def main() -> None:
    """Serve sanad.health.v1.ProviderHealthService until SIGTERM or SIGINT."""
    keep_out_unused_modules()  # before the imports below: they import structlog
    from sanad_common.server import run_service  # noqa: PLC0415
    from sanad_health.app import build_app  # noqa: PLC0415

    run_service(
        "health",
        port=lambda settings: settings.health_port,
        metrics_port=lambda settings: settings.health_metrics_port,
        app=build_app,
    )


if __name__ == "__main__":
    main()
