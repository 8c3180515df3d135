"""The processes the chaos suite runs and breaks: Redis with an append-only file, the provider
emulator, quota, health, two analyzer replicas, and toxiproxy on every analyzer link.

Every process is started by this module, killed only by its own PID (SIGKILL for a crash,
SIGTERM at the end) and restarted with the same ports and environment.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import redis
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench.chaos.toxiproxy import Toxiproxy
from sanad_launcher.ports import free_port
from sanad_launcher.suite import NO_METRICS_PORTS

HOST = "127.0.0.1"
READY_TIMEOUT_SECONDS = 120.0
"""Seconds a process may take to answer after it starts (a bound against a hang; a loaded
machine starts Python slowly, and a process that exits fails at once)."""
SIGTERM_TIMEOUT_SECONDS = 30.0
"""How long a process may take to drain and exit after SIGTERM (its grace is 10 s)."""
ADMIN_TOKEN = "chaos-admin-token"
"""Admin token of the rig's services (loopback only)."""
ANALYZERS = ("analyzer-1", "analyzer-2")
LINKS = ("quota", "health", "redis", "openai", "gemini")
"""The analyzer links toxiproxy sits on."""
HOURLY_LIMIT = 1_000_000
"""Provider limits high enough that load never reaches them: the suite measures outages."""
BLACKLIST_SECONDS = 1
"""A failing provider stays out this long (at most twice as long when it relapses), so
"then back" is seen within a scenario."""
SAFE_REQUESTS = 5_000
"""Each analyzer's safe budget per hour in the rig, sized for 10 s of outage under load."""


@dataclass
class _Process:
    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    ready: tuple[str, str]
    process: subprocess.Popen[bytes] | None = None
    killed: bool = False


