"""Ports for test servers: free, distinct, and out of reach of outgoing connections."""

from __future__ import annotations

import socket

import pytest

from sanad_launcher import ports
from sanad_launcher.ports import LOWEST_PORT, ephemeral_start, free_port


def test_free_ports_are_distinct_bindable_and_below_the_ephemeral_range() -> None:
    ports = [free_port() for _ in range(50)]

    assert len(set(ports)) == len(ports)
    assert all(LOWEST_PORT <= port < ephemeral_start() for port in ports)
    for port in ports[:5]:
        with socket.create_server(("127.0.0.1", port)):
            pass


def test_a_port_a_server_listens_on_is_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listening, socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        busy, free = listening.getsockname()[1], closed.getsockname()[1]
        closed.close()
        offered = iter([busy, free])
        # Both came from the ephemeral range: let the choice reach them.
        monkeypatch.setattr(ports, "ephemeral_start", lambda: 65535)
        monkeypatch.setattr(ports._choice, "randint", lambda low, high: next(offered))

        assert ports.free_port() == free
