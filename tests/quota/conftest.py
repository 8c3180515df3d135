"""Quota test fixtures: the shared store fixtures, run on every real adapter, and settings."""

from __future__ import annotations

from sanad_common.config import ProviderLimits, ProviderSettings, Settings, load_settings
from tests.support.services import namespace, store, store_url, twin_store

__all__ = ["namespace", "store", "store_url", "twin_store"]  # fixtures pytest finds here

ADMIN_TOKEN = "quota-test-admin-token"


def quota_settings(
    openai: ProviderLimits | None = None,
    gemini: ProviderLimits | None = None,
    **overrides: object,
) -> Settings:
    """Settings with two providers, openai first, each with the given limits."""
    return load_settings(
        providers=(
            ProviderSettings(
                name="openai", kind="openai", model="gpt-4o-mini", limits=openai or ProviderLimits()
            ),
            ProviderSettings(
                name="gemini",
                kind="gemini",
                model="gemini-2.5-flash",
                limits=gemini or ProviderLimits(),
            ),
        ),
        **overrides,
    )
