"""Certificates for the TLS tests, made with the cryptography package for this session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from sanad_launcher.certificates import CertificateAuthority


@dataclass(frozen=True)
class Certificates:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, all PEM files."""

    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    folder = tmp_path_factory.mktemp("tls")
    authority = CertificateAuthority(folder)
    server = authority.issue("server")
    client = authority.issue("client")
    return Certificates(
        ca=authority.ca_file,
        server_cert=server.cert_file,
        server_key=server.key_file,
        client_cert=client.cert_file,
        client_key=client.key_file,
    )
