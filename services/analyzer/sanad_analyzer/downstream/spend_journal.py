"""The analyzer's own durable journal of provider calls paid from its local safe budget.

It lives in an SQLite file of the analyzer's working directory, not in the shared store: the
shared store (or quota itself) may be what is down when a spend is made, and a restart must
not forget what was spent. Each row is one attempt; it is reported to the quota service
(``RecordUsage``, idempotent by spend id) once settled, and kept until its day has passed so
the budget of the current window is still counted after a restart.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import aiosqlite

BUSY_TIMEOUT_SECONDS = 5.0
"""How long a write waits for the file's lock (another process holding it) before failing."""
KEEP_SECONDS = 2 * 86_400.0
"""How long reported spends are kept: longer than the longest quota window."""

_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS spends (
        spend_id TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        requests INTEGER NOT NULL,
        tokens INTEGER NOT NULL,
        spent_at REAL NOT NULL,
        window_start REAL NOT NULL,
        settled INTEGER NOT NULL DEFAULT 0,
        reported INTEGER NOT NULL DEFAULT 0
    )
    """,
    "CREATE INDEX IF NOT EXISTS spends_window ON spends (provider, window_start)",
    "CREATE INDEX IF NOT EXISTS spends_unreported ON spends (reported, settled)",
)
_TENANT_COLUMN = "ALTER TABLE spends ADD COLUMN tenant TEXT NOT NULL DEFAULT ''"
"""A journal written before tenants had budgets gains the column (its spends: no tenant)."""
_TENANT_INDEX = "CREATE INDEX IF NOT EXISTS spends_tenant ON spends (tenant, window_start)"


class JournalUnavailableError(RuntimeError):
    """The journal file cannot be written (locked past its busy timeout, disk full...)."""


@dataclass(frozen=True)
class BudgetLimit:
    """A safe budget per interval: -1 unlimited, 0 nothing (fail closed)."""

    requests: int
    """Provider requests per interval."""
    tokens: int
    """Tokens per interval."""

    @property
    def closed(self) -> bool:
        """True when nothing may be spent locally."""
        return self.requests == 0 or self.tokens == 0


@dataclass(frozen=True)
class Spend:
    """One attempt paid from the local safe budget."""

    spend_id: str
    """Unique id (request id and attempt)."""
    provider: str
    """Provider called."""
    requests: int
    """Requests made (1)."""
    tokens: int
    """Tokens used, or the estimate until settled."""
    spent_at: float
    """Unix time of the call."""
    tenant: str = ""
    """The tenant it was spent for ("" for none)."""


@dataclass(frozen=True)
class WindowUse:
    """What the local budget of one provider has spent in one window."""

    requests: int
    """Requests spent."""
    tokens: int
    """Tokens spent."""


class SpendJournal:
    """Spends from the local safe budget, in one SQLite file (see the module docstring)."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        """Wrap a prepared connection; use :meth:`open`."""
        self._db = connection
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> SpendJournal:
        """Open (creating) the journal; spends a crashed process left unsettled are settled
        at their estimate, since their providers may have billed them."""
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(
            path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None
        )
        journal = cls(connection)
        try:
            await connection.execute("PRAGMA journal_mode = WAL")
            await connection.execute("PRAGMA synchronous = FULL")
            async with journal._write() as db:
                for statement in _SCHEMA:
                    await db.execute(statement)
                columns = await db.execute_fetchall("PRAGMA table_info(spends)")
                if "tenant" not in {str(column[1]) for column in columns}:
                    await db.execute(_TENANT_COLUMN)
                await db.execute(_TENANT_INDEX)
                await db.execute("UPDATE spends SET settled = 1 WHERE settled = 0")
        except BaseException:
            await connection.close()
            raise
        return journal

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            try:
                await self._db.execute("BEGIN IMMEDIATE")
                yield self._db
                await self._db.commit()
            except sqlite3.OperationalError as error:
                await self._db.rollback()
                raise JournalUnavailableError(f"spend journal unavailable: {error}") from error
            except BaseException:
                await self._db.rollback()
                raise

    async def try_spend(
        self,
        spend: Spend,
        window_start: float,
        limit: BudgetLimit,
        tenant_limit: BudgetLimit | None = None,
    ) -> WindowUse | None:
        """Journal the spend if it fits the window's budget of its provider (and of its
        tenant, with a tenant limit); the provider's use after it, or None."""
        async with self._write() as db:
            used = await self._used(db, "provider", spend.provider, window_start)
            if not _fits(used, spend, limit):
                return None
            if tenant_limit is not None:
                tenant_used = await self._used(db, "tenant", spend.tenant, window_start)
                if not _fits(tenant_used, spend, tenant_limit):
                    return None
            await db.execute(
                "INSERT INTO spends (spend_id, provider, requests, tokens, spent_at,"
                " window_start, tenant) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    spend.spend_id,
                    spend.provider,
                    spend.requests,
                    spend.tokens,
                    spend.spent_at,
                    window_start,
                    spend.tenant,
                ),
            )
            return WindowUse(used.requests + spend.requests, used.tokens + spend.tokens)

    async def settle(self, spend_id: str, tokens: int) -> None:
        """Record the tokens really used; the spend may now be reported."""
        async with self._write() as db:
            await db.execute(
                "UPDATE spends SET tokens = ?, settled = 1 WHERE spend_id = ? AND reported = 0",
                (tokens, spend_id),
            )

    async def cancel(self, spend_id: str) -> None:
        """Forget a spend the provider refused (nothing billed), unless already reported."""
        async with self._write() as db:
            await db.execute("DELETE FROM spends WHERE spend_id = ? AND reported = 0", (spend_id,))

    async def unreported(self, limit: int) -> list[Spend]:
        """Settled spends not yet accepted by the quota service, oldest first."""
        async with self._lock:
            rows = await self._db.execute_fetchall(
                "SELECT spend_id, provider, requests, tokens, spent_at, tenant FROM spends"
                " WHERE reported = 0 AND settled = 1 ORDER BY spent_at LIMIT ?",
                (limit,),
            )
        return [
            Spend(str(r[0]), str(r[1]), int(r[2]), int(r[3]), float(r[4]), str(r[5])) for r in rows
        ]

    async def mark_reported(self, spend_ids: Sequence[str], prune_before: float) -> None:
        """Mark spends as counted by quota, and drop reported spends older than prune_before."""
        async with self._write() as db:
            await db.executemany(
                "UPDATE spends SET reported = 1 WHERE spend_id = ?", [(i,) for i in spend_ids]
            )
            await db.execute(
                "DELETE FROM spends WHERE reported = 1 AND spent_at < ?", (prune_before,)
            )

    async def used(self, provider: str, window_start: float) -> WindowUse:
        """What the provider's local budget has spent in the window starting at window_start."""
        async with self._lock:
            return await self._used(self._db, "provider", provider, window_start)

    async def backlog(self) -> int:
        """Spends not yet reported to the quota service."""
        async with self._lock:
            rows = await self._db.execute_fetchall(
                "SELECT count(*) FROM spends WHERE reported = 0", ()
            )
        return int(next(iter(rows))[0])

    @staticmethod
    async def _used(
        db: aiosqlite.Connection,
        column: Literal["provider", "tenant"],
        owner: str,
        window_start: float,
    ) -> WindowUse:
        rows = await db.execute_fetchall(
            "SELECT coalesce(sum(requests), 0), coalesce(sum(tokens), 0) FROM spends"
            f" WHERE {column} = ? AND window_start = ?",
            (owner, window_start),
        )
        requests, tokens = next(iter(rows))
        return WindowUse(int(requests), int(tokens))

    async def aclose(self) -> None:
        """Close the file."""
        async with self._lock:
            await self._db.close()


def _over(value: int, limit: int) -> bool:
    return limit >= 0 and value > limit


def _fits(used: WindowUse, spend: Spend, limit: BudgetLimit) -> bool:
    return not (
        _over(used.requests + spend.requests, limit.requests)
        or _over(used.tokens + spend.tokens, limit.tokens)
    )
