"""Channels: the service config names every Sanad service, retries UNAVAILABLE and bounds a
call's time; the tenant key reaches the server as a bearer header over plaintext and TLS; mTLS
presents the client's certificate."""

from __future__ import annotations

import json

import grpc
import pytest

from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad.health.v1 import health_pb2
from sanad.quota.v1 import quota_pb2
from sanad_client import (
    DEFAULT_SERVICE_CONFIG,
    SANAD_SERVICES,
    Tls,
    channel_options,
    open_aio_channel,
    open_channel,
    service_config,
)
from tests.clients.python.conftest import Certificates
from tests.clients.python.servers import Probe, analyzer_server
from tests.clients.python.statuses import rich_status

REQUEST = analyzer_pb2.AnalyzeRequest(policy_text="text")


def unavailable() -> grpc.Status:
    return rich_status(grpc.StatusCode.UNAVAILABLE, "replica restarting")


def test_the_service_config_names_every_service_of_the_api() -> None:
    declared = {
        module.DESCRIPTOR.services_by_name[name].full_name
        for module, name in (
            (analyzer_pb2, "AnalyzerService"),
            (quota_pb2, "QuotaService"),
            (health_pb2, "ProviderHealthService"),
        )
    }

    (method,) = json.loads(DEFAULT_SERVICE_CONFIG)["methodConfig"]

    assert set(SANAD_SERVICES) == declared
    assert [entry["service"] for entry in method["name"]] == list(SANAD_SERVICES)
    assert method["timeout"] == "30.000s"
    assert method["retryPolicy"] == {
        "maxAttempts": 3,
        "initialBackoff": "0.2s",
        "maxBackoff": "2s",
        "backoffMultiplier": 2,
        "retryableStatusCodes": ["UNAVAILABLE"],
    }


def test_a_single_attempt_config_has_no_retry_policy() -> None:
    (method,) = json.loads(service_config(timeout=5, max_attempts=1))["methodConfig"]

    assert method["timeout"] == "5.000s"
    assert "retryPolicy" not in method
    with pytest.raises(ValueError, match="max_attempts"):
        service_config(max_attempts=0)


def test_the_options_turn_retries_on_with_the_config() -> None:
    assert dict(channel_options()) == {
        "grpc.service_config": DEFAULT_SERVICE_CONFIG,
        "grpc.enable_retries": 1,
    }
    assert channel_options(None) == []


def test_unavailable_is_retried_by_the_default_config() -> None:
    probe = Probe(failures=[unavailable(), unavailable()])
    with analyzer_server(probe) as target, open_channel(target) as channel:
        response = analyzer_pb2_grpc.AnalyzerServiceStub(channel).Analyze(REQUEST)

    assert response.provider == "probe"
    assert len(probe.seen) == 3


def test_without_the_config_unavailable_reaches_the_caller() -> None:
    probe = Probe(failures=[unavailable()])
    with (
        analyzer_server(probe) as target,
        open_channel(target, service_config_json=None) as channel,
        pytest.raises(grpc.RpcError) as raised,
    ):
        analyzer_pb2_grpc.AnalyzerServiceStub(channel).Analyze(REQUEST, timeout=10)

    assert isinstance(raised.value, grpc.Call)
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    assert len(probe.seen) == 1


async def test_the_configs_timeout_bounds_a_call_without_one() -> None:
    # grpcio applies a service config's timeout only roughly: here a 1.5 s one ended calls
    # after 1 ms to 0.5 s, and a 0.2 s one once let a 1 s call through. So the stand-in
    # stalls far beyond that error, and the timeout is well above it.
    probe = Probe(delay=60.0)
    with analyzer_server(probe) as target:
        async with open_aio_channel(
            target, service_config_json=service_config(timeout=2.0)
        ) as channel:
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await analyzer_pb2_grpc.AnalyzerServiceStub(channel).Analyze(REQUEST)

    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED


def test_the_tenant_key_is_a_bearer_header_on_a_plaintext_sync_channel() -> None:
    probe = Probe()
    with analyzer_server(probe) as target, open_channel(target, tenant_key="k-1") as channel:
        stub = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
        stub.Analyze(REQUEST, timeout=10, metadata=(("x-request", "one"),))
        list(stub.AnalyzeStream(analyzer_pb2.AnalyzeStreamRequest(), timeout=10))

    assert [seen.get("authorization") for seen in probe.seen] == ["Bearer k-1", "Bearer k-1"]
    assert probe.seen[0]["x-request"] == "one"


