"""The one place that builds a SiliconCompiler project for a tapeflow run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tapeflow.tapeout.tiles import MARGIN_X, MARGIN_Y, Tile

from .pdk import DRC_UNCLEAN_CELLS, use_local_pdk
from .tt_sdc import TT_CLOCK_PERIOD_NS, TtSdc, write_sdc



@dataclass(frozen=True)
class ScProjectSettings:
    top: str
    verilog: Path
    work_dir: Path                 # SC's build directory and the SDC live here
    clock_port: str = "clk"
    clock_period_ns: float = TT_CLOCK_PERIOD_NS
    pdk_root: Path | None = None   # None: lambdapdk downloads its data
    yosys_dir: Path | None = None  # folder with the `yosys` executable SC should run
    tile: Tile | None = None       # the TT tile: die and core boxes for floorplanning


def build_project(settings: ScProjectSettings, log_file: Path):
    """An ASIC project for sky130hd with the design, its clock and the tools' paths."""
    from siliconcompiler import Design
    from siliconcompiler.tools.yosys.syn_asic import ASICSynthesis

    settings.work_dir.mkdir(parents=True, exist_ok=True)
    sdc = write_sdc(settings.work_dir / f"{settings.top}.sdc",
                    TtSdc(settings.clock_port, settings.clock_period_ns))
    design = Design(settings.top)
    design.set_dataroot("tapeflow-run", str(settings.work_dir.parent))
    with design.active_dataroot("tapeflow-run"), design.active_fileset("rtl"):
        design.set_topmodule(settings.top)
        design.add_file(str(settings.verilog))
    with design.active_dataroot("tapeflow-run"), design.active_fileset("sdc"):
        design.add_file(str(sdc))

    project = sky130_project(design, ["rtl", "sdc"], settings.pdk_root, settings.work_dir,
                             log_file)
    if settings.yosys_dir is not None:
        ASICSynthesis.find_task(project).set("path", str(settings.yosys_dir), clobber=True)

    if settings.tile is not None:
        tile, area = settings.tile, project.constraint.area
        area.set_diearea([(0, 0), (tile.width, tile.height)])
        area.set_corearea([(MARGIN_X, MARGIN_Y),
                           (tile.width - MARGIN_X, tile.height - MARGIN_Y)])
    return project


def sky130_project(design, filesets: list[str], pdk_root: Path | None, work_dir: Path,
                   log_file: Path):
    """SC's sky130 target on ``design``'s filesets, the PDK data from
    ``pdk_root`` when given, SC's build folder in ``work_dir``/sc, SC's log in
    ``log_file``: what every tapeflow SC project shares."""
    from siliconcompiler import ASIC
    from siliconcompiler.targets import skywater130_demo

    project = ASIC(design)
    project.add_fileset(filesets)
    skywater130_demo(project)
    if pdk_root is not None:
        use_local_pdk([project.get("library", name, field="schema")
                       for name in project.getkeys("library")], pdk_root)
    # kept out of synthesis (Yosys' -dont_use) and of OpenROAD's resizer alike
    cells = project.get_library(project.get("asic", "mainlib"))
    known = set(cells.get("asic", "cells", "dontuse"))
    cells.add_asic_celllist("dontuse", [c for c in DRC_UNCLEAN_CELLS if c not in known])
    project.option.set_builddir(str(work_dir / "sc"))
    project.option.set_nodisplay(True)
    log_to_file(project, log_file)
    return project


def project_tasks(kind, project) -> list:
    """Every task of class ``kind`` in the project's flow (SC's find_task
    answers one task alone, or a set), in a stable order."""
    found = kind.find_task(project)
    return sorted(found, key=lambda t: t.task()) if isinstance(found, set) else [found]


def log_to_file(project, log_file: Path) -> None:
    """SC logs to the console; a run keeps that log in the stage folder. SC
    hands its one console handler to every node's logger, so redirecting
    that handler's stream redirects all of it."""
    project._logger_console.setStream(open(log_file, "w"))
