"""What a service process must not import although it is installed.

``rich`` is a dependency of the ``sanad`` CLI, and structlog imports it (with pygments) when it
finds it, for tracebacks in its console renderer. The services format exceptions themselves
(``format_exc_info`` before either renderer), so rich would only hold about 3 MiB of every
service process. A ``None`` entry in ``sys.modules`` makes ``import rich`` raise ImportError,
which structlog handles as "not installed". Called first by each service's ``main``, before
anything imports structlog; never in a process that runs the CLI.

Pillow likewise: google-genai imports it when installed (for image parts the analyzer never
sends) and does without it otherwise; only the development install has it (matplotlib's, for
the benchmark plots), where it held 2.4 MiB of the analyzer that production does not have.

Freed C heap memory (gRPC's buffers, Python objects above the small-object allocator) stays in
the process until glibc gives it back, which it does on its own only at the top of the heap;
``release_free_heap`` asks for all of it (``malloc_trim``), and each server calls it
periodically (docs/decisions.md, "The analyzer's memory").
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from typing import Final

KEPT_OUT: Final = ("rich", "PIL")
"""Modules a service process never imports (tests/analyzer/test_process.py checks the analyzer)."""


def keep_out_unused_modules() -> None:
    """Make the modules in KEPT_OUT unimportable in this process, unless already imported."""
    for name in KEPT_OUT:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (musl, macOS)."""
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


_TRIM: Final = _malloc_trim()


def release_free_heap() -> bool:
    """Return the C heap's free pages to the system; False where that cannot be done here."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True
