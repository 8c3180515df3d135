"""Shared test data for the analyzer's provider and analysis tests."""

from __future__ import annotations

import copy
import json
from typing import Any, Final

from aiohttp import web
from aiohttp.test_utils import TestServer

from sanad_analyzer.policy import PolicyType
from sanad_analyzer.prompt import AnalysisPrompt
from sanad_analyzer.providers.anthropic_provider import AnthropicProvider
from sanad_analyzer.providers.base import Provider
from sanad_analyzer.providers.gemini_provider import GeminiProvider
from sanad_analyzer.providers.openai_provider import OpenAIProvider

OPENAI_KEY: Final = "sk-test-0123456789abcdefghij"
GEMINI_KEY: Final = "AIzaTest0123456789abcdefghijklmn"
ANTHROPIC_KEY: Final = "sk-ant-test-0123456789abcdefghij"
OPENAI_MODEL: Final = "gpt-4o-mini"
GEMINI_MODEL: Final = "gemini-2.5-flash"
ANTHROPIC_MODEL: Final = "claude-sonnet-5"
MAX_OUTPUT_TOKENS: Final = 4096
PROVIDER_KINDS: Final = ("openai", "gemini", "anthropic")

PROMPT: Final = AnalysisPrompt(
    shop_name="متجر الأمل",
    shop_specialization="electronics",
    policy_type=PolicyType.RETURN_EXCHANGE,
    policy_text="يمكن إرجاع المنتجات خلال 3 أيام فقط من تاريخ الشراء، ولا يتم استرداد رسوم الشحن.",
    include_improved_policy=False,
)

_VALID_ANALYSIS: Final[dict[str, Any]] = {
    "policy_match": {
        "is_match": True,
        "confidence": 0.95,
        "reason": "النص يصف شروط الإرجاع والاستبدال.",
    },
    "compliance_report": {
        "overall_compliance_ratio": 45.0,
        "compliance_grade": "F",
        "critical_issues": [
            {
                "issue": "مدة الإرجاع أقل من 7 أيام.",
                "phrase": "خلال 3 أيام فقط",
                "severity": "critical",
                "suggestion": "مدّ مدة الإرجاع إلى 7 أيام على الأقل من تاريخ الاستلام.",
                "legal_reference": "حق المستهلك في الإرجاع خلال 7 أيام",
            }
        ],
        "strengths": ["يذكر السياسة بوضوح أن الإرجاع ممكن."],
        "weaknesses": ["لا يوضح طريقة استرداد المبلغ."],
        "ambiguities": ["تاريخ الشراء أم تاريخ الاستلام؟"],
        "summary": "السياسة لا تلتزم بمدة الإرجاع النظامية.",
        "recommendations": ["تحديد مدة 7 أيام من الاستلام.", "توضيح طريقة الاسترداد ومدته."],
    },
    "improved_policy": "",
}


def valid_analysis() -> dict[str, Any]:
    """A fresh copy of a schema-valid analysis, safe to mutate."""
    return copy.deepcopy(_VALID_ANALYSIS)


def make_provider(kind: str, base_url: str) -> Provider:
    """An adapter of ``kind`` talking to ``base_url`` (the emulator or a canned server)."""
    if kind == "openai":
        return OpenAIProvider(
            "openai", OPENAI_KEY, f"{base_url}/v1", OPENAI_MODEL, MAX_OUTPUT_TOKENS
        )
    if kind == "anthropic":
        return AnthropicProvider(
            "anthropic", ANTHROPIC_KEY, base_url, ANTHROPIC_MODEL, MAX_OUTPUT_TOKENS
        )
    return GeminiProvider("gemini", GEMINI_KEY, base_url, GEMINI_MODEL, MAX_OUTPUT_TOKENS)


class CannedServer:
    """An HTTP server on 127.0.0.1 that records requests and answers with what a test set."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], Any]] = []
        self.queries: list[dict[str, str]] = []
        self._status = 200
        self._body = "{}"
        self._content_type = "application/json"
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._server = TestServer(app, host="127.0.0.1")

    @property
    def url(self) -> str:
        return str(self._server.make_url("")).rstrip("/")

    def reply_json(self, body: object, *, status: int = 200) -> None:
        self.reply_text(json.dumps(body), status=status)

    def reply_text(
        self, body: str, *, status: int = 200, content_type: str = "application/json"
    ) -> None:
        self._status = status
        self._body = body
        self._content_type = content_type

    async def start(self) -> None:
        await self._server.start_server()

    async def close(self) -> None:
        await self._server.close()

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else None
        headers = {name.lower(): value for name, value in request.headers.items()}
        self.requests.append((request.path, headers, body))
        self.queries.append(dict(request.query))
        return web.Response(text=self._body, status=self._status, content_type=self._content_type)
