"""What a TLS server shows a new connection, read with the standard library's ssl module."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

from cryptography import x509

from sanad_launcher.certificates import Leaf


def served_certificate_serial(
    port: int, ca_file: Path, client: Leaf | None = None, host: str = "127.0.0.1"
) -> int:
    """The serial number of the certificate a TLS server on host:port shows a new connection
    (presenting client's certificate, for a server that requires one)."""
    context = ssl.create_default_context(cafile=str(ca_file))
    context.set_alpn_protocols(["h2"])
    if client is not None:
        context.load_cert_chain(client.cert_file, client.key_file)
    with (
        socket.create_connection((host, port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=host) as wrapped,
    ):
        der = wrapped.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der).serial_number
