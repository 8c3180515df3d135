"""Quota's storage: the quota port (``port``: QuotaStore and its value types), the key layout
(``keys``), the Redis and SQLite adapters, and :func:`quota_store`, which builds the one that
fits a generic store through ``Store.extend``.

May import ``sanad_common.storage`` (its port and extension interface, not its concrete
stores) and ``sanad_common.tracing``; nothing else of the quota service, which reaches its
storage only through this package. ``port`` imports nothing concrete.
"""

from sanad_quota.storage.factory import quota_store
from sanad_quota.storage.port import QuotaStore

__all__ = ["QuotaStore", "quota_store"]
