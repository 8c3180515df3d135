"""TLS through a real server made by the shared start-up: plaintext refused, verified calls
answered, client certificates required, and certificates re-read when their files change, on
both the listener and a dependency channel."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Literal

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from sanad_common.channels import dependency_channel
from sanad_common.config import ConfigurationError, Settings
from sanad_common.security.channel import RELOAD_CHECK_SECONDS
from sanad_common.security.tls import ReloadingMaterial, TlsFiles, TlsMaterial, channel_credentials
from sanad_common.server import RunningServer, ServiceDefinition, start_server
from sanad_launcher.certificates import (
    CertificateAuthority,
    Leaf,
    served_certificate_serial,
    write_atomically,
)

ClientAuth = Literal["none", "optional", "require"]
WHO = "/sanad.test.v1.Echo/Who"
"""A test method that answers with the common name of the caller's verified certificate."""


async def _who(request: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> bytes:
    names = list((context.auth_context() or {}).get("x509_common_name", [b""]))
    return bytes(names[0])


def _register(server: grpc.aio.Server) -> None:
    handler: grpc.RpcMethodHandler[bytes, bytes] = grpc.unary_unary_rpc_method_handler(_who)
    server.add_generic_rpc_handlers(
        [grpc.method_handlers_generic_handler("sanad.test.v1.Echo", {"Who": handler})]
    )


async def _ready() -> None:
    return None


@contextlib.asynccontextmanager
async def tls_server(
    server_leaf: Leaf, ca: CertificateAuthority, client_auth: ClientAuth = "none"
) -> AsyncIterator[RunningServer]:
    settings = Settings(
        host="127.0.0.1",
        tls_cert_file=server_leaf.cert_file,
        tls_key_file=server_leaf.key_file,
        tls_ca_file=ca.ca_file,
        tls_client_auth=client_auth,
    )
    running = await start_server(
        component="test",
        services=[ServiceDefinition(name="sanad.test.v1.Echo", register=_register)],
        port=0,
        settings=settings,
        readiness_check=_ready,
    )
    try:
        yield running
    finally:
        await running.stop(grace=0.5)


def _credentials(ca: CertificateAuthority, client: Leaf | None = None) -> grpc.ChannelCredentials:
    files = TlsFiles(
        cert_file=client.cert_file if client else None,
        key_file=client.key_file if client else None,
        ca_file=ca.ca_file,
    )
    return channel_credentials(TlsMaterial.read(files))


async def _check(channel: grpc.aio.Channel) -> int:
    # The typeshed stub declares no methods on HealthStub.
    stub: Any = health_pb2_grpc.HealthStub(channel)
    reply = await stub.Check(health_pb2.HealthCheckRequest(), timeout=5)
    return int(reply.status)


async def _who_am_i(channel: grpc.aio.Channel) -> str:
    who: grpc.aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(WHO)
    return (await who(b"", timeout=5)).decode()


@pytest.fixture
def ca(tmp_path: Path) -> CertificateAuthority:
    return CertificateAuthority(tmp_path / "ca")


async def test_a_tls_service_refuses_plaintext_and_answers_a_verified_call(
    ca: CertificateAuthority,
) -> None:
    leaf = ca.issue("server")
    async with tls_server(leaf, ca) as running:
        target = f"127.0.0.1:{running.port}"
        async with grpc.aio.insecure_channel(target) as plaintext:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await _check(plaintext)
        async with grpc.aio.secure_channel(target, _credentials(ca)) as channel:
            assert await _check(channel) == health_pb2.HealthCheckResponse.SERVING

    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


async def test_a_server_of_another_ca_is_not_trusted(
    ca: CertificateAuthority, tmp_path: Path
) -> None:
    other = CertificateAuthority(tmp_path / "other", name="other-ca")
    async with tls_server(other.issue("impostor"), other) as running:
        target = f"127.0.0.1:{running.port}"
        async with grpc.aio.secure_channel(target, _credentials(ca)) as channel:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await _check(channel)

    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


async def test_require_serves_only_clients_with_a_certificate_of_the_ca(
    ca: CertificateAuthority, tmp_path: Path
) -> None:
    other = CertificateAuthority(tmp_path / "other", name="other-ca")
    async with tls_server(ca.issue("quota"), ca, "require") as running:
        target = f"127.0.0.1:{running.port}"
        refused = []
        for credentials in (_credentials(ca), _credentials(ca, other.issue("stranger"))):
            async with grpc.aio.secure_channel(target, credentials) as channel:
                with pytest.raises(grpc.aio.AioRpcError) as raised:
                    await _check(channel)
                refused.append(raised.value.code())
        async with grpc.aio.secure_channel(
            target, _credentials(ca, ca.issue("analyzer"))
        ) as channel:
            caller = await _who_am_i(channel)

    assert refused == [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNAVAILABLE]
    assert caller == "analyzer"


@pytest.mark.parametrize("client_auth", ["none", "optional"])
async def test_none_and_optional_serve_a_client_without_a_certificate(
    ca: CertificateAuthority, client_auth: ClientAuth
) -> None:
    async with (
        tls_server(ca.issue("analyzer"), ca, client_auth) as running,
        grpc.aio.secure_channel(f"127.0.0.1:{running.port}", _credentials(ca)) as channel,
    ):
        assert await _check(channel) == health_pb2.HealthCheckResponse.SERVING


async def test_new_connections_get_the_replaced_certificate_and_old_ones_carry_on(
    ca: CertificateAuthority,
) -> None:
    first = ca.issue("analyzer", file_stem="served")
    async with tls_server(first, ca) as running:
        target = f"127.0.0.1:{running.port}"
        async with grpc.aio.secure_channel(target, _credentials(ca)) as channel:
            await _check(channel)
            before = served_certificate_serial(running.port, ca.ca_file)
            second = ca.issue("analyzer", file_stem="served")
            after = served_certificate_serial(running.port, ca.ca_file)
            assert await _check(channel) == health_pb2.HealthCheckResponse.SERVING

    assert (before, after) == (first.serial, second.serial)


async def test_a_half_written_rotation_keeps_the_last_good_pair(
    ca: CertificateAuthority,
) -> None:
    first = ca.issue("analyzer", file_stem="served")
    spare = ca.issue("analyzer", file_stem="spare")
    async with tls_server(first, ca) as running:
        # The new certificate is in place, its key not yet: the pair does not match.
        write_atomically(first.cert_file, spare.cert_file.read_bytes())
        during = served_certificate_serial(running.port, ca.ca_file)
        write_atomically(first.key_file, spare.key_file.read_bytes())
        after = served_certificate_serial(running.port, ca.ca_file)

    assert (during, after) == (first.serial, spare.serial)


async def test_unservable_files_stop_the_start_with_a_clear_error(
    ca: CertificateAuthority,
) -> None:
    leaf = ca.issue("server")
    mismatched = ca.issue("other")
    broken = Leaf(leaf.common_name, leaf.serial, leaf.cert_file, mismatched.key_file)
    with pytest.raises(ConfigurationError, match="does not belong to the certificate"):
        async with tls_server(broken, ca):
            pass


async def test_a_dependency_channel_presents_its_replaced_certificate(
    ca: CertificateAuthority,
) -> None:
    ca.issue("analyzer", file_stem="client")
    material = ReloadingMaterial(
        TlsFiles(ca.folder / "client.pem", ca.folder / "client.key", ca.ca_file)
    )
    async with (
        tls_server(ca.issue("quota"), ca, "require") as running,
        dependency_channel(f"127.0.0.1:{running.port}", 0.2, tls=material) as channel,
    ):
        before = await _who_am_i(channel)
        ca.issue("analyzer-renewed", file_stem="client")
        await asyncio.sleep(RELOAD_CHECK_SECONDS * 1.2)  # waits out the check interval on purpose
        after = [await _who_am_i(channel) for _ in range(2)]

    assert before == "analyzer"
    assert after == ["analyzer-renewed", "analyzer-renewed"]
