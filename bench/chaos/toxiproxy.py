"""A toxiproxy server started for the chaos suite, and a small client of its HTTP API.

toxiproxy is a Go program (pinned in the Makefile, installed into the virtualenv's go-bin
folder); it relays TCP between a listen address and an upstream, and adds toxics (latency,
resets, a blackhole, a bandwidth cap) to a link on request.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from sanad_launcher.ports import free_port

DEFAULT_BINARY = Path(__file__).resolve().parents[2] / ".venv/go-bin/toxiproxy/server"
"""Where ``make`` installs the toxiproxy server."""
BINARY_VARIABLE = "SANAD_TOXIPROXY_SERVER"
"""Environment variable naming another toxiproxy server binary."""
START_TIMEOUT_SECONDS = 10.0
HOST = "127.0.0.1"


class ToxiproxyError(RuntimeError):
    """toxiproxy is missing, did not start, or refused a request."""


def server_binary() -> Path:
    """The toxiproxy server binary to run."""
    binary = Path(os.environ.get(BINARY_VARIABLE, DEFAULT_BINARY))
    if not binary.is_file():
        raise ToxiproxyError(
            f"toxiproxy server not found at {binary}; run `make chaos` (it installs it) "
            f"or set {BINARY_VARIABLE}"
        )
    return binary


class Toxiproxy:
    """One toxiproxy server on a free loopback port; stopped by its PID."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self._log = log
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def api(self) -> str:
        """Base URL of the HTTP API."""
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        """Start the server and wait until its API answers."""
        with self._log.open("ab") as output:
            self._process = subprocess.Popen(
                [str(server_binary()), "-host", HOST, "-port", str(self.port)],
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise ToxiproxyError(f"toxiproxy exited early; see {self._log}")
            try:
                self._call("GET", "/version", None)
                return
            except (OSError, ToxiproxyError):
                time.sleep(0.05)
        raise ToxiproxyError(f"toxiproxy not ready after {START_TIMEOUT_SECONDS} s")

    def stop(self) -> None:
        """Stop the server by PID."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            process.wait(timeout=10)

    def __enter__(self) -> Toxiproxy:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def proxy(self, name: str, upstream_port: int) -> int:
        """Create a proxy to 127.0.0.1:upstream_port; the port it listens on."""
        listen = free_port()
        self._call(
            "POST",
            "/proxies",
            {"name": name, "listen": f"{HOST}:{listen}", "upstream": f"{HOST}:{upstream_port}"},
        )
        return listen

    def add_toxic(self, proxy: str, kind: str, attributes: dict[str, int], name: str) -> None:
        """Add a toxic to both directions of a proxy's link."""
        for stream in ("downstream", "upstream"):
            self._call(
                "POST",
                f"/proxies/{proxy}/toxics",
                {
                    "name": f"{name}-{stream}",
                    "type": kind,
                    "stream": stream,
                    "toxicity": 1.0,
                    "attributes": attributes,
                },
            )

    def remove_toxic(self, proxy: str, name: str) -> None:
        """Remove a toxic added by add_toxic."""
        for stream in ("downstream", "upstream"):
            self._call("DELETE", f"/proxies/{proxy}/toxics/{name}-{stream}", None)

    def reset(self) -> None:
        """Remove every toxic and enable every proxy."""
        self._call("POST", "/reset", None)

    def _call(self, method: str, path: str, body: dict[str, Any] | None) -> None:
        request = urllib.request.Request(
            f"{self.api}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=5):
                return
        except urllib.error.HTTPError as error:
            raise ToxiproxyError(f"{method} {path}: {error.code} {error.read()!r}") from None
