"""Place and route the synthesized netlist into its TinyTapeout tile with
OpenROAD through SiliconCompiler, GDS through KLayout."""

from __future__ import annotations

import gzip
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from tapeflow.reports.metrics import Layer, Metric
from tapeflow.tapeout.lef import LefError, for_tinytapeout, parse_macro
from tapeflow.tapeout.precheck import lef_checks
from tapeflow.tapeout.tile_constraints import tile_constraints
from tapeflow.tapeout.tiles import tile_named
from tapeflow.tapeout.tt_data import tt_data_files
from tapeflow.tapeout.tt_gds import finish_gds

from ..adapters.harden_flow import GDS_STEP, VIEWS_STEP, harden_flow, repair_as_librelane
from ..adapters.pdk import cell_layouts, cell_netlists, pdk_data_files, unavailable_reason
from ..adapters.postroute import (antenna_violations, corner_results, power_watts, sc_values,
                                  step_times)
from ..adapters.powered_netlist import cell_pins, connect_wells
from ..adapters.sc_corners import RC_CORNERS, use_corners
from ..adapters.sc_project import ScProjectSettings, build_project
from ..adapters.tools import missing_tool_reason, tool_version
from ..adapters.timing_corners import Corner, CornerDataError, corner_files, corner_libraries
from ..adapters.tt_floorplan import apply_tile_rules
from ..engine.atomic import copy_atomic, write_json_atomic, write_text_atomic
from ..engine.stage import RunContext, Stage, StageResult, Status

#: Executables SC checks before it starts any step of the hardening range (it
#: refuses the whole range for one missing tool).
REQUIRED_TOOLS = ("openroad", "klayout")
ANTENNA_STEP = "route.detailed_antenna_repair"

#: A SiliconCompiler log line's step, e.g. "| LOG | job0 | route.detailed | 0 | ...".
SC_STEP = re.compile(r"\| job\d+ \| ([a-z_]+\.[a-z_]+)\s+\|")


class Harden(Stage):
    name = "harden"
    layer = Layer.L7
    needs = ("elaborate", "synthesize", "tile-fit")
    reads = ("elaborate.verilog", "synthesize.netlist", "synthesize.sdc", "tile-fit.tile")
    settings_used = ("clock_period_ns", "target_density", "corners")
    scratch = ("sc",)       # 230 MB of per-step copies; the outputs and reports are beside it
    description = ("SiliconCompiler PNR flow (OpenROAD) into the TT tile: floorplan, PDN, "
                   "pins, place, CTS, route; KLayout GDS")

    def data_files(self, settings) -> list[Path]:
        return [*pdk_data_files(settings.pdk_root), *tt_data_files(),
                *corner_files(settings.corners, settings.pdk_root)]

    def run(self, ctx: RunContext) -> StageResult:
        unavailable = missing_tool_reason(("siliconcompiler",)) \
            or unavailable_reason(ctx.settings.pdk_root) or missing_tool_reason(REQUIRED_TOOLS)
        if unavailable:
            return StageResult.skipped(unavailable)

        try:
            corners = corner_libraries(ctx.settings.corners, ctx.settings.pdk_root)
        except CornerDataError as error:
            return StageResult(Status.FAILED, str(error))

        spec, out_dir = ctx.spec, ctx.stage_dir(self.name)
        tile_name = ctx.metric("tile-fit", "tile")
        constraints = tile_constraints(tile_name)
        sc_log = out_dir / "siliconcompiler.log"
        ctx.activity.set("SiliconCompiler step", log=(sc_log, SC_STEP))
        project = hardening_project(HardeningInputs(
            top=spec.top_name, verilog=ctx.output("elaborate", "verilog"),
            netlist=ctx.output("synthesize", "netlist"), sdc=ctx.output("synthesize", "sdc"),
            work_dir=out_dir, tile=tile_name, clock_period_ns=ctx.settings.clock_period_ns,
            target_density=ctx.settings.target_density, pdk_root=ctx.settings.pdk_root),
            corners, sc_log)
        try:
            project.run()
        except Exception as error:   # SC reports tool failures as exceptions
            return StageResult(Status.FAILED, f"SiliconCompiler hardening failed: {error} "
                               f"(see {sc_log})", {"sc_log": sc_log})

        library = project.get_library(project.get("asic", "mainlib"))
        try:
            outputs = _keep_views(project, spec.top_name, out_dir, cell_layouts(library),
                                  cell_pins(cell_netlists(library)), corners)
        except FileNotFoundError as error:
            return StageResult(Status.FAILED, f"SiliconCompiler finished without {error} "
                               f"(see {sc_log})", {"sc_log": sc_log})
        outputs["sc_log"] = sc_log
        lef_results = lef_checks(_macro(outputs["lef"], spec.top_name), constraints)
        metrics, summary = _postroute(ctx, project, outputs, out_dir, corners)
        tools = {"siliconcompiler": tool_version("siliconcompiler"),
                 "openroad": tool_version("openroad"), "klayout": tool_version("klayout")}
        problems = [f"{r.name}: {r.message}" for r in lef_results if r.status != "passed"]
        summary["lef_checks"] = {r.name: r.status for r in lef_results}
        outputs["postroute"] = out_dir / "postroute.json"
        write_json_atomic(outputs["postroute"], summary)
        if problems:
            return StageResult(Status.FAILED, "the hardened LEF breaks TT's tile rules: "
                               + "; ".join(problems), outputs, metrics, tools)
        # The timing verdict is sta-post's: OpenSTA on the routed netlist at
        # every TT corner with each RC corner.
        return StageResult(Status.PASSED, None, outputs, metrics, tools)


