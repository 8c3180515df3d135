"""LLM provider adapters behind one small interface.

Only the interface is re-exported here; import an adapter from its own module
(``openai_provider``, ``gemini_provider``) so its SDK loads only when it is used.
"""

from sanad_analyzer.providers.base import Provider, ProviderAnswer, ProviderError

__all__ = ["Provider", "ProviderAnswer", "ProviderError"]
