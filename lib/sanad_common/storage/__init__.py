"""The generic store: its port, its Redis and SQLite adapters, :func:`open_store` to get one
from a URL, and the extension interface (``extension``) on which a service builds its own
atomic operations.

Knows no service: may import the standard library (sqlite3 among it), redis
and ``sanad_common.tracing``. The port modules (``port``, ``extension``) import nothing concrete.
"""

from sanad_common.storage.extension import Extension, ScriptHost, TransactionHost
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
    "Extension",
    "Put",
    "ScriptHost",
    "Store",
    "StoreUnavailableError",
    "TransactionHost",
    "Write",
    "open_store",
]
