"""The tenants file and the rule that a call serves the tenant its key proves."""

from __future__ import annotations

import hashlib
from pathlib import Path

import grpc
import pytest
from google.rpc import error_details_pb2

from sanad_common.config import ConfigurationError
from sanad_common.errors import ServiceError
from sanad_common.security.caller import Caller, bearer_token
from sanad_common.tenancy import ApiKeyAuthenticator, TenantAccess, TenantDirectory
from tests.support.tenants import KeyedTenant, tenant_directory


def caller(bearer: str | None) -> Caller:
    return Caller(bearer=bearer, peer="ipv4:127.0.0.1:1", certificate_subject=None)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def test_the_file_gives_ids_hashes_and_limits_with_unset_limits_unlimited(tmp_path: Path) -> None:
    file = tmp_path / "tenants.toml"
    file.write_text(
        f'[[tenants]]\nid = "shop-a"\nkey_sha256 = "{digest("a").upper()}"\n'
        "hourly_requests = 3\ndaily_tokens = 500\n\n"
        f'[[tenants]]\nid = "shop-b"\nkey_sha256 = ["{digest("b1")}", "{digest("b2")}"]\n'
    )

    directory = TenantDirectory.load(file)

    shop_a, shop_b = directory.tenants
    assert shop_a.id == "shop-a" and shop_a.key_digests == (hashlib.sha256(b"a").digest(),)
    assert (shop_a.limits.hourly_requests, shop_a.limits.daily_tokens) == (3, 500)
    assert (shop_a.limits.daily_requests, shop_a.limits.minute_requests) == (-1, -1)
    assert len(shop_b.key_digests) == 2
    assert directory.get("shop-b") is shop_b and directory.get("shop-c") is None


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ('[[tenants]]\nid = "a"\nkey_sha256 = "abc"\n', "64 hexadecimal digits"),
        ('[[tenants]]\nid = "a b"\nkey_sha256 = "' + "0" * 64 + '"\n', "id"),
        ('[[tenants]]\nid = "a"\nkey_sha256 = []\n', "at least one hash"),
        ('[[tenants]]\nid = "a"\nkey_sha256 = "' + "0" * 64 + '"\nweekly = 1\n', "weekly"),
        (
            '[[tenants]]\nid = "a"\nkey_sha256 = "' + "0" * 64 + '"\n'
            '[[tenants]]\nid = "b"\nkey_sha256 = "' + "0" * 64 + '"\n',
            "share a key_sha256",
        ),
        (
            '[[tenants]]\nid = "a"\nkey_sha256 = "' + "0" * 64 + '"\n'
            '[[tenants]]\nid = "a"\nkey_sha256 = "' + "1" * 64 + '"\n',
            "more than once",
        ),
        ("tenants = [", "not TOML"),
    ],
)
def test_a_file_that_cannot_be_served_is_a_configuration_error(
    tmp_path: Path, content: str, complaint: str
) -> None:
    file = tmp_path / "tenants.toml"
    file.write_text(content)
    with pytest.raises(ConfigurationError, match=complaint):
        TenantDirectory.load(file)


def test_a_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="tenants file"):
        TenantDirectory.load(tmp_path / "absent.toml")


def test_a_key_names_its_tenant_and_nothing_else_does(tmp_path: Path) -> None:
    shop = KeyedTenant("shop-a")
    keys = ApiKeyAuthenticator(tenant_directory(tmp_path, shop, KeyedTenant("shop-b")))

    assert keys.tenant_of(caller(shop.key)) == "shop-a"
    assert keys.tenant_of(caller(shop.key + "x")) is None
    assert keys.tenant_of(caller(digest(shop.key))) is None
    assert keys.tenant_of(caller(None)) is None


def test_every_key_of_a_rotation_is_accepted(tmp_path: Path) -> None:
    file = tmp_path / "tenants.toml"
    file.write_text(
        f'[[tenants]]\nid = "shop"\nkey_sha256 = ["{digest("new")}", "{digest("old")}"]\n'
    )
    keys = ApiKeyAuthenticator(TenantDirectory.load(file))

    assert [keys.tenant_of(caller(key)) for key in ("new", "old", "older")] == [
        "shop",
        "shop",
        None,
    ]


def test_the_bearer_header_is_read_as_http_reads_it() -> None:
    assert bearer_token([("authorization", "Bearer k1")]) == "k1"
    assert bearer_token([("authorization", "bearer  k2 ")]) == "k2"
    assert bearer_token([("authorization", "Basic k3")]) is None
    assert bearer_token([("authorization", "Bearer ")]) is None
    assert bearer_token([("x-api-key", "k4")]) is None


def test_a_call_serves_the_proved_tenant_and_may_only_repeat_it(tmp_path: Path) -> None:
    shop = KeyedTenant("shop-a")
    access = TenantAccess(ApiKeyAuthenticator(tenant_directory(tmp_path, shop)))

    assert access.tenant_for(caller(shop.key), "") == "shop-a"
    assert access.tenant_for(caller(shop.key), "shop-a") == "shop-a"
    refusals = []
    for presented, claimed in ((None, ""), ("wrong", "shop-a"), (shop.key, "shop-b")):
        with pytest.raises(ServiceError) as raised:
            access.tenant_for(caller(presented), claimed)
        info = raised.value.details[0]
        assert isinstance(info, error_details_pb2.ErrorInfo)
        refusals.append((raised.value.code, info.reason))

    assert refusals == [
        (grpc.StatusCode.UNAUTHENTICATED, "TENANT_KEY_MISSING"),
        (grpc.StatusCode.UNAUTHENTICATED, "TENANT_KEY_INVALID"),
        (grpc.StatusCode.PERMISSION_DENIED, "TENANT_MISMATCH"),
    ]


def test_without_a_file_the_request_names_its_tenant() -> None:
    access = TenantAccess(None)

    assert not access.enforced
    assert access.tenant_for(caller(None), "anyone") == "anyone"
