"""TLS material from PEM files, re-read when the files change, and the gRPC credentials made
from it.

A server's credentials come from gRPC's certificate configuration fetcher, which gRPC calls
before every new connection: the fetcher looks at the files' modification stamps and, when
they moved, reads them again. A certificate and key that do not belong together (a rotation
caught between writing one file and the other) are not used; the last good pair stays until
the files agree, so no handshake ever fails for a half-written rotation.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import grpc
import structlog

from sanad_common.config import ConfigurationError, Settings

log = structlog.get_logger(__name__)

Stamp = tuple[tuple[int, int, int] | None, ...]
"""Modification time, size and inode of each file (None for a missing one)."""


class CertificateError(ValueError):
    """PEM files that cannot be served: unreadable, unparsable, or a key of another certificate."""


@dataclass(frozen=True)
class TlsFiles:
    """Where a process finds its TLS material."""

    cert_file: Path | None = None
    """PEM certificate chain it presents."""
    key_file: Path | None = None
    """PEM private key of that certificate."""
    ca_file: Path | None = None
    """PEM CA bundle it verifies its peers with."""

    @classmethod
    def of(cls, settings: Settings) -> TlsFiles:
        """The files the settings name."""
        return cls(settings.tls_cert_file, settings.tls_key_file, settings.tls_ca_file)

    @property
    def paths(self) -> tuple[Path | None, ...]:
        """The three paths, in a fixed order."""
        return (self.cert_file, self.key_file, self.ca_file)

    def stamp(self) -> Stamp:
        """What changes when any of the files is replaced or rewritten."""
        return tuple(_stamp(path) for path in self.paths)


def _stamp(path: Path | None) -> tuple[int, int, int] | None:
    if path is None:
        return None
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size, status.st_ino)


@dataclass(frozen=True)
class TlsMaterial:
    """The files' content, checked: the certificate parses, the key is its key, the CA parses."""

    certificate_chain: bytes | None
    private_key: bytes | None
    ca: bytes | None

    @classmethod
    def read(cls, files: TlsFiles) -> TlsMaterial:
        """Read and check the files; CertificateError says what is wrong."""
        chain, key, ca = (_read(path) for path in files.paths)
        if chain is not None and key is not None:
            _check_pair(chain, key)
        if ca is not None:
            # Imported only once TLS is configured: cryptography is about 8 MiB a process.
            from cryptography import x509  # noqa: PLC0415

            try:
                x509.load_pem_x509_certificates(ca)
            except ValueError as error:
                raise CertificateError(f"{files.ca_file}: not a PEM CA bundle ({error})") from None
        return cls(chain, key, ca)


def _read(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError as error:
        raise CertificateError(f"{path}: {error.strerror or error}") from None


def _check_pair(chain: bytes, key: bytes) -> None:
    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives.serialization import load_pem_private_key  # noqa: PLC0415

    try:
        leaf = x509.load_pem_x509_certificates(chain)[0]
    except ValueError as error:
        raise CertificateError(f"not a PEM certificate chain ({error})") from None
    try:
        private = load_pem_private_key(key, password=None)
    except (ValueError, TypeError) as error:
        raise CertificateError(f"not an unencrypted PEM private key ({error})") from None
    if _public(leaf.public_key()) != _public(private.public_key()):
        raise CertificateError("the private key does not belong to the certificate")


def _public(key: object) -> bytes:
    public_bytes = getattr(key, "public_bytes", None)
    if public_bytes is None:
        raise CertificateError("the certificate's key type is not supported")
    from cryptography.hazmat.primitives.serialization import (  # noqa: PLC0415
        Encoding,
        PublicFormat,
    )

    encoded: bytes = public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return encoded


class ReloadingMaterial:
    """The latest good material of some files, read again when they change.

    One instance may serve a listener and channels at once; each compares what ``latest``
    returns with what it uses. Safe from any thread: gRPC calls a server's fetcher from its own.
    """

    def __init__(self, files: TlsFiles) -> None:
        """Read the files now; CertificateError if they cannot be served."""
        self._files = files
        self._lock = threading.Lock()
        self._stamp = files.stamp()
        self._refused: Stamp | None = None
        self._current = TlsMaterial.read(files)

    @property
    def files(self) -> TlsFiles:
        """The files read."""
        return self._files

    def latest(self) -> TlsMaterial:
        """The files' material, read again if they changed since; while changed files cannot
        be served (a rotation half written), the last good material."""
        stamp = self._files.stamp()
        if stamp == self._stamp:
            return self._current
        with self._lock:
            if stamp == self._stamp:
                return self._current
            try:
                material = TlsMaterial.read(self._files)
            except CertificateError as error:
                if stamp != self._refused:
                    log.warning(
                        "TLS files not reloaded, still using the last good ones",
                        error=str(error),
                    )
                    self._refused = stamp
                return self._current
            self._stamp = stamp
            self._current = material
        log.info("TLS certificates reloaded", cert_file=str(self._files.cert_file))
        return material


def _server_configuration(
    material: TlsMaterial, verify_clients: bool
) -> grpc.ServerCertificateConfiguration:
    if material.private_key is None or material.certificate_chain is None:
        raise CertificateError("a TLS server needs its certificate and key")
    return grpc.ssl_server_certificate_configuration(
        [(material.private_key, material.certificate_chain)],
        root_certificates=material.ca if verify_clients else None,
    )


def server_credentials(settings: Settings) -> grpc.ServerCredentials | None:
    """TLS credentials of a service's listener, None for plaintext (no certificate set).

    Raises ConfigurationError when the files cannot be served.
    """
    files = TlsFiles.of(settings)
    if files.cert_file is None:
        return None
    verify = settings.tls_client_auth == "require"
    try:
        material = ReloadingMaterial(files)
        initial = _server_configuration(material.latest(), verify)
    except CertificateError as error:
        raise ConfigurationError(f"TLS: {error}") from None

    served = [material.latest()]

    def fetch() -> grpc.ServerCertificateConfiguration | None:
        """gRPC asks before each new connection: None keeps the configuration it has."""
        fresh = material.latest()
        if fresh is served[0]:
            return None
        served[0] = fresh
        return _server_configuration(fresh, verify)

    # gRPC documents None as "keep the configuration you have"; typeshed leaves it out.
    fetcher = cast(Callable[[], grpc.ServerCertificateConfiguration], fetch)
    return grpc.dynamic_ssl_server_credentials(
        initial, fetcher, require_client_authentication=verify
    )


def channel_credentials(material: TlsMaterial) -> grpc.ChannelCredentials:
    """Credentials of a channel that verifies its server with the CA (gRPC's default roots
    without one) and presents the certificate, if there is one."""
    return grpc.ssl_channel_credentials(
        root_certificates=material.ca,
        private_key=material.private_key,
        certificate_chain=material.certificate_chain,
    )


def client_material(settings: Settings) -> ReloadingMaterial | None:
    """The material of a process's channels to quota and health: TLS verified against
    tls_ca_file, presenting the process's certificate when it has one; None (plaintext)
    without a CA file. Raises ConfigurationError when the files cannot be used."""
    if settings.tls_ca_file is None:
        return None
    try:
        return ReloadingMaterial(TlsFiles.of(settings))
    except CertificateError as error:
        raise ConfigurationError(f"TLS: {error}") from None
