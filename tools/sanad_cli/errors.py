"""One-line failures with exit codes, instead of tracebacks."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

EXIT_FAILED = 1
"""A service answered with an error (or the system is unhealthy)."""
EXIT_UNREACHABLE = 2
"""A service could not be reached, or the CLI was misconfigured."""


class CliError(Exception):
    """A failure the CLI reports as one line on stderr, with an exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@contextlib.contextmanager
def reported_errors() -> Iterator[None]:
    """Turn a CliError into one line on stderr and its exit code."""
    try:
        yield
    except CliError as error:
        sys.stderr.write(f"sanad: {error}\n")
        raise SystemExit(error.exit_code) from None
