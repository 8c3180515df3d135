"""Anthropic Messages API wire format (``POST /v1/messages``).

Requests carry the key in ``x-api-key`` (or, as the anthropic SDK 2.x sends it, as an
``Authorization: Bearer`` token) and the API version in ``anthropic-version``; without them the
real API answers 401 and 400, and so does this one. Structured output is tool use: the
caller sends one tool whose ``input_schema`` is the answer's schema and forces it with
``tool_choice``; the answer is a ``tool_use`` content block whose ``input`` is the JSON, with
``stop_reason`` ``tool_use``. Errors are ``{"type": "error", "error": {"type": ..., "message":
...}}``, and the anthropic SDK picks its exception from the status: 429 RateLimitError (with
``retry-after``), 529 OverloadedError, 401 AuthenticationError, 500 InternalServerError.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any, Final

from aiohttp import web
from aiohttp.typedefs import Handler

from sanad_emulator.faults import FaultKind, FaultSpec
from sanad_emulator.prompt import (
    InvalidRequestError,
    PromptRequest,
    estimate_tokens,
    load_json_object,
    seconds_text,
)
from sanad_emulator.schema_fill import seed_from

_SERVER_ERRORS: Final[Mapping[int, tuple[str, str]]] = {
    529: ("overloaded_error", "Overloaded"),
    500: ("api_error", "Internal server error"),
    502: ("api_error", "Bad gateway"),
    503: ("api_error", "Service unavailable"),
    504: ("api_error", "Gateway timeout"),
}


class AnthropicApi:
    """Messages with tool use for structured output, or plain text."""

    name = "anthropic"
    route = "/v1/messages"

    def parse(self, body: bytes, match_info: Mapping[str, str]) -> PromptRequest:
        payload = load_json_object(body)
        model = payload.get("model")
        if not isinstance(model, str) or not model:
            raise InvalidRequestError("model: Field required", param="model")
        max_tokens = payload.get("max_tokens")
        if not isinstance(max_tokens, int) or max_tokens < 1:
            raise InvalidRequestError("max_tokens: Field required", param="max_tokens")
        messages = payload.get("messages")
        if not isinstance(messages, list) or not messages:
            raise InvalidRequestError("messages: at least one message is required")
        tool = _forced_tool(payload.get("tools"), payload.get("tool_choice"))
        system = payload.get("system")
        texts = [_text(system)] if system else []
        texts += [
            _text(message.get("content")) for message in messages if isinstance(message, dict)
        ]
        return PromptRequest(
            model=model,
            prompt_text="\n".join(texts),
            schema=tool["input_schema"] if tool else None,
            json_mode=tool is not None,
            seed=seed_from(messages),
            tool=tool["name"] if tool else None,
        )

    def answer(self, request: PromptRequest, content: str) -> web.Response:
        block, stop_reason = _content_block(request, content)
        body = {
            "id": f"msg_{uuid.uuid4().hex[:24]}",
            "type": "message",
            "role": "assistant",
            "model": request.model,
            "content": [block],
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {
                "input_tokens": estimate_tokens(request.prompt_text),
                "output_tokens": estimate_tokens(content),
            },
        }
        return web.json_response(body, headers=_request_id())

    def invalid(self, error: InvalidRequestError) -> web.Response:
        return _error(400, "invalid_request_error", error.message)

    def fault(self, spec: FaultSpec, model: str | None) -> web.Response:
        if spec.fault is FaultKind.QUOTA_EXCEEDED:
            message = (
                "Your credit balance is too low to access the Anthropic API. Please go to "
                "Plans & Billing to upgrade or purchase credits."
            )
            return _error(402, "billing_error", message)
        if spec.fault is FaultKind.RATE_LIMITED:
            delay = seconds_text(spec.retry_after or 0)
            message = (
                "This request would exceed the rate limit for your organization of 50 requests "
                "per minute. Please reduce the prompt length or the maximum tokens requested, "
                "or try again later."
            )
            headers = {
                "retry-after": delay,
                "anthropic-ratelimit-requests-limit": "50",
                "anthropic-ratelimit-requests-remaining": "0",
            }
            return _error(429, "rate_limit_error", message, headers=headers)
        if spec.fault is FaultKind.AUTH:
            if spec.status == 403:
                return _error(
                    403,
                    "permission_error",
                    "Your API key does not have permission to use the model.",
                )
            return _error(401, "authentication_error", "invalid x-api-key")
        status = spec.status or 529
        error_type, message = _SERVER_ERRORS[status]
        headers = (
            {} if spec.retry_after is None else {"retry-after": seconds_text(spec.retry_after)}
        )
        return _error(status, error_type, message, headers=headers)


def require_headers(serve: Handler) -> Handler:
    """Refuse a request without a key (401) or ``anthropic-version`` (400), as the API does,
    before any fault or answer."""

    async def handle(request: web.Request) -> web.StreamResponse:
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not request.headers.get("x-api-key") and not bearer:
            return _error(401, "authentication_error", "x-api-key header is required")
        if not request.headers.get("anthropic-version"):
            return _error(400, "invalid_request_error", "anthropic-version: header is required")
        return await serve(request)

    return handle


def _forced_tool(tools: object, choice: object) -> dict[str, Any] | None:
    """The tool the answer must call: the one tool_choice names (or "any" with one tool)."""
    if tools is None:
        return None
    if not isinstance(tools, list) or not all(
        isinstance(tool, dict)
        and isinstance(tool.get("name"), str)
        and isinstance(tool.get("input_schema"), dict)
        for tool in tools
    ):
        raise InvalidRequestError("tools: each tool needs a name and an input_schema object")
    if not isinstance(choice, dict):
        return None
    if choice.get("type") == "tool":
        for tool in tools:
            if tool["name"] == choice.get("name"):
                return dict(tool)
        raise InvalidRequestError(f"tool_choice: no tool named {choice.get('name')!r}")
    if choice.get("type") == "any" and len(tools) == 1:
        return dict(tools[0])
    return None


def _text(content: object) -> str:
    """Text of a system prompt or message content: a string or a list of text blocks."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            block["text"]
            for block in content
            if isinstance(block, dict) and isinstance(block.get("text"), str)
        )
    return ""


def _content_block(request: PromptRequest, content: str) -> tuple[dict[str, Any], str]:
    """A tool_use block when the answer is the tool's JSON; otherwise the text the model wrote
    instead (a damaged answer), as a text block."""
    if request.tool is not None:
        try:
            value = json.loads(content)
        except json.JSONDecodeError:
            value = None
        if isinstance(value, dict):
            block = {
                "type": "tool_use",
                "id": f"toolu_{uuid.uuid4().hex[:24]}",
                "name": request.tool,
                "input": value,
            }
            return block, "tool_use"
    return {"type": "text", "text": content}, "end_turn"


def _request_id() -> dict[str, str]:
    return {"request-id": f"req_{uuid.uuid4().hex[:24]}"}


def _error(
    status: int, error_type: str, message: str, *, headers: Mapping[str, str] | None = None
) -> web.Response:
    body = {
        "type": "error",
        "error": {"type": error_type, "message": message},
        "request_id": _request_id()["request-id"],
    }
    return web.json_response(body, status=status, headers={**_request_id(), **(headers or {})})
