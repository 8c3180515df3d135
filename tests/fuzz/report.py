"""What the fuzz suite sent and what came back, for its summary at the end of the run (printed
in pytest's terminal summary and written to var/fuzz-report.txt)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import grpc


@dataclass(frozen=True)
class Aftermath:
    """What the processes showed once every RPC had been fuzzed."""

    died: tuple[str, ...]
    """Processes no longer running."""
    tracebacks: dict[str, int]
    """Tracebacks and logged exceptions, per process's log."""


class FuzzReport:
    """Statuses per RPC, the provider calls the answered analyses list, and the aftermath."""

    def __init__(self) -> None:
        self.statuses: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.provider_calls = 0
        self.aftermath: Aftermath | None = None

    def record(self, rpc: str, code: grpc.StatusCode, provider_calls: int) -> None:
        """One message sent to rpc and the status it ended with."""
        self.statuses[rpc][code.name] += 1
        self.provider_calls += provider_calls

    def messages(self) -> int:
        """Messages sent so far."""
        return sum(sum(counts.values()) for counts in self.statuses.values())

    def lines(self) -> list[str]:
        """One line per RPC: messages sent and each status seen; the totals; the aftermath."""
        lines = [
            f"{rpc}: {sum(counts.values())} messages; "
            + ", ".join(f"{code} {count}" for code, count in counts.most_common())
            for rpc, counts in sorted(self.statuses.items())
        ]
        total: Counter[str] = Counter()
        for counts in self.statuses.values():
            total.update(counts)
        lines.append(
            f"total: {self.messages()} messages to {len(self.statuses)} RPCs; "
            + ", ".join(f"{code} {count}" for code, count in total.most_common())
            + f"; provider calls by answered analyses: {self.provider_calls}"
        )
        if self.aftermath is None:
            lines.append("processes and logs: not checked (the final fuzz test did not run)")
        else:
            died = ", ".join(self.aftermath.died) or "none"
            tracebacks = ", ".join(
                f"{name} {count}" for name, count in sorted(self.aftermath.tracebacks.items())
            )
            lines.append(
                f"crashes (processes died): {len(self.aftermath.died)} ({died}); "
                f"tracebacks logged: {sum(self.aftermath.tracebacks.values())} ({tracebacks})"
            )
        return lines


REPORT = FuzzReport()
"""The run's report, filled by the fuzz tests and printed at the end of the session."""
