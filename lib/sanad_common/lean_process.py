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
"""

from __future__ import annotations

import sys
from typing import Final

KEPT_OUT: Final = ("rich", "PIL")
"""Modules a service process never imports (tests/analyzer/test_process.py checks the analyzer)."""


def keep_out_unused_modules() -> None:
    """Make the modules in KEPT_OUT unimportable in this process, unless already imported."""
    for name in KEPT_OUT:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
