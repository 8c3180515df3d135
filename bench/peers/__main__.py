"""``python -m bench.peers``: install the peers if needed, measure each gateway in a network
namespace of its own, write the section of docs/benchmarks.md and the JSON."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Final

from bench.peers import install
from bench.peers.gateways import LITELLM_CONFIG, PORTKEY_CONFIG, litellm_command, portkey_command
from bench.peers.install import relative
from bench.peers.namespace import command as namespace_command
from bench.peers.table import GATEWAYS, GatewayRun, PeersRun, render
from bench.procstat import STORES, command_line
from bench.report import write_section

QUICK: Final = {"requests": 20, "warmup": 5, "open_batches": 3}
"""--quick: enough requests to see every row filled, too few for figures that mean much."""
NAMESPACE_TIMEOUT: Final = 1800.0
"""Seconds one namespace's whole measurement may take before it is stopped."""
RUNS: Final = install.HOME / "runs"


def sanad_version() -> str:
    """The commit measured (with a mark when the work tree has changes)."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=install.REPO, capture_output=True, text=True, check=False
        )
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return f"commit {commit}{' (with changes)' if git('status', '--porcelain') else ''}"


def runtime_versions() -> dict[str, str]:
    """The runtimes the peers run on."""
    node = shutil.which("node")
    version = (
        subprocess.run(
            [node, "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if node
        else "not installed"
    )
    return {"python": platform.python_version(), "node": version}


def start_notes() -> dict[str, str]:
    """How each gateway was started and configured, for the report."""

    def shown(arguments: list[str]) -> str:
        return shlex.join(relative(argument) for argument in arguments)

    return {
        "sanad": "the suite (`LocalSuite`: analyzer, quota, health) on its own Redis, with "
        "`SANAD_PROVIDERS` naming the two emulators (`primary`, `fallback`, both kind openai, "
        "no quota limit) and the latency bench's 3600 s first ejection.",
        "litellm": f"`{shown(litellm_command(4000))}` with `{relative(str(LITELLM_CONFIG))}` "
        "(a random master key per run, `LITELLM_LOG=WARNING`, its bundled cost map).",
        "portkey": f"`{shown(portkey_command(8787))}`; the config "
        f"`{relative(str(PORTKEY_CONFIG))}` is sent in the `x-portkey-config` header.",
    }


def prepare(peer: str, *, install_missing: bool) -> str | None:
    """None when the peer is ready to run, else why it is not."""
    if install.INSTALLS[peer].installed():
        return None
    if not install_missing:
        return "not installed (the bench installs it when run without --no-install)"
    return install.ensure(peer)


def run_namespace(gateway: str, arguments: list[str], log: Path) -> GatewayRun | str:
    """One gateway's measurement in its namespace: its figures, or why there are none."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as errors:
        child = subprocess.Popen(
            namespace_command(gateway, arguments),
            cwd=install.REPO,
            stdout=subprocess.PIPE,
            stderr=errors,
            stdin=subprocess.DEVNULL,
        )
        try:
            out, _ = child.communicate(timeout=NAMESPACE_TIMEOUT)
        except subprocess.TimeoutExpired:
            # SIGTERM lets it stop its own processes; SIGKILL only if it does not.
            child.terminate()
            try:
                child.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                child.kill()
                child.communicate()
            return f"stopped after {NAMESPACE_TIMEOUT:.0f} s (log: {relative(str(log))})"
    if child.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
        return f"exited with {child.returncode}: {tail[0]} (log: {relative(str(log))})"
    return GatewayRun.from_json(json.loads(out))


def main() -> None:
    """Parse arguments, install, measure every gateway, write the report and the JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400, help="requests of each run")
    parser.add_argument("--warmup", type=int, default=50, help="requests before measuring")
    parser.add_argument("--open-batches", type=int, default=5, help="outage opening batches")
    parser.add_argument("--seconds", type=float, default=120.0, help="longest run, in seconds")
    parser.add_argument("--quick", action="store_true", help="a few requests per run")
    parser.add_argument("--gateways", nargs="+", choices=GATEWAYS, default=list(GATEWAYS))
    parser.add_argument("--store", choices=STORES, default="redis", help="Sanad's store")
    parser.add_argument(
        "--no-install", action="store_true", help="measure only the peers already installed"
    )
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--json", type=Path, default=Path("var/bench/peers.json"))
    parser.add_argument("--runs", type=Path, default=RUNS, help="each namespace's logs go here")
    args = parser.parse_args()
    if args.quick:
        for name, value in QUICK.items():
            setattr(args, name, value)
    loads = ", ".join(f"{load:.1f}" for load in os.getloadavg())
    machine = f"{platform.machine()}, {os.cpu_count()} cores, load average {loads} at the start"
    versions = {
        "sanad": sanad_version(),
        "litellm": install.litellm_version(),
        "portkey": install.portkey_version(),
        **runtime_versions(),
    }
    missing: dict[str, str] = {}
    for peer in (name for name in args.gateways if name in install.INSTALLS):
        why = prepare(peer, install_missing=not args.no_install)
        if why is not None:
            missing[peer] = why
    versions["litellm"], versions["portkey"] = install.litellm_version(), install.portkey_version()
    arguments = [
        f"--requests={args.requests}",
        f"--warmup={args.warmup}",
        f"--open-batches={args.open_batches}",
        f"--seconds={args.seconds}",
        f"--store={args.store}",
    ]
    runs: list[GatewayRun] = []
    for gateway in (name for name in args.gateways if name not in missing):
        workdir = args.runs.resolve() / gateway
        shutil.rmtree(workdir, ignore_errors=True)
        outcome = run_namespace(
            gateway, [*arguments, f"--workdir={workdir}"], workdir / "bench.log"
        )
        if isinstance(outcome, str):
            missing[gateway] = outcome
        else:
            runs.append(outcome)
    run = PeersRun(
        command=command_line("bench.peers"),
        machine=machine,
        versions=versions,
        requests=args.requests,
        runs=tuple(runs),
        missing=missing,
        install={name: install.display_commands(name) for name in install.INSTALLS},
        start=start_notes(),
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(run.to_json(), indent=2) + "\n")
    section = render(run)
    write_section(args.output, section)
    sys.stdout.write(section)


if __name__ == "__main__":
    main()
