"""Quota's storage: the quota port and its Redis and SQLite adapters on the generic store."""

from sanad_quota.storage.factory import quota_store
from sanad_quota.storage.port import QuotaStore

__all__ = ["QuotaStore", "quota_store"]
