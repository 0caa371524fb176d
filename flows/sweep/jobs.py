"""One sweep point as a job: the `tapeflow run` command line that makes its
run folder, and where its log goes. Local and Slurm executors start the same
command, so a point's folder is the same whichever ran it."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ..engine.settings import RunSettings
from .grid import SweepPoint

#: In the point's run folder: everything the point's `tapeflow run` printed.
POINT_LOG = "point.log"


@dataclass(frozen=True)
class PointJob:
    point: SweepPoint
    run_dir: Path
    argv: tuple[str, ...]

    @property
    def log(self) -> Path:
        return self.run_dir / POINT_LOG

    @property
    def label(self) -> str:
        return self.run_dir.name


def settings_argv(settings: RunSettings) -> list[str]:
    """The `tapeflow run` options that give ``settings`` back: the inverse of
    the CLI's option parsing, so the point's folder name is the one the sweep
    computed."""
    argv = ["--build-dir", str(settings.build_root.resolve()),
            "--simulator", settings.simulator,
            "--gl-simulators", ",".join(settings.gl_simulators),
            "--seed", str(settings.seed),
            "--clock-period", repr(settings.clock_period_ns),
            "--target-density", f"{settings.target_density * 100:.10g}",
            "--corners", settings.corners]
    if not settings.code_coverage:
        argv.append("--no-code-coverage")
    if settings.pdk_root is not None:
        argv += ["--pdk-root", str(Path(settings.pdk_root).resolve())]
    if settings.tile is not None:
        argv += ["--tile", settings.tile]
    return argv


def point_job(design: str, point: SweepPoint, settings: RunSettings, until: str,
              run_dir: Path) -> PointJob:
    sets = [item for assignment in point.assignments for item in ("--set", assignment)]
    argv = (sys.executable, "-m", "tapeflow.flows.cli", "run", "--design", design, *sets,
            "--until", until, *settings_argv(settings))
    return PointJob(point, run_dir, argv)
