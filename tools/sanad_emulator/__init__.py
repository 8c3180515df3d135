"""Provider emulator: the OpenAI, Gemini and Anthropic HTTP APIs, with faults on demand.

A development and test tool (docs/architecture.md §9): ``python -m sanad_emulator`` serves
``POST /v1/chat/completions``, ``POST /{v1,v1beta}/models/{model}:generateContent`` and
``POST /v1/messages`` so the real openai, google-genai and anthropic SDKs can be pointed at
it, answers with deterministic JSON that honours the schema each request sends, and can be
told through its control API
(``server.py``; client in ``control.py``) to fail in every error class of docs/architecture.md §4.
"""
