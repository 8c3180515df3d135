"""Provider kinds and the adapter each one is built with.

An adapter is named by its import path and loaded only when a configured provider uses its
kind, so an SDK is imported only by its own adapter module. Adding a provider is one adapter
module plus one line in ``ADAPTERS``.
"""

from __future__ import annotations

import importlib
from typing import Final, Protocol

import structlog

from sanad_analyzer.providers.base import Provider
from sanad_common.config import ConfigurationError, ProviderSettings

log = structlog.get_logger(__name__)

ADAPTERS: Final[dict[str, str]] = {
    "openai": "sanad_analyzer.providers.openai_provider:OpenAIProvider",
    "gemini": "sanad_analyzer.providers.gemini_provider:GeminiProvider",
    "anthropic": "sanad_analyzer.providers.anthropic_provider:AnthropicProvider",
}
"""Provider kind -> ``module:class`` of its adapter."""


class AdapterFactory(Protocol):
    """What the registry needs from an adapter class."""

    def from_settings(self, settings: ProviderSettings, api_key: str) -> Provider:
        """The adapter for one configured provider."""
        ...


class UnknownProviderKindError(ConfigurationError):
    """A configured provider names a kind no adapter is registered for."""

    def __init__(self, provider: str, kind: str) -> None:
        super().__init__(
            f"provider {provider!r} has unknown kind {kind!r}; known kinds: {', '.join(ADAPTERS)}"
        )
        self.provider = provider
        self.kind = kind


def adapter_for(kind: str) -> AdapterFactory:
    """The adapter class of a registered kind (its module is imported now)."""
    module_name, _, class_name = ADAPTERS[kind].partition(":")
    factory: AdapterFactory = getattr(importlib.import_module(module_name), class_name)
    return factory


def build_provider(settings: ProviderSettings) -> Provider | None:
    """The adapter for one configured provider; None when it has no API key."""
    if settings.kind not in ADAPTERS:
        raise UnknownProviderKindError(settings.name, settings.kind)
    if settings.api_key is None:
        log.warning("provider has no API key and will not be called", provider=settings.name)
        return None
    return adapter_for(settings.kind).from_settings(settings, settings.api_key.get_secret_value())
