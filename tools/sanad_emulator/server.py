"""The emulator's HTTP application: both provider endpoints plus the control API.

Control API (JSON in, JSON out; a bad body gets 400 ``{"error": "<why>"}``):

- ``POST /control/faults`` queue a fault, e.g. ``{"provider": "openai", "fault":
  "server_error", "status": 503, "count": 2, "retry_after": 1, "latency_ms": 0}``; answers
  200 with the stored fault, every default resolved.
- ``GET /control/faults`` queued faults per provider, head first, with ``remaining``.
- ``DELETE /control/faults[?provider=openai|gemini]`` drop queued faults, release hung requests.
- ``GET /control/stats`` ``{"openai": {"requests": n, "faults_served": m}, "gemini": {...}}``.
- ``GET /control/requests`` the provider requests received (oldest first, the last
  ``REQUEST_LOG_SIZE``): ``[{"provider": "openai", "model": "...", "prompt": "<all message
  text>"}]``, so tests can see the prompt a provider was sent.
- ``POST /control/reset`` clear every fault, zero the counters, empty the request log.
- ``GET /healthz`` ``{"status": "ok"}``.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import socket
import struct
from dataclasses import asdict
from typing import Final

from aiohttp import web
from aiohttp.typedefs import Handler

from sanad_emulator.faults import PROVIDERS, FaultBoard, FaultKind, FaultSpec, FaultSpecError
from sanad_emulator.gemini_api import GeminiApi
from sanad_emulator.openai_api import OpenAIApi
from sanad_emulator.prompt import InvalidRequestError, ProviderApi, content_for

log = logging.getLogger("sanad_emulator")

BOARD: Final = web.AppKey("board", FaultBoard)
REQUEST_LOG_SIZE: Final = 100


class RequestLog:
    """The last REQUEST_LOG_SIZE provider requests: provider, model and prompt text."""

    def __init__(self) -> None:
        self._entries: collections.deque[dict[str, str]] = collections.deque(
            maxlen=REQUEST_LOG_SIZE
        )

    def record(self, provider: str, model: str, prompt: str) -> None:
        """Keep one request (dropping the oldest beyond the size)."""
        self._entries.append({"provider": provider, "model": model, "prompt": prompt})

    def entries(self) -> list[dict[str, str]]:
        """The requests kept, oldest first."""
        return list(self._entries)

    def clear(self) -> None:
        """Forget every request."""
        self._entries.clear()


REQUESTS: Final = web.AppKey("requests", RequestLog)

_ERROR_FAULTS: Final = frozenset(
    {FaultKind.QUOTA_EXCEEDED, FaultKind.RATE_LIMITED, FaultKind.SERVER_ERROR, FaultKind.AUTH}
)


def create_app(board: FaultBoard | None = None) -> web.Application:
    """Build the application; pass a board to share fault state with in-process callers."""
    # Cancel a handler when its client goes away, so a hung request ends with its client.
    app = web.Application(handler_args={"handler_cancellation": True})
    app[BOARD] = board or FaultBoard()
    app[REQUESTS] = RequestLog()
    app.on_shutdown.append(_release_hung_requests)
    for api in (OpenAIApi(), GeminiApi()):
        app.router.add_post(api.route, _provider_handler(api))
    app.router.add_post("/control/faults", _inject)
    app.router.add_get("/control/faults", _pending)
    app.router.add_delete("/control/faults", _clear)
    app.router.add_get("/control/stats", _stats)
    app.router.add_get("/control/requests", _requests)
    app.router.add_post("/control/reset", _reset)
    app.router.add_get("/healthz", _healthz)
    return app


def _provider_handler(api: ProviderApi) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        return await _serve(api, request)

    return handle


async def _serve(api: ProviderApi, request: web.Request) -> web.StreamResponse:
    """Answer one provider request, applying the fault at the head of the provider's queue.

    Error and connection faults act before the body is looked at, as a real provider
    rejects a key or falls over before it validates the request.
    """
    board = request.app[BOARD]
    body = await request.read()
    spec = board.take(api.name)
    kind = spec.fault if spec else None
    if spec is not None:
        log.info("%s %s: serving fault %s", api.name, request.path, json.dumps(spec.to_json()))
        if spec.latency_ms:
            await asyncio.sleep(spec.latency_ms / 1000)
        if kind is FaultKind.HANG:
            await board.wait_released(api.name)
            log.info("%s %s: hang released, answering normally", api.name, request.path)
            kind = None
        elif kind is FaultKind.CONNECTION_RESET:
            return _drop_connection(request)
        elif kind in _ERROR_FAULTS:
            return api.fault(spec, request.match_info.get("model"))
    try:
        parsed = api.parse(body, request.match_info)
    except InvalidRequestError as exc:
        return api.invalid(exc)
    request.app[REQUESTS].record(api.name, parsed.model, parsed.prompt_text)
    return api.answer(parsed, content_for(parsed, kind))


def _drop_connection(request: web.Request) -> web.Response:
    """Reset the TCP connection (RST, no HTTP response), like a crashing upstream."""
    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            # Linger 0 makes close() send RST instead of an orderly FIN.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    # Never written: the transport is gone, aiohttp drops the response.
    return web.Response(status=499)


async def _release_hung_requests(app: web.Application) -> None:
    app[BOARD].clear()


def _control_error(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)


async def _inject(request: web.Request) -> web.Response:
    try:
        payload = json.loads(await request.read())
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _control_error("body must be a JSON object describing a fault")
    try:
        spec = FaultSpec.from_json(payload)
    except FaultSpecError as exc:
        return _control_error(str(exc))
    request.app[BOARD].add(spec)
    log.info("fault queued: %s", json.dumps(spec.to_json()))
    return web.json_response(spec.to_json())


async def _pending(request: web.Request) -> web.Response:
    return web.json_response(request.app[BOARD].pending())


async def _clear(request: web.Request) -> web.Response:
    provider = request.query.get("provider")
    if provider is not None and provider not in PROVIDERS:
        return _control_error(f"provider must be one of {', '.join(PROVIDERS)}")
    request.app[BOARD].clear(provider)
    log.info("faults cleared for %s", provider or "all providers")
    return web.json_response({"cleared": [provider] if provider else list(PROVIDERS)})


async def _stats(request: web.Request) -> web.Response:
    stats = request.app[BOARD].stats()
    return web.json_response({provider: asdict(entry) for provider, entry in stats.items()})


async def _requests(request: web.Request) -> web.Response:
    return web.json_response(request.app[REQUESTS].entries())


async def _reset(request: web.Request) -> web.Response:
    request.app[BOARD].reset()
    request.app[REQUESTS].clear()
    log.info("emulator reset")
    return web.json_response({"status": "reset"})


async def _healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})
