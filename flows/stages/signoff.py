"""Signoff of the hardened tile: magic DRC and netgen LVS through
SiliconCompiler's signoff flow, plus OpenROAD's antenna verdict from harden."""

from __future__ import annotations

from tapeflow.reports.metrics import Layer, Metric

from ..atomic import write_json_atomic
from ..pdk import unavailable_reason
from ..sc_signoff import SignoffError, SignoffSettings, run_signoff
from ..stage import RunContext, Stage, StageResult, Status
from ..tools import missing_tool_reason, tool_version


class Signoff(Stage):
    name = "signoff"
    layer = Layer.L7
    needs = ("harden",)
    settings_used = ("pdk_root",)
    description = "magic DRC drc(full), magic extraction + netgen LVS, antenna check"

    def run(self, ctx: RunContext) -> StageResult:
        unavailable = missing_tool_reason(("magic", "netgen")) \
            or unavailable_reason(ctx.settings.pdk_root)
        if unavailable:
            return StageResult.skipped(unavailable)
        out_dir = ctx.stage_dir(self.name)
        sc_log = out_dir / "siliconcompiler.log"
        try:
            result = run_signoff(SignoffSettings(
                ctx.spec.top_name, ctx.output("harden", "gds"),
                ctx.output("harden", "netlist_powered"), out_dir, ctx.settings.pdk_root), sc_log)
        except SignoffError as error:
            return StageResult(Status.FAILED, str(error), {"sc_log": sc_log})

        antenna = {kind: _harden_metric(ctx, f"postroute_antenna_{kind}")
                   for kind in ("nets", "pins")}
        outputs = {"sc_log": sc_log, "drc_report": result.drc_report,
                   "lvs_report": result.lvs_report, "summary": out_dir / "signoff.json"}
        write_json_atomic(outputs["summary"], {
            "drc_errors": result.drc_errors, "lvs_errors": result.lvs_errors,
            "lvs_pin_mismatches": result.lvs_pin_mismatches, "antenna_violations": antenna})
        drc, lvs = ctx.relative(result.drc_report), ctx.relative(result.lvs_report)
        metrics = [
            Metric("drc_errors", result.drc_errors, "errors", Layer.L7,
                   "magic drc(full) via siliconcompiler", drc),
            Metric("lvs_errors", result.lvs_errors, "mismatches", Layer.L7,
                   "netgen via siliconcompiler", lvs),
            Metric("lvs_pin_mismatches", result.lvs_pin_mismatches, "pins", Layer.L7,
                   "netgen via siliconcompiler", lvs),
        ]
        tools = {"magic": tool_version("magic"), "netgen": tool_version("netgen"),
                 "siliconcompiler": tool_version("siliconcompiler")}
        problems = [f"{count} {what}" for count, what in (
            (result.drc_errors, "magic DRC errors"), (result.lvs_errors, "LVS mismatches"),
            (antenna["nets"] or 0, "antenna-violating nets")) if count]
        warnings = ([f"{result.lvs_pin_mismatches} top-level pin mismatches in LVS (see {lvs})"]
                    if result.lvs_pin_mismatches else [])
        if problems:
            return StageResult(Status.FAILED, "signoff found " + ", ".join(problems),
                               outputs, metrics, tools, warnings)
        return StageResult(Status.PASSED, None, outputs, metrics, tools, warnings)


def _harden_metric(ctx: RunContext, name: str):
    try:
        return ctx.metric("harden", name)
    except StopIteration:     # OpenROAD logged no antenna verdict
        return None
