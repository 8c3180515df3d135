"""``python -m sanad_health``: the provider health service process."""

from __future__ import annotations

from sanad_common.server import run_service
from sanad_health.app import build_app


def main() -> None:
    """Serve sanad.health.v1.ProviderHealthService until SIGTERM or SIGINT."""
    run_service(
        "health",
        port=lambda settings: settings.health_port,
        metrics_port=lambda settings: settings.health_metrics_port,
        app=build_app,
    )


if __name__ == "__main__":
    main()
