"""Simulated cycles per second of the regression's sustained_stream test on
Verilator and on Icarus, in one run, for the default design (or --set ...).

    python benchmarks/sim_speed.py [--set rows=4 ...] [--repeat 3]

Cycles/s counts only the cycles the pin player drives (build, start-up and
the Python model check are reported separately).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from tapeflow.designs.export import export_verilog
from tapeflow.designs.registry import get_design
from tapeflow.flows.params import build_spec
from tapeflow.verification.simulate import SimulationSettings, run_regression

TEST = "sustained_stream"


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
        speeds = {}
        for simulator in ("verilator", "icarus"):
            runs = [run_regression(spec, [verilog], work / simulator,
                                   SimulationSettings(simulator=simulator, testcases=(TEST,)))
                    for _ in range(args.repeat)]
            for run in runs:
                if run.failed or run.tests != 1:
                    raise SystemExit(f"{simulator}: {TEST} did not pass: {run.failures}")
            speeds[simulator] = statistics.median(r.cycles_per_second for r in runs)
            print(f"{simulator:<9} {TEST}: {runs[0].cycles} cycles, "
                  f"median {speeds[simulator]:,.0f} cycles/s over {args.repeat} runs "
                  f"(first build {runs[0].build_seconds:.1f} s, "
                  f"simulator process {statistics.median(r.test_seconds for r in runs):.2f} s)")
        print(f"verilator / icarus: {speeds['verilator'] / speeds['icarus']:.1f}x "
              f"(target >= 8x)")


if __name__ == "__main__":
    main()
