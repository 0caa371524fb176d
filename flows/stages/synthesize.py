"""Synthesis to sky130hd through SiliconCompiler (elaborate + synthesis only)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from tapeflow.reports.metrics import Layer, Metric
from tapeflow.tapeout.tt_data import cell_categories

from ..adapters.liberty import cell_areas
from ..adapters.pdk import liberty_file, pdk_data_files, unavailable_reason
from ..adapters.sc_project import ScProjectSettings, build_project
from ..adapters.tools import missing_tool_reason, tool_version
from ..adapters.yosys_launcher import pyosys_available, write_shim
from ..engine.atomic import copy_atomic, write_json_atomic
from ..engine.stage import RunContext, Stage, StageResult, Status

#: SC's synthesis flow for Verilog; the run stops after its "synthesis" step,
#: so SC never asks for the tools of later steps (OpenSTA >= 2.6.2 for timing).
SYNTHESIS_STEP = "synthesis"
CELL_PREFIX = "sky130_fd_sc_hd__"


class Synthesize(Stage):
    name = "synthesize"
    layer = Layer.L6
    needs = ("elaborate",)
    reads = ("elaborate.verilog",)
    settings_used = ("clock_period_ns",)
    scratch = ("sc",)
    description = "SiliconCompiler synflow (slang elaborate, Yosys) to a sky130hd netlist"

    def data_files(self, settings) -> list[Path]:
        return pdk_data_files(settings.pdk_root)

    def run(self, ctx: RunContext) -> StageResult:
        missing_sc = missing_tool_reason(("siliconcompiler",))
        if missing_sc:
            return StageResult.skipped(missing_sc)
        if not pyosys_available():
            return StageResult.skipped("yosys launcher unavailable: it runs on pyosys "
                                       "(pip install pyosys==0.70)")
        missing_pdk = unavailable_reason(ctx.settings.pdk_root)
        if missing_pdk:
            return StageResult.skipped(missing_pdk)
        from siliconcompiler.flows.synflow import SynthesisFlow

        spec = ctx.spec
        out_dir = ctx.stage_dir(self.name)
        shim = write_shim(out_dir / "bin")
        sc_log = out_dir / "siliconcompiler.log"
        project = build_project(ScProjectSettings(
            top=spec.top_name, verilog=ctx.output("elaborate", "verilog"), work_dir=out_dir,
            clock_period_ns=ctx.settings.clock_period_ns, pdk_root=ctx.settings.pdk_root,
            yosys_dir=shim.parent), sc_log)
        project.set_flow(SynthesisFlow(language="verilog"))
        project.option.add_to(SYNTHESIS_STEP)
        try:
            project.run()
        except Exception as error:   # SC reports tool failures as exceptions
            return StageResult(Status.FAILED, f"SiliconCompiler synthesis failed: {error} "
                               f"(see {sc_log})", {"sc_log": sc_log})

        netlist = Path(project.find_result("vg", step=SYNTHESIS_STEP))
        node = netlist.parent.parent
        outputs = {
            "netlist": copy_atomic(netlist, out_dir / f"{spec.top_name}.vg"),
            "stat": copy_atomic(node / "reports" / "stat.json", out_dir / "stat.json"),
            "yosys_log": copy_atomic(node / f"{SYNTHESIS_STEP}.log", out_dir / "yosys.log"),
            "sc_log": sc_log,
            "sdc": out_dir / f"{spec.top_name}.sdc",
        }
        liberty = liberty_file(project.get("library", "sky130hd", field="schema"), "typical")
        breakdown = area_by_category(json.loads(outputs["stat"].read_text()), cell_areas(liberty))
        outputs["area_by_category"] = out_dir / "area_by_category.json"
        write_json_atomic(outputs["area_by_category"], breakdown)

        metrics = _metrics(ctx, project, breakdown, outputs)
        tools = {"siliconcompiler": tool_version("siliconcompiler"),
                 "yosys": tool_version("yosys-launcher")}
        return StageResult(Status.PASSED, None, outputs, metrics, tools)


def area_by_category(stat: dict, areas: dict[str, float]) -> dict:
    """Cell counts and area per TinyTapeout cell category (categories.json)."""
    names, category_of = cell_categories()
    module = next(iter(stat["modules"].values()))
    counts: dict[str, int] = defaultdict(int)
    totals: dict[str, float] = defaultdict(float)
    for cell, count in module["num_cells_by_type"].items():
        base = cell.removeprefix(CELL_PREFIX).rsplit("_", 1)[0]
        category = names[category_of[base]] if base in category_of else "Misc"
        counts[category] += count
        totals[category] += count * areas.get(cell, 0.0)
    return {"area_um2": {k: round(v, 3) for k, v in sorted(totals.items())},
            "cells": dict(sorted(counts.items())),
            "total_area_um2": round(sum(totals.values()), 3),
            "sequential_area_um2": module.get("sequential_area"),
            "total_cells": module["num_cells"]}


def _metrics(ctx: RunContext, project, breakdown: dict, outputs: dict) -> list[Metric]:
    job = project.history(project.option.get_jobname())

    def sc_metric(name):
        return job.get("metric", name, step=SYNTHESIS_STEP, index="0")

    stat, by_category = ctx.relative(outputs["stat"]), ctx.relative(outputs["area_by_category"])
    source = "siliconcompiler yosys/syn_asic"
    cell_area = float(sc_metric("cellarea"))
    sequential = float(breakdown["sequential_area_um2"] or 0.0)
    metrics = [
        Metric("cell_count", int(sc_metric("cells")), "cells", Layer.L6, source, stat),
        Metric("cell_area_um2", round(cell_area, 3), "um^2", Layer.L7, source, stat),
        # SC records no register count for a design without any (an adder)
        Metric("registers", int(sc_metric("registers") or 0), "flip-flops", Layer.L6, source,
               ctx.relative(outputs["yosys_log"])),
        Metric("sequential_area_um2", round(sequential, 3), "um^2", Layer.L7, source, stat),
        Metric("combinational_area_um2", round(cell_area - sequential, 3), "um^2", Layer.L7,
               source, stat),
    ]
    for category, area in breakdown["area_um2"].items():
        key = category.lower().replace(" ", "_")
        metrics.append(Metric(f"area_{key}_um2", area, "um^2", Layer.L7,
                              "stat.json x liberty areas, TT categories.json", by_category))
        metrics.append(Metric(f"cells_{key}", breakdown["cells"][category], "cells", Layer.L6,
                              "stat.json, TT categories.json", by_category))
    return metrics
