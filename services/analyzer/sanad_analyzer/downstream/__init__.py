"""The analyzer's clients of its own dependencies, quota and health, with their fallbacks.

Holds the quota gateway with the local safe budget and its journal (quota unreachable), the
health gateway with the provider view health pushes and what this replica keeps until health
has it (its own recent outcomes, the report queue), and the timeouts of downstream calls.

May import: ``ports``, ``deadline``, the generated quota and health stubs, ``sanad_common``.
Nothing on the request path imports this package: it sees only ``ports``; ``app`` wires it.
"""

from sanad_analyzer.downstream.health import HealthGateway
from sanad_analyzer.downstream.quota import QuotaGateway
from sanad_analyzer.downstream.safe_budget import open_safe_budget

__all__ = ["HealthGateway", "QuotaGateway", "open_safe_budget"]
