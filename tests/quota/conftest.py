"""Quota test fixtures: the shared store fixtures, run on every real adapter, and settings."""

from __future__ import annotations

import time

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


def mid_hour() -> float:
    """The middle of the current hour, or of the next one when this hour is a day's last, so a
    test's fake clock can move by minutes without leaving its hour or day."""
    hour = int(time.time()) // 3600 * 3600
    return next(start + 1800.0 for start in (hour, hour + 3600) if (start + 3600) % 86_400)


def mid_hour_after_another() -> float:
    """The middle of the current hour, or of the next one when this hour is a day's first, so
    the hour before it belongs to the same day."""
    hour = int(time.time()) // 3600 * 3600
    return next(start + 1800.0 for start in (hour, hour + 3600) if start % 86_400)
