"""How a service builds its own atomic operations on the store, without knowing its class.

The port covers what every service needs. An operation that must read and write several keys
as one step (quota's reserve or settle) needs the atomic primitive of the store underneath: a
Lua script on Redis, a ``BEGIN IMMEDIATE`` transaction on SQLite. ``Store.extend`` hands an
:class:`Extension` the one its store has, so the service chooses its adapter by the method
called, and the generic store knows nothing of the service. A new kind of store adds a method
here, and the type checker then names every extension that must handle it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    import sqlite3

T_co = TypeVar("T_co", covariant=True)
T = TypeVar("T")

ScriptCall = Callable[[Sequence[str], Sequence[str | int | float]], Awaitable[Any]]
"""A registered Lua script: called with keys and args, returns the script's reply."""

ScriptRun = tuple[Sequence[str], Sequence[str | int | float]]
"""The keys and args of one run of a script."""

ScriptBatchCall = Callable[[Sequence[ScriptRun]], Awaitable[list[Any]]]
"""A registered Lua script run several times in one round trip: called with the runs, returns
their replies in the same order."""


class ScriptHost(Protocol):
    """A Redis store as an extension sees it: Lua scripts run on the store's connections."""

    def script(self, source: str) -> ScriptCall:
        """Register a script; each call runs it atomically on keys under
        :attr:`script_key_prefix` (one hash tag per call in Redis Cluster)."""

    def script_batch(self, source: str) -> ScriptBatchCall:
        """Register a script whose runs a caller sends together: each run is still atomic on
        its own (one hash tag each), the batch is not a transaction, and a run is never retried
        once the server has started it."""

    @property
    def script_key_prefix(self) -> str:
        """What :meth:`script` and :meth:`script_batch` put before every key."""


class TransactionHost(Protocol):
    """An SQLite store as an extension sees it: write transactions on the store's file."""

    def run_transaction(self, operation: Callable[[sqlite3.Connection], T]) -> Awaitable[T]:
        """Run operation inside one ``BEGIN IMMEDIATE`` transaction, committed when it returns,
        rolled back when it raises. It runs whole on the store's worker thread (the only one
        that touches the connection), so it is plain synchronous code."""

    @property
    def key_prefix(self) -> str:
        """The namespace prefix the extension's keys should start with."""


class Extension(Protocol[T_co]):
    """Something a service builds on a store's atomic primitive; one method per kind of store."""

    def on_redis(self, store: ScriptHost) -> T_co:
        """Build it on a Redis (or Redis Cluster) store."""

    def on_sqlite(self, store: TransactionHost) -> T_co:
        """Build it on an SQLite store."""
