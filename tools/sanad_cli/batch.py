"""analyze-batch: many policies from JSONL, a bounded number at a time, results as JSONL.

Resumable by construction: every finished item is one line in the output file, written and
flushed as it finishes, and a restart skips the ids already there. Each item carries an
idempotency key (its own, or one derived from its content), so an item whose answer was
produced but not yet written when the run was killed is answered from the analyzer's
idempotency cache on the next run, without a second provider request. Transient failures
(unreachable, deadline) are left out of the file, so the next run tries them again.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import grpc

from sanad.analyzer.v1 import analyzer_pb2, analyzer_pb2_grpc
from sanad_cli.connection import Connections
from sanad_cli.errors import CliError
from sanad_cli.requests import as_json, batch_request

RETRIED_LATER = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.CANCELLED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
    }
)
"""Failures not written to the output: the item is tried again by the next run."""


@dataclass(frozen=True)
class BatchItem:
    """One line of the input."""

    item_id: str
    """The item's "id", or its line number."""
    request: analyzer_pb2.AnalyzeRequest
    """What is sent to the analyzer."""


@dataclass(frozen=True)
class BatchSummary:
    """What a run did."""

    total: int
    """Items in the input."""
    already_done: int
    """Items found in the output from an earlier run, skipped."""
    answered: int
    """Items answered in this run."""
    failed: int
    """Items the analyzer refused for good (written with their error)."""
    left: int
    """Items that failed transiently, left for the next run."""
    left_because: str
    """The last transient failure, when items were left."""


def read_items(path: Path) -> list[BatchItem]:
    """Parse the input; ids must be unique so the output can be matched against it."""
    items: list[BatchItem] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                data: Any = json.loads(line)
            except json.JSONDecodeError as error:
                raise CliError(f"{path}:{number}: not JSON: {error.msg}") from None
            if not isinstance(data, dict):
                raise CliError(f"{path}:{number}: each line must be a JSON object")
            item_id = str(data.get("id", number))
            if item_id in seen:
                raise CliError(f"{path}:{number}: duplicate id {item_id!r}")
            seen.add(item_id)
            try:
                request = batch_request(data)
            except CliError as error:
                raise CliError(f"{path}:{number}: {error}") from None
            items.append(BatchItem(item_id, request))
    return items


def finished_ids(output: Path) -> set[str]:
    """Ids already written by an earlier run; a half-written last line (a kill) is cut off."""
    if not output.exists():
        return set()
    data = output.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    if len(complete) != len(data):
        with output.open("r+b") as handle:
            handle.truncate(len(complete))
    done: set[str] = set()
    for line in complete.decode("utf-8").splitlines():
        if line.strip():
            done.add(str(json.loads(line)["id"]))
    return done


class BatchRunner:
    """Sends the pending items to the analyzer, on the run's channel to it, with at most
    `concurrency` in flight."""

    def __init__(
        self,
        connections: Connections,
        *,
        concurrency: int,
        on_progress: Callable[[], None],
    ) -> None:
        self._analyzer = connections.analyzer
        self._timeout = connections.settings.timeout
        self._metadata = connections.settings.tenant_metadata()
        self._concurrency = concurrency
        self._on_progress = on_progress
        self.last_transient_error = ""
        """One line on the last failure that left an item for the next run."""

    async def run(self, items: list[BatchItem], output: IO[str]) -> tuple[int, int, int]:
        """Answered, failed and left counts."""
        counts = {"answered": 0, "failed": 0, "left": 0}
        queue: asyncio.Queue[BatchItem] = asyncio.Queue()
        for item in items:
            queue.put_nowait(item)
        stub = await self._analyzer.stub()

        async def worker() -> None:
            while not queue.empty():
                item = queue.get_nowait()
                record = await self._one(stub, item)
                if record is None:
                    counts["left"] += 1
                else:
                    counts["failed" if "error" in record else "answered"] += 1
                    output.write(json.dumps(record, ensure_ascii=False) + "\n")
                    output.flush()
                    os.fsync(output.fileno())
                self._on_progress()

        await asyncio.gather(*(worker() for _ in range(self._concurrency)))
        return counts["answered"], counts["failed"], counts["left"]

    async def _one(
        self, stub: analyzer_pb2_grpc.AnalyzerServiceAsyncStub, item: BatchItem
    ) -> dict[str, Any] | None:
        key = item.request.idempotency_key
        try:
            reply = await stub.Analyze(item.request, metadata=self._metadata, timeout=self._timeout)
        except grpc.aio.AioRpcError as error:
            failure = await self._analyzer.failure(error)
            if error.code() in RETRIED_LATER:
                self.last_transient_error = str(failure)
                return None
            return {
                "id": item.item_id,
                "idempotency_key": key,
                "error": {"code": error.code().name, "message": str(failure)},
            }
        return {"id": item.item_id, "idempotency_key": key, "result": as_json(reply)}
