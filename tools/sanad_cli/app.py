"""The ``sanad`` command: one sub-command per operator task of the original guide.

Every command prints a table for people, or the service's answer as JSON with --json. Admin
commands send the token from SANAD_ADMIN_TOKEN. Any failure is one line on stderr and a
non-zero exit code: 1 when a service refused, 2 when it could not be reached.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import grpc
import typer
from rich.console import Group
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sanad.analyzer.v1 import analyzer_pb2
from sanad.health.v1 import health_pb2
from sanad.quota.v1 import quota_pb2
from sanad_cli import render
from sanad_cli.batch import BatchRunner, BatchSummary, finished_ids, read_items
from sanad_cli.connection import Connections
from sanad_cli.errors import EXIT_FAILED, CliError, reported_errors
from sanad_cli.requests import as_json, jurisdiction, policy_type
from sanad_cli.settings import DEFAULT_TIMEOUT, CliSettings

app = typer.Typer(
    name="sanad",
    help="Operate a running Sanad suite: health, providers, quota, caches and analyses.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
cache_app = typer.Typer(help="The analyzer's caches.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")

JsonOption = Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")]
PrimaryName = Annotated[str, typer.Argument(help="Provider to try first.")]
ResetName = Annotated[str, typer.Argument(help="Provider whose circuit and counts to reset.")]
QuotaName = Annotated[str, typer.Argument(help="Provider whose quota windows to reset.")]


@app.callback()
def connect(
    ctx: typer.Context,
    analyzer: Annotated[
        str | None, typer.Option(help="Analyzer host:port (default: SANAD_ANALYZER_TARGET).")
    ] = None,
    quota: Annotated[
        str | None, typer.Option(help="Quota host:port (default: SANAD_QUOTA_TARGET).")
    ] = None,
    health: Annotated[
        str | None, typer.Option(help="Health host:port (default: SANAD_HEALTH_TARGET).")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds each call may take.")] = DEFAULT_TIMEOUT,
) -> None:
    """Resolve where the services are before any command runs; the run's connections close
    when the command ends."""
    with reported_errors():
        settings = CliSettings.resolve(analyzer, quota, health, timeout)
    ctx.obj = ctx.with_resource(Connections(settings))


def _connections(ctx: typer.Context) -> Connections:
    connections: Connections = ctx.obj
    return connections


def _show(reply: Any, as_json_output: bool, table: Callable[[Any], Any]) -> None:
    if as_json_output:
        typer.echo(json.dumps(as_json(reply), ensure_ascii=False, indent=2))
    else:
        render.console().print(table(reply))


@app.command()
def health(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """The system roll-up: healthy, degraded or unhealthy, per component. Exits 1 if unhealthy."""
    reply = _connections(ctx).analyzer.call(
        lambda stub: stub.GetSystemHealth, analyzer_pb2.GetSystemHealthRequest()
    )
    _show(reply, json_output, render.system_health)
    if reply.state == analyzer_pb2.HEALTH_STATE_UNHEALTHY:
        raise typer.Exit(EXIT_FAILED)


@app.command()
def providers(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """Each provider's circuit, availability and success rate."""
    reply = _connections(ctx).health.call(
        lambda stub: stub.GetProviderStatus, health_pb2.GetProviderStatusRequest()
    )
    _show(reply, json_output, render.providers)


