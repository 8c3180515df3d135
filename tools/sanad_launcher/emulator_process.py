"""Run ``python -m sanad_emulator --port 0`` as a real child process (tests and benchmarks).

The port comes from the one line the emulator prints when ready; its logs go to a file so a
full stderr pipe can never stall it. The process is stopped by PID.
"""

from __future__ import annotations

import select
import signal
import subprocess
import sys
from pathlib import Path
from types import TracebackType

LISTENING_PREFIX = "sanad-emulator listening on "
START_TIMEOUT_SECONDS = 120.0
"""Seconds the emulator may take to print its line: generous, for a loaded machine."""
STOP_TIMEOUT_SECONDS = 10.0


class EmulatorProcess:
    """One emulator process; a context manager that yields its base URL."""

    def __init__(self, log_path: Path, *, log_level: str = "INFO") -> None:
        self._log_path = log_path
        self._log_level = log_level
        self._process: subprocess.Popen[str] | None = None
        self.listening_line = ""

    def start(self) -> str:
        """Start the emulator and return ``http://127.0.0.1:PORT`` once it listens."""
        with self._log_path.open("w") as log:
            self._process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "sanad_emulator",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--log-level",
                    self._log_level,
                ],
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        assert self._process.stdout is not None
        ready, _, _ = select.select([self._process.stdout], [], [], START_TIMEOUT_SECONDS)
        line = self._process.stdout.readline() if ready else ""
        if not line.startswith(LISTENING_PREFIX):
            self.stop()
            raise RuntimeError(f"emulator did not start: {line!r}; see {self._log_path}")
        self.listening_line = line.rstrip("\n")
        return self.listening_line.removeprefix(LISTENING_PREFIX)

    def stop(self, signum: signal.Signals = signal.SIGTERM) -> int | None:
        """Signal the process and wait for it; return its exit code."""
        process, self._process = self._process, None
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signum)
            try:
                process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()
        return process.returncode

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
