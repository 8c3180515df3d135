"""Settings: the documented variable names, the TOML file, and their precedence."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from sanad_common.config import load_settings


def test_defaults_are_the_documented_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SANAD_CONFIG_FILE", raising=False)
    settings = load_settings()
    assert (settings.analyzer_port, settings.quota_port, settings.health_port) == (
        50051,
        50052,
        50053,
    )
    assert settings.store_url == "sqlite:///var/sanad.db"
    assert settings.graceful_degradation_enable is True
    assert settings.graceful_degradation_ttl == 604_800
    assert settings.idempotency_ttl == 86_400
    assert (settings.max_daily_requests, settings.max_daily_tokens) == (1000, 1_000_000)
    assert (settings.quota_warning_ratio, settings.quota_critical_ratio) == (0.75, 0.90)
    assert settings.blacklist_duration == 300
    assert settings.provider_names() == ("openai", "gemini")


def test_original_and_sdk_variable_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("GEMINI_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("MAX_DAILY_REQUESTS", "5")
    monkeypatch.setenv("GRACEFUL_DEGRADATION_ENABLE", "false")
    monkeypatch.setenv("SANAD_STORE_URL", "redis://127.0.0.1:6379/0")
    settings = load_settings()
    openai, gemini = settings.provider_list()
    assert openai.api_key is not None and openai.api_key.get_secret_value() == "sk-test"
    assert "sk-test" not in repr(settings)
    assert gemini.base_url == "http://127.0.0.1:9"
    assert openai.limits.daily_requests == 5
    assert settings.graceful_degradation_enable is False
    assert settings.store_url == "redis://127.0.0.1:6379/0"


def test_environment_wins_over_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "sanad.toml"
    config.write_text(
        'analyzer_port = 6001\nquota_port = 6002\n\n[[providers]]\nname = "local"\n'
        'kind = "openai"\nmodel = "llama"\nbase_url = "http://127.0.0.1:11434/v1"\n'
    )
    monkeypatch.setenv("SANAD_CONFIG_FILE", str(config))
    monkeypatch.setenv("SANAD_QUOTA_PORT", "7002")
    settings = load_settings()
    assert settings.analyzer_port == 6001
    assert settings.quota_port == 7002
    assert settings.provider_names() == ("local",)


def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANAD_QUOTA_WARNING_RATIO", "0.95")
    with pytest.raises(ValidationError, match="quota_warning_ratio"):
        load_settings()


def test_a_service_with_bad_configuration_exits_with_a_clear_message(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sanad_quota"],
        check=False,
        env={"SANAD_QUOTA_PORT": "not-a-port", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "invalid configuration" in result.stderr
    assert "quota_port" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variables", "complaint"),
    [
        ({"SANAD_TLS_CERT_FILE": "cert.pem"}, "must be set together"),
        (
            {
                "SANAD_TLS_CLIENT_AUTH": "require",
                "SANAD_TLS_CERT_FILE": "c",
                "SANAD_TLS_KEY_FILE": "k",
            },
            "needs tls_ca_file",
        ),
        ({"SANAD_TLS_CLIENT_AUTH": "optional"}, "needs TLS"),
        ({"SANAD_TLS_CLIENT_AUTH": "sometimes"}, "tls_client_auth"),
        (
            {"SANAD_TENANTS_FILE": "tenants.toml", "SANAD_DEGRADATION_CROSS_TENANT": "true"},
            "cannot be on with tenants_file",
        ),
    ],
)
def test_tls_and_tenant_settings_that_cannot_be_served_are_refused(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], complaint: str
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=complaint):
        load_settings()
