"""A script batch on Redis and Redis Cluster: the runs' replies in order, each run applied
once (also when the server lost its script cache), a failed run raised after the others ran,
and a run whose keys span slots refused before anything is sent."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.exceptions import ResponseError

from sanad_common.storage.redis_store import RedisStore
from tests.support.services import unique_namespace

COUNT = "if ARGV[1] == 'fail' then return redis.error_reply('refused') end\n" + (
    "return redis.call('INCR', KEYS[1])"
)


@pytest.fixture(params=["redis_url", "redis_cluster_url"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[RedisStore]:
    """A Redis store in a fresh namespace, on one server and on a cluster."""
    url: str = request.getfixturevalue(request.param)
    opened = RedisStore.from_url(url, namespace=unique_namespace())
    yield opened
    await opened.aclose()


async def test_the_replies_come_in_the_order_of_the_runs(store: RedisStore) -> None:
    echo = store.script_batch("return {KEYS[1], ARGV[1]}")
    prefix = store.script_key_prefix.encode()

    replies = await echo([(["{a}x"], ["1"]), (["{b}y"], [2]), (["{c}z"], [3.5])])

    assert replies == [
        [prefix + b"{a}x", b"1"],
        [prefix + b"{b}y", b"2"],
        [prefix + b"{c}z", b"3.5"],
    ]
    assert await echo([]) == []


async def test_each_run_counts_once_also_after_the_script_cache_is_flushed(
    store: RedisStore,
) -> None:
    count = store.script_batch(COUNT)
    assert await count([(["{a}n"], ["ok"]), (["{a}n"], ["ok"]), (["{b}n"], ["ok"])]) == [1, 2, 1]

    await store._client.script_flush()

    assert await count([(["{a}n"], ["ok"]), (["{b}n"], ["ok"])]) == [3, 2]
    assert await count([(["{a}n"], ["ok"])]) == [4]


async def test_a_failed_run_is_raised_once_the_others_ran(store: RedisStore) -> None:
    count = store.script_batch(COUNT)

    with pytest.raises(ResponseError, match="refused"):
        await count([(["{a}n"], ["ok"]), (["{a}n"], ["fail"]), (["{a}n"], ["ok"])])

    assert await count([(["{a}n"], ["ok"])]) == [3]


async def test_a_run_whose_keys_span_slots_is_refused_in_a_cluster_before_any_run(
    redis_cluster_url: str,
) -> None:
    store = RedisStore.from_url(redis_cluster_url, namespace=unique_namespace())
    try:
        two_keys = store.script_batch(
            "redis.call('INCR', KEYS[1]) return redis.call('INCR', KEYS[2])"
        )
        count = store.script_batch(COUNT)

        with pytest.raises(ValueError, match="hash tag"):
            await two_keys([(["{a}n", "{a}m"], []), (["{a}n", "{b}m"], [])])

        assert await count([(["{a}n"], ["ok"])]) == [1]
    finally:
        await store.aclose()
