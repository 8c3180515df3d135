"""The original guide's four scenarios again, with Anthropic (through the anthropic SDK and the
emulator's Messages API) as the primary provider and Gemini behind it, on Redis."""

from __future__ import annotations

import pytest

from tests.integration.test_scenarios import (
    test_both_providers_down_serves_degraded_then_unavailable,
    test_normal_operation_then_idempotent_replay,
    test_primary_crash_blacklists_it,
    test_primary_quota_exceeded_fails_over_to_gemini,
)

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("suite", ["redis"], indirect=True)]

__all__ = [
    "test_both_providers_down_serves_degraded_then_unavailable",
    "test_normal_operation_then_idempotent_replay",
    "test_primary_crash_blacklists_it",
    "test_primary_quota_exceeded_fails_over_to_gemini",
]


@pytest.fixture(scope="module")
def suite_kinds() -> tuple[str, ...]:
    """Anthropic first, Gemini second."""
    return ("anthropic", "gemini")
