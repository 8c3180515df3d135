"""Tables and reports for people; the --json output of each command is its message as JSON.

Text from the service (Arabic included) is printed as it came, in logical order and without
wrapping inside it, so a terminal with bidirectional support shows right-to-left text intact.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from sanad.analyzer.v1 import analyzer_pb2
from sanad.health.v1 import health_pb2
from sanad.quota.v1 import quota_pb2
from sanad.type.v1 import error_class_pb2

STATE_STYLES = {"HEALTHY": "green", "DEGRADED": "yellow", "UNHEALTHY": "red"}
"""Colour of each roll-up state."""


def enum_label(name: str, prefix: str) -> str:
    """ "HEALTH_STATE_DEGRADED" -> "DEGRADED"."""
    return name.removeprefix(prefix)


def system_health(reply: analyzer_pb2.GetSystemHealthResponse) -> RenderableType:
    """The roll-up and one row per component."""
    overall = enum_label(analyzer_pb2.HealthState.Name(reply.state), "HEALTH_STATE_")
    table = Table("component", "state", "detail", title=f"Sanad is {overall}")
    for component in reply.components:
        state = enum_label(analyzer_pb2.HealthState.Name(component.state), "HEALTH_STATE_")
        table.add_row(
            component.name, Text(state, style=STATE_STYLES.get(state, "")), component.detail
        )
    return table


def providers(
    reply: health_pb2.GetProviderStatusResponse | health_pb2.WatchProvidersResponse,
) -> RenderableType:
    """One row per provider: circuit, availability, success rate, counts."""
    table = Table(
        "provider",
        "primary",
        "circuit",
        "available",
        "success rate",
        "ok",
        "failed",
        "last error",
        "blacklisted",
        title="Providers",
    )
    for status in reply.providers:
        table.add_row(
            status.provider,
            "yes" if status.primary else "",
            enum_label(health_pb2.CircuitState.Name(status.circuit_state), "CIRCUIT_STATE_"),
            "yes" if status.available else "no",
            f"{status.success_rate:.1%}",
            str(status.success_count),
            str(status.failure_count),
            _error_class(status.last_error_class),
            str(status.times_blacklisted),
        )
    return table


def _error_class(value: error_class_pb2.ErrorClass.ValueType) -> str:
    if not value:
        return ""
    return enum_label(error_class_pb2.ErrorClass.Name(value), "ERROR_CLASS_")


def quota(reply: quota_pb2.GetUsageResponse) -> RenderableType:
    """One row per provider (then tenant), window and metric."""
    table = Table(
        "provider or tenant",
        "window",
        "metric",
        "used",
        "limit",
        "percent",
        "level",
        "projected",
        title="Quota",
    )
    owners = [(usage.provider, usage.windows) for usage in reply.providers]
    owners += [(f"tenant {usage.tenant}", usage.windows) for usage in reply.tenants]
    for owner, windows in owners:
        for window in windows:
            table.add_row(
                owner,
                enum_label(quota_pb2.Window.Name(window.window), "WINDOW_").lower(),
                enum_label(quota_pb2.Metric.Name(window.metric), "METRIC_").lower(),
                str(window.used),
                "unlimited" if window.limit < 0 else str(window.limit),
                f"{window.percent:.1f}%",
                enum_label(quota_pb2.WarningLevel.Name(window.warning_level), "WARNING_LEVEL_"),
                str(window.projected_use),
            )
    return table


def cache_stats(reply: analyzer_pb2.GetCacheStatsResponse) -> RenderableType:
    """Entries, hits and misses per cache and policy type, with the hit rate."""
    table = Table("cache", "policy type", "entries", "hits", "near-duplicate", "misses", "hit rate")
    rows: Iterable[analyzer_pb2.CacheStats] = reply.caches or _legacy_rows(reply)
    for row in rows:
        lookups = row.hits + row.near_duplicate_hits + row.misses
        rate = f"{(row.hits + row.near_duplicate_hits) / lookups:.1%}" if lookups else "-"
        table.add_row(
            row.cache,
            enum_label(analyzer_pb2.PolicyType.Name(row.policy_type), "POLICY_TYPE_").lower()
            if row.policy_type
            else "all",
            str(row.entries),
            str(row.hits),
            str(row.near_duplicate_hits),
            str(row.misses),
            rate,
        )
    return table


def _legacy_rows(reply: analyzer_pb2.GetCacheStatsResponse) -> list[analyzer_pb2.CacheStats]:
    """Totals from the older per-field counters, for an analyzer without per-cache stats."""
    return [
        analyzer_pb2.CacheStats(
            cache="idempotency",
            entries=reply.idempotency_entries,
            hits=reply.idempotency_hits,
            misses=reply.idempotency_misses,
        ),
        analyzer_pb2.CacheStats(
            cache="degradation",
            entries=sum(entry.count for entry in reply.degradation_entries),
            hits=reply.degradation_hits,
            misses=reply.degradation_misses,
        ),
    ]


def analysis(reply: analyzer_pb2.AnalyzeResponse) -> RenderableType:
    """The report of one analysis: where it came from, the grade, issues and advice."""
    report = reply.analysis.compliance_report
    source = enum_label(analyzer_pb2.Source.Name(reply.source), "SOURCE_")
    lines: list[RenderableType] = [
        Text(f"Source: {source}  Provider: {reply.provider or '-'}  Analysis: {reply.analysis_id}"),
        Text(
            f"Compliance: {report.overall_compliance_ratio:.0f}%  Grade: {report.compliance_grade}"
            f"  Policy match: {'yes' if reply.analysis.policy_match.is_match else 'no'}"
        ),
    ]
    if reply.note.ar or reply.note.en:
        lines += _section("Note", [reply.note.ar, reply.note.en])
    lines += _section("Summary", [report.summary])
    lines += _section(
        "Critical issues",
        [
            f"[{enum_label(analyzer_pb2.Severity.Name(issue.severity), 'SEVERITY_')}] "
            f"{issue.issue} — «{issue.phrase}» → {issue.suggestion} ({issue.legal_reference})"
            for issue in report.critical_issues
        ],
    )
    lines += _section(
        "Rule findings",
        [
            f"{finding.rule_id}: {finding.finding} ({finding.legal_reference})"
            for finding in reply.rule_findings
        ],
    )
    for title, items in (
        ("Strengths", report.strengths),
        ("Weaknesses", report.weaknesses),
        ("Ambiguities", report.ambiguities),
        ("Recommendations", report.recommendations),
    ):
        lines += _section(title, list(items))
    if reply.analysis.improved_policy:
        lines += _section("Improved policy", [reply.analysis.improved_policy])
    return Group(*lines)


def _section(title: str, items: list[str]) -> list[RenderableType]:
    present = [item for item in items if item]
    if not present:
        return []
    return [Text(""), Text(title, style="bold"), *(Text(f"• {item}") for item in present)]


def console(stderr: bool = False) -> Console:
    """A console that never wraps inside a line of service text."""
    return Console(stderr=stderr, soft_wrap=True, highlight=False)