@dataclass
class ChaosRig:
    """The suite, wired through toxiproxy; use as a context manager."""

    workdir: Path
    """Logs, the Redis files and the analyzers' spend journals go here."""
    analyzer_env: dict[str, str] = field(default_factory=dict)
    """Extra environment for the analyzers (for example a safe budget of 0)."""
    ports: dict[str, int] = field(default_factory=dict)
    proxies: dict[str, int] = field(default_factory=dict)
    _processes: dict[str, _Process] = field(default_factory=dict)
    _toxiproxy: Toxiproxy | None = None

    def __enter__(self) -> ChaosRig:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def toxiproxy(self) -> Toxiproxy:
        """The toxiproxy server."""
        assert self._toxiproxy is not None
        return self._toxiproxy

    @property
    def analyzer_targets(self) -> list[str]:
        """host:port of each analyzer replica."""
        return [f"{HOST}:{self.ports[name]}" for name in ANALYZERS]

    def target(self, name: str) -> str:
        """host:port of a gRPC process (quota, health or an analyzer), not through a proxy."""
        return f"{HOST}:{self.ports[name]}"

    @property
    def emulator_url(self) -> str:
        """The emulator's base URL, not through a proxy."""
        return f"http://{HOST}:{self.ports['emulator']}"

    @property
    def redis_dir(self) -> Path:
        """Where Redis keeps its append-only file."""
        return self.workdir / "redis"

    def start(self) -> None:
        """Start everything, in dependency order; stop it all on failure."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        for name in ("redis", "emulator", "quota", "health", *ANALYZERS):
            self.ports[name] = free_port()
        try:
            self._toxiproxy = Toxiproxy(self.workdir / "toxiproxy.log")
            self._toxiproxy.start()
            for link in LINKS:
                upstream = "emulator" if link in ("openai", "gemini") else link
                self.proxies[link] = self._toxiproxy.proxy(link, self.ports[upstream])
            self._define()
            for name in ("redis", "emulator", "quota", "health", *ANALYZERS):
                self.spawn(name)
                self.wait_ready(name)
        except BaseException:
            self.stop()
            raise

    def _define(self) -> None:
        python = sys.executable
        self.redis_dir.mkdir(parents=True, exist_ok=True)
        redis_binary = shutil.which("redis-server") or "redis-server"
        self._add(
            "redis",
            [
                redis_binary,
                "--port",
                str(self.ports["redis"]),
                "--bind",
                HOST,
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                str(self.redis_dir),
            ],
            {},
            ("redis", str(self.ports["redis"])),
        )
        self._add(
            "emulator",
            [python, "-m", "sanad_emulator", "--host", HOST, "--port", str(self.ports["emulator"])],
            {},
            ("http", f"{self.emulator_url}/healthz"),
        )
        common = {
            "SANAD_HOST": HOST,
            "SANAD_ADMIN_TOKEN": ADMIN_TOKEN,
            "SANAD_STORE_NAMESPACE": "chaos",
            "SANAD_LOG_FORMAT": "json",
            **NO_METRICS_PORTS,
            "SANAD_PROVIDERS": self._providers(direct=True),
            "SANAD_BLACKLIST_DURATION": str(BLACKLIST_SECONDS),
            "SANAD_CIRCUIT_BASE_EJECTION": str(BLACKLIST_SECONDS),
            "SANAD_CIRCUIT_MAX_EJECTION": str(2 * BLACKLIST_SECONDS),
            "PYTHONUNBUFFERED": "1",
        }
        direct_store = f"redis://{HOST}:{self.ports['redis']}/0"
        self._add(
            "quota",
            [python, "-m", "sanad_quota"],
            {
                **common,
                "SANAD_QUOTA_PORT": str(self.ports["quota"]),
                "SANAD_STORE_URL": direct_store,
            },
            ("grpc", self.target("quota")),
        )
        self._add(
            "health",
            [python, "-m", "sanad_health"],
            {
                **common,
                "SANAD_HEALTH_PORT": str(self.ports["health"]),
                "SANAD_STORE_URL": direct_store,
            },
            ("grpc", self.target("health")),
        )
        for name in ANALYZERS:
            self._add(
                name,
                [python, "-m", "sanad_analyzer"],
                {
                    **common,
                    "SANAD_ANALYZER_PORT": str(self.ports[name]),
                    "SANAD_ANALYZER_ID": name,
                    "SANAD_QUOTA_TARGET": f"{HOST}:{self.proxies['quota']}",
                    "SANAD_HEALTH_TARGET": f"{HOST}:{self.proxies['health']}",
                    "SANAD_STORE_URL": f"redis://{HOST}:{self.proxies['redis']}/0",
                    "SANAD_QUOTA_JOURNAL_PATH": str(self.workdir / f"{name}-spends.db"),
                    "SANAD_QUOTA_SAFE_REQUESTS": str(SAFE_REQUESTS),
                    "SANAD_QUOTA_SAFE_TOKENS": "-1",
                    "SANAD_PROVIDERS": self._providers(direct=False),
                    **self.analyzer_env,
                },
                ("grpc", self.target(name)),
            )

    def _providers(self, *, direct: bool) -> str:
        def url(link: str) -> str:
            port = self.ports["emulator"] if direct else self.proxies[link]
            return f"http://{HOST}:{port}"

        limits = {"hourly_requests": HOURLY_LIMIT, "daily_requests": HOURLY_LIMIT * 24}
        limits |= {"hourly_tokens": -1, "daily_tokens": -1}
        return json.dumps(
            [
                {
                    "name": "openai",
                    "kind": "openai",
                    "model": "gpt-4o-mini",
                    "api_key": "emulator",
                    "base_url": f"{url('openai')}/v1",
                    "limits": limits,
                },
                {
                    "name": "gemini",
                    "kind": "gemini",
                    "model": "gemini-2.5-flash",
                    "api_key": "emulator",
                    "base_url": url("gemini"),
                    "limits": limits,
                },
            ]
        )

    def _add(self, name: str, args: list[str], env: dict[str, str], ready: tuple[str, str]) -> None:
        self._processes[name] = _Process(
            name, args, {**os.environ, **env}, self.workdir / f"{name}.log", ready
        )

    def spawn(self, name: str) -> None:
        """Start a process (again), with its ports and environment."""
        entry = self._processes[name]
        with entry.log.open("ab") as output:
            entry.process = subprocess.Popen(
                entry.args,
                env=entry.env,
                cwd=self.workdir,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        entry.killed = False

    def kill(self, name: str) -> None:
        """SIGKILL a process by its PID, as a crash would end it."""
        entry = self._processes[name]
        if entry.process is not None and entry.process.poll() is None:
            entry.process.kill()
            entry.process.wait(timeout=10)
        entry.killed = True

    def unreported_spends(self) -> int:
        """Spends the analyzers paid from their safe budgets and have not yet handed to quota,
        read from their journals (quota's totals are complete only when this is 0)."""
        pending = 0
        for name in ANALYZERS:
            journal = self.workdir / f"{name}-spends.db"
            if not journal.exists():
                continue
            with contextlib.closing(
                sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=5)
            ) as connection:
                (count,) = connection.execute(
                    "SELECT count(*) FROM spends WHERE reported = 0"
                ).fetchone()
            pending += int(count)
        return pending

    def terminate(self, name: str, timeout: float = SIGTERM_TIMEOUT_SECONDS) -> int:
        """SIGTERM a process by its PID, as a rolling restart stops it, and wait for it to
        drain and exit; its exit code."""
        entry = self._processes[name]
        assert entry.process is not None
        entry.killed = True
        entry.process.send_signal(signal.SIGTERM)
        return entry.process.wait(timeout=timeout)

    def wipe_redis(self) -> None:
        """Delete Redis's files, so its next start is empty."""
        shutil.rmtree(self.redis_dir, ignore_errors=True)
        self.redis_dir.mkdir(parents=True)

    def crashed(self) -> list[str]:
        """Processes that exited without being killed by the rig."""
        return [
            name
            for name, entry in self._processes.items()
            if not entry.killed and entry.process is not None and entry.process.poll() is not None
        ]

    def is_ready(self, name: str) -> bool:
        """Whether a process answers: SERVING, PONG or HTTP 200."""
        kind, where = self._processes[name].ready
        try:
            if kind == "redis":
                client = redis.Redis(host=HOST, port=int(where), socket_timeout=0.5)
                try:
                    return bool(client.ping())
                finally:
                    client.close()
            if kind == "http":
                with urllib.request.urlopen(where, timeout=0.5) as reply:
                    return bool(reply.status == 200)
            with grpc.insecure_channel(where) as channel:
                stub: Any = health_pb2_grpc.HealthStub(channel)
                reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=0.5)
                return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)
        except (OSError, redis.RedisError, grpc.RpcError):
            return False

    def wait_ready(self, name: str, timeout: float = READY_TIMEOUT_SECONDS) -> float:
        """Wait until a process answers; the monotonic time at which it did."""
        deadline = time.monotonic() + timeout
        entry = self._processes[name]
        while time.monotonic() < deadline:
            if entry.process is not None and entry.process.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with {entry.process.returncode}; see {entry.log}"
                )
            if self.is_ready(name):
                return time.monotonic()
            time.sleep(0.02)
        raise RuntimeError(f"{name} not ready after {timeout} s; see {entry.log}")

    def stop(self) -> None:
        """Stop every process by its PID, analyzers first, Redis last."""
        for name in reversed(list(self._processes)):
            process = self._processes[name].process
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if self._toxiproxy is not None:
            self._toxiproxy.stop()
