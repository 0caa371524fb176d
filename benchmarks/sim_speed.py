"""Simulated cycles per second of the regression's sustained_stream test on
Verilator and on Icarus, at RTL and at gate level (the synthesized netlist
with the sky130hd cell models), for the default design (or --set ...).

    TAPEFLOW_PDK_ROOT=../shared/pdk python benchmarks/sim_speed.py [--set rows=4 ...] \\
        [--repeat 3]

Cycles/s counts only the cycles the pin player drives (build, start-up and
the Python model check are reported separately). Verilator is measured with
the flow's unoptimized C++ build (-O0: fast to build) and with -Os (fast to
run). Gate level needs the PDK and is left out without it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from tapeflow.designs.export import export_verilog
from tapeflow.designs.registry import get_design
from tapeflow.flows.adapters.pdk import PDK_ROOT_ENV, cell_library, simulation_models
from tapeflow.flows.params import build_spec
from tapeflow.verification.simulate import SimulationSettings, run_regression

TEST = "sustained_stream"
BUILDS = (("verilator", False), ("verilator", True), ("icarus", False))


def synthesized_netlist(work: Path, assignments: list[str]) -> Path | None:
    if not os.environ.get(PDK_ROOT_ENV):
        return None
    sets = [item for pair in assignments for item in ("--set", pair)]
    done = subprocess.run([sys.executable, "-m", "tapeflow.flows.cli", "run", "--until",
                           "synthesize", "--build-dir", str(work / "build"), *sets],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"synthesis failed:\n{done.stderr[-2000:]}")
    (record,) = (work / "build").glob("*/synthesize/stage.json")
    output = next(o for o in json.loads(record.read_text())["outputs"] if o["name"] == "netlist")
    return record.parents[1] / output["path"]


def measure(spec, sources, work: Path, label: str, repeat: int, **settings) -> float:
    runs = [run_regression(spec, sources, work / f"{label}-{i}",
                           SimulationSettings(testcases=(TEST,), **settings))
            for i in range(repeat)]
    for run in runs:
        if run.failed or run.tests != 1:
            raise SystemExit(f"{label}: {TEST} did not pass: {run.failures}")
    speed = statistics.median(r.cycles_per_second for r in runs)
    print(f"{label:<26} {runs[0].cycles} cycles, median {speed:>9,.0f} cycles/s over {repeat} "
          f"runs (build {runs[0].build_seconds:5.1f} s, simulator process "
          f"{statistics.median(r.test_seconds for r in runs):.2f} s)")
    return speed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="assignments", action="append", default=[])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    design = get_design("systolic")
    spec = build_spec(design.spec_type, {}, args.assignments)

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        verilog = export_verilog(design.build_top(spec), spec.top_name, work / "rtl").verilog
        levels = [("RTL", [verilog], ())]
        netlist = synthesized_netlist(work, args.assignments)
        if netlist is None:
            print(f"gate level left out: no {PDK_ROOT_ENV}")
        else:
            models = tuple(simulation_models(cell_library(Path(os.environ[PDK_ROOT_ENV]))))
            levels.append(("GL", [netlist], models))
        for level, sources, models in levels:
            speeds = {}
            for simulator, optimized in BUILDS:
                label = f"{level} {simulator}" + (" -Os" if optimized else
                                                  " -O0" if simulator == "verilator" else "")
                speeds[label] = measure(spec, sources, work / level, label.replace(" ", "_"),
                                        args.repeat, simulator=simulator, cell_models=models,
                                        optimized_build=optimized)
            print(f"{level}: verilator -Os / icarus "
                  f"{speeds[f'{level} verilator -Os'] / speeds[f'{level} icarus']:.1f}x, "
                  f"verilator -O0 / icarus "
                  f"{speeds[f'{level} verilator -O0'] / speeds[f'{level} icarus']:.1f}x\n")


if __name__ == "__main__":
    main()
