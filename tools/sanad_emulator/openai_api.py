"""OpenAI Chat Completions wire format (``POST /v1/chat/completions``).

Bodies and headers follow what api.openai.com returns, because the openai SDK builds its
exceptions from them: the status picks the class (429 RateLimitError, 401
AuthenticationError, 5xx InternalServerError), and ``error.type``/``error.code`` end up on
the exception's ``type``/``code``/``body``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any, Final

from aiohttp import web

from sanad_emulator.faults import FaultKind, FaultSpec
from sanad_emulator.prompt import (
    InvalidRequestError,
    PromptRequest,
    estimate_tokens,
    load_json_object,
    seconds_text,
)
from sanad_emulator.schema_fill import seed_from

_DOCS: Final = "https://platform.openai.com/docs/guides/error-codes/api-errors"

_SERVER_ERRORS: Final[Mapping[int, str]] = {
    500: "The server had an error while processing your request. Sorry about that!",
    502: "Bad gateway.",
    503: "The engine is currently overloaded, please try again later.",
    504: "Gateway timeout. The server did not answer in time.",
}


class OpenAIApi:
    """Chat completions with ``response_format`` json_schema, json_object or text."""

    name = "openai"
    route = "/v1/chat/completions"

    def parse(self, body: bytes, match_info: Mapping[str, str]) -> PromptRequest:
        payload = load_json_object(body)
        model = payload.get("model")
        if not isinstance(model, str) or not model:
            raise InvalidRequestError("you must provide a model parameter", param="model")
        messages = payload.get("messages")
        if not isinstance(messages, list) or not messages:
            raise InvalidRequestError("[] is too short - 'messages'", param="messages")
        schema, json_mode = _response_format(payload.get("response_format"))
        return PromptRequest(
            model=model,
            prompt_text="\n".join(_message_text(message) for message in messages),
            schema=schema,
            json_mode=json_mode,
            seed=seed_from(messages),
        )

    def answer(self, request: PromptRequest, content: str) -> web.Response:
        prompt_tokens = estimate_tokens(request.prompt_text)
        completion_tokens = estimate_tokens(content)
        body = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.model,
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": content,
                        "refusal": None,
                        "annotations": [],
                    },
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
            "service_tier": "default",
            "system_fingerprint": "fp_sanad_emulator",
        }
        return web.json_response(body, headers=_request_id())

    def invalid(self, error: InvalidRequestError) -> web.Response:
        return _error(400, error.message, "invalid_request_error", None, param=error.param)

    def fault(self, spec: FaultSpec, model: str | None) -> web.Response:
        if spec.fault is FaultKind.QUOTA_EXCEEDED:
            message = (
                "You exceeded your current quota, please check your plan and billing details. "
                f"For more information on this error, read the docs: {_DOCS}."
            )
            return _error(429, message, "insufficient_quota", "insufficient_quota")
        if spec.fault is FaultKind.RATE_LIMITED:
            delay = seconds_text(spec.retry_after or 0)
            message = (
                "Rate limit reached for requests in organization org-sanad-emulator on requests "
                f"per min (RPM): Limit 3, Used 3, Requested 1. Please try again in {delay}s. "
                "Visit https://platform.openai.com/account/rate-limits to learn more."
            )
            headers = {
                "Retry-After": delay,
                "x-ratelimit-limit-requests": "3",
                "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-reset-requests": f"{delay}s",
            }
            return _error(429, message, "requests", "rate_limit_exceeded", headers=headers)
        if spec.fault is FaultKind.AUTH:
            if spec.status == 403:
                message = (
                    "You have insufficient permissions for this operation. Check that you have "
                    "the correct role in your organization and project."
                )
                return _error(403, message, "invalid_request_error", None)
            message = (
                "Incorrect API key provided: sk-***. You can find your API key at "
                "https://platform.openai.com/account/api-keys."
            )
            return _error(401, message, "invalid_request_error", "invalid_api_key")
        status = spec.status or 503
        headers = (
            {} if spec.retry_after is None else {"Retry-After": seconds_text(spec.retry_after)}
        )
        return _error(status, _SERVER_ERRORS[status], "server_error", None, headers=headers)


def _response_format(value: object) -> tuple[Mapping[str, Any] | None, bool]:
    """The schema to honour, and whether the answer must be JSON at all."""
    if value is None:
        return None, False
    if not isinstance(value, dict):
        raise InvalidRequestError("response_format must be an object", param="response_format")
    kind = value.get("type")
    if kind == "text":
        return None, False
    if kind == "json_object":
        return None, True
    if kind == "json_schema":
        spec = value.get("json_schema")
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            raise InvalidRequestError(
                "Missing required parameter: 'response_format.json_schema.name'.",
                param="response_format.json_schema.name",
            )
        schema = spec.get("schema")
        if schema is not None and not isinstance(schema, dict):
            raise InvalidRequestError(
                "response_format.json_schema.schema must be an object",
                param="response_format.json_schema.schema",
            )
        return schema, True
    raise InvalidRequestError(
        f"Invalid value: '{kind}'. Supported values are: 'json_object', 'json_schema', and 'text'.",
        param="response_format.type",
    )


def _message_text(message: object) -> str:
    """Text of one chat message, whether ``content`` is a string or a list of parts."""
    if not isinstance(message, dict):
        raise InvalidRequestError("each message must be an object", param="messages")
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            part["text"]
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def _request_id() -> dict[str, str]:
    return {"x-request-id": f"req_{uuid.uuid4().hex}"}


def _error(
    status: int,
    message: str,
    error_type: str,
    code: str | None,
    *,
    param: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    body = {"error": {"message": message, "type": error_type, "param": param, "code": code}}
    return web.json_response(body, status=status, headers={**_request_id(), **(headers or {})})