@dataclass(frozen=True)
class HardeningInputs:
    top: str
    verilog: Path                # the RTL (SC's design fileset)
    netlist: Path                # synthesized netlist, where the flow starts
    sdc: Path
    work_dir: Path
    tile: str
    clock_period_ns: float
    target_density: float
    pdk_root: Path | None


def hardening_project(inputs: HardeningInputs, corners: list[Corner], sc_log: Path):
    """The SiliconCompiler project harden runs: the PNR flow from the netlist,
    the run's timing corners, tile rules, repair settings as LibreLane's."""
    project = build_project(ScProjectSettings(
        top=inputs.top, verilog=inputs.verilog, work_dir=inputs.work_dir,
        clock_period_ns=inputs.clock_period_ns, pdk_root=inputs.pdk_root,
        tile=tile_named(inputs.tile)), sc_log)
    harden_flow(inputs.netlist, inputs.sdc, project)
    use_corners(project, corners)
    apply_tile_rules(project, tile_constraints(inputs.tile), inputs.work_dir / "tcl",
                     inputs.target_density)
    repair_as_librelane(project)
    return project


def _keep_views(project, top: str, out_dir: Path, cell_gds: Path,
                pins: dict[str, list[str]], corners: list[Corner]) -> dict[str, Path]:
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
               "netlist_powered": out_dir / f"{top}.v",
               "netlist_unpowered": copy_atomic(result(f"{top}.lec.vg"),
                                                out_dir / f"{top}.lec.v"),
               "def": _gunzip(result(f"{top}.def.gz"), out_dir / f"{top}.def"),
               "lef": out_dir / f"{top}.lef"}
    write_text_atomic(outputs["lef"], for_tinytapeout(result(f"{top}.lef").read_text()))
    # TT's powered netlist (LibreLane's pnl) ties every cell's wells too.
    write_text_atomic(outputs["netlist_powered"],
                      connect_wells(result(f"{top}.vg").read_text(), pins))
    optional = {f"spef_{rc}": found(f"{top}.{rc}.spef") for rc in RC_CORNERS}
    optional |= {f"sdf_{c.name}": found(f"{top}.{c.name}.sdf") for c in corners}
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


def _postroute(ctx: RunContext, project, outputs: dict, out_dir: Path,
               pvt_corners: list[Corner]):
    job = project.history(project.option.get_jobname())
    values = sc_values(lambda name, step: job.get("metric", name, step=step, index="0"))
    sc_source = "siliconcompiler metrics (OpenROAD)"
    log = ctx.relative(outputs["sc_log"])
    metrics = [Metric(m.name, v, m.unit, Layer.L7, sc_source, log) for m, v in values.items()]

    reports = out_dir / "reports"
    corners = corner_results(reports, [c.name for c in pvt_corners],
                             ctx.settings.clock_period_ns)
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
    times = step_times(job, project.get("option", "flow"))
    metrics += [Metric(f"harden_step_{step}_s", seconds, "s", Layer.L7,
                       "siliconcompiler tasktime", log) for step, seconds in times.items()]
    summary = {"sc_metrics": {m.name: v for m, v in values.items()}, "step_times_s": times,
               "corners": [{**vars(c), "fmax_mhz": c.fmax_mhz} for c in corners],
               "power_typical_w": power, "antenna": antenna}
    return metrics, summary
