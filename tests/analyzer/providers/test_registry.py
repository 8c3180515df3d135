"""The provider registry: each kind builds its adapter, an unknown kind is a clear error, and
the analyzer imports only the SDKs of the providers it is configured with."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from sanad_analyzer.providers.anthropic_provider import AnthropicProvider
from sanad_analyzer.providers.gemini_provider import GeminiProvider
from sanad_analyzer.providers.openai_provider import OpenAIProvider
from sanad_analyzer.providers.registry import (
    ADAPTERS,
    UnknownProviderKindError,
    build_provider,
)
from sanad_common.config import ConfigurationError, ProviderSettings


def _settings(kind: str, api_key: str | None = "sk-test-0123456789") -> ProviderSettings:
    return ProviderSettings(
        name="primary",
        kind=kind,
        model="some-model",
        api_key=SecretStr(api_key) if api_key else None,
        base_url="http://127.0.0.1:9/v1",
    )


@pytest.mark.parametrize(
    ("kind", "adapter"),
    [("openai", OpenAIProvider), ("gemini", GeminiProvider), ("anthropic", AnthropicProvider)],
)
async def test_each_kind_builds_its_adapter(kind: str, adapter: type) -> None:
    provider = build_provider(_settings(kind))
    assert isinstance(provider, adapter)
    assert provider is not None
    assert (provider.name, provider.model) == ("primary", "some-model")
    await provider.aclose()


def test_an_unknown_kind_names_the_provider_and_every_known_kind() -> None:
    with pytest.raises(UnknownProviderKindError) as raised:
        build_provider(_settings("mistral"))
    assert isinstance(raised.value, ConfigurationError)
    message = str(raised.value)
    assert "'primary'" in message
    assert "'mistral'" in message
    assert all(kind in message for kind in ADAPTERS)


def test_an_unknown_kind_is_refused_even_without_a_key() -> None:
    with pytest.raises(UnknownProviderKindError):
        build_provider(_settings("mistral", api_key=None))


def test_a_provider_without_a_key_is_not_built() -> None:
    assert build_provider(_settings("openai", api_key=None)) is None


_STARTS_AND_LISTS_SDKS = """
import asyncio, json, sys
from sanad_analyzer.app import build_app
from sanad_common.config import load_settings

async def main() -> None:
    async with build_app(load_settings()):
        sdks = ("openai", "google.genai", "anthropic", "redis", "cryptography")
        print(json.dumps([name for name in sdks if name in sys.modules]))

asyncio.run(main())
"""


@pytest.mark.parametrize(
    ("key", "imported"), [("OPENAI_API_KEY", "openai"), ("GEMINI_API_KEY", "google.genai")]
)
def test_the_analyzer_imports_only_the_sdks_it_is_configured_with(
    tmp_path: Path, key: str, imported: str
) -> None:
    # The analyzer's own start-up (build_app) in a fresh interpreter, with one provider's key,
    # an SQLite store and no TLS: no other provider's SDK, no redis-py, no cryptography.
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.endswith("_API_KEY") and not name.startswith("SANAD_")
    }
    env |= {key: "sk-test-0123456789", "SANAD_STORE_URL": f"sqlite:///{tmp_path / 's.db'}"}
    result = subprocess.run(
        [sys.executable, "-c", _STARTS_AND_LISTS_SDKS],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [imported]
