"""Free TCP ports on the loopback interface, for servers started by tests and benchmarks.

A port is taken from below the kernel's ephemeral range: the kernel never gives such a port
to an outgoing connection, so between the choice and the server's bind (seconds, while the
services before it start) only another listener could take it. A port from ``bind(0)``
comes from the ephemeral range, and any process's next connection could use it as its
source port first: a test suite then failed with "Address already in use". Only 127.0.0.1 is
ever bound.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path
from typing import Final

EPHEMERAL_RANGE: Final = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST_PORT: Final = 20000
"""The lowest port handed out: above the well-known and registered ports servers use."""
_ATTEMPTS: Final = 200
_handed_out: set[int] = set()
"""Ports this process already handed out: two servers of one suite never get the same one."""
_choice = random.Random()


def ephemeral_start() -> int:
    """The first port of the kernel's ephemeral range (Linux's default when unreadable)."""
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now and that no outgoing
    connection can take; from the ephemeral range only when none below it is free."""
    highest = ephemeral_start() - 1
    for _ in range(_ATTEMPTS if highest > LOWEST_PORT else 0):
        port = _choice.randint(LOWEST_PORT, highest)
        if port not in _handed_out and _bindable(port):
            _handed_out.add(port)
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        chosen: int = sock.getsockname()[1]
        return chosen


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True
