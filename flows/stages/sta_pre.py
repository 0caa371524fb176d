"""Pre-layout static timing of the synthesized netlist at three corners."""

from __future__ import annotations

from pathlib import Path

from tapeflow.reports.metrics import Layer, Metric

from ..adapters.opensta import StaError, run_sta
from ..adapters.pdk import CORNERS, cell_library, liberty_file, pdk_data_files
from ..adapters.tools import tool_version, which
from ..engine.atomic import write_json_atomic
from ..engine.stage import RunContext, Stage, StageResult, Status


class StaPre(Stage):
    """Fails only if the typical corner misses the clock (TinyTapeout's own
    warnings are at nom_tt_025C_1v80)."""

    name = "sta-pre"
    layer = Layer.L7
    needs = ("synthesize", "tile-fit")   # no timing or GL work for a design that fits no tile
    settings_used = ("clock_period_ns", "pdk_root")
    description = "OpenSTA on the sky130hd netlist (ideal clock, no wires): fmax per corner"

    def data_files(self, settings) -> list[Path]:
        return pdk_data_files(settings.pdk_root)

    def run(self, ctx: RunContext) -> StageResult:
        if which("sta") is None:
            return StageResult.skipped("OpenSTA (`sta`) not found: apt-get install opensta")
        out_dir = ctx.stage_dir(self.name)
        library = cell_library(ctx.settings.pdk_root)
        netlist = ctx.output("synthesize", "netlist")
        sdc = ctx.output("synthesize", "sdc")
        timings = []
        try:
            for corner in CORNERS:
                timings.append(run_sta(netlist, ctx.spec.top_name, sdc,
                                       liberty_file(library, corner),
                                       ctx.settings.clock_period_ns, corner, out_dir))
        except StaError as error:
            return StageResult(Status.FAILED, str(error))

        summary = out_dir / "timing.json"
        write_json_atomic(summary, {t.corner: {
            "period_ns": t.period_ns,
            "setup_slack_ns": t.setup.slack_ns if t.setup else None,
            "hold_slack_ns": t.hold.slack_ns if t.hold else None,
            "fmax_mhz": round(t.fmax_mhz, 2) if t.fmax_mhz else None,
            "critical_path": {
                "startpoint": t.setup.startpoint, "endpoint": t.setup.endpoint,
                "arrival_ns": t.setup.arrival_ns,
                "steps": [vars(s) for s in t.setup.steps]} if t.setup else None,
        } for t in timings})

        outputs = {"summary": summary, **{f"report_{t.corner}": t.report for t in timings}}
        metrics = []
        source = "opensta report_checks (pre-layout: ideal clock, no wire load)"
        for t in timings:
            where = ctx.relative(t.report)
            if t.setup:
                metrics += [
                    Metric(f"setup_slack_{t.corner}_ns", t.setup.slack_ns, "ns", Layer.L7,
                           source, where),
                    Metric(f"fmax_{t.corner}_mhz", round(t.fmax_mhz, 2), "MHz", Layer.L7,
                           source, where),
                    Metric(f"critical_path_{t.corner}_cells",
                           len({step.pin.rsplit("/", 1)[0] for step in t.setup.steps}),
                           "cells", Layer.L7, source, where),
                ]
            if t.hold:
                metrics.append(Metric(f"hold_slack_{t.corner}_ns", t.hold.slack_ns, "ns",
                                      Layer.L7, source, where))
        tools = {"opensta": tool_version("opensta")}
        # lambdapdk's slow (ss_n40C_1v40) and fast (ff_100C_1v95) corners are no
        # TinyTapeout signoff corners: recorded, never a warning or a failure.
        # sta-post signs off the routed design at TT's own corners.
        typical = next((t for t in timings if t.corner == "typical"), None)
        if typical and typical.setup and typical.setup.slack_ns < 0:
            return StageResult(Status.FAILED,
                               f"setup violated at {ctx.settings.clock_period_ns} ns in the "
                               f"typical corner (fmax {typical.fmax_mhz:.1f} MHz)",
                               outputs, metrics, tools)
        return StageResult(Status.PASSED, None, outputs, metrics, tools)
