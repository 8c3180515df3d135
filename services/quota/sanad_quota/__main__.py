"""``python -m sanad_quota``: the quota service process."""

from __future__ import annotations

from sanad_common.server import run_service
from sanad_quota.app import build_app


def main() -> None:
    """Serve sanad.quota.v1.QuotaService until SIGTERM or SIGINT."""
    run_service(
        "quota",
        port=lambda settings: settings.quota_port,
        metrics_port=lambda settings: settings.quota_metrics_port,
        app=build_app,
    )


if __name__ == "__main__":
    main()
