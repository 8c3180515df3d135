"""A local Sanad suite: the emulator (when no API key is set) and the three services, each
its own process, started in dependency order and stopped by PID."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from sanad_common.emulator import emulated_model
from sanad_launcher.ports import free_port

NO_METRICS_PORTS = {
    "SANAD_ANALYZER_METRICS_PORT": "0",
    "SANAD_QUOTA_METRICS_PORT": "0",
    "SANAD_HEALTH_METRICS_PORT": "0",
}
"""Environment that turns every service's Prometheus endpoint off: for suites that run beside
others and read no metrics."""
READY_TIMEOUT_SECONDS = 120.0
"""Seconds a process may take to answer after it starts: a bound against a hang, generous
because Python starts slowly on a loaded machine (a process that exits fails at once)."""
STOP_TIMEOUT_SECONDS = 15.0
SERVICE_PYTHON_ENV: Final[Mapping[str, str]] = {"PYTHONOPTIMIZE": "2"}
"""How every service's interpreter runs, here as in the image (Dockerfile): without docstrings
and asserts, which held about 5 MiB of the analyzer (docs/decisions.md). ``make install``
compiles the dependencies' optimized bytecode, so a start does not compile them again."""


@dataclass(frozen=True)
class SuitePorts:
    """Where each process listens."""

    analyzer: int = 50051
    """Analyzer gRPC port."""
    quota: int = 50052
    """Quota gRPC port."""
    health: int = 50053
    """Health gRPC port."""
    emulator: int = 8090
    """Provider emulator HTTP port."""

    @classmethod
    def free(cls) -> SuitePorts:
        """Ports nothing listens on, for tests and benchmarks."""
        return cls(
            analyzer=free_port(), quota=free_port(), health=free_port(), emulator=free_port()
        )


EMULATOR_MODELS: Final[Mapping[str, str]] = {
    "openai": "gpt-4o-mini",
    "gemini": "gemini-2.5-flash",
    "anthropic": "claude-sonnet-5",
}
"""The model each provider kind is asked for on the emulator."""


def emulator_providers(
    emulator_url: str,
    primary_limits: Mapping[str, int] | None = None,
    kinds: Sequence[str] = ("openai", "gemini"),
) -> str:
    """SANAD_PROVIDERS for the given kinds on the emulator (each named after its kind, in that
    order), with optional limits for the first one."""
    return json.dumps(
        [
            {
                "name": kind,
                "kind": kind,
                "model": emulated_model(EMULATOR_MODELS[kind]),
                "api_key": "emulator",
                "base_url": f"{emulator_url}/v1" if kind == "openai" else emulator_url,
                "limits": dict(primary_limits or {}) if index == 0 else {},
            }
            for index, kind in enumerate(kinds)
        ]
    )


class ProcessFailedError(RuntimeError):
    """A process of the suite exited or never became ready."""


