"""A real three-node Redis Cluster on loopback, started by a test and stopped by PIDs.

Each node is a ``redis-server --cluster-enabled yes`` on a free port (with a free cluster bus
port, since port + 10000 may be taken or out of range), keeping nothing on disk. The cluster is
formed with ``redis-cli --cluster create ... --cluster-yes`` (three primaries, no replicas), and
is ready once every node reports ``cluster_state:ok``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import redis

from sanad_launcher.ports import free_port

NODES = 3
_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 5.0


def cluster_tools_missing() -> str | None:
    """Why a cluster cannot be started here (a Redis tool is not installed), or None."""
    for tool in ("redis-server", "redis-cli"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


class RedisCluster3:
    """Three cluster-mode redis-server processes joined into one cluster; a context manager."""

    def __init__(self) -> None:
        self.ports: list[int] = []
        self._processes: list[subprocess.Popen[bytes]] = []
        self._workdir: Path | None = None

    @property
    def url(self) -> str:
        """A cluster URL naming the first node (the client discovers the others)."""
        return f"redis://127.0.0.1:{self.ports[0]}/0?cluster=true"

    def __enter__(self) -> RedisCluster3:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _start(self) -> None:
        self._workdir = Path(tempfile.mkdtemp(prefix="sanad-redis-cluster-"))
        for index in range(NODES):
            port = free_port()
            node_dir = self._workdir / str(index)
            node_dir.mkdir()
            args = [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(node_dir),
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-port",
                str(free_port()),
            ]
            with (node_dir / "redis.log").open("wb") as log:
                self._processes.append(
                    subprocess.Popen(args, cwd=node_dir, stdout=log, stderr=subprocess.STDOUT)
                )
            self.ports.append(port)
        for port in self.ports:
            self._wait(_answers, port)
        subprocess.run(
            [
                "redis-cli",
                "--cluster",
                "create",
                *(f"127.0.0.1:{port}" for port in self.ports),
                "--cluster-replicas",
                "0",
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=_START_TIMEOUT,
        )
        for port in self.ports:
            self._wait(_cluster_ok, port)

    def _wait(self, ready: Callable[[redis.Redis], bool], port: int) -> None:
        deadline = time.monotonic() + _START_TIMEOUT
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1.0)
        try:
            while True:
                try:
                    if ready(client):
                        return
                except redis.RedisError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Redis cluster node {port} never became ready")
                time.sleep(0.1)
        finally:
            client.close()

    def stop(self) -> None:
        """Stop every node by PID and remove their files."""
        for process in self._processes:
            if process.poll() is None:
                process.terminate()
        for process in self._processes:
            try:
                process.wait(timeout=_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=_STOP_TIMEOUT)
        self._processes.clear()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None


def _answers(client: redis.Redis) -> bool:
    return bool(client.ping())


def _cluster_ok(client: redis.Redis) -> bool:
    """True once the node sees every slot served (redis-py parses CLUSTER INFO into a dict)."""
    info = client.cluster("info")
    return isinstance(info, dict) and info.get("cluster_state") == "ok"
