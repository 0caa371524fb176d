"""Place and route the synthesized netlist into its TinyTapeout tile with
OpenROAD through SiliconCompiler, GDS through KLayout."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from tapeflow.reports.metrics import Layer, Metric
from tapeflow.tapeout.lef import LefError, parse_macro, with_decimal_points
from tapeflow.tapeout.precheck import lef_checks
from tapeflow.tapeout.tile_constraints import tile_constraints
from tapeflow.tapeout.tiles import tile_named
from tapeflow.tapeout.tt_gds import finish_gds

from ..atomic import copy_atomic, write_json_atomic, write_text_atomic
from ..harden_flow import GDS_STEP, VIEWS_STEP, harden_flow
from ..pdk import CORNERS, cell_layouts, unavailable_reason
from ..postroute import antenna_violations, corner_results, power_watts, sc_values
from ..sc_project import ScProjectSettings, build_project
from ..stage import RunContext, Stage, StageResult, Status
from ..tools import missing_tool_reason, tool_version
from ..tt_floorplan import apply_tile_rules

#: Executables SC checks before it starts any step of the hardening range (it
#: refuses the whole range for one missing tool).
REQUIRED_TOOLS = ("openroad", "klayout")
ANTENNA_STEP = "route.detailed_antenna_repair"


class Harden(Stage):
    name = "harden"
    layer = Layer.L7
    needs = ("synthesize", "tile-fit")
    settings_used = ("clock_period_ns", "pdk_root", "target_density")
    description = ("SiliconCompiler PNR flow (OpenROAD) into the TT tile: floorplan, PDN, "
                   "pins, place, CTS, route; KLayout GDS")

    def run(self, ctx: RunContext) -> StageResult:
        unavailable = missing_tool_reason(("siliconcompiler",)) \
            or unavailable_reason(ctx.settings.pdk_root) or missing_tool_reason(REQUIRED_TOOLS)
        if unavailable:
            return StageResult.skipped(unavailable)

        spec, out_dir = ctx.spec, ctx.stage_dir(self.name)
        tile_name = ctx.metric("tile-fit", "tile")
        constraints = tile_constraints(tile_name)
        sc_log = out_dir / "siliconcompiler.log"
        project = build_project(ScProjectSettings(
            top=spec.top_name, verilog=ctx.output("elaborate", "verilog"), work_dir=out_dir,
            clock_period_ns=ctx.settings.clock_period_ns, pdk_root=ctx.settings.pdk_root,
            tile=tile_named(tile_name)), sc_log)
        harden_flow(ctx.output("synthesize", "netlist"), ctx.output("synthesize", "sdc"),
                    project)
        apply_tile_rules(project, constraints, out_dir / "tcl", ctx.settings.target_density)
        try:
            project.run()
        except Exception as error:   # SC reports tool failures as exceptions
            return StageResult(Status.FAILED, f"SiliconCompiler hardening failed: {error} "
                               f"(see {sc_log})", {"sc_log": sc_log})

        try:
            outputs = _keep_views(project, spec.top_name, out_dir, cell_layouts(
                project.get_library(project.get("asic", "mainlib"))))
        except FileNotFoundError as error:
            return StageResult(Status.FAILED, f"SiliconCompiler finished without {error} "
                               f"(see {sc_log})", {"sc_log": sc_log})
        outputs["sc_log"] = sc_log
        lef_results = lef_checks(_macro(outputs["lef"], spec.top_name), constraints)
        metrics, summary = _postroute(ctx, project, outputs, out_dir)
        tools = {"siliconcompiler": tool_version("siliconcompiler"),
                 "openroad": tool_version("openroad"), "klayout": tool_version("klayout")}
        problems = [f"{r.name}: {r.message}" for r in lef_results if r.status != "passed"]
        summary["lef_checks"] = {r.name: r.status for r in lef_results}
        outputs["postroute"] = out_dir / "postroute.json"
        write_json_atomic(outputs["postroute"], summary)
        if problems:
            return StageResult(Status.FAILED, "the hardened LEF breaks TT's tile rules: "
                               + "; ".join(problems), outputs, metrics, tools)
        errors, warnings = timing_verdict(summary["corners"])
        if errors:
            return StageResult(Status.FAILED, "; ".join(errors), outputs, metrics, tools,
                               warnings)
        return StageResult(Status.PASSED, None, outputs, metrics, tools, warnings)


def timing_verdict(corners: list[dict]) -> tuple[list[str], list[str]]:
    """Routed timing: a hold violation at any corner or a setup violation at
    the typical one fails (as sta-pre); setup at slow/fast is a warning."""
    errors, warnings = [], []
    for corner in corners:
        name = corner["corner"]
        if (corner["hold_slack_ns"] or 0) < 0:
            errors.append(f"hold violated after routing in the {name} corner "
                          f"(slack {corner['hold_slack_ns']} ns)")
        if (corner["setup_slack_ns"] or 0) < 0:
            (errors if name == "typical" else warnings).append(
                f"setup violated after routing in the {name} corner (slack "
                f"{corner['setup_slack_ns']} ns, fmax {corner['fmax_mhz']} MHz)")
    return errors, warnings


def _keep_views(project, top: str, out_dir: Path, cell_gds: Path) -> dict[str, Path]:
    """The run's deliverables under TT's names, out of SC's node folders; the
    GDS finished for TT (tapeout/tt_gds.py) with the PDK's cell layouts."""
    def found(name: str, step: str = VIEWS_STEP, directory: str = "outputs") -> Path | None:
        path = project.find_result(filename=name, step=step, directory=directory)
        return Path(path) if path is not None else None

    def result(name: str, step: str = VIEWS_STEP, directory: str = "outputs") -> Path:
        path = found(name, step, directory)
        if path is None:
            raise FileNotFoundError(f"{step}/{directory}/{name}")
        return path

    streamed = _gunzip(result(f"{top}.gds.gz", GDS_STEP), out_dir / f"{top}.klayout.gds")
    finish_gds(streamed, out_dir / f"{top}.gds", top, cell_gds)
    streamed.unlink()
    outputs = {"gds": out_dir / f"{top}.gds",
               "layout_png": copy_atomic(result(f"{top}.png", GDS_STEP), out_dir / "layout.png"),
               "netlist_powered": copy_atomic(result(f"{top}.vg"), out_dir / f"{top}.v"),
               "netlist_unpowered": copy_atomic(result(f"{top}.lec.vg"),
                                                out_dir / f"{top}.lec.v"),
               "def": _gunzip(result(f"{top}.def.gz"), out_dir / f"{top}.def"),
               "lef": out_dir / f"{top}.lef"}
    write_text_atomic(outputs["lef"], with_decimal_points(result(f"{top}.lef").read_text()))
    optional = {f"{kind}_{corner}": found(f"{top}.{corner}.{kind}")
                for corner in CORNERS      # SPEF per extraction corner, SDF per scenario
                for kind in ("spef", "sdf")}
    optional["antenna_log"] = found(f"{ANTENNA_STEP}.log", ANTENNA_STEP, ".")
    for key, path in optional.items():
        if path is not None:
            outputs[key] = copy_atomic(path, out_dir / path.name)
    shutil.copytree(result("reports", directory="."), out_dir / "reports", dirs_exist_ok=True)
    return outputs


