"""The CLI's few settings: the services' own variable names and file, options first, and
nothing else of the services' configuration read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sanad_cli.errors import EXIT_UNREACHABLE, CliError
from sanad_cli.settings import CliSettings
from sanad_common.config import Settings


@pytest.fixture(autouse=True)
def _no_sanad_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sets the variables it is about, and no others."""
    for name in list(os.environ):
        if name.startswith("SANAD_"):
            monkeypatch.delenv(name)


def _resolved(analyzer: str | None = None, timeout: float = 30.0) -> CliSettings:
    return CliSettings.resolve(analyzer, None, None, timeout)


def test_defaults_are_the_services_defaults() -> None:
    cli, services = _resolved(), Settings()

    assert (cli.analyzer_target, cli.quota_target, cli.health_target) == (
        services.analyzer_target,
        services.quota_target,
        services.health_target,
    )
    assert cli.admin_token is None


def test_the_services_variables_configure_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANAD_ANALYZER_TARGET", "analyzer.internal:7001")
    monkeypatch.setenv("SANAD_QUOTA_TARGET", "quota.internal:7002")
    monkeypatch.setenv("SANAD_HEALTH_TARGET", "health.internal:7003")
    monkeypatch.setenv("SANAD_ADMIN_TOKEN", "s3cret")

    settings = _resolved(timeout=4.5)

    assert (settings.analyzer_target, settings.quota_target, settings.health_target) == (
        "analyzer.internal:7001",
        "quota.internal:7002",
        "health.internal:7003",
    )
    assert settings.timeout == 4.5
    assert settings.admin_metadata() == (("authorization", "Bearer s3cret"),)


def test_options_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANAD_ANALYZER_TARGET", "analyzer.internal:7001")
    monkeypatch.setenv("SANAD_QUOTA_TARGET", "quota.internal:7002")

    settings = CliSettings.resolve("127.0.0.1:9001", None, "127.0.0.1:9003", 30.0)

    assert (settings.analyzer_target, settings.quota_target, settings.health_target) == (
        "127.0.0.1:9001",
        "quota.internal:7002",
        "127.0.0.1:9003",
    )


def test_the_services_config_file_is_read_below_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "sanad.toml"
    config.write_text(
        'analyzer_target = "file:1"\nquota_target = "file:2"\nstore_url = "redis://x:6379/0"\n'
        '[[providers]]\nname = "openai"\nkind = "openai"\nmodel = "gpt-4o-mini"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("SANAD_CONFIG_FILE", str(config))
    monkeypatch.setenv("SANAD_QUOTA_TARGET", "env:2")

    settings = _resolved()

    assert (settings.analyzer_target, settings.quota_target) == ("file:1", "env:2")


def test_settings_only_the_services_use_cannot_stop_the_cli(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SANAD_QUOTA_PORT", "not-a-port")
    monkeypatch.setenv("SANAD_DEFAULT_DEADLINE", "-1")
    monkeypatch.setenv("SANAD_ANALYZER_TARGET", "127.0.0.1:9001")

    assert _resolved().analyzer_target == "127.0.0.1:9001"


def test_an_invalid_value_is_one_line_and_exit_code_2() -> None:
    with pytest.raises(CliError) as raised:
        _resolved(timeout=0)

    assert str(raised.value) == "invalid configuration: timeout: Input should be greater than 0"
    assert raised.value.exit_code == EXIT_UNREACHABLE


def test_a_missing_config_file_is_one_line_and_exit_code_2(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SANAD_CONFIG_FILE", "missing.toml")

    with pytest.raises(CliError) as raised:
        _resolved()

    assert (
        str(raised.value) == "invalid configuration: SANAD_CONFIG_FILE=missing.toml: no such file"
    )
    assert raised.value.exit_code == EXIT_UNREACHABLE


def test_a_config_file_that_is_not_toml_is_one_line_and_exit_code_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "sanad.toml"
    broken.write_text("analyzer_target = [unclosed\n")
    monkeypatch.setenv("SANAD_CONFIG_FILE", str(broken))

    with pytest.raises(CliError) as raised:
        _resolved()

    assert str(raised.value).startswith("invalid configuration: ")
    assert "\n" not in str(raised.value)
    assert raised.value.exit_code == EXIT_UNREACHABLE


def test_admin_calls_without_a_token_stop_with_a_clear_error() -> None:
    with pytest.raises(CliError) as raised:
        _resolved().admin_metadata()

    assert str(raised.value) == "this command needs the admin token: set SANAD_ADMIN_TOKEN"
    assert raised.value.exit_code == EXIT_UNREACHABLE


def test_the_clients_tls_files_and_a_tenant_key_configure_the_cli(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SANAD_TLS_CA_FILE", str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SANAD_TLS_CERT_FILE", str(tmp_path / "cli.pem"))
    monkeypatch.setenv("SANAD_TLS_KEY_FILE", str(tmp_path / "cli.key"))
    monkeypatch.setenv("SANAD_TLS_CLIENT_AUTH", "require")  # a service's own: not read
    monkeypatch.setenv("SANAD_TENANT_KEY", "k-1")

    settings = _resolved()

    tls = settings.tls()
    assert tls is not None
    assert (tls.ca_file, tls.cert_file, tls.key_file) == (
        tmp_path / "ca.pem",
        tmp_path / "cli.pem",
        tmp_path / "cli.key",
    )
    assert settings.tenant_metadata() == (("authorization", "Bearer k-1"),)
    assert "k-1" not in repr(settings)


def test_without_a_ca_file_the_cli_is_plaintext_and_sends_no_key() -> None:
    settings = _resolved()

    assert settings.tls() is None
    assert settings.tenant_metadata() == ()


def test_a_certificate_without_its_key_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SANAD_TLS_CA_FILE", str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SANAD_TLS_CERT_FILE", str(tmp_path / "cli.pem"))

    with pytest.raises(CliError, match="cert_file and key_file") as raised:
        _resolved()
    assert raised.value.exit_code == EXIT_UNREACHABLE
