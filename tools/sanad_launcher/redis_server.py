"""A throwaway real ``redis-server`` for integration tests and benchmarks.

Tests run against a real server rather than a fake so Lua scripts, expiry and SCAN behave as
in production. Each server listens on a free 127.0.0.1 port, keeps nothing on disk (no RDB,
no AOF) and lives in its own temporary directory; it is stopped by PID, never by name, because
other test runs may have servers of their own.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import redis

from sanad_launcher.ports import free_port

REDIS_SERVER = "redis-server"
_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 5.0


class RedisServerError(RuntimeError):
    """The test Redis server could not be started."""


class RedisServer:
    """One ``redis-server`` process; use as a context manager or call start()/stop().

    With ``cluster=True`` the server runs in cluster mode and owns all 16384 slots, a
    one-node Redis Cluster that exercises the cluster client code paths.
    """

    def __init__(self, *, cluster: bool = False) -> None:
        self.cluster = cluster
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None

    @property
    def url(self) -> str:
        """The server's URL, with ``?cluster=true`` in cluster mode."""
        suffix = "?cluster=true" if self.cluster else ""
        return f"redis://127.0.0.1:{self.port}/0{suffix}"

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the server and wait until it answers PING (and, in cluster mode, is ready).

        After stop(), start() restarts an empty server on the same port.
        """
        binary = shutil.which(REDIS_SERVER)
        if binary is None:
            raise RedisServerError(
                f"{REDIS_SERVER} is not installed or not on PATH; "
                "install it (e.g. apt-get install redis-server) to run the Redis tests"
            )
        if not self.port:  # a restart after stop() keeps the port
            self.port = free_port()
        self._workdir = Path(tempfile.mkdtemp(prefix="sanad-redis-"))
        args = [
            binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self._workdir),
        ]
        if self.cluster:
            # The cluster bus port defaults to port + 10000, which may be out of range.
            args += [
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-port",
                str(free_port()),
            ]
        log = (self._workdir / "redis.log").open("wb")
        with log:
            self._process = subprocess.Popen(
                args, cwd=self._workdir, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server by PID (terminate, then kill if it lingers) and remove its files."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=_STOP_TIMEOUT)
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1.0)
        try:
            while True:
                if self._process is not None and self._process.poll() is not None:
                    raise RedisServerError(f"{REDIS_SERVER} exited early: {self._log_tail()}")
                try:
                    if client.ping() and (not self.cluster or self._cluster_ready(client)):
                        return
                except redis.exceptions.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    raise RedisServerError(
                        f"{REDIS_SERVER} on port {self.port} not ready after "
                        f"{_START_TIMEOUT} s: {self._log_tail()}"
                    )
                time.sleep(0.05)
        finally:
            client.close()

    @staticmethod
    def _cluster_ready(client: redis.Redis) -> bool:
        info = client.cluster("INFO")
        if str(info.get("cluster_slots_assigned")) == "0":
            client.cluster("ADDSLOTSRANGE", 0, 16383)
        return str(info.get("cluster_state")) == "ok"

    def _log_tail(self) -> str:
        if self._workdir is None:
            return ""
        log = self._workdir / "redis.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
