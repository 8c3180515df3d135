"""Development certificates, made with the cryptography package when asked (no key is ever
checked in): for ``make run TLS=1``, the tests and the benchmark.

A :class:`CertificateAuthority` signs leaves for 127.0.0.1, localhost and the suite's service
names; a leaf's files are written with a rename, as a certificate manager replaces them, so a
reader sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import argparse
import datetime
import ipaddress
import os
import socket
import ssl
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = datetime.timedelta(days=7)
"""How long a development certificate is valid."""
NAMES = ("localhost", "analyzer", "quota", "health")
"""DNS names every leaf carries: this host's, and the services' in the compose file."""
LOOPBACK = ("127.0.0.1", "::1")
"""Addresses every leaf carries: local runs and tests only ever listen there."""


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def write_atomically(path: Path, data: bytes) -> None:
    """Replace path's content in one rename."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)


@dataclass(frozen=True)
class Leaf:
    """A certificate and its key, as PEM files."""

    common_name: str
    serial: int
    cert_file: Path
    key_file: Path


class CertificateAuthority:
    """A self-signed CA whose certificate is ``ca_file``; it issues leaves into its folder."""

    def __init__(self, folder: Path, name: str = "sanad-dev-ca") -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.name = name
        self._key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(name))
            .issuer_name(_name(name))
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self._key, hashes.SHA256())
        )
        self.ca_file = folder / f"{name}.pem"
        self.ca_file.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))

    def issue(self, common_name: str, *, file_stem: str | None = None) -> Leaf:
        """A leaf for LOOPBACK and NAMES, usable by a server and as a client certificate,
        written (replacing any) as file_stem.pem and file_stem.key."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        serial = x509.random_serial_number()
        certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(serial)
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + VALIDITY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.SubjectAlternativeName(
                    [
                        *(x509.DNSName(name) for name in NAMES),
                        *(x509.IPAddress(ipaddress.ip_address(address)) for address in LOOPBACK),
                    ]
                ),
                critical=False,
            )
            .add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
                ),
                critical=False,
            )
            .sign(self._key, hashes.SHA256())
        )
        stem = file_stem or common_name
        leaf = Leaf(common_name, serial, self.folder / f"{stem}.pem", self.folder / f"{stem}.key")
        write_atomically(leaf.key_file, _key_pem(key))
        write_atomically(leaf.cert_file, certificate.public_bytes(serialization.Encoding.PEM))
        return leaf


@dataclass(frozen=True)
class SuiteTls:
    """A CA and one leaf that every process of a local suite presents."""

    ca_file: Path
    """The CA bundle clients verify the services with."""
    leaf: Leaf
    """The services' certificate, also their client certificate towards each other."""

    def env(self, client_auth: str) -> dict[str, str]:
        """The TLS settings of one service that asks clients for client_auth."""
        return {
            "SANAD_TLS_CERT_FILE": str(self.leaf.cert_file),
            "SANAD_TLS_KEY_FILE": str(self.leaf.key_file),
            "SANAD_TLS_CA_FILE": str(self.ca_file),
            "SANAD_TLS_CLIENT_AUTH": client_auth,
        }


def suite_tls(folder: Path) -> SuiteTls:
    """The development CA and leaf in folder, made anew unless both are there and valid for
    another day (the CA's key is never written: a new leaf means a new CA)."""
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "sanad.pem", folder / "sanad.key"
    if _still_valid(ca_file) and _still_valid(cert_file) and key_file.is_file():
        serial = x509.load_pem_x509_certificate(cert_file.read_bytes()).serial_number
        return SuiteTls(ca_file, Leaf("sanad", serial, cert_file, key_file))
    authority = CertificateAuthority(folder)
    os.replace(authority.ca_file, ca_file)
    return SuiteTls(ca_file, authority.issue("sanad"))


def _still_valid(path: Path) -> bool:
    if not path.is_file():
        return False
    certificate = x509.load_pem_x509_certificate(path.read_bytes())
    remaining = certificate.not_valid_after_utc - datetime.datetime.now(datetime.UTC)
    return remaining > datetime.timedelta(days=1)


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
    if der is None:
        raise ssl.SSLError(f"{host}:{port} showed no certificate")
    return x509.load_der_x509_certificate(der).serial_number


def main() -> None:
    """``python -m sanad_launcher.certificates DIR`` (``make tls-certs``): the development CA
    and leaf in DIR, for docker-compose.tls.yml; kept while valid for another day."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    tls = suite_tls(args.folder)
    sys.stdout.write(f"CA {tls.ca_file}; certificate {tls.leaf.cert_file}, ")
    sys.stdout.write(f"key {tls.leaf.key_file}\n")


if __name__ == "__main__":
    main()