async def test_the_tenant_key_is_a_bearer_header_on_a_plaintext_asyncio_channel() -> None:
    probe = Probe()
    with analyzer_server(probe) as target:
        async with open_aio_channel(target, tenant_key="k-2") as channel:
            stub = analyzer_pb2_grpc.AnalyzerServiceStub(channel)
            await stub.Analyze(REQUEST, timeout=10, metadata=(("x-request", "two"),))
            async for _ in stub.AnalyzeStream(analyzer_pb2.AnalyzeStreamRequest(), timeout=10):
                pass

    assert [seen.get("authorization") for seen in probe.seen] == ["Bearer k-2", "Bearer k-2"]
    assert probe.seen[0]["x-request"] == "two"


def test_without_a_tenant_key_no_authorization_is_sent() -> None:
    probe = Probe()
    with analyzer_server(probe) as target, open_channel(target) as channel:
        analyzer_pb2_grpc.AnalyzerServiceStub(channel).Analyze(REQUEST, timeout=10)

    assert "authorization" not in probe.seen[0]


@pytest.mark.parametrize("key", ["", " padded "])
def test_a_key_the_server_could_not_read_back_is_refused(key: str) -> None:
    with pytest.raises(ValueError, match="tenant key"):
        open_channel("127.0.0.1:1", tenant_key=key)


def test_call_credentials_alone_cannot_carry_the_key_over_plaintext() -> None:
    """Why plaintext channels use an interceptor: gRPC refuses call credentials there."""
    probe = Probe()
    with (
        analyzer_server(probe) as target,
        grpc.insecure_channel(target) as channel,
        pytest.raises(grpc.RpcError) as raised,
    ):
        analyzer_pb2_grpc.AnalyzerServiceStub(channel).Analyze(
            REQUEST, timeout=10, credentials=grpc.access_token_call_credentials("k")
        )

    assert isinstance(raised.value, grpc.Call)
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert probe.seen == []


def server_credentials(certificates: Certificates, mutual: bool) -> grpc.ServerCredentials:
    return grpc.ssl_server_credentials(
        [(certificates.server_key.read_bytes(), certificates.server_cert.read_bytes())],
        root_certificates=certificates.ca.read_bytes() if mutual else None,
        require_client_auth=mutual,
    )


def test_the_tenant_key_travels_as_a_call_credential_over_tls(
    certificates: Certificates,
) -> None:
    probe = Probe()
    tls = Tls(ca_file=certificates.ca)
    with (
        analyzer_server(probe, server_credentials(certificates, mutual=False)) as target,
        open_channel(target, tls=tls, tenant_key="k-3") as channel,
    ):
        response = analyzer_pb2_grpc.AnalyzerServiceStub(channel).Analyze(REQUEST, timeout=10)

    assert response.provider == "probe"
    assert probe.seen[0]["authorization"] == "Bearer k-3"


async def test_mutual_tls_presents_the_clients_certificate(certificates: Certificates) -> None:
    probe = Probe()
    mutual = Tls(
        ca_file=certificates.ca,
        cert_file=certificates.client_cert,
        key_file=certificates.client_key,
    )
    with analyzer_server(probe, server_credentials(certificates, mutual=True)) as target:
        async with open_aio_channel(target, tls=mutual, tenant_key="k-4") as channel:
            response = await analyzer_pb2_grpc.AnalyzerServiceStub(channel).Analyze(
                REQUEST, timeout=10
            )
        async with open_aio_channel(target, tls=Tls(ca_file=certificates.ca)) as channel:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await analyzer_pb2_grpc.AnalyzerServiceStub(channel).Analyze(REQUEST, timeout=10)

    assert response.provider == "probe"
    assert probe.seen[0]["authorization"] == "Bearer k-4"
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert len(probe.seen) == 1


def test_mtls_needs_both_certificate_and_key(certificates: Certificates) -> None:
    with pytest.raises(ValueError, match="both"):
        Tls(ca_file=certificates.ca, cert_file=certificates.client_cert)
