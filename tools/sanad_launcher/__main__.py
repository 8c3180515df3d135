"""``python -m sanad_launcher``: ``make run``: the suite on its embedded defaults until Ctrl-C.

With ``--tls DIR`` (``make run TLS=1``) every link is TLS with development certificates made in
DIR: quota and health require the suite's client certificate, the analyzer asks none."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from sanad_launcher.certificates import suite_tls
from sanad_launcher.suite import LocalSuite, ProcessFailedError, SuitePorts


def main() -> None:
    """Start the suite, say where it listens, and stop it all on Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--store-url",
        default=os.environ.get("SANAD_STORE_URL", "sqlite:///var/sanad.db"),
        help="store for the three services (default: %(default)s)",
    )
    parser.add_argument(
        "--tls",
        metavar="DIR",
        type=Path,
        help="serve TLS with development certificates kept in DIR (made when missing)",
    )
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    env = {"SANAD_LOG_FORMAT": os.environ.get("SANAD_LOG_FORMAT", "console")}
    overrides: dict[str, dict[str, str]] = {}
    tls = suite_tls(args.tls) if args.tls else None
    if tls is not None:
        env.update(tls.env("none"))
        overrides = {name: {"SANAD_TLS_CLIENT_AUTH": "require"} for name in ("quota", "health")}
    suite = LocalSuite(
        store_url=args.store_url,
        ports=SuitePorts(),
        host="localhost",
        env=env,
        service_env_overrides=overrides,
    )
    emulator = suite.emulator_enabled()
    try:
        suite.start()
    except ProcessFailedError as error:
        sys.stderr.write(f"\nSanad did not start: {error}\n")
        raise SystemExit(1) from None
    try:
        lines = [
            "",
            "Sanad is running (Ctrl-C stops it):",
            f"  analyzer  localhost:{suite.ports.analyzer}  sanad.analyzer.v1.AnalyzerService",
            f"  quota     localhost:{suite.ports.quota}  sanad.quota.v1.QuotaService",
            f"  health    localhost:{suite.ports.health}  sanad.health.v1.ProviderHealthService",
            f"  store     {args.store_url}",
        ]
        if emulator:
            lines += [
                f"  emulator  http://localhost:{suite.ports.emulator}  (no API key set)",
                "            its answers are filler, not analyses; their rule_findings are real",
            ]
        transport = "-plaintext"
        if tls is not None:
            transport = f"-cacert {tls.ca_file}"
            lines += [
                f"  TLS       CA {tls.ca_file}; quota and health require a client certificate:",
                f"            -cert {tls.leaf.cert_file} -key {tls.leaf.key_file}",
            ]
        lines += [
            "",
            "Try:",
            f'  grpcurl {transport} -d \'{{"policy_type": "POLICY_TYPE_RETURN_EXCHANGE", '
            '"policy_text": "Returns accepted within 3 days, no refunds."}\' '
            f"localhost:{suite.ports.analyzer} sanad.analyzer.v1.AnalyzerService/Analyze",
            "",
        ]
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()
        stop.wait()
    finally:
        suite.stop()


if __name__ == "__main__":
    main()
