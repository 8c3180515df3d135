"""What a service process must not import although it is installed.

``rich`` is a dependency of the ``sanad`` CLI, and structlog imports it (with pygments) when it
finds it, for tracebacks in its console renderer. The services format exceptions themselves
(``format_exc_info`` before either renderer), so rich would only hold about 3 MiB of every
service process. A ``None`` entry in ``sys.modules`` makes ``import rich`` raise ImportError,
which structlog handles as "not installed". Called first by each service's ``main``, before
anything imports structlog; never in a process that runs the CLI.
"""

from __future__ import annotations

import sys
from typing import Final

KEPT_OUT: Final = ("rich",)
"""Modules a service process never imports (tests/common/test_lean_process.py holds it)."""


def keep_out_unused_modules() -> None:
    """Make the modules in KEPT_OUT unimportable in this process, unless already imported."""
    for name in KEPT_OUT:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
