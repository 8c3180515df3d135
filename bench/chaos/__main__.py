"""``python -m bench.chaos``: run the chaos scenarios and write docs/chaos.md and its plots."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from bench.chaos.report import markdown, plot
from bench.chaos.rig import ChaosRig
from bench.chaos.run import Phases, Report, run_scenario
from bench.chaos.scenarios import SCENARIOS
from sanad_emulator.control import EmulatorControl


async def main(names: list[str], phases: Phases, output: Path, command: str) -> int:
    """Run the scenarios on one rig; 1 if any service crashed."""
    chosen = [scenario for scenario in SCENARIOS if not names or scenario.name in names]
    plots = output.parent / output.stem
    plots.mkdir(parents=True, exist_ok=True)
    reports: list[Report] = []
    with tempfile.TemporaryDirectory(prefix="sanad-chaos-") as workdir:
        rig = ChaosRig(Path(workdir))
        await asyncio.to_thread(rig.start)
        try:
            async with EmulatorControl(rig.emulator_url) as emulator:
                for scenario in chosen:
                    report = await run_scenario(rig, emulator, scenario, phases)
                    plot(report, plots)
                    reports.append(report)
                    sys.stderr.write(f"{scenario.name}: {len(report.outcomes)} requests\n")
        finally:
            await asyncio.to_thread(rig.stop)
    await asyncio.to_thread(output.write_text, markdown(reports, phases, command, plots))
    return 1 if any(report.crashed for report in reports) else 0


def cli() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("docs/chaos.md"))
    parser.add_argument("--fault-seconds", type=float, default=Phases.fault)
    parser.add_argument(
        "--scenario", action="append", default=[], help="run only this scenario (repeatable)"
    )
    arguments = parser.parse_args()
    command = (
        "make chaos"
        if not sys.argv[1:] or sys.argv[1:] == ["--output", "docs/chaos.md"]
        else ("python -m bench.chaos " + " ".join(sys.argv[1:]))
    )
    phases = Phases(fault=arguments.fault_seconds)
    raise SystemExit(asyncio.run(main(arguments.scenario, phases, arguments.output, command)))


if __name__ == "__main__":
    cli()
