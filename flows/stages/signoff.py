"""Signoff of the hardened tile: magic DRC (drc(full)) and LVS with the
standard cells as black boxes (flows/adapters/lvs.py), side by side on the two cores,
plus OpenROAD's antenna verdict from harden."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tapeflow.reports.metrics import Layer, Metric
from tapeflow.tapeout.magic_drc import MagicUnavailable, run_magic_drc, tech_for_installed_magic

from ..adapters.lvs import LvsError, run_lvs
from ..adapters.pdk import (cell_library, cell_netlists, magic_tech, netgen_setup, pdk_data_files,
                            unavailable_reason)
from ..adapters.tools import is_outdated, missing_tool_reason, probe, tool_named
from ..engine.atomic import write_json_atomic
from ..engine.stage import RunContext, Stage, StageResult, Status


class Signoff(Stage):
    name = "signoff"
    layer = Layer.L7
    needs = ("harden",)
    reads = ("harden.gds", "harden.netlist_powered", "harden.postroute_antenna_nets",
             "harden.postroute_antenna_pins")
    scratch = ("lvs/*.ext",)        # magic's extraction database (6 MB); the SPICE stays
    description = ("magic DRC drc(full); magic extraction + netgen LVS (cells as black "
                   "boxes); antenna check")

    def data_files(self, settings) -> list[Path]:
        return pdk_data_files(settings.pdk_root)

    def run(self, ctx: RunContext) -> StageResult:
        unavailable = missing_tool_reason(("magic", "netgen")) \
            or unavailable_reason(ctx.settings.pdk_root)
        if unavailable:
            return StageResult.skipped(unavailable)
        magic, netgen = (probe(tool_named(n)) for n in ("magic", "netgen"))
        if is_outdated(netgen):
            # Debian's 1.5.133 turns escaped instance names of a routed netlist
            # into cell classes (".D" with 292 instances): no verdict to trust
            return StageResult.skipped(
                f"netgen {netgen.version} misreads the routed netlist's escaped names; "
                f"LVS needs netgen >= {netgen.tool.outdated_below} ({netgen.tool.install})")
        out_dir = ctx.stage_dir(self.name)
        top, root = ctx.spec.top_name, ctx.settings.pdk_root
        gds, netlist = ctx.output("harden", "gds"), ctx.output("harden", "netlist_powered")
        tech = magic_tech(root)
        with ThreadPoolExecutor(max_workers=2) as pool:
            drc_job = pool.submit(run_magic_drc, gds, top, tech, out_dir / "drc")
            lvs_job = pool.submit(
                run_lvs, gds, netlist, top, tech_for_installed_magic(tech, out_dir / "lvs"),
                cell_netlists(cell_library(root)),
                netgen_setup(root), out_dir / "lvs", magic=magic.location,
                netgen=netgen.location)
            try:
                drc = drc_job.result()
                lvs = lvs_job.result()
            except (MagicUnavailable, LvsError) as error:
                return StageResult(Status.FAILED, f"signoff could not finish: {error}")

        antenna = {kind: _harden_metric(ctx, f"postroute_antenna_{kind}")
                   for kind in ("nets", "pins")}
        outputs = {"drc_report": drc.log, "lvs_report": lvs.report,
                   "lvs_json": lvs.json_report, "summary": out_dir / "signoff.json"}
        tools = {"magic": magic.version or "unknown", "netgen": netgen.version or "unknown"}
        write_json_atomic(outputs["summary"], {
            "drc_errors": drc.errors, "drc_rules": drc.rules,
            "lvs_match": lvs.matched, "lvs_errors": lvs.mismatches,
            "lvs_pin_mismatches": lvs.pin_mismatches, "lvs_devices": lvs.devices,
            "lvs_nets": lvs.nets, "lvs_level": lvs.level, "antenna_violations": antenna,
            "tools": {"magic": [magic.version, magic.location],
                      "netgen": [netgen.version, netgen.location]}})
        drc_file, lvs_file = ctx.relative(drc.log), ctx.relative(lvs.report)
        magic_name, netgen_name = f"magic {magic.version}", f"netgen {netgen.version}"
        metrics = [
            Metric("drc_errors", drc.errors, "errors", Layer.L7, f"{magic_name} drc(full)",
                   drc_file),
            Metric("lvs_errors", lvs.mismatches, "mismatches", Layer.L7,
                   f"{netgen_name} ({lvs.level})", lvs_file),
            Metric("lvs_pin_mismatches", lvs.pin_mismatches, "pins", Layer.L7, netgen_name,
                   lvs_file),
            Metric("lvs_layout_cells", lvs.devices[0], "instances", Layer.L7,
                   f"{magic_name} extraction", lvs_file),
            Metric("lvs_layout_nets", lvs.nets[0], "nets", Layer.L7,
                   f"{magic_name} extraction", lvs_file),
        ]
        problems = [f"{count} {what}" for count, what in (
            (drc.errors, "magic DRC errors"), (lvs.mismatches, "LVS mismatches"),
            (antenna["nets"] or 0, "antenna-violating nets")) if count]
        if not lvs.matched and not lvs.mismatches:
            problems.append(f"netgen did not report a unique match (see {lvs_file})")
        if problems:
            return StageResult(Status.FAILED, "signoff found " + ", ".join(problems),
                               outputs, metrics, tools)
        return StageResult(Status.PASSED, None, outputs, metrics, tools)


def _harden_metric(ctx: RunContext, name: str):
    try:
        return ctx.metric("harden", name)
    except StopIteration:     # OpenROAD logged no antenna verdict
        return None
