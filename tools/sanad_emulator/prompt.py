"""What the provider dialects share: the parsed request and the answer text.

Each provider module turns its wire format into a PromptRequest and back; the answer text
itself (normal, malformed, schema-invalid or empty) is decided here, once for both.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web

from sanad_emulator.faults import FaultKind, FaultSpec
from sanad_emulator.schema_fill import fill, readable_text, violate


class InvalidRequestError(ValueError):
    """The request body is not something the real provider would accept (answered with 400)."""

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


@dataclass(frozen=True)
class PromptRequest:
    """A provider request reduced to what the emulator needs to answer it."""

    model: str
    prompt_text: str
    schema: Mapping[str, Any] | None
    json_mode: bool
    seed: int
    tool: str | None = None
    """Name of the tool the answer must call (Anthropic tool use), if any."""


class ProviderApi(Protocol):
    """One provider's wire format: request parsing, success bodies and error bodies."""

    name: str
    route: str

    def parse(self, body: bytes, match_info: Mapping[str, str]) -> PromptRequest: ...

    def answer(self, request: PromptRequest, content: str) -> web.Response: ...

    def invalid(self, error: InvalidRequestError) -> web.Response: ...

    def fault(self, spec: FaultSpec, model: str | None) -> web.Response: ...


# The shape of a JSON-mode answer when the caller sent no schema.
_FREE_JSON_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "properties": {"answer": {"type": "string"}},
    "required": ["answer"],
}


def estimate_tokens(text: str) -> int:
    """The usual rough estimate: one token per four characters."""
    return math.ceil(len(text) / 4)


def seconds_text(value: float) -> str:
    """Seconds as Retry-After and retryDelay carry them: whole unless a fraction was asked for."""
    return str(int(value)) if float(value).is_integer() else str(value)


def load_json_object(body: bytes) -> dict[str, Any]:
    """Decode a request body that must be a JSON object."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidRequestError(f"request body is not valid JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise InvalidRequestError("request body must be a JSON object")
    return payload


def content_for(request: PromptRequest, fault: FaultKind | None) -> str:
    """The answer text: schema-valid JSON normally, or the damage a content fault asks for."""
    if fault is FaultKind.EMPTY:
        return ""
    if request.schema is None and not request.json_mode and fault is None:
        return readable_text(request.seed)
    schema = request.schema if request.schema is not None else _FREE_JSON_SCHEMA
    value = fill(schema, request.seed)
    if fault is FaultKind.SCHEMA_INVALID:
        value = violate(schema, value)
    text = json.dumps(value, ensure_ascii=False)
    if fault is FaultKind.MALFORMED_JSON:
        # What models really do wrong: a Markdown fence and an answer cut short.
        return "```json\n" + text[: len(text) // 2]
    return text
