"""Pre-layout static timing of the synthesized netlist at the run's timing
corners (TinyTapeout's by default), under TinyTapeout's SDC."""

from __future__ import annotations

from pathlib import Path

from tapeflow.reports.metrics import Layer, Metric

from ..adapters.opensta import StaDesign, StaError, run_sta
from ..adapters.timing_corners import CornerDataError, corner_files, corner_libraries
from ..adapters.tools import tool_version, which
from ..adapters.tt_sdc import TtSdc
from ..adapters.wire_load import WIRE_LOAD, wire_load_tcl
from ..engine.atomic import write_json_atomic
from ..engine.stage import RunContext, Stage, StageResult, Status
from .timing_metrics import class_summary, corner_metrics, path_summary


class StaPre(Stage):
    """Fails on a setup or hold violation at any corner of the set: TinyTapeout
    signs off at all three of its corners, so all three are judged."""

    name = "sta-pre"
    layer = Layer.L7
    needs = ("synthesize", "tile-fit")   # no timing or GL work for a design that fits no tile
    reads = ("synthesize.netlist", "synthesize.sdc")
    settings_used = ("clock_period_ns", "corners")
    description = ("OpenSTA on the sky130hd netlist (ideal clock, wire-load estimate) at the "
                   "run's corners: reg-to-reg and IO slack, fmax")

    def data_files(self, settings) -> list[Path]:
        return corner_files(settings.corners, settings.pdk_root)

    def run(self, ctx: RunContext) -> StageResult:
        if which("sta") is None:
            return StageResult.skipped("OpenSTA (`sta`) not found: apt-get install opensta")
        try:
            corners = corner_libraries(ctx.settings.corners, ctx.settings.pdk_root)
        except CornerDataError as error:
            return StageResult(Status.FAILED, str(error))
        out_dir = ctx.stage_dir(self.name)
        sdc = TtSdc(period_ns=ctx.settings.clock_period_ns)
        design = StaDesign(ctx.output("synthesize", "netlist"), ctx.spec.top_name,
                           ctx.output("synthesize", "sdc"), sdc)
        estimate = wire_load_tcl(out_dir)
        try:
            timings = [run_sta(design, corner.name, corner.liberty, out_dir, estimate)
                       for corner in corners]
        except StaError as error:
            return StageResult(Status.FAILED, str(error))

        summary = out_dir / "timing.json"
        write_json_atomic(summary, {
            "period_ns": sdc.period_ns, "corner_set": ctx.settings.corners,
            "wire_load": WIRE_LOAD.describe(),
            "corners": {t.corner: {
                "role": corner.role,
                "setup_slack_ns": t.setup.slack_ns if t.setup else None,
                "hold_slack_ns": t.hold.slack_ns if t.hold else None,
                "fmax_mhz": round(t.fmax_mhz, 2) if t.fmax_mhz is not None else None,
                "critical_path": path_summary(t.setup),
                "classes": class_summary(t.classes)}
                for t, corner in zip(timings, corners)}})

        outputs = {"summary": summary, **{f"report_{t.corner}": t.report for t in timings}}
        source = (f"OpenSTA report_checks, pre-layout: ideal clock, {WIRE_LOAD.name} "
                  f"wire-load estimate, TinyTapeout's SDC")
        metrics = [Metric("clock_mhz", round(1000 / sdc.period_ns, 3), "MHz", Layer.L7,
                          "the run's clock (--clock-period)", ctx.relative(design.sdc)),
                   Metric("timing_corner_set", ctx.settings.corners, "", Layer.L7,
                          "--corners", ctx.relative(summary))]
        for t in timings:
            where = ctx.relative(t.report)
            metrics += corner_metrics("", t, source, where)
            if t.setup:
                metrics.append(Metric(
                    f"critical_path_{t.corner}_cells",
                    len({step.pin.rsplit("/", 1)[0] for step in t.setup.steps}),
                    "cells", Layer.L7, source, where))
        tools = {"opensta": tool_version("opensta")}
        violations = [f"{kind} violated at {t.corner} (slack {path.slack_ns} ns: "
                      f"{path.startpoint} -> {path.endpoint})"
                      for t in timings for kind, path in (("setup", t.setup), ("hold", t.hold))
                      if path is not None and path.slack_ns < 0]
        if violations:
            return StageResult(Status.FAILED, f"at {sdc.period_ns:g} ns: " + "; ".join(violations),
                               outputs, metrics, tools)
        return StageResult(Status.PASSED, None, outputs, metrics, tools)
