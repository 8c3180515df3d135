"""Commands packed by hiredis are the bytes redis-py's own asyncio packer sends, and a store
on one Redis server uses them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from redis.asyncio.connection import Connection, SSLConnection
from redis.exceptions import DataError
from redis.typing import EncodableT

from sanad_common.storage.redis_packing import PackedConnection, PackedSSLConnection
from sanad_common.storage.redis_store import RedisStore


def _view(data: bytes) -> memoryview:
    return memoryview(data)


_ARGUMENT = st.one_of(
    st.text(),
    st.binary(),
    st.integers(),
    st.floats(allow_nan=False),
    st.binary().map(bytearray),
    st.binary().map(_view),
)
_COMMAND = st.sampled_from(["EVALSHA", "SET", "CONFIG GET", b"MGET", b"CLIENT SETNAME"])


def _packed_by_redis_py(*args: EncodableT) -> bytes:
    return b"".join(bytes(chunk) for chunk in Connection().pack_command(*args))


@given(_COMMAND, st.lists(_ARGUMENT, max_size=50))
def test_the_bytes_are_redis_py_s_own(command: str | bytes, arguments: list[EncodableT]) -> None:
    expected = _packed_by_redis_py(command, *arguments)
    assert b"".join(PackedConnection().pack_command(command, *arguments)) == expected


def test_a_large_value_is_packed_whole() -> None:
    value = b"x" * 200_000  # past redis-py's chunking cutoff
    packed = b"".join(PackedConnection().pack_command("SET", "key", value))
    assert packed == _packed_by_redis_py("SET", "key", value)


@pytest.mark.parametrize("value", [True, None, object()])
def test_a_value_of_another_type_is_refused_as_redis_py_refuses_it(value: object) -> None:
    with pytest.raises(DataError):
        Connection().pack_command("SET", "key", value)  # type: ignore[arg-type]
    with pytest.raises(DataError):
        PackedConnection().pack_command("SET", "key", value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "connection_class"),
    [
        ("redis://127.0.0.1:6379/0", PackedConnection),
        ("rediss://127.0.0.1:6379/0", PackedSSLConnection),
    ],
)
def test_a_store_on_one_server_packs_with_hiredis(url: str, connection_class: type) -> None:
    store = RedisStore.from_url(url)
    pool = store._client.connection_pool  # type: ignore[union-attr]
    assert pool.connection_class is connection_class
    assert issubclass(connection_class, SSLConnection) is url.startswith("rediss")


async def test_a_real_server_reads_what_the_packed_connection_wrote(redis_url: str) -> None:
    store = RedisStore.from_url(redis_url, namespace="packing-test")
    try:
        value = "مرتجع ١٤ يوم".encode() + bytes(range(256))
        await store.set("key", value, ttl=30)
        assert await store.get("key") == value
        script = store.script("return {KEYS[1], ARGV[1], ARGV[2], ARGV[3]}")
        assert await script(["k"], ["نص", 7, 1.5]) == [
            b"packing-test:s:k",
            "نص".encode(),
            b"7",
            b"1.5",
        ]
    finally:
        await store.aclose()
