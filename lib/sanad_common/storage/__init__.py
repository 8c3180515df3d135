"""Storage port and its adapters; use :func:`open_store` to get one from a URL."""

from sanad_common.storage.factory import open_store
from sanad_common.storage.port import (
    AddToSets,
    CounterDelta,
    CounterResult,
    Delete,
    Put,
    Store,
    StoreUnavailableError,
    Write,
)

__all__ = [
    "AddToSets",
    "CounterDelta",
    "CounterResult",
    "Delete",
    "Put",
    "Store",
    "StoreUnavailableError",
    "Write",
    "open_store",
]
