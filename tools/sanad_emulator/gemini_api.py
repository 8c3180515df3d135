"""Gemini ``models.generateContent`` wire format.

google-genai 3.x posts to ``{base_url}/{api_version}/models/{model}:generateContent``
(api_version ``v1`` by default, ``v1beta`` when configured) with the key in the
``x-goog-api-key`` header and a camelCase body: ``contents``, ``systemInstruction`` and
``generationConfig`` carrying ``responseMimeType`` plus either ``responseJsonSchema`` (JSON
Schema) or ``responseSchema`` (OpenAPI subset, upper-case types). Errors use the Google API
shape ``{"error": {"code", "message", "status", "details"}}``; the SDK raises
``errors.ClientError`` for 4xx and ``errors.ServerError`` for 5xx with ``code``, ``status``
and ``details`` taken from it.
"""

from __future__ import annotations

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

_RATE_LIMIT_DOCS: Final = "https://ai.google.dev/gemini-api/docs/rate-limits"
_SERVICE: Final = "generativelanguage.googleapis.com"

_SERVER_ERRORS: Final[Mapping[int, tuple[str, str]]] = {
    500: (
        "INTERNAL",
        "An internal error has occurred. Please retry or report in "
        "https://developers.generativeai.google/guide/troubleshooting",
    ),
    502: ("UNAVAILABLE", "Bad Gateway: the model backend could not be reached."),
    503: ("UNAVAILABLE", "The model is overloaded. Please try again later."),
    504: ("DEADLINE_EXCEEDED", "Deadline expired before operation could complete."),
}


class GeminiApi:
    """generateContent with JSON output constrained by a response schema."""

    name = "gemini"
    # google-genai sends the api_version it is configured with: v1 by default, v1beta, v1alpha.
    route = "/{version:v1(?:beta|alpha)?}/models/{model:[^/:]+}:generateContent"

    def parse(self, body: bytes, match_info: Mapping[str, str]) -> PromptRequest:
        payload = load_json_object(body)
        contents = payload.get("contents")
        if not isinstance(contents, list) or not contents:
            raise InvalidRequestError(
                "* GenerateContentRequest.contents: contents is not specified"
            )
        system = payload.get("systemInstruction")
        config = payload.get("generationConfig") or {}
        if not isinstance(config, dict):
            raise InvalidRequestError(
                "Invalid JSON payload received. generationConfig must be object"
            )
        schema = config.get("responseJsonSchema", config.get("responseSchema"))
        if schema is not None and not isinstance(schema, dict):
            raise InvalidRequestError(
                "Invalid JSON payload received. response schema must be object"
            )
        texts = [_content_text(content) for content in [system, *contents]]
        return PromptRequest(
            model=match_info["model"],
            prompt_text="\n".join(text for text in texts if text),
            schema=schema,
            json_mode=schema is not None or config.get("responseMimeType") == "application/json",
            seed=seed_from({"contents": contents, "systemInstruction": system}),
        )

    def answer(self, request: PromptRequest, content: str) -> web.Response:
        prompt_tokens = estimate_tokens(request.prompt_text)
        completion_tokens = estimate_tokens(content)
        # An empty answer is what Gemini really sends: a candidate whose content has no parts.
        parts = [{"text": content}] if content else None
        candidate_content: dict[str, Any] = {"role": "model"}
        if parts:
            candidate_content["parts"] = parts
        body = {
            "candidates": [{"content": candidate_content, "finishReason": "STOP", "index": 0}],
            "usageMetadata": {
                "promptTokenCount": prompt_tokens,
                "candidatesTokenCount": completion_tokens,
                "totalTokenCount": prompt_tokens + completion_tokens,
                "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt_tokens}],
            },
            "modelVersion": request.model,
            "responseId": uuid.uuid4().hex[:22],
        }
        return web.json_response(body)

    def invalid(self, error: InvalidRequestError) -> web.Response:
        return _error(400, "INVALID_ARGUMENT", error.message)

    def fault(self, spec: FaultSpec, model: str | None) -> web.Response:
        model = model or "gemini"
        if spec.fault is FaultKind.QUOTA_EXCEEDED:
            message = (
                "You exceeded your current quota, please check your plan and billing details. "
                f"For more information on this error, head to: {_RATE_LIMIT_DOCS}."
            )
            details = [_quota_failure("GenerateRequestsPerDayPerProjectPerModel", model), _help()]
            return _error(429, "RESOURCE_EXHAUSTED", message, details)
        if spec.fault is FaultKind.RATE_LIMITED:
            seconds = seconds_text(spec.retry_after or 0)
            message = (
                f"Rate limit exceeded: too many requests per minute for model {model}. "
                f"Please retry in {seconds}s."
            )
            details = [
                _quota_failure("GenerateRequestsPerMinutePerProjectPerModel", model),
                _help(),
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{seconds}s"},
            ]
            return _error(429, "RESOURCE_EXHAUSTED", message, details, {"Retry-After": seconds})
        if spec.fault is FaultKind.AUTH:
            if spec.status == 403:
                message = "Permission denied: Consumer 'api_key:***' has been suspended."
                info = _error_info("CONSUMER_SUSPENDED")
                return _error(403, "PERMISSION_DENIED", message, [info])
            message = "API key not valid. Please pass a valid API key."
            localized = {
                "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                "locale": "en-US",
                "message": message,
            }
            return _error(
                400, "INVALID_ARGUMENT", message, [_error_info("API_KEY_INVALID"), localized]
            )
        status = spec.status or 503
        code, message = _SERVER_ERRORS[status]
        headers = (
            {} if spec.retry_after is None else {"Retry-After": seconds_text(spec.retry_after)}
        )
        return _error(status, code, message, None, headers)


def _content_text(content: object) -> str:
    """Text parts of one ``Content`` (or of ``systemInstruction``)."""
    if not isinstance(content, dict):
        return ""
    parts = content.get("parts")
    if not isinstance(parts, list):
        return ""
    return "\n".join(
        part["text"]
        for part in parts
        if isinstance(part, dict) and isinstance(part.get("text"), str)
    )


def _quota_failure(quota_id: str, model: str) -> dict[str, Any]:
    return {
        "@type": "type.googleapis.com/google.rpc.QuotaFailure",
        "violations": [
            {
                "quotaMetric": f"{_SERVICE}/generate_content_requests",
                "quotaId": quota_id,
                "quotaDimensions": {"location": "global", "model": model},
            }
        ],
    }


def _help() -> dict[str, Any]:
    return {
        "@type": "type.googleapis.com/google.rpc.Help",
        "links": [{"description": "Learn more about Gemini API quotas", "url": _RATE_LIMIT_DOCS}],
    }


def _error_info(reason: str) -> dict[str, Any]:
    return {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": reason,
        "domain": "googleapis.com",
        "metadata": {"service": _SERVICE},
    }


def _error(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    error: dict[str, Any] = {"code": status, "message": message, "status": code}
    if details:
        error["details"] = details
    return web.json_response({"error": error}, status=status, headers=headers)
