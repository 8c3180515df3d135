"""The quota adapter for a store opened by ``sanad_common.storage.open_store``."""

from __future__ import annotations

from sanad_common.storage import Store
from sanad_common.storage.extension import ScriptHost, TransactionHost
from sanad_common.tracing import traced_store
from sanad_quota.storage.port import QuotaStore
from sanad_quota.storage.redis_adapter import RedisQuotaStore
from sanad_quota.storage.sqlite_adapter import SQLiteQuotaStore


class _QuotaAdapter:
    """The extension that builds the quota adapter matching the store (see ``Store.extend``)."""

    def on_redis(self, store: ScriptHost) -> QuotaStore:
        return traced_store(RedisQuotaStore(store), "redis")

    def on_sqlite(self, store: TransactionHost) -> QuotaStore:
        return traced_store(SQLiteQuotaStore(store), "sqlite")


def quota_store(store: Store) -> QuotaStore:
    """The quota operations (see ``port``) on a store opened by ``open_store``, on the same
    connections; each call is a ``store <operation>`` span when tracing is on."""
    return store.extend(_QuotaAdapter())
