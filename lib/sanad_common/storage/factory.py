"""Open the store a deployment is configured with, from one URL.

Services take a single ``store_url`` setting; the scheme picks the adapter, so switching
between the embedded SQLite file and a shared Redis (or Redis Cluster) is configuration only.
By default the store is pinged before it is returned, so an unreachable store fails at once;
services pass ``check=False`` and let their readiness loop ping it, so they start, report
NOT_SERVING while the store is down, and SERVING once it answers.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sanad_common.storage.port import Store
from sanad_common.storage.sqlite_store import SQLiteStore
from sanad_common.tracing import traced_store


async def open_store(url: str, *, namespace: str = "sanad", check: bool = True) -> Store:
    """Connect to the store at url and check it answers.

    ``redis://`` and ``rediss://`` (``?cluster=true`` for Redis Cluster) open a RedisStore;
    ``sqlite:///relative.db`` or ``sqlite:////absolute.db`` open an SQLiteStore. Every key is
    prefixed with ``namespace + ":"``.

    Raises ValueError for an unknown scheme, a malformed URL or an invalid namespace, and, with
    check, StoreUnavailableError when the store cannot be reached.
    """
    scheme = urlsplit(url).scheme
    store: Store
    if scheme in ("redis", "rediss"):
        # Imported only here: redis-py is about 10 MiB a process on SQLite never needs.
        from sanad_common.storage.redis_store import RedisStore  # noqa: PLC0415

        store = RedisStore.from_url(url, namespace=namespace)
    elif scheme == "sqlite":
        store = await SQLiteStore.open(url, namespace=namespace)
    else:
        raise ValueError(
            f"unsupported store URL {url!r}: use redis://, rediss:// or sqlite:///path.db"
        )
    store = traced_store(store, "redis" if scheme.startswith("redis") else "sqlite")
    if not check:
        return store
    try:
        await store.ping()
    except BaseException:
        await store.aclose()
        raise
    return store
