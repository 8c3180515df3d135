"""SQLite adapter of the quota port: each operation is one ``BEGIN IMMEDIATE`` transaction.

The rules are those of the Redis scripts (``redis_adapter``), written once more in Python over
four tables of the store's file: counters, marks (warned levels, reset markers, idempotency and
spend claims), reservation records, and the crossing log; a row's key is its name in ``keys``
after the store's namespace. Rows carry their expiry; reads skip expired rows and each
operation deletes a bounded batch of them. Times are the ledger's clock, passed in as ``now``,
so expiry follows the same clock as the windows. Each operation is a plain function the store
runs whole on its worker thread (``TransactionHost.run_transaction``), so it takes one hop
from the event loop however many statements it has.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

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
    SettleOrder,
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

    def __init__(self, db: sqlite3.Connection, prefix: str, now: float) -> None:
        self.db = db
        self.prefix = prefix
        self.now = now

    def counter(self, key: str) -> int:
        row = self.db.execute(
            "SELECT value FROM quota_counters WHERE key = ? AND expires_at > ?",
            (self.prefix + key, self.now),
        ).fetchone()
        return int(row[0]) if row else 0

    def add(self, key: str, amount: int, kept_until: float) -> None:
        value = self.counter(key) + amount
        self.db.execute(
            "INSERT INTO quota_counters (key, value, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
            " expires_at = excluded.expires_at",
            (self.prefix + key, value, kept_until),
        )

    def mark(self, key: str) -> str | None:
        row = self.db.execute(
            "SELECT value FROM quota_marks WHERE key = ? AND expires_at > ?",
            (self.prefix + key, self.now),
        ).fetchone()
        return str(row[0]) if row else None

    def set_mark(self, key: str, value: str, until: float) -> None:
        self.db.execute(
            "INSERT INTO quota_marks (key, value, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
            " expires_at = excluded.expires_at",
            (self.prefix + key, value, until),
        )

    def reset_marker(self, key: str) -> tuple[int, float]:
        """A window's reset epoch (resets so far) and the time of the last reset (Unix ms)."""
        marker = self.mark(key)
        if marker is None:
            return 0, float("-inf")
        data = json.loads(marker)
        return int(data["epoch"]), float(data["at"])

    def delete(self, table: str, key: str) -> None:
        self.db.execute(f"DELETE FROM {table} WHERE key = ?", (self.prefix + key,))

    def purge(self) -> None:
        for table, column in PURGED:
            self.db.execute(
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

    def _tables(self, db: sqlite3.Connection) -> None:
        """Create the quota tables on this store's first operation."""
        if not self._prepared:
            for statement in _SCHEMA:
                db.execute(statement)
            self._prepared = True

    def _begin(self, db: sqlite3.Connection, now: float) -> _Transaction:
        """The operation's reads and writes, once the quota tables exist."""
        self._tables(db)
        return _Transaction(db, self._prefix, now)

    def _values(self, tx: _Transaction, scope: str, tallies: Sequence[Tally]) -> tuple[int, ...]:
        return tuple([tx.counter(counter_key(scope, tally)) for tally in tallies])

    def _announce(
        self,
        tx: _Transaction,
        scope: str,
        tallies: Sequence[Tally],
        thresholds: Thresholds,
    ) -> tuple[Crossing, ...]:
        """Log each tally that reached a level above the highest announced in its window."""
        crossings = []
        for tally in tallies:
            used = tx.counter(counter_key(scope, tally))
            reached = thresholds.level(used, tally.limit)
            announced = int(tx.mark(warned_key(scope, tally)) or Level.NORMAL)
            if reached <= Level.NORMAL or reached <= announced:
                continue
            tx.set_mark(warned_key(scope, tally), str(int(reached)), tally.kept_until)
            event = {
                "window": tally.window,
                "start": tally.start,
                "metric": tally.metric,
                "level": int(reached),
                "used": used,
                "limit": tally.limit,
                "at": milliseconds(tx.now),
            }
            (seq,) = tx.db.execute(
                "INSERT INTO quota_crossings (scope, event) VALUES (?, ?) RETURNING seq",
                (self._prefix + scope, json.dumps(event)),
            ).fetchone()
            crossings.append(crossing_from_event(scope, int(seq), event))
        if crossings:
            tx.db.execute(
                "DELETE FROM quota_crossings WHERE scope = ? AND seq <= ?",
                (self._prefix + scope, crossings[-1].seq - CROSSING_LOG_SIZE),
            )
        return tuple(crossings)

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

        def operation(db: sqlite3.Connection) -> ReserveOutcome:
            tx = self._begin(db, now)
            tx.purge()
            values = self._values(tx, scope, tallies)
            if idempotency_key:
                first = tx.mark(claim)
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
                tx.add(counter_key(scope, tally), amount, tally.kept_until)
                epochs[tally.window] = tx.reset_marker(reset_marker_key(scope, tally))[0]
            db.execute(
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
                tx.set_mark(claim, reservation.token, keep)
            crossings = self._announce(tx, scope, tallies, thresholds)
            values = self._values(tx, scope, tallies)
            return ReserveOutcome(ReserveStatus.GRANTED, values, reservation.token, None, crossings)

        return await self._store.run_transaction(operation)

    async def withdraw(
        self, scope: str, idempotency_key: str, *, keep_until: float, now: float
    ) -> str | None:
        """See QuotaStore.withdraw."""
        claim = idempotency_claim_key(scope, idempotency_key)

        def operation(db: sqlite3.Connection) -> str | None:
            tx = self._begin(db, now)
            first = tx.mark(claim)
            if first is None:
                tx.set_mark(claim, WITHDRAWN, keep_until)
            return first

        first = await self._store.run_transaction(operation)
        return None if first in (None, WITHDRAWN) else first

    async def reservation(self, scope: str, token: str, *, now: float) -> Reservation | None:
        """See QuotaStore.reservation."""

        def operation(db: sqlite3.Connection) -> Any:
            self._tables(db)
            return db.execute(
                "SELECT request_id, estimated_tokens, reserved_at, expires_at, window_starts,"
                " state, actual_tokens FROM quota_reservations"
                " WHERE key = ? AND kept_until > ?",
                (self._prefix + record_key(scope, token), now),
            ).fetchone()

        row = await self._store.run_transaction(operation)
        if row is None:
            return None
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
        order = SettleOrder(scope, token, settlement, tuple(tallies), actual_tokens)
        (outcome,) = await self.settle_all([order], thresholds=thresholds, now=now)
        return outcome

    async def settle_all(
        self, orders: Sequence[SettleOrder], *, thresholds: Thresholds, now: float
    ) -> list[SettleOutcome]:
        """See QuotaStore.settle_all: one transaction, the orders settled one after another."""

        def operation(db: sqlite3.Connection) -> list[SettleOutcome]:
            tx = self._begin(db, now)
            tx.purge()
            return [self._settle_in(tx, order, thresholds) for order in orders]

        return await self._store.run_transaction(operation)

    def _settle_in(
        self, tx: _Transaction, order: SettleOrder, thresholds: Thresholds
    ) -> SettleOutcome:
        """One settlement inside an open transaction."""
        scope, tallies, settlement, now = order.scope, order.tallies, order.settlement, tx.now
        key = self._prefix + record_key(scope, order.token)
        values = self._values(tx, scope, tallies)
        row = tx.db.execute(
            "SELECT state, estimated_tokens, epochs, expires_at"
            " FROM quota_reservations WHERE key = ? AND kept_until > ?",
            (key, now),
        ).fetchone()
        if row is None:
            return SettleOutcome(SettleStatus.NOT_FOUND, None, values)
        state = ReservationState(row[0])
        estimate, epochs, expires_at = int(row[1]), json.loads(row[2]), float(row[3])
        if settlement is Settlement.COMMIT:
            if state is ReservationState.COMMITTED:
                return SettleOutcome(SettleStatus.UNCHANGED, state, values)
            if state is ReservationState.RELEASED:
                return SettleOutcome(SettleStatus.CONFLICT, state, values)
            expired = state is ReservationState.EXPIRED
            requests = 1 if expired else 0
            tokens = order.actual_tokens if expired else order.actual_tokens - estimate
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
            epoch = tx.reset_marker(reset_marker_key(scope, tally))[0]
            if amount and tally.kept_until > now and epoch == epochs[tally.window]:
                tx.add(counter_key(scope, tally), amount, tally.kept_until)
        tx.db.execute(
            "UPDATE quota_reservations SET state = ?, actual_tokens = ? WHERE key = ?",
            (after.value, order.actual_tokens if settlement is Settlement.COMMIT else 0, key),
        )
        crossings = self._announce(tx, scope, tallies, thresholds)
        return SettleOutcome(
            SettleStatus.APPLIED, state, self._values(tx, scope, tallies), crossings
        )

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

        def operation(db: sqlite3.Connection) -> SpendOutcome:
            tx = self._begin(db, now)
            tx.purge()
            if tx.mark(claim) is not None:
                values = self._values(tx, scope, tallies)
                return SpendOutcome(False, (False,) * len(tallies), values)
            tx.set_mark(claim, repr(now), remember_until)
            counted = []
            for tally, amount in zip(tallies, amounts, strict=True):
                reset_at = tx.reset_marker(reset_marker_key(scope, tally))[1]
                count = tally.kept_until > now and reset_at <= milliseconds(spent_at)
                if count:
                    tx.add(counter_key(scope, tally), amount, tally.kept_until)
                counted.append(count)
            crossings = self._announce(tx, scope, tallies, thresholds)
            values = self._values(tx, scope, tallies)
            return SpendOutcome(True, tuple(counted), values, crossings)

        return await self._store.run_transaction(operation)

    async def reset(
        self, scope: str, tallies: Sequence[Tally], *, now: float, marker_until: float
    ) -> None:
        """See QuotaStore.reset."""

        def operation(db: sqlite3.Connection) -> None:
            tx = self._begin(db, now)
            for tally in tallies:
                tx.delete("quota_counters", counter_key(scope, tally))
                tx.delete("quota_marks", warned_key(scope, tally))
                marker = reset_marker_key(scope, tally)
                epoch = tx.reset_marker(marker)[0] + 1
                marker_value = {"epoch": epoch, "at": milliseconds(now)}
                tx.set_mark(marker, json.dumps(marker_value), marker_until)

        await self._store.run_transaction(operation)

    async def read(self, scope: str, tallies: Sequence[Tally], *, now: float) -> list[int]:
        """See QuotaStore.read."""
        keys = [self._prefix + counter_key(scope, tally) for tally in tallies]

        def operation(db: sqlite3.Connection) -> dict[str, int]:
            self._tables(db)
            found: dict[str, int] = {}
            for chunk_start in range(0, len(keys), 400):
                chunk = keys[chunk_start : chunk_start + 400]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"SELECT key, value FROM quota_counters WHERE key IN ({marks})"
                    " AND expires_at > ?",
                    (*chunk, now),
                )
                found.update((str(row[0]), int(row[1])) for row in rows)
            return found

        found = await self._store.run_transaction(operation)
        return [found.get(key, 0) for key in keys]

    async def due_reservations(self, scope: str, now: float, limit: int) -> list[str]:
        """See QuotaStore.due_reservations."""

        def operation(db: sqlite3.Connection) -> list[str]:
            self._tables(db)
            rows = db.execute(
                "SELECT token FROM quota_reservations WHERE scope = ? AND state = 'pending'"
                " AND expires_at <= ? ORDER BY expires_at LIMIT ?",
                (self._prefix + scope, now, limit),
            )
            return [str(row[0]) for row in rows]

        return await self._store.run_transaction(operation)

    async def crossings_after(self, scope: str, seq: int) -> list[Crossing]:
        """See QuotaStore.crossings_after."""

        def operation(db: sqlite3.Connection) -> list[Crossing]:
            self._tables(db)
            rows = db.execute(
                "SELECT seq, event FROM quota_crossings WHERE scope = ? AND seq > ? ORDER BY seq",
                (self._prefix + scope, seq),
            )
            return [crossing_from_event(scope, int(row[0]), json.loads(row[1])) for row in rows]

        return await self._store.run_transaction(operation)
