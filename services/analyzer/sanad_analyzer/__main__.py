"""``python -m sanad_analyzer``: run the analyzer service."""

from sanad_common.lean_process import keep_out_unused_modules


def main() -> None:
    """Serve sanad.analyzer.v1.AnalyzerService until SIGTERM or SIGINT."""
    keep_out_unused_modules()  # before the imports below: they import structlog
    from sanad_analyzer.app import build_app  # noqa: PLC0415
    from sanad_common.server import run_service  # noqa: PLC0415

    run_service(
        "analyzer",
        port=lambda settings: settings.analyzer_port,
        metrics_port=lambda settings: settings.analyzer_metrics_port,
        app=build_app,
    )


if __name__ == "__main__":
    main()