@dataclass
class _Child:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path | None
    log_file: IO[bytes] | None

    def tail(self, lines: int = 30) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(output not captured)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class LocalSuite:
    """The suite on one machine; use as a context manager or call start() and stop()."""

    store_url: str
    """SANAD_STORE_URL for the three services."""
    ports: SuitePorts = field(default_factory=SuitePorts)
    """Where each process listens."""
    host: str = "127.0.0.1"
    """Interface every process binds to."""
    env: Mapping[str, str] = field(default_factory=dict)
    """Extra environment for the services (limits, tokens, log format...)."""
    service_env_overrides: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Environment of one service only, by name ("analyzer", "quota", "health"), over env:
    for example each service's SANAD_TLS_CLIENT_AUTH."""
    log_dir: Path | None = None
    """Each process writes its output to NAME.log here; None to inherit the terminal."""
    with_emulator: bool | None = None
    """Start the emulator; None to start it only when no provider API key is set."""
    _children: list[_Child] = field(default_factory=list)

    @property
    def analyzer_target(self) -> str:
        """host:port of the analyzer."""
        return f"{self.host}:{self.ports.analyzer}"

    @property
    def emulator_url(self) -> str:
        """Base URL of the emulator."""
        return f"http://{self.host}:{self.ports.emulator}"

    def emulator_enabled(self) -> bool:
        """Whether the emulator is (to be) started."""
        if self.with_emulator is not None:
            return self.with_emulator
        merged = {**os.environ, **self.env}
        return not (merged.get("OPENAI_API_KEY") or merged.get("GEMINI_API_KEY"))

    def service_env(self) -> dict[str, str]:
        """The environment each service process gets."""
        env = {
            **os.environ,
            "SANAD_HOST": self.host,
            "SANAD_ANALYZER_PORT": str(self.ports.analyzer),
            "SANAD_QUOTA_PORT": str(self.ports.quota),
            "SANAD_HEALTH_PORT": str(self.ports.health),
            "SANAD_QUOTA_TARGET": f"{self.host}:{self.ports.quota}",
            "SANAD_HEALTH_TARGET": f"{self.host}:{self.ports.health}",
            "SANAD_STORE_URL": self.store_url,
            "PYTHONUNBUFFERED": "1",
            **SERVICE_PYTHON_ENV,
        }
        if self.log_dir is not None:
            # Keep the analyzer's spend journal beside the logs, not in the working directory.
            env["SANAD_QUOTA_JOURNAL_PATH"] = str(self.log_dir / "analyzer-spends.db")
        if self.emulator_enabled():
            env.update(
                OPENAI_API_KEY="emulator",
                OPENAI_BASE_URL=f"{self.emulator_url}/v1",
                GEMINI_API_KEY="emulator",
                GEMINI_BASE_URL=self.emulator_url,
                # Model names that say the answers are the emulator's filler.
                SANAD_OPENAI_MODEL=emulated_model("gpt-4o-mini"),
                SANAD_GEMINI_MODEL=emulated_model("gemini-2.5-flash"),
            )
        env.update(self.env)
        return env

    def env_of(self, name: str) -> dict[str, str]:
        """The environment of one service process."""
        return {**self.service_env(), **self.service_env_overrides.get(name, {})}

    def __enter__(self) -> LocalSuite:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start every process and wait until each is ready; stop them all on failure."""
        try:
            if self.emulator_enabled():
                self._spawn(
                    "emulator",
                    [
                        "-m",
                        "sanad_emulator",
                        "--host",
                        self.host,
                        "--port",
                        str(self.ports.emulator),
                    ],
                    dict(os.environ),
                )
                self._wait_http(self._children[-1], f"{self.emulator_url}/healthz")
            for name in ("quota", "health", "analyzer"):
                self.start_process(name)
        except BaseException:
            self.stop()
            raise

    def start_process(self, name: str) -> None:
        """Start one service of the suite (quota, health or analyzer) on its port, as start
        does, and wait until it serves: again, after stop_process."""
        port = {
            "quota": self.ports.quota,
            "health": self.ports.health,
            "analyzer": self.ports.analyzer,
        }[name]
        env = self.env_of(name)
        self._spawn(name, ["-m", f"sanad_{name}"], env)
        self._wait_grpc(self._children[-1], port, env)

    def pids(self) -> dict[str, int]:
        """PID of each running process of the suite, by name."""
        return {child.name: child.process.pid for child in self._children}

    def stop_process(self, name: str) -> None:
        """Stop one process of the suite (to test what happens when it is gone)."""
        for child in list(self._children):
            if child.name == name:
                self._terminate(child)
                self._children.remove(child)

    def stop(self) -> None:
        """Stop every process, newest first, with SIGTERM then SIGKILL."""
        while self._children:
            self._terminate(self._children.pop())

    def _spawn(self, name: str, args: list[str], env: Mapping[str, str]) -> None:
        log_path = log_file = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            log_path = self.log_dir / f"{name}.log"
            log_file = log_path.open("ab")
        process = subprocess.Popen(
            [sys.executable, *args],
            env=dict(env),
            stdout=log_file,
            stderr=subprocess.STDOUT if log_file else None,
            stdin=subprocess.DEVNULL,
        )
        self._children.append(_Child(name, process, log_path, log_file))

    def _terminate(self, child: _Child) -> None:
        if child.process.poll() is None:
            child.process.send_signal(signal.SIGTERM)
            try:
                child.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
        if child.log_file is not None:
            child.log_file.close()

    def _check_alive(self, child: _Child) -> None:
        code = child.process.poll()
        if code is not None:
            raise ProcessFailedError(f"{child.name} exited with {code}:\n{child.tail()}")

    def _wait_http(self, child: _Child, url: str) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            self._check_alive(child)
            try:
                with urllib.request.urlopen(url, timeout=1) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise ProcessFailedError(f"{child.name} not ready at {url}:\n{child.tail()}")

    def _wait_grpc(self, child: _Child, port: int, env: Mapping[str, str]) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        with probe_channel(f"{self.host}:{port}", env) as channel:
            # The typeshed stub declares no methods on HealthStub.
            stub: Any = health_pb2_grpc.HealthStub(channel)
            while time.monotonic() < deadline:
                self._check_alive(child)
                try:
                    reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
                    if reply.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.RpcError:
                    pass
                time.sleep(0.1)
        raise ProcessFailedError(f"{child.name} not SERVING on port {port}:\n{child.tail()}")


def probe_channel(target: str, env: Mapping[str, str]) -> grpc.Channel:
    """A channel to a service started with env: plaintext, or TLS verified with its CA and
    presenting its own certificate (which a service that requires one accepts)."""
    if not env.get("SANAD_TLS_CERT_FILE"):
        return grpc.insecure_channel(target)

    def read(name: str) -> bytes | None:
        value = env.get(name)
        return Path(value).read_bytes() if value else None

    credentials = grpc.ssl_channel_credentials(
        root_certificates=read("SANAD_TLS_CA_FILE"),
        private_key=read("SANAD_TLS_KEY_FILE"),
        certificate_chain=read("SANAD_TLS_CERT_FILE"),
    )
    return grpc.secure_channel(target, credentials)
