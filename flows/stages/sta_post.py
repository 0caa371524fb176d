"""Routed timing signoff at the run's corners (TinyTapeout's by default):
OpenSTA on the routed netlist with propagated clocks and the extracted
parasitics, every PVT corner (tt_025C_1v80, ss_100C_1v60, ff_n40C_1v95) with
every RC corner (minimum, typical, maximum), as LibreLane's nom/min/max STA
corners do; worst paths overall, register to register, and through the IO."""

from __future__ import annotations

from pathlib import Path

from tapeflow.reports.metrics import Layer, Metric

from ..adapters.opensta import StaCorner, StaDesign, StaError, run_routed_sta
from ..adapters.powered_netlist import WELL_SUPPLIES
from ..adapters.sc_corners import RC_CORNERS
from ..adapters.timing_corners import CornerDataError, corner_files, corner_libraries
from ..adapters.tools import is_outdated, probe, tool_named
from ..adapters.tt_sdc import TtSdc
from ..engine.atomic import write_json_atomic
from ..engine.stage import RunContext, Stage, StageResult, Status
from .timing_metrics import class_summary, corner_metrics

#: LibreLane's names for the interconnect corners.
RC_PREFIX = {"minimum": "min", "typical": "nom", "maximum": "max"}


class StaPost(Stage):
    """Fails on any setup or hold violation at any corner; slew, capacitance
    and fanout violators are warnings, each listed in timing.json."""

    name = "sta-post"
    layer = Layer.L7
    needs = ("synthesize", "harden")
    reads = ("synthesize.sdc", "harden.netlist_powered",
             *(f"harden.spef_{rc}" for rc in RC_CORNERS))
    settings_used = ("clock_period_ns", "corners")
    description = ("OpenSTA on the routed netlist + SPEF at the tt/ss/ff corners x "
                   "min/nom/max RC: reg-to-reg and IO slack, TNS, fmax, DRVs")

    def data_files(self, settings) -> list[Path]:
        return corner_files(settings.corners, settings.pdk_root)

    def run(self, ctx: RunContext) -> StageResult:
        sta = probe(tool_named("opensta"))
        if not sta.found or is_outdated(sta):
            return StageResult.skipped(
                f"routed timing needs OpenSTA {sta.tool.outdated_below} or newer with SPEF "
                f"corners (found {sta.version or 'none'}): OpenROAD's `sta` (OpenSTA 3.x)")
        try:
            pvts = corner_libraries(ctx.settings.corners, ctx.settings.pdk_root)
        except CornerDataError as error:
            return StageResult(Status.FAILED, str(error))
        out_dir = ctx.stage_dir(self.name)
        spefs = {rc: ctx.optional_output("harden", f"spef_{rc}") for rc in RC_CORNERS}
        corners = [StaCorner(f"{RC_PREFIX[rc]}_{pvt.name}", pvt.liberty, spefs[rc])
                   for pvt in pvts for rc in RC_CORNERS if spefs[rc] is not None]
        if not corners:
            return StageResult(Status.FAILED, "harden wrote no SPEF to time the routed design")
        try:
            design = StaDesign(ctx.output("harden", "netlist_powered"), ctx.spec.top_name,
                               ctx.output("synthesize", "sdc"),
                               TtSdc(period_ns=ctx.settings.clock_period_ns),
                               tuple(sorted(set(WELL_SUPPLIES.values()))))
            timings = run_routed_sta(sta.location, design, corners, out_dir)
        except StaError as error:
            return StageResult(Status.FAILED, str(error))

        summary = out_dir / "timing.json"
        write_json_atomic(summary, {
            "period_ns": ctx.settings.clock_period_ns,
            "corners": {t.corner: {
                "setup_slack_ns": t.setup.slack_ns if t.setup else None,
                "hold_slack_ns": t.hold.slack_ns if t.hold else None,
                "setup_tns_ns": t.setup_tns_ns, "hold_tns_ns": t.hold_tns_ns,
                "fmax_mhz": round(t.fmax_mhz, 2) if t.fmax_mhz is not None else None,
                "critical_path": {"startpoint": t.setup.startpoint,
                                  "endpoint": t.setup.endpoint} if t.setup else None,
                "classes": class_summary(t.classes, steps=False),
                "drv_violators": t.violators} for t in timings}})
        outputs = {"summary": summary, **{f"report_{t.corner}": t.report for t in timings}}
        metrics = [Metric("signoff_corners", len(timings), "corners", Layer.L7,
                          "tapeflow sta-post", ctx.relative(summary))]
        source = f"OpenSTA {sta.version} (routed netlist, SPEF, propagated clock)"
        for t in timings:
            where = ctx.relative(t.report)
            values = [("setup_tns", t.setup_tns_ns, "ns"), ("hold_tns", t.hold_tns_ns, "ns"),
                      ("drvs", len(t.violators), "violations")]
            metrics += corner_metrics("routed_", t, source, where)
            metrics += [Metric(f"routed_{name}_{t.corner}_{unit.lower()}", value, unit,
                               Layer.L7, source, where) for name, value, unit in values]
        metrics += _worst(timings, source, ctx.relative(summary))
        tools = {"opensta": sta.version or "unknown"}
        errors = [f"{kind} violated after routing at {t.corner} (slack {path.slack_ns} ns)"
                  for t in timings for kind, path in (("setup", t.setup), ("hold", t.hold))
                  if path is not None and path.slack_ns < 0]
        warnings = [f"{len(t.violators)} slew/capacitance/fanout violators at {t.corner} "
                    f"(listed in {ctx.relative(summary)})" for t in timings if t.violators]
        if errors:
            return StageResult(Status.FAILED, "; ".join(errors), outputs, metrics, tools,
                               warnings)
        return StageResult(Status.PASSED, None, outputs, metrics, tools, warnings)


def _worst(timings, source: str, where: str) -> list[Metric]:
    """The worst setup and hold slack over all corners, and the lowest fmax."""
    setups = [t.setup.slack_ns for t in timings if t.setup]
    holds = [t.hold.slack_ns for t in timings if t.hold]
    fmaxes = [t.fmax_mhz for t in timings if t.fmax_mhz is not None]
    found = [("routed_worst_setup_slack_ns", min(setups) if setups else None, "ns"),
             ("routed_worst_hold_slack_ns", min(holds) if holds else None, "ns"),
             ("routed_min_fmax_mhz", round(min(fmaxes), 2) if fmaxes else None, "MHz"),
             ("routed_drvs", sum(len(t.violators) for t in timings), "violations")]
    return [Metric(name, value, unit, Layer.L7, source, where)
            for name, value, unit in found if value is not None]