@app.command("quota")
def quota_usage(
    ctx: typer.Context,
    tenants: Annotated[
        bool, typer.Option("--tenants", help="Also each tenant's own windows.")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Quota used, limit and warning level per provider (and tenant), window and metric."""
    request = quota_pb2.GetUsageRequest(all_tenants=tenants)
    reply = _connections(ctx).quota.call(lambda stub: stub.GetUsage, request)
    _show(reply, json_output, render.quota)


@cache_app.command("stats")
def cache_stats(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """Entries, hits and misses of each cache (admin)."""
    request = analyzer_pb2.GetCacheStatsRequest()
    reply = _connections(ctx).analyzer.call(lambda stub: stub.GetCacheStats, request, admin=True)
    _show(reply, json_output, render.cache_stats)


@cache_app.command("clear")
def cache_clear(
    ctx: typer.Context,
    kind: Annotated[
        str,
        typer.Argument(
            metavar="TYPE",
            help="return-exchange, shipping-delivery, privacy-account, or all.",
        ),
    ],
    include_idempotency: Annotated[
        bool, typer.Option(help="Also clear the idempotency cache.")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Drop cached analyses of one policy type, or of all (admin)."""
    with reported_errors():
        chosen = (
            analyzer_pb2.POLICY_TYPE_UNSPECIFIED if kind.lower() == "all" else policy_type(kind)
        )
    request = analyzer_pb2.ClearCacheRequest(
        policy_type=chosen, include_idempotency=include_idempotency
    )
    reply = _connections(ctx).analyzer.call(lambda stub: stub.ClearCache, request, admin=True)
    _show(
        reply,
        json_output,
        lambda r: (
            f"Removed {r.degradation_entries_removed} degradation, "
            f"{r.idempotency_entries_removed} idempotency and "
            f"{r.similarity_index_entries_removed} similarity-index entries."
        ),
    )


@app.command("set-primary")
def set_primary(ctx: typer.Context, name: PrimaryName, json_output: JsonOption = False) -> None:
    """Make a provider the primary (admin)."""
    request = health_pb2.SetPrimaryProviderRequest(provider=name)
    reply = _connections(ctx).health.call(lambda stub: stub.SetPrimaryProvider, request, admin=True)
    _show(reply, json_output, lambda r: f"Provider order: {', '.join(r.order)}")


@app.command("reset-provider")
def reset_provider(ctx: typer.Context, name: ResetName, json_output: JsonOption = False) -> None:
    """Close a provider's circuit and clear its counts (admin)."""
    request = health_pb2.ResetProviderRequest(provider=name)
    reply = _connections(ctx).health.call(lambda stub: stub.ResetProvider, request, admin=True)
    _show(reply, json_output, lambda r: f"Provider {name} reset.")


@app.command("reset-quota")
def reset_quota(ctx: typer.Context, name: QuotaName, json_output: JsonOption = False) -> None:
    """Zero a provider's quota use in every window (admin)."""
    request = quota_pb2.ResetQuotaRequest(provider=name)
    reply = _connections(ctx).quota.call(lambda stub: stub.ResetQuota, request, admin=True)
    _show(reply, json_output, lambda r: f"Quota of {name} reset.")


@app.command()
def watch(
    ctx: typer.Context,
    updates: Annotated[
        int, typer.Option(help="Stop after this many provider updates; 0 runs until Ctrl-C.")
    ] = 0,
    json_output: Annotated[
        bool, typer.Option("--json", help="One JSON object per update instead of a live view.")
    ] = False,
) -> None:
    """Live provider and quota state, refreshed on every provider change."""
    connections = _connections(ctx)
    try:
        if json_output:
            connections.run(
                _watch(
                    connections,
                    updates,
                    lambda statuses, usage: typer.echo(
                        json.dumps(
                            {"providers": as_json(statuses), "quota": as_json(usage)},
                            ensure_ascii=False,
                        )
                    ),
                )
            )
        else:
            with Live(console=render.console(), auto_refresh=False) as live:
                connections.run(
                    _watch(
                        connections,
                        updates,
                        lambda statuses, usage: live.update(
                            Group(render.providers(statuses), render.quota(usage)),
                            refresh=True,
                        ),
                    )
                )
    except KeyboardInterrupt:
        return


async def _watch(
    connections: Connections,
    updates: int,
    show: Callable[[health_pb2.WatchProvidersResponse, quota_pb2.GetUsageResponse], None],
) -> None:
    """Show each provider update with the quota usage at that moment."""
    health_service = connections.health
    stream = (await health_service.stub()).WatchProviders(health_pb2.WatchProvidersRequest())
    seen = 0
    try:
        async for statuses in stream:
            usage = await connections.quota.invoke(
                lambda stub: stub.GetUsage, quota_pb2.GetUsageRequest()
            )
            show(statuses, usage)
            seen += 1
            if updates and seen >= updates:
                return
    except grpc.aio.AioRpcError as error:
        raise await health_service.failure(error) from None
    finally:
        stream.cancel()


@app.command()
def analyze(  # noqa: PLR0917 (typer maps each parameter to an option)
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The policy text; - reads standard input.")],
    kind: Annotated[
        str,
        typer.Option("--type", help="return-exchange, shipping-delivery or privacy-account."),
    ] = "return-exchange",
    shop_name: Annotated[str, typer.Option(help="The shop's name.")] = "",
    specialization: Annotated[str, typer.Option(help="What the shop sells.")] = "",
    country: Annotated[
        str | None, typer.Option("--jurisdiction", help="sa or eg (default: the service's).")
    ] = None,
    idempotency_key: Annotated[str, typer.Option(help="Key that makes retries free.")] = "",
    force_refresh: Annotated[bool, typer.Option(help="Skip both caches.")] = False,
    improved: Annotated[bool, typer.Option(help="Ask for an improved policy text.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Analyse one policy and print its report."""
    with reported_errors():
        try:
            text = (
                typer.get_text_stream("stdin").read()
                if str(file) == "-"
                else file.read_text(encoding="utf-8")
            )
        except OSError as error:
            raise CliError(f"cannot read {file}: {error.strerror}") from None
        request = analyzer_pb2.AnalyzeRequest(
            shop_name=shop_name,
            shop_specialization=specialization,
            policy_type=policy_type(kind),
            policy_text=text,
            idempotency_key=idempotency_key,
            force_refresh=force_refresh,
            include_improved_policy=improved,
        )
        if country:
            request.jurisdiction = jurisdiction(country)
    reply = _connections(ctx).analyzer.call(lambda stub: stub.Analyze, request, tenant=True)
    _show(reply, json_output, render.analysis)


@app.command("analyze-batch")
def analyze_batch(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="JSONL: one AnalyzeRequest object a line, with an optional id.")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="JSONL results; an existing file is resumed.")
    ],
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Analyses in flight.")] = 4,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the run's summary as JSON.")
    ] = False,
) -> None:
    """Analyse many policies; a killed run resumes where it stopped, re-billing nothing."""
    connections = _connections(ctx)
    with reported_errors():
        items = read_items(file)
        done = finished_ids(output)
        pending = [item for item in items if item.item_id not in done]
        progress = Progress(
            TextColumn("Analysing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=render.console(stderr=True),
        )
        task = progress.add_task("batch", total=len(items), completed=len(items) - len(pending))
        runner = BatchRunner(
            connections,
            concurrency=concurrency,
            on_progress=lambda: progress.advance(task),
        )
        with progress, output.open("a", encoding="utf-8") as sink:
            answered, failed, left = connections.run(runner.run(pending, sink))
    summary = BatchSummary(
        total=len(items),
        already_done=len(items) - len(pending),
        answered=answered,
        failed=failed,
        left=left,
        left_because=runner.last_transient_error,
    )
    if json_output:
        typer.echo(json.dumps(summary.__dict__))
    else:
        render.console(stderr=True).print(
            f"{summary.answered} answered, {summary.failed} refused, {summary.already_done} "
            f"already done, {summary.left} left for the next run; results in {output}"
        )
        if left:
            render.console(stderr=True).print(f"Left because: {summary.left_because}")
    if left:
        raise typer.Exit(EXIT_FAILED)


def main() -> None:
    """Entry point of the ``sanad`` script."""
    app()
