"""``python -m sanad_quota``: the quota service process."""

from __future__ import annotations

from sanad_common.lean_process import keep_out_unused_modules


def main() -> None:
    """Serve sanad.quota.v1.QuotaService until SIGTERM or SIGINT."""
    keep_out_unused_modules()  # before the imports below: they import structlog
    from sanad_common.server import run_service  # noqa: PLC0415
    from sanad_quota.app import build_app  # noqa: PLC0415

    run_service(
        "quota",
        port=lambda settings: settings.quota_port,
        metrics_port=lambda settings: settings.quota_metrics_port,
        app=build_app,
    )


if __name__ == "__main__":
    main()
