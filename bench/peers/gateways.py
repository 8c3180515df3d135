"""The emulators, the three gateways and the direct call, each started and stopped by PID.

Every gateway is given the same job: a primary and a fallback deployment of one
OpenAI-compatible model (two emulator processes, so the primary can fail alone), no retries.
The HTTP ones (LiteLLM, Portkey, the direct call) are sent the very body the analyzer sends
the provider for the same text, so every path asks the emulator for the same answer.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Final

import aiohttp
import grpc

from bench.analyze_latency import SUITE_ENV, analyze_request
from bench.peers.install import LITELLM, PINS, PORTKEY
from bench.peers.load import CALL_TIMEOUT, Call
from bench.peers.table import DIRECT, GATEWAYS
from bench.procstat import cpu_seconds, suite_env
from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad_analyzer.policy import PolicyType
from sanad_analyzer.prompt import AnalysisPrompt, build_messages
from sanad_analyzer.providers.openai_provider import RESPONSE_FORMAT
from sanad_common.config import ProviderLimits, ProviderSettings
from sanad_common.emulator import emulated_model
from sanad_emulator.control import EmulatorControl
from sanad_launcher.ports import free_port
from sanad_launcher.redis_server import RedisServer
from sanad_launcher.suite import EMULATOR_MODELS, LocalSuite, SuitePorts

HOST: Final = "127.0.0.1"
MODEL: Final = emulated_model(EMULATOR_MODELS["openai"])
"""The model every path asks the emulator for (LiteLLM's config names it too)."""
MAX_COMPLETION_TOKENS: Final[int] = ProviderSettings.model_fields["max_output_tokens"].default
"""What the analyzer sends as max_completion_tokens by default; the HTTP paths send it too."""
EMULATOR_KIND: Final = "openai"
"""The emulator endpoint both deployments use, and the one whose counter tells who was asked."""
READY_TIMEOUT: Final = 180.0
"""Seconds a gateway may take to start (LiteLLM's proxy takes about 40 here)."""
STOP_TIMEOUT: Final = 15.0
LITELLM_CONFIG: Final = PINS / "litellm.yaml"
EMULATOR: Final = (sys.executable, "-m", "sanad_emulator")
PORTKEY_CONFIG: Final = PINS / "portkey-config.json"


class GatewayError(RuntimeError):
    """A gateway did not answer a request with a completion, or did not start."""


@dataclass(frozen=True)
class Upstreams:
    """The two emulators: the primary (which the outage makes fail) and the fallback."""

    primary_url: str
    fallback_url: str
    primary: EmulatorControl
    fallback: EmulatorControl

    async def counts(self) -> tuple[int, int]:
        """Requests the primary and the fallback have received so far."""
        primary = (await self.primary.stats())[EMULATOR_KIND].requests
        fallback = (await self.fallback.stats())[EMULATOR_KIND].requests
        return primary, fallback


@dataclass(frozen=True)
class Target:
    """Something the load calls: a gateway, or the emulator directly."""

    name: str
    call: Call
    pids: tuple[int, ...] = ()
    """The gateway's own processes (their descendants count too), for its CPU."""


@dataclass(frozen=True)
class Process:
    """One child process, in a session of its own so that it and its children stop together."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def tail(self, lines: int = 25) -> str:
        """The end of its output, for an error message."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM to its process group (its id is the child's PID), then SIGKILL."""
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        else:
            # The leader is gone; make sure nothing it started lingers.
            with suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)


def spawn(name: str, args: Sequence[str], workdir: Path, env: Mapping[str, str]) -> Process:
    """Start ``args`` with its output in ``workdir/NAME.log``."""
    log = workdir / f"{name}.log"
    with log.open("wb") as output:
        popen = subprocess.Popen(
            list(args),
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env),
            start_new_session=True,
        )
    return Process(name, popen, log)


