"""Health test fixtures: the shared store fixtures, run on every real adapter, and settings."""

from __future__ import annotations

from sanad_common.config import ProviderSettings, Settings, load_settings
from tests.support.services import namespace, store, store_url, twin_store

__all__ = ["namespace", "store", "store_url", "twin_store"]  # fixtures pytest finds here

ADMIN_TOKEN = "health-test-admin-token"
PROVIDERS = ("openai", "gemini", "local")


def health_settings(**overrides: object) -> Settings:
    """Settings with three providers in the order openai, gemini, local; ejections unjittered."""
    overrides = {"circuit_ejection_jitter": 0.0, **overrides}
    return load_settings(
        providers=(
            ProviderSettings(name="openai", kind="openai", model="gpt-4o-mini"),
            ProviderSettings(name="gemini", kind="gemini", model="gemini-2.5-flash"),
            ProviderSettings(name="local", kind="openai", model="qwen2.5"),
        ),
        **overrides,
    )
