"""Free TCP ports on the loopback interface, for servers started by tests and benchmarks.

The OS picks a port that is free at the moment we ask; a server started right after almost
always gets it. Only 127.0.0.1 is ever bound.
"""

from __future__ import annotations

import socket


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