def _gunzip(source: Path, target: Path) -> Path:
    with gzip.open(source, "rb") as packed:
        target.write_bytes(packed.read())
    return target


def _macro(lef: Path, top: str):
    try:
        return parse_macro(lef.read_text(), top)
    except LefError:
        return None


def _postroute(ctx: RunContext, project, outputs: dict, out_dir: Path):
    job = project.history(project.option.get_jobname())
    values = sc_values(lambda name, step: job.get("metric", name, step=step, index="0"))
    sc_source = "siliconcompiler metrics (OpenROAD)"
    log = ctx.relative(outputs["sc_log"])
    metrics = [Metric(m.name, v, m.unit, Layer.L7, sc_source, log) for m, v in values.items()]

    reports = out_dir / "reports"
    corners = corner_results(reports, CORNERS, ctx.settings.clock_period_ns)
    timing_source = "OpenROAD/OpenSTA per-scenario reports (routed, with parasitics)"
    for corner in corners:
        where = ctx.relative(reports / "timing" / "scenarios" / corner.corner)
        for name, value, unit in (("setup_slack", corner.setup_slack_ns, "ns"),
                                  ("setup_tns", corner.setup_tns_ns, "ns"),
                                  ("hold_slack", corner.hold_slack_ns, "ns"),
                                  ("hold_tns", corner.hold_tns_ns, "ns"),
                                  ("fmax", corner.fmax_mhz, "MHz")):
            if value is not None:
                metrics.append(Metric(f"postroute_{name}_{corner.corner}_{unit.lower()}",
                                      value, unit, Layer.L7, timing_source, where))

    power_file = reports / "power" / "typical.rpt"
    power = power_watts(power_file.read_text()) if power_file.is_file() else None
    antenna = (antenna_violations(outputs["antenna_log"].read_text())
               if "antenna_log" in outputs else None)
    if antenna is not None:
        metrics += [Metric(f"postroute_antenna_{kind}", count, "violations", Layer.L7,
                           "OpenROAD check_antennas", ctx.relative(outputs["antenna_log"]))
                    for kind, count in antenna.items()]
    summary = {"sc_metrics": {m.name: v for m, v in values.items()},
               "corners": [{**vars(c), "fmax_mhz": c.fmax_mhz} for c in corners],
               "power_typical_w": power, "antenna": antenna}
    return metrics, summary
