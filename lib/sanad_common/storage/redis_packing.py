"""Commands packed into the Redis protocol by hiredis (C) instead of redis-py's asyncio packer.

redis-py's synchronous connections pack with ``hiredis.pack_command`` when hiredis is
installed; its asyncio connections always pack in Python, argument by argument, which is a
few per cent of quota's CPU per Reserve (an EVALSHA of some forty arguments). These connection
classes pack as the synchronous client does, with the same rules: a command name holding a
space is split ("CONFIG GET"), a bytearray or memoryview is sent as bytes, text is UTF-8 (the
only encoding a Sanad store URL can select), and a value of another type is refused with
redis-py's ``DataError``. ``tests/common/storage/test_redis_packing.py`` holds the bytes equal
to redis-py's own packer for every kind of argument.
"""

from __future__ import annotations

import hiredis
from redis.asyncio.connection import AbstractConnection, Connection, SSLConnection
from redis.exceptions import DataError
from redis.typing import EncodableT


class _HiredisPacking(AbstractConnection):
    """Packs each command in one call to hiredis."""

    def pack_command(self, *args: EncodableT) -> list[bytes]:
        command = args[0]
        if isinstance(command, str):
            args = (*command.encode().split(), *args[1:])
        elif isinstance(command, bytes) and b" " in command:
            args = (*command.split(), *args[1:])
        arguments = tuple(
            bytes(arg) if isinstance(arg, (bytearray, memoryview)) else arg for arg in args
        )
        try:
            # hiredis's stub types the tuple as one element; it takes any number
            return [hiredis.pack_command(arguments)]  # type: ignore[arg-type]
        except TypeError as error:
            raise DataError(str(error)) from error


class PackedConnection(_HiredisPacking, Connection):
    """A TCP connection that packs commands with hiredis."""


class PackedSSLConnection(_HiredisPacking, SSLConnection):
    """A TLS connection (``rediss://``) that packs commands with hiredis."""


PACKED_CLASSES: dict[type[AbstractConnection], type[AbstractConnection]] = {
    Connection: PackedConnection,
    SSLConnection: PackedSSLConnection,
}
"""The packed class for each class redis-py picks from a URL's scheme."""