async def wait_ready(
    process: Process, session: aiohttp.ClientSession, url: str, within: float = READY_TIMEOUT
) -> None:
    """Poll ``url`` until it answers 200 (for ``within`` seconds at most); fail at once if
    the process exits."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise GatewayError(
                f"{process.name} exited with {process.popen.returncode}:\n{process.tail()}"
            )
        try:
            async with session.get(url, timeout=aiohttp.ClientTimeout(total=2)) as reply:
                if reply.status == 200:
                    return
        except (aiohttp.ClientError, TimeoutError):
            pass
        await asyncio.sleep(0.25)
    raise GatewayError(f"{process.name} not ready at {url} after {within:.0f} s:\n{process.tail()}")


def tree_cpu_seconds(pids: Sequence[int]) -> float:
    """CPU time of these processes and every descendant alive now, from /proc."""
    total = 0.0
    seen: set[int] = set()
    pending = list(pids)
    while pending:
        pid = pending.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            total += cpu_seconds(pid)
            for children in Path(f"/proc/{pid}/task").glob("*/children"):
                pending += [int(child) for child in children.read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def chat_body(model: str, text: str) -> bytes:
    """The chat completion request the analyzer sends its provider for ``text``."""
    instructions, content = build_messages(
        AnalysisPrompt(
            shop_name="Bench Shop",
            shop_specialization="electronics",
            policy_type=PolicyType.RETURN_EXCHANGE,
            policy_text=text,
        )
    )
    body = {
        "model": model,
        "messages": [
            {"role": "system", "content": instructions},
            {"role": "user", "content": content},
        ],
        "max_completion_tokens": MAX_COMPLETION_TOKENS,
        "response_format": RESPONSE_FORMAT,
    }
    return json.dumps(body).encode()


def http_call(
    session: aiohttp.ClientSession, url: str, model: str, headers: Mapping[str, str]
) -> Call:
    """POST a chat completion; anything but a 200 with a choice is a failure."""
    sent = {"content-type": "application/json", **headers}

    async def call(text: str) -> None:
        async with session.post(url, data=chat_body(model, text), headers=sent) as reply:
            payload = await reply.read()
            if reply.status != 200:
                raise GatewayError(f"{url} answered {reply.status}: {payload[:200]!r}")
            if not json.loads(payload).get("choices"):
                raise GatewayError(f"{url} answered without a choice: {payload[:200]!r}")

    return call


def client_session() -> aiohttp.ClientSession:
    """The load's HTTP client: keep-alive connections, no limit below the concurrency."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0),
        timeout=aiohttp.ClientTimeout(total=CALL_TIMEOUT),
    )


def direct(session: aiohttp.ClientSession, upstreams: Upstreams) -> Target:
    """The floor: the same request straight to the primary emulator."""
    url = f"{upstreams.primary_url}/v1/chat/completions"
    return Target(DIRECT, http_call(session, url, MODEL, {"authorization": "Bearer emulator"}))


@asynccontextmanager
async def emulators(workdir: Path, session: aiohttp.ClientSession) -> AsyncIterator[Upstreams]:
    """Two emulator processes on free loopback ports, stopped on exit."""
    async with AsyncExitStack() as stack:
        urls: list[str] = []
        for name in ("primary", "fallback"):
            port = free_port()
            process = spawn(
                f"emulator-{name}",
                [*EMULATOR, "--host", HOST, "--port", str(port), "--log-level", "WARNING"],
                workdir,
                os.environ,
            )
            stack.callback(process.stop)
            url = f"http://{HOST}:{port}"
            await wait_ready(process, session, f"{url}/healthz", within=30)
            urls.append(url)
        primary = EmulatorControl(urls[0])
        fallback = EmulatorControl(urls[1])
        stack.push_async_callback(primary.close)
        stack.push_async_callback(fallback.close)
        yield Upstreams(urls[0], urls[1], primary, fallback)


def sanad_providers(upstreams: Upstreams) -> str:
    """SANAD_PROVIDERS: the primary then the fallback emulator, both OpenAI, no quota limit."""
    unlimited = {name: -1 for name in ProviderLimits.model_fields}
    return json.dumps(
        [
            {
                "name": name,
                "kind": "openai",
                "model": MODEL,
                "api_key": "emulator",
                "base_url": f"{url}/v1",
                "limits": unlimited,
            }
            for name, url in (
                ("primary", upstreams.primary_url),
                ("fallback", upstreams.fallback_url),
            )
        ]
    )


