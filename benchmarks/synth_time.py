"""Synthesis wall time (SiliconCompiler + Yosys on sky130hd) for the default
design and for a twice-larger array, in one run.

    TAPEFLOW_PDK_ROOT=../shared/pdk python benchmarks/synth_time.py [--set ...]

The larger array doubles `rows` (the PE count) of the given parameters.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import tempfile
from pathlib import Path

from tapeflow.designs.registry import get_design
from tapeflow.flows.engine.execute import execute
from tapeflow.flows.params import build_spec
from tapeflow.flows.adapters.pdk import check_pdk_root, pdk_root_setting
from tapeflow.flows.engine.progress import Progress
from tapeflow.flows.engine.settings import RunSettings
from tapeflow.flows.stages import Elaborate, Synthesize


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="assignments", action="append", default=[])
    args = parser.parse_args()
    design = get_design("systolic")
    spec = build_spec(design.spec_type, {}, args.assignments)
    larger = dataclasses.replace(spec, rows=min(8, 2 * spec.rows))
    pdk_root = pdk_root_setting(None)
    check_pdk_root(pdk_root)

    with tempfile.TemporaryDirectory() as scratch:
        for label, candidate in (("default", spec), ("2x PEs", larger)):
            settings = RunSettings(build_root=Path(scratch), pdk_root=pdk_root)
            _, records = execute(design.name, candidate, settings,
                                 [Elaborate(), Synthesize()], Progress(io.StringIO()))
            synth = records[-1]
            if synth.result.status.value != "passed":
                raise SystemExit(f"{label}: synthesis {synth.result.status.value}: "
                                 f"{synth.result.reason}")
            metrics = {m.name: m.value for m in synth.result.metrics}
            print(f"{label:<8} {candidate.tag}: {candidate.pes} PEs, synthesis "
                  f"{synth.wall_seconds:.1f} s wall, {metrics['cell_count']} cells, "
                  f"{metrics['cell_area_um2']:,.0f} um^2")


if __name__ == "__main__":
    main()
