"""Layout signoff through SiliconCompiler's signoff flow: magic DRC
(drc(full)), magic extraction and netgen LVS against the powered netlist.

Debian bookworm's magic 8.3.105 and netgen 1.5.133 are older than SC asks
for but work with the sky130 files (TOOLCHAIN.md), so the version check is
off, magic gets a copy of the tech file without its ``requires`` line
(registered in the PDK's schema, where SC's script reads it), and SC's
``netgen`` is Debian's ``netgen-lvs`` through a one-line alias.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tapeflow.tapeout.magic_drc import tech_for_installed_magic

from .sc_project import sky130_project
from .tools import write_alias

DRC_STEP, LVS_STEP = "drc", "lvs"
NETGEN_EXECUTABLE = "netgen-lvs"


class SignoffError(RuntimeError):
    pass


@dataclass(frozen=True)
class SignoffSettings:
    top: str
    gds: Path
    netlist: Path               # powered gate-level Verilog (OpenROAD's write_verilog style)
    work_dir: Path
    pdk_root: Path | None = None


@dataclass(frozen=True)
class SignoffResult:
    drc_errors: int             # magic's error boxes
    lvs_errors: int             # netgen mismatches, top-level pin mismatches excluded
    lvs_pin_mismatches: int
    drc_report: Path
    lvs_report: Path | None


def build_signoff_project(settings: SignoffSettings, log_file: Path):
    from siliconcompiler import Design
    from siliconcompiler.flows.signoffflow import SignoffFlow
    from siliconcompiler.tools.netgen.lvs import LVSTask

    design = Design(settings.top)
    for fileset, path, kind in (("layout", settings.gds, "gds"),
                                ("netlist", settings.netlist, "verilog")):
        with design.active_fileset(fileset):
            design.set_topmodule(settings.top)
            design.add_file(str(path.resolve()), filetype=kind)
    project = sky130_project(design, ["layout", "netlist"], settings.pdk_root,
                             settings.work_dir, log_file)
    pdk = project.get_library(project.get("asic", "pdk"))
    for fileset in pdk.get("pdk", "drc", "runsetfileset", "magic", "basic"):
        tech = Path(pdk.find_files("fileset", fileset, "file", "tech")[0])
        local = tech_for_installed_magic(tech, settings.work_dir / "magic")
        with pdk.active_fileset(fileset):
            pdk.set("fileset", fileset, "file", "tech", str(local), clobber=True)

    project.set_flow(SignoffFlow())
    project.option.set_novercheck(True)
    alias = write_alias(settings.work_dir / "bin", "netgen", NETGEN_EXECUTABLE)
    LVSTask.find_task(project).set("path", str(alias.parent), clobber=True)
    return project


def run_signoff(settings: SignoffSettings, log_file: Path) -> SignoffResult:
    project = build_signoff_project(settings, log_file)
    try:
        project.run()
    except Exception as error:   # SC reports tool failures as exceptions
        raise SignoffError(f"SiliconCompiler signoff failed: {error} (see {log_file})") \
            from None
    job = project.history(project.option.get_jobname())

    def metric(name: str, step: str) -> int:
        return int(job.get("metric", name, step=step, index="0") or 0)

    def report(step: str, suffix: str) -> Path | None:
        found = project.find_result(filename=f"{settings.top}.{suffix}", step=step,
                                    directory="reports")
        return Path(found) if found else None

    drc_report = report(DRC_STEP, "drc")
    lvs_report = report(LVS_STEP, "lvs.json")
    if drc_report is None:
        raise SignoffError(f"magic wrote no DRC report (see {log_file})")
    if lvs_report is None:
        raise SignoffError(f"netgen wrote no LVS report (see {log_file})")
    return SignoffResult(metric("drcs", DRC_STEP), metric("drcs", LVS_STEP),
                         metric("warnings", LVS_STEP), drc_report, lvs_report)
