"""Wall-clock time as a dependency, so window and expiry logic can be tested at any instant."""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]
"""Returns Unix time in seconds."""

system_clock: Clock = time.time
"""The real clock."""
