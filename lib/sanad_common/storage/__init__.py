"""Storage port and its adapters; use :func:`open_store` to get one from a URL."""

from sanad_common.storage.factory import open_store, quota_store
from sanad_common.storage.port import CounterDelta, CounterResult, Store, StoreUnavailableError

__all__ = [
    "CounterDelta",
    "CounterResult",
    "Store",
    "StoreUnavailableError",
    "open_store",
    "quota_store",
]
