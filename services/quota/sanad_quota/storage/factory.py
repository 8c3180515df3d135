"""The quota adapter for a store opened by ``sanad_common.storage.open_store``."""

from __future__ import annotations

from sanad_common.storage import Store
from sanad_common.storage.redis_store import RedisStore
from sanad_common.storage.sqlite_store import SQLiteStore
from sanad_common.tracing import traced_store, untraced_store
from sanad_quota.storage.port import QuotaStore
from sanad_quota.storage.redis_adapter import RedisQuotaStore
from sanad_quota.storage.sqlite_adapter import SQLiteQuotaStore


def quota_store(store: Store) -> QuotaStore:
    """The quota operations (see ``port``) on a store opened by ``open_store``."""
    inner = untraced_store(store)
    if isinstance(inner, RedisStore):
        return traced_store(RedisQuotaStore(inner), "redis")
    if isinstance(inner, SQLiteStore):
        return traced_store(SQLiteQuotaStore(inner), "sqlite")
    raise TypeError(f"no quota adapter for {type(inner).__name__}")