@asynccontextmanager
async def sanad(upstreams: Upstreams, workdir: Path, store: str) -> AsyncIterator[Target]:
    """The suite (analyzer, quota, health, and Redis or SQLite), called through Analyze.

    The first ejection is the same 3600 s as in the latency bench, so the primary's circuit
    cannot half-open while the outage is measured."""
    with ExitStack() as stack:
        pids: list[int] = []
        if store == "redis":
            redis = stack.enter_context(RedisServer())
            url = redis.url
            if redis.pid is not None:
                pids.append(redis.pid)
        else:
            url = f"sqlite:///{workdir}/sanad.db"
        suite = LocalSuite(
            store_url=url,
            ports=SuitePorts.free(),
            host=HOST,
            log_dir=workdir / "sanad",
            with_emulator=False,
            env=suite_env("peers", {**SUITE_ENV, "SANAD_PROVIDERS": sanad_providers(upstreams)}),
        )
        stack.enter_context(suite)
        pids += suite.pids().values()
        async with grpc.aio.insecure_channel(suite.analyzer_target) as channel:
            analyzer = analyzer_pb2_grpc.AnalyzerServiceStub(channel)

            async def call(text: str) -> None:
                reply = await analyzer.Analyze(analyze_request(text), timeout=CALL_TIMEOUT)
                if reply.source != analyzer_pb2.SOURCE_FRESH:
                    source = analyzer_pb2.Source.Name(reply.source)
                    raise GatewayError(f"Analyze answered from {source}, not a provider")

            yield Target("sanad", call, tuple(pids))


@asynccontextmanager
async def litellm(
    upstreams: Upstreams, workdir: Path, session: aiohttp.ClientSession
) -> AsyncIterator[Target]:
    """The LiteLLM proxy with the pinned config, one worker, logs at WARNING (as the suite's).

    The proxy refuses to start without a master key, so each run makes a random one and the
    load sends it."""
    port = free_port()
    key = f"sk-bench-{secrets.token_hex(16)}"
    env = {
        **os.environ,
        "SANAD_PEER_PRIMARY_URL": f"{upstreams.primary_url}/v1",
        "SANAD_PEER_FALLBACK_URL": f"{upstreams.fallback_url}/v1",
        "LITELLM_MASTER_KEY": key,
        # Its bundled model cost map, not a download (which the namespace would refuse).
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "LITELLM_LOG": "WARNING",
    }
    process = spawn("litellm", litellm_command(port), workdir, env)
    try:
        await wait_ready(process, session, f"http://{HOST}:{port}/health/liveliness")
        url = f"http://{HOST}:{port}/v1/chat/completions"
        yield Target(
            "litellm",
            http_call(session, url, "primary", {"authorization": f"Bearer {key}"}),
            (process.popen.pid,),
        )
    finally:
        process.stop()


def litellm_command(port: int) -> list[str]:
    """How the LiteLLM proxy is started."""
    config = str(LITELLM_CONFIG)
    return [
        str(LITELLM.ready),
        "--config",
        config,
        "--host",
        HOST,
        "--port",
        str(port),
        "--num_workers",
        "1",
    ]


def portkey_config(upstreams: Upstreams) -> str:
    """The pinned fallback config with this run's two addresses, as the header carries it."""
    text = Template(PORTKEY_CONFIG.read_text()).substitute(
        primary_url=f"{upstreams.primary_url}/v1", fallback_url=f"{upstreams.fallback_url}/v1"
    )
    return json.dumps(json.loads(text), separators=(",", ":"))


def portkey_command(port: int) -> list[str]:
    """How the Portkey gateway is started (headless: no console UI)."""
    return ["node", str(PORTKEY.ready), f"--port={port}", "--headless"]


@asynccontextmanager
async def portkey(
    upstreams: Upstreams, workdir: Path, session: aiohttp.ClientSession
) -> AsyncIterator[Target]:
    """The Portkey gateway; its config travels in the ``x-portkey-config`` header, as its
    open-source gateway takes it."""
    port = free_port()
    process = spawn("portkey", portkey_command(port), workdir, os.environ)
    try:
        await wait_ready(process, session, f"http://{HOST}:{port}/")
        url = f"http://{HOST}:{port}/v1/chat/completions"
        headers = {"x-portkey-config": portkey_config(upstreams)}
        yield Target("portkey", http_call(session, url, MODEL, headers), (process.popen.pid,))
    finally:
        process.stop()


@asynccontextmanager
async def gateway(
    name: str, upstreams: Upstreams, workdir: Path, session: aiohttp.ClientSession, store: str
) -> AsyncIterator[Target]:
    """The named gateway, started for the given upstreams and stopped on exit."""
    if name == "sanad":
        async with sanad(upstreams, workdir, store) as target:
            yield target
    elif name == "litellm":
        async with litellm(upstreams, workdir, session) as target:
            yield target
    elif name == "portkey":
        async with portkey(upstreams, workdir, session) as target:
            yield target
    else:
        raise ValueError(f"unknown gateway {name!r}; known: {', '.join(GATEWAYS)}")
