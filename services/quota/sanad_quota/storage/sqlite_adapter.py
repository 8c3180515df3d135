"""SQLite adapter of the quota port: each operation is one ``BEGIN IMMEDIATE`` transaction.

The rules are those of the Redis scripts (``redis_adapter``), written once more in Python over
four tables of the store's file: counters, marks (warned levels, reset markers, idempotency and
spend claims), reservation records, and the crossing log; a row's key is its name in ``keys``
after the store's namespace. Rows carry their expiry; reads skip expired rows and each
operation deletes a bounded batch of them. Times are the ledger's clock, passed in as ``now``,
so expiry follows the same clock as the windows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import aiosqlite

from sanad_common.storage.extension import TransactionHost
from sanad_quota.storage.keys import (
    counter_key,
    idempotency_claim_key,
    record_key,
    reset_marker_key,
    spend_claim_key,
    warned_key,
)
from sanad_quota.storage.port import (
    CROSSING_LOG_SIZE,
    WITHDRAWN,
    Crossing,
    Level,
    Reservation,
    ReservationState,
    ReserveOutcome,
    ReserveStatus,
    Settlement,
    SettleOutcome,
    SettleStatus,
    SpendOutcome,
    Tally,
    Thresholds,
    crossing_from_event,
    milliseconds,
)

_PURGE_BATCH = 64
PURGED = (
    ("quota_counters", "expires_at"),
    ("quota_marks", "expires_at"),
    ("quota_reservations", "kept_until"),
)
"""Table and expiry column of each table an operation purges a batch of; each column has an
index, so a purge reads only expired rows: without one, every reserve and settle scanned every
reservation record kept (an hour's worth), and the store slowed as it filled."""

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS quota_counters (
        key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at REAL NOT NULL
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS quota_marks (
        key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at REAL NOT NULL
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS quota_reservations (
        key TEXT PRIMARY KEY,
        scope TEXT NOT NULL,
        token TEXT NOT NULL,
        request_id TEXT NOT NULL,
        estimated_tokens INTEGER NOT NULL,
        actual_tokens INTEGER NOT NULL,
        reserved_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        window_starts TEXT NOT NULL,
        epochs TEXT NOT NULL,
        state TEXT NOT NULL,
        kept_until REAL NOT NULL
    ) WITHOUT ROWID""",
    """CREATE INDEX IF NOT EXISTS quota_reservations_due
        ON quota_reservations (scope, expires_at) WHERE state = 'pending'""",
    """CREATE INDEX IF NOT EXISTS quota_counters_expires_at ON quota_counters (expires_at)""",
    """CREATE INDEX IF NOT EXISTS quota_marks_expires_at ON quota_marks (expires_at)""",
    """CREATE INDEX IF NOT EXISTS quota_reservations_kept_until
        ON quota_reservations (kept_until)""",
    """CREATE TABLE IF NOT EXISTS quota_crossings (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, scope TEXT NOT NULL, event TEXT NOT NULL
    )""",
)


class _Transaction:
    """The reads and writes of one quota operation, inside its transaction."""

    def __init__(self, db: aiosqlite.Connection, prefix: str, now: float) -> None:
        self.db = db
        self.prefix = prefix
        self.now = now

    async def counter(self, key: str) -> int:
        rows = list(
            await self.db.execute_fetchall(
                "SELECT value FROM quota_counters WHERE key = ? AND expires_at > ?",
                (self.prefix + key, self.now),
            )
        )
        return int(rows[0][0]) if rows else 0

    async def add(self, key: str, amount: int, kept_until: float) -> None:
        value = await self.counter(key) + amount
        await self.db.execute(
            "INSERT INTO quota_counters (key, value, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
            " expires_at = excluded.expires_at",
            (self.prefix + key, value, kept_until),
        )

    async def mark(self, key: str) -> str | None:
        rows = list(
            await self.db.execute_fetchall(
                "SELECT value FROM quota_marks WHERE key = ? AND expires_at > ?",
                (self.prefix + key, self.now),
            )
        )
        return str(rows[0][0]) if rows else None

    async def set_mark(self, key: str, value: str, until: float) -> None:
        await self.db.execute(
            "INSERT INTO quota_marks (key, value, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
            " expires_at = excluded.expires_at",
            (self.prefix + key, value, until),
        )

    async def reset_marker(self, key: str) -> tuple[int, float]:
        """A window's reset epoch (resets so far) and the time of the last reset (Unix ms)."""
        marker = await self.mark(key)
        if marker is None:
            return 0, float("-inf")
        data = json.loads(marker)
        return int(data["epoch"]), float(data["at"])

    async def delete(self, table: str, key: str) -> None:
        await self.db.execute(f"DELETE FROM {table} WHERE key = ?", (self.prefix + key,))

    async def purge(self) -> None:
        for table, column in PURGED:
            await self.db.execute(
                f"DELETE FROM {table} WHERE key IN"
                f" (SELECT key FROM {table} WHERE {column} <= ? LIMIT ?)",
                (self.now, _PURGE_BATCH),
            )


class SQLiteQuotaStore:
    """The quota port on an SQLite store's transactions (see the module docstring)."""

    def __init__(self, store: TransactionHost) -> None:
        self._store = store
        self._prefix = store.key_prefix
        self._prepared = False

    async def _values(
        self, tx: _Transaction, scope: str, tallies: Sequence[Tally]
    ) -> tuple[int, ...]:
        return tuple([await tx.counter(counter_key(scope, tally)) for tally in tallies])

    async def _announce(
        self,
        tx: _Transaction,
        scope: str,
        tallies: Sequence[Tally],
        thresholds: Thresholds,
    ) -> tuple[Crossing, ...]:
        """Log each tally that reached a level above the highest announced in its window."""
        crossings = []
        for tally in tallies:
            used = await tx.counter(counter_key(scope, tally))
            reached = thresholds.level(used, tally.limit)
            announced = int(await tx.mark(warned_key(scope, tally)) or Level.NORMAL)
            if reached <= Level.NORMAL or reached <= announced:
                continue
            await tx.set_mark(warned_key(scope, tally), str(int(reached)), tally.kept_until)
            event = {
                "window": tally.window,
                "start": tally.start,
                "metric": tally.metric,
                "level": int(reached),
                "used": used,
                "limit": tally.limit,
                "at": milliseconds(tx.now),
            }
            rows = list(
                await tx.db.execute_fetchall(
                    "INSERT INTO quota_crossings (scope, event) VALUES (?, ?) RETURNING seq",
                    (self._prefix + scope, json.dumps(event)),
                )
            )
            crossings.append(crossing_from_event(scope, int(rows[0][0]), event))
        if crossings:
            await tx.db.execute(
                "DELETE FROM quota_crossings WHERE scope = ? AND seq <= ?",
                (self._prefix + scope, crossings[-1].seq - CROSSING_LOG_SIZE),
            )
        return tuple(crossings)

    async def _prepare(self, db: aiosqlite.Connection) -> None:
        if not self._prepared:
            for statement in _SCHEMA:
                await db.execute(statement)
            self._prepared = True

    async def reserve(
        self,
        scope: str,
        tallies: Sequence[Tally],
        amounts: Sequence[int],
        reservation: Reservation,
        *,
        idempotency_key: str,
        keep_until: float,
        thresholds: Thresholds,
        now: float,
    ) -> ReserveOutcome:
        """See QuotaStore.reserve."""
        claim = idempotency_claim_key(scope, idempotency_key)
        keep = max(keep_until, *(tally.kept_until for tally in tallies))
        async with self._store.transaction() as db:
            await self._prepare(db)
            tx = _Transaction(db, self._prefix, now)
            await tx.purge()
            values = await self._values(tx, scope, tallies)
            if idempotency_key:
                first = await tx.mark(claim)
                if first == WITHDRAWN:
                    return ReserveOutcome(ReserveStatus.WITHDRAWN, values, "")
                if first is not None:
                    return ReserveOutcome(ReserveStatus.REPEATED, values, first)
            for index, (tally, amount, value) in enumerate(
                zip(tallies, amounts, values, strict=True)
            ):
                if amount > 0 and tally.limit >= 0 and value + amount > tally.limit:
                    return ReserveOutcome(ReserveStatus.DENIED, values, "", refused_index=index)
            epochs = {}
            for tally, amount in zip(tallies, amounts, strict=True):
                await tx.add(counter_key(scope, tally), amount, tally.kept_until)
                epochs[tally.window] = (await tx.reset_marker(reset_marker_key(scope, tally)))[0]
            await db.execute(
                "INSERT INTO quota_reservations (key, scope, token, request_id, estimated_tokens,"
                " actual_tokens, reserved_at, expires_at, window_starts, epochs, state,"
                " kept_until) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, 'pending', ?)",
                (
                    self._prefix + record_key(scope, reservation.token),
                    self._prefix + scope,
                    reservation.token,
                    reservation.request_id,
                    reservation.estimated_tokens,
                    reservation.reserved_at,
                    reservation.expires_at,
                    json.dumps(reservation.window_starts),
                    json.dumps(epochs),
                    keep,
                ),
            )
            if idempotency_key:
                await tx.set_mark(claim, reservation.token, keep)
            crossings = await self._announce(tx, scope, tallies, thresholds)
            values = await self._values(tx, scope, tallies)
        return ReserveOutcome(ReserveStatus.GRANTED, values, reservation.token, None, crossings)

    async def withdraw(
        self, scope: str, idempotency_key: str, *, keep_until: float, now: float
    ) -> str | None:
        """See QuotaStore.withdraw."""
        claim = idempotency_claim_key(scope, idempotency_key)
        async with self._store.transaction() as db:
            await self._prepare(db)
            tx = _Transaction(db, self._prefix, now)
            first = await tx.mark(claim)
            if first is None:
                await tx.set_mark(claim, WITHDRAWN, keep_until)
        return None if first in (None, WITHDRAWN) else first

    async def reservation(self, scope: str, token: str, *, now: float) -> Reservation | None:
        """See QuotaStore.reservation."""
        async with self._store.transaction() as db:
            await self._prepare(db)
            rows = list(
                await db.execute_fetchall(
                    "SELECT request_id, estimated_tokens, reserved_at, expires_at, window_starts,"
                    " state, actual_tokens FROM quota_reservations"
                    " WHERE key = ? AND kept_until > ?",
                    (self._prefix + record_key(scope, token), now),
                )
            )
        if not rows:
            return None
        row = rows[0]
        return Reservation(
            token=token,
            request_id=str(row[0]),
            estimated_tokens=int(row[1]),
            reserved_at=float(row[2]),
            expires_at=float(row[3]),
            window_starts=tuple((window, int(start)) for window, start in json.loads(row[4])),
            state=ReservationState(row[5]),
            actual_tokens=int(row[6]),
        )

    async def settle(
        self,
        scope: str,
        token: str,
        settlement: Settlement,
        tallies: Sequence[Tally],
        *,
        actual_tokens: int,
        thresholds: Thresholds,
        now: float,
    ) -> SettleOutcome:
        """See QuotaStore.settle."""
        key = self._prefix + record_key(scope, token)
        async with self._store.transaction() as db:
            await self._prepare(db)
            tx = _Transaction(db, self._prefix, now)
            await tx.purge()
            values = await self._values(tx, scope, tallies)
            rows = list(
                await db.execute_fetchall(
                    "SELECT state, estimated_tokens, epochs, expires_at"
                    " FROM quota_reservations WHERE key = ? AND kept_until > ?",
                    (key, now),
                )
            )
            if not rows:
                return SettleOutcome(SettleStatus.NOT_FOUND, None, values)
            state = ReservationState(rows[0][0])
            estimate, epochs, expires_at = (
                int(rows[0][1]),
                json.loads(rows[0][2]),
                float(rows[0][3]),
            )
            if settlement is Settlement.COMMIT:
                if state is ReservationState.COMMITTED:
                    return SettleOutcome(SettleStatus.UNCHANGED, state, values)
                if state is ReservationState.RELEASED:
                    return SettleOutcome(SettleStatus.CONFLICT, state, values)
                expired = state is ReservationState.EXPIRED
                requests = 1 if expired else 0
                tokens = actual_tokens if expired else actual_tokens - estimate
                after = ReservationState.COMMITTED
            else:
                due = expires_at <= now
                if state is not ReservationState.PENDING or (
                    settlement is Settlement.EXPIRE and not due
                ):
                    return SettleOutcome(SettleStatus.UNCHANGED, state, values)
                requests, tokens = -1, -estimate
                after = (
                    ReservationState.EXPIRED
                    if settlement is Settlement.EXPIRE
                    else ReservationState.RELEASED
                )
            for tally in tallies:
                amount = requests if tally.metric == "requests" else tokens
                epoch = (await tx.reset_marker(reset_marker_key(scope, tally)))[0]
                if amount and tally.kept_until > now and epoch == epochs[tally.window]:
                    await tx.add(counter_key(scope, tally), amount, tally.kept_until)
            await db.execute(
                "UPDATE quota_reservations SET state = ?, actual_tokens = ? WHERE key = ?",
                (
                    after.value,
                    actual_tokens if settlement is Settlement.COMMIT else 0,
                    key,
                ),
            )
            crossings = await self._announce(tx, scope, tallies, thresholds)
            values = await self._values(tx, scope, tallies)
        return SettleOutcome(SettleStatus.APPLIED, state, values, crossings)

    async def record_spend(
        self,
        scope: str,
        spend_id: str,
        tallies: Sequence[Tally],
        amounts: Sequence[int],
        *,
        spent_at: float,
        remember_until: float,
        thresholds: Thresholds,
        now: float,
    ) -> SpendOutcome:
        """See QuotaStore.record_spend."""
        claim = spend_claim_key(scope, spend_id)
        async with self._store.transaction() as db:
            await self._prepare(db)
            tx = _Transaction(db, self._prefix, now)
            await tx.purge()
            if await tx.mark(claim) is not None:
                values = await self._values(tx, scope, tallies)
                return SpendOutcome(False, (False,) * len(tallies), values)
            await tx.set_mark(claim, repr(now), remember_until)
            counted = []
            for tally, amount in zip(tallies, amounts, strict=True):
                reset_at = (await tx.reset_marker(reset_marker_key(scope, tally)))[1]
                count = tally.kept_until > now and reset_at <= milliseconds(spent_at)
                if count:
                    await tx.add(counter_key(scope, tally), amount, tally.kept_until)
                counted.append(count)
            crossings = await self._announce(tx, scope, tallies, thresholds)
            values = await self._values(tx, scope, tallies)
        return SpendOutcome(True, tuple(counted), values, crossings)

    async def reset(
        self, scope: str, tallies: Sequence[Tally], *, now: float, marker_until: float
    ) -> None:
        """See QuotaStore.reset."""
        async with self._store.transaction() as db:
            await self._prepare(db)
            tx = _Transaction(db, self._prefix, now)
            for tally in tallies:
                await tx.delete("quota_counters", counter_key(scope, tally))
                await tx.delete("quota_marks", warned_key(scope, tally))
                marker = reset_marker_key(scope, tally)
                epoch = (await tx.reset_marker(marker))[0] + 1
                marker_value = {"epoch": epoch, "at": milliseconds(now)}
                await tx.set_mark(marker, json.dumps(marker_value), marker_until)

    async def read(self, scope: str, tallies: Sequence[Tally], *, now: float) -> list[int]:
        """See QuotaStore.read."""
        keys = [self._prefix + counter_key(scope, tally) for tally in tallies]
        found: dict[str, int] = {}
        async with self._store.transaction() as db:
            await self._prepare(db)
            for chunk_start in range(0, len(keys), 400):
                chunk = keys[chunk_start : chunk_start + 400]
                marks = ",".join("?" * len(chunk))
                rows = await db.execute_fetchall(
                    f"SELECT key, value FROM quota_counters WHERE key IN ({marks})"
                    " AND expires_at > ?",
                    (*chunk, now),
                )
                found.update((str(row[0]), int(row[1])) for row in rows)
        return [found.get(key, 0) for key in keys]

    async def due_reservations(self, scope: str, now: float, limit: int) -> list[str]:
        """See QuotaStore.due_reservations."""
        async with self._store.transaction() as db:
            await self._prepare(db)
            rows = await db.execute_fetchall(
                "SELECT token FROM quota_reservations WHERE scope = ? AND state = 'pending'"
                " AND expires_at <= ? ORDER BY expires_at LIMIT ?",
                (self._prefix + scope, now, limit),
            )
        return [str(row[0]) for row in rows]

    async def crossings_after(self, scope: str, seq: int) -> list[Crossing]:
        """See QuotaStore.crossings_after."""
        async with self._store.transaction() as db:
            await self._prepare(db)
            rows = await db.execute_fetchall(
                "SELECT seq, event FROM quota_crossings WHERE scope = ? AND seq > ? ORDER BY seq",
                (self._prefix + scope, seq),
            )
        return [crossing_from_event(scope, int(row[0]), json.loads(row[1])) for row in rows]
