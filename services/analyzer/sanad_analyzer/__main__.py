"""``python -m sanad_analyzer``: run the analyzer service."""

from sanad_analyzer.app import build_app
from sanad_common.server import run_service


def main() -> None:
    """Serve sanad.analyzer.v1.AnalyzerService until SIGTERM or SIGINT."""
    run_service(
        "analyzer",
        port=lambda settings: settings.analyzer_port,
        metrics_port=lambda settings: settings.analyzer_metrics_port,
        app=build_app,
    )


if __name__ == "__main__":
    main()
