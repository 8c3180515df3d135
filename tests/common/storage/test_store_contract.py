"""The storage port's contract: every adapter must pass this suite unchanged.

It runs against SQLite (a temporary file), a real Redis server and a one-node Redis Cluster.
Keys updated together by one ``add_counters`` share a hash tag (``{q}``), as callers must for
Redis Cluster. Expiry tests use short TTLs and sleep past them; nothing asserts on timing
beyond "expired after its TTL".
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanad_common.storage import AddToSets, CounterDelta, CounterResult, Delete, Put, Store
from tests.support.backends import Backend

SHORT_TTL = 0.2
PAST_SHORT_TTL = 0.5


async def test_get_missing_is_none(store: Store) -> None:
    assert await store.get("nothing") is None


async def test_set_then_get_and_overwrite(store: Store) -> None:
    await store.set("k", b"one")
    assert await store.get("k") == b"one"
    await store.set("k", b"\x00two\xff")
    assert await store.get("k") == b"\x00two\xff"


async def test_entries_expire_after_ttl(store: Store) -> None:
    await store.set("short", b"v", ttl=SHORT_TTL)
    await store.set("long", b"v")
    assert await store.get("short") == b"v"
    await asyncio.sleep(PAST_SHORT_TTL)
    assert await store.get("short") is None
    assert await store.get_many(["short", "long"]) == [None, b"v"]
    assert await store.keys_with_prefix("") == ["long"]
    assert await store.pop("short") is None
    assert await store.delete("short") == 0


async def test_set_without_ttl_clears_previous_ttl(store: Store) -> None:
    await store.set("k", b"old", ttl=SHORT_TTL)
    await store.set("k", b"new")
    await asyncio.sleep(PAST_SHORT_TTL)
    assert await store.get("k") == b"new"


@pytest.mark.parametrize("ttl", [0.0, -1.0, float("nan")])
async def test_non_positive_ttl_is_refused(store: Store, ttl: float) -> None:
    with pytest.raises(ValueError):
        await store.set("k", b"v", ttl=ttl)
    with pytest.raises(ValueError):
        await store.set_if_absent("k", b"v", ttl=ttl)


async def test_set_if_absent(store: Store) -> None:
    assert await store.set_if_absent("k", b"first") is True
    assert await store.set_if_absent("k", b"second") is False
    assert await store.get("k") == b"first"
    assert await store.delete("k") == 1
    assert await store.set_if_absent("k", b"third") is True
    assert await store.get("k") == b"third"


async def test_a_batch_of_writes_applies_in_order_and_says_what_was_written(
    store: Store,
) -> None:
    await store.set("taken", b"old")
    await store.set("doomed", b"x")

    written = await store.write(
        [
            Put("plain", b"1", ttl=60),
            Put("taken", b"new", only_if_absent=True),
            Put("free", b"2", only_if_absent=True),
            AddToSets({"band:a": ["d1", "d2"], "band:b": ["d1"], "band:c": []}, ttl=60),
            Delete(("doomed", "never-there")),
            Put("plain", b"3"),
        ]
    )

    assert written == [True, False, True, True, True, True]
    assert await store.get_many(["plain", "taken", "free", "doomed"]) == [
        b"3",
        b"old",
        b"2",
        None,
    ]
    assert await store.set_members(["band:a", "band:b", "band:c"]) == [
        frozenset({"d1", "d2"}),
        frozenset({"d1"}),
        frozenset(),
    ]
    assert await store.write([]) == []


async def test_a_batched_put_expires_like_set(store: Store) -> None:
    await store.write([Put("short", b"v", ttl=SHORT_TTL), Put("long", b"v", ttl=60)])
    await asyncio.sleep(PAST_SHORT_TTL)

    assert await store.get_many(["short", "long"]) == [None, b"v"]
    assert await store.write([Put("short", b"again", only_if_absent=True)]) == [True]


async def test_set_if_absent_replaces_an_expired_entry(store: Store) -> None:
    assert await store.set_if_absent("k", b"first", ttl=SHORT_TTL) is True
    assert await store.set_if_absent("k", b"blocked") is False
    await asyncio.sleep(PAST_SHORT_TTL)
    assert await store.set_if_absent("k", b"second") is True
    assert await store.get("k") == b"second"


async def test_set_if_absent_has_one_winner_under_concurrency(store: Store) -> None:
    results = await asyncio.gather(
        *(store.set_if_absent("lock", str(i).encode(), ttl=30) for i in range(50))
    )
    assert results.count(True) == 1
    winner = results.index(True)
    assert await store.get("lock") == str(winner).encode()


async def test_pop_returns_the_value_once(store: Store) -> None:
    await store.set("k", b"v")
    assert await store.pop("k") == b"v"
    assert await store.pop("k") is None
    assert await store.get("k") is None
    assert await store.pop("never") is None


async def test_pop_has_exactly_one_winner_under_concurrency(backend: Backend) -> None:
    first, second = await backend.open_twins()
    await first.set("reservation", b"payload")
    results = await asyncio.gather(
        *((first if i % 2 else second).pop("reservation") for i in range(50))
    )
    assert [result for result in results if result is not None] == [b"payload"]


async def test_delete_counts_live_entries(store: Store) -> None:
    await store.set("a", b"1")
    await store.set("b", b"2")
    assert await store.delete("a", "b", "missing") == 2
    assert await store.get_many(["a", "b"]) == [None, None]
    assert await store.delete() == 0


async def test_get_many_keeps_order_and_repeats(store: Store) -> None:
    await store.set("a", b"1")
    await store.set("{x}b", b"2")
    assert await store.get_many(["{x}b", "missing", "a", "{x}b"]) == [b"2", None, b"1", b"2"]
    assert await store.get_many([]) == []


async def test_keys_with_prefix_and_delete_prefix(backend: Backend) -> None:
    store = await backend.open()
    neighbour = await backend.open()
    for key in ("job:1", "job:2", "job:{t}:3", "jobs:4", "other"):
        await store.set(key, b"v")
    await store.add_counters([CounterDelta("job:counter", 1)])
    await neighbour.set("job:9", b"v")

    assert await store.keys_with_prefix("job:") == ["job:1", "job:2", "job:{t}:3"]
    assert await store.keys_with_prefix("") == ["job:1", "job:2", "job:{t}:3", "jobs:4", "other"]
    assert await store.keys_with_prefix("nope") == []

    assert await store.delete_prefix("job:") == 3
    assert await store.keys_with_prefix("") == ["jobs:4", "other"]
    assert await store.get_counters(["job:counter"]) == [1]
    assert await neighbour.keys_with_prefix("job:") == ["job:9"]
    assert await store.delete_prefix("job:") == 0


async def test_prefix_matching_is_literal(store: Store) -> None:
    for key in ("a*b:1", "a?b:2", "a[b]:3", "axb:4", "a\\b:5", "ab:6"):
        await store.set(key, b"v")
    assert await store.keys_with_prefix("a*") == ["a*b:1"]
    assert await store.keys_with_prefix("a?") == ["a?b:2"]
    assert await store.keys_with_prefix("a[b]") == ["a[b]:3"]
    assert await store.keys_with_prefix("a\\") == ["a\\b:5"]
    assert await store.delete_prefix("a[") == 1
    assert await store.keys_with_prefix("a") == ["a*b:1", "a?b:2", "a\\b:5", "ab:6", "axb:4"]


async def test_entries_and_counters_with_one_key_are_separate(store: Store) -> None:
    await store.set("shared", b"entry")
    await store.add_counters([CounterDelta("shared", 4)])
    assert await store.get("shared") == b"entry"
    assert await store.get_counters(["shared"]) == [4]
    assert await store.delete_counters("shared") == 1
    assert await store.get("shared") == b"entry"
    await store.add_counters([CounterDelta("shared", 2)])
    assert await store.delete("shared") == 1
    assert await store.get_counters(["shared"]) == [2]


async def test_add_counters_without_limits(store: Store) -> None:
    result = await store.add_counters([CounterDelta("{q}a", 3), CounterDelta("{q}b", 5)])
    assert result == CounterResult(applied=True, values=(3, 5))
    result = await store.add_counters([CounterDelta("{q}a", -1), CounterDelta("{q}b", 5)])
    assert result == CounterResult(applied=True, values=(2, 10))
    assert await store.get_counters(["{q}b", "{q}a"]) == [10, 2]


async def test_limits_are_ignored_unless_enforced(store: Store) -> None:
    result = await store.add_counters([CounterDelta("{q}a", 7, limit=5)])
    assert result == CounterResult(applied=True, values=(7,))


async def test_add_counters_up_to_the_limit(store: Store) -> None:
    deltas = [CounterDelta("{q}a", 2, limit=4), CounterDelta("{q}b", 3, limit=6)]
    assert await store.add_counters(deltas, enforce_limits=True) == CounterResult(True, (2, 3))
    assert await store.add_counters(deltas, enforce_limits=True) == CounterResult(True, (4, 6))


async def test_refusal_changes_nothing_and_names_the_first_refused_delta(store: Store) -> None:
    await store.add_counters([CounterDelta("{q}a", 1), CounterDelta("{q}b", 9)])
    deltas = [
        CounterDelta("{q}a", 1, limit=100),
        CounterDelta("{q}b", 2, limit=10),
        CounterDelta("{q}c", 50, limit=10),
    ]
    result = await store.add_counters(deltas, enforce_limits=True)
    assert result == CounterResult(applied=False, values=(1, 9, 0), refused_index=1)
    assert await store.get_counters(["{q}a", "{q}b", "{q}c"]) == [1, 9, 0]


async def test_repeated_key_is_checked_on_its_running_total(store: Store) -> None:
    deltas = [CounterDelta("{q}a", 3, limit=5), CounterDelta("{q}a", 3, limit=5)]
    result = await store.add_counters(deltas, enforce_limits=True)
    assert result == CounterResult(applied=False, values=(0, 0), refused_index=1)
    deltas = [CounterDelta("{q}a", 3, limit=5), CounterDelta("{q}a", 2, limit=5)]
    result = await store.add_counters(deltas, enforce_limits=True)
    assert result == CounterResult(applied=True, values=(5, 5))


async def test_negative_deltas_are_allowed_past_limits(store: Store) -> None:
    await store.add_counters([CounterDelta("{q}a", 10)])
    deltas = [CounterDelta("{q}a", -3, limit=5), CounterDelta("{q}b", -2, limit=0)]
    result = await store.add_counters(deltas, enforce_limits=True)
    assert result == CounterResult(applied=True, values=(7, -2))


async def test_counter_over_its_limit_still_refuses_increments(store: Store) -> None:
    await store.add_counters([CounterDelta("{q}a", 10)])
    result = await store.add_counters([CounterDelta("{q}a", 1, limit=5)], enforce_limits=True)
    assert result == CounterResult(applied=False, values=(10,), refused_index=0)
    result = await store.add_counters([CounterDelta("{q}a", 0, limit=5)], enforce_limits=True)
    assert result == CounterResult(applied=True, values=(10,))


async def test_empty_update_is_applied(store: Store) -> None:
    assert await store.add_counters([], enforce_limits=True) == CounterResult(True, ())


async def test_counters_expire_at_their_window_end(store: Store) -> None:
    window_end = time.time() + SHORT_TTL
    await store.add_counters([CounterDelta("{q}a", 2, expires_at=window_end)])
    # A later delta without expires_at keeps the counter's expiry.
    result = await store.add_counters([CounterDelta("{q}a", 3), CounterDelta("{q}b", 1)])
    assert result == CounterResult(True, (5, 1))
    await asyncio.sleep(PAST_SHORT_TTL)
    assert await store.get_counters(["{q}a", "{q}b"]) == [0, 1]
    result = await store.add_counters([CounterDelta("{q}a", 1, limit=1)], enforce_limits=True)
    assert result == CounterResult(True, (1,))
    await asyncio.sleep(PAST_SHORT_TTL)
    assert await store.get_counters(["{q}a"]) == [1]
    assert await store.delete_counters("{q}a") == 1


async def test_get_counters_of_missing_keys_is_zero(store: Store) -> None:
    assert await store.get_counters(["x", "y"]) == [0, 0]
    assert await store.get_counters([]) == []


async def test_delete_counters(store: Store) -> None:
    await store.add_counters([CounterDelta("{q}a", 1), CounterDelta("{q}b", 1)])
    assert await store.delete_counters("{q}a", "{q}b", "{q}missing") == 2
    assert await store.get_counters(["{q}a", "{q}b"]) == [0, 0]
    assert await store.delete_counters() == 0


async def test_concurrent_limited_increments_stop_exactly_at_the_limit(backend: Backend) -> None:
    first, second = await backend.open_twins()
    delta = [CounterDelta("{q}slots", 1, limit=10)]
    results = await asyncio.gather(
        *((first if i % 2 else second).add_counters(delta, enforce_limits=True) for i in range(50))
    )
    assert sum(result.applied for result in results) == 10
    assert sorted(result.values[0] for result in results if result.applied) == list(range(1, 11))
    assert await first.get_counters(["{q}slots"]) == [10]


# A random sequence of counter operations must match a plain in-memory model.

_KEYS = ("a", "b", "c")


@dataclass(frozen=True)
class _Add:
    deltas: tuple[tuple[str, int, int | None], ...]
    enforce: bool


@dataclass(frozen=True)
class _Get:
    keys: tuple[str, ...]


@dataclass(frozen=True)
class _Delete:
    keys: tuple[str, ...]


_Op = _Add | _Get | _Delete

_key = st.sampled_from(_KEYS)
_ops = st.lists(
    st.one_of(
        st.builds(
            _Add,
            st.lists(
                st.tuples(_key, st.integers(-5, 5), st.none() | st.integers(0, 10)),
                min_size=1,
                max_size=4,
            ).map(tuple),
            st.booleans(),
        ),
        st.builds(_Get, st.lists(_key, max_size=4).map(tuple)),
        st.builds(_Delete, st.lists(_key, max_size=3).map(tuple)),
    ),
    max_size=12,
)


def _model_add(model: dict[str, int], op: _Add) -> CounterResult:
    running = dict(model)
    for index, (key, amount, limit) in enumerate(op.deltas):
        running[key] = running.get(key, 0) + amount
        if op.enforce and amount > 0 and limit is not None and running[key] > limit:
            return CounterResult(False, tuple(model.get(k, 0) for k, _, _ in op.deltas), index)
    model.update(running)
    return CounterResult(True, tuple(model[k] for k, _, _ in op.deltas))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=_ops)
async def test_counter_operations_match_a_model(store: Store, ops: list[_Op]) -> None:
    tag = f"{{{uuid.uuid4().hex}}}:"  # fresh keys for each example, one hash slot
    model: dict[str, int] = {}
    for op in ops:
        if isinstance(op, _Add):
            deltas = [CounterDelta(tag + key, amount, limit) for key, amount, limit in op.deltas]
            expected = _model_add(model, op)
            assert await store.add_counters(deltas, enforce_limits=op.enforce) == expected
        elif isinstance(op, _Get):
            expected_values = [model.get(key, 0) for key in op.keys]
            assert await store.get_counters([tag + key for key in op.keys]) == expected_values
        else:
            present = {key for key in op.keys if key in model}
            assert await store.delete_counters(*(tag + key for key in op.keys)) == len(present)
            for key in present:
                del model[key]


async def test_set_many_writes_every_entry_with_its_expiry(store: Store) -> None:
    await store.set("{m}:old", b"replaced")
    await store.set_many({"{m}:old": b"one", "{m}:new": b"two"}, ttl=SHORT_TTL)
    await store.set_many({"{m}:kept": b"three"})
    await store.set_many({})
    assert await store.get_many(["{m}:old", "{m}:new", "{m}:kept"]) == [b"one", b"two", b"three"]
    await asyncio.sleep(PAST_SHORT_TTL)
    assert await store.get_many(["{m}:old", "{m}:new", "{m}:kept"]) == [None, None, b"three"]
    with pytest.raises(ValueError):
        await store.set_many({"{m}:x": b"v"}, ttl=0)


async def test_sets_add_read_and_remove(store: Store) -> None:
    await store.set_add({"band:{i}:a": ["x", "y"]}, ttl=60)
    await store.set_add({"band:{i}:a": ["y", "z"], "band:{i}:b": ["x"], "band:{i}:c": []}, ttl=60)
    assert await store.set_members(["band:{i}:a", "band:{i}:b", "band:{i}:none"]) == [
        frozenset({"x", "y", "z"}),
        frozenset({"x"}),
        frozenset(),
    ]
    assert await store.set_remove("band:{i}:a", ["x", "missing"]) == 1
    assert await store.set_members(["band:{i}:a"]) == [frozenset({"y", "z"})]
    assert await store.set_members([]) == []


async def test_sets_take_thousands_of_members_at_once_alone_or_in_a_batch(store: Store) -> None:
    many = [f"m{i}" for i in range(9000)]
    await store.set_add({"big:{j}:a": many, "big:{j}:b": ["one"]}, ttl=60)
    await store.write([AddToSets({"big:{j}:c": many[:700], "big:{j}:d": many[700:]}, ttl=60)])
    assert await store.set_members(["big:{j}:a", "big:{j}:b", "big:{j}:c", "big:{j}:d"]) == [
        frozenset(many),
        frozenset({"one"}),
        frozenset(many[:700]),
        frozenset(many[700:]),
    ]


async def test_a_batch_moves_the_expiry_of_every_set_it_adds_to(store: Store) -> None:
    await store.set_add({"{e}:kept": ["old"], "{e}:gone": ["old"]}, ttl=SHORT_TTL)
    await store.write([AddToSets({"{e}:kept": ["new"], "{e}:fresh": ["new"]}, ttl=60)])
    await asyncio.sleep(PAST_SHORT_TTL)
    assert await store.set_members(["{e}:kept", "{e}:gone", "{e}:fresh"]) == [
        frozenset({"old", "new"}),
        frozenset(),
        frozenset({"new"}),
    ]


async def test_a_set_expires_after_its_last_addition(store: Store) -> None:
    await store.set_add({"s": ["old"]}, ttl=SHORT_TTL)
    await store.set_add({"s": ["new"]}, ttl=60)
    await asyncio.sleep(PAST_SHORT_TTL)
    assert await store.set_members(["s"]) == [frozenset({"old", "new"})]
    await store.set_add({"t": ["one"]}, ttl=SHORT_TTL)
    await asyncio.sleep(PAST_SHORT_TTL)
    assert await store.set_members(["t"]) == [frozenset()]
    await store.set_add({"t": ["two"]}, ttl=60)
    assert await store.set_members(["t"]) == [frozenset({"two"})]


async def test_sets_and_entries_are_separate(store: Store) -> None:
    await store.set("idx:entry", b"v")
    await store.set_add({"idx:set": ["m"]}, ttl=60)
    await store.set_add({"other:set": ["m"]}, ttl=60)
    assert await store.keys_with_prefix("idx:") == ["idx:entry"]
    assert await store.delete_set_prefix("idx:") == 1
    assert await store.get("idx:entry") == b"v"
    assert await store.set_members(["idx:set", "other:set"]) == [frozenset(), frozenset({"m"})]
    assert await store.delete_prefix("other:") == 0
    assert await store.set_members(["other:set"]) == [frozenset({"m"})]


@pytest.mark.parametrize("ttl", [0.0, -1.0, float("nan")])
async def test_set_add_refuses_a_non_positive_ttl(store: Store, ttl: float) -> None:
    with pytest.raises(ValueError):
        await store.set_add({"s": ["m"]}, ttl=ttl)
