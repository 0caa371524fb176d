"""Runs a sweep: finds which points still have work, starts them on an
executor, says how far it got, and writes the table.

Every point is a normal run folder, so a point that is up to date is not
started at all, an interrupted sweep started again continues where it
stopped, and any point can be reported or packaged on its own."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tapeflow.reports.sweep_page import best_per_tile, write_sweep
from tapeflow.reports.sweep_table import SweepRow, mark_fronts, point_row

from ..engine.execute import pending_stages
from ..engine.run_folder import run_directory, run_name
from ..engine.settings import RunSettings
from ..stages import default_flow
from .executors import Executor
from .grid import InvalidPoint, SweepPoint
from .jobs import PointJob, point_job

#: How often the sweep looks at its jobs (a Slurm poll is one squeue call).
POLL_SECONDS = 2.0


@dataclass(frozen=True)
class SweepSettings:
    design: str
    until: str                       # last stage of every point
    out_dir: Path                    # sweep.json, sweep.csv, sweep.html
    scheduler: str = "local"         # local | slurm


@dataclass
class SweepOutcome:
    rows: list[SweepRow]
    paths: dict[str, Path]
    complete: bool
    wall_seconds: float


def run_sweep(points: list[SweepPoint], invalid: list[InvalidPoint], settings: RunSettings,
              sweep: SweepSettings, executor: Executor, say: Callable[[str], None]
              ) -> SweepOutcome:
    started = time.monotonic()
    names = [stage.name for stage in default_flow()]
    flow = names[:names.index(sweep.until) + 1]
    stages = default_flow()[:len(flow)]
    jobs, waiting, adopted = [], [], []
    for point in points:
        run_dir = run_directory(sweep.design, point.spec, settings).resolve()
        job = point_job(sweep.design, point, settings, sweep.until, run_dir)
        jobs.append(job)
        if executor.adopt(job):
            say(f"  {job.label}: its job from an earlier sweep is still queued; following it")
            adopted.append(job)
        elif pending_stages(sweep.design, point.spec, settings, stages):
            waiting.append(job)
    for item in invalid:
        say(f"  skipped {' '.join(item.assignments)}: {item.reason}")
    plural = "s" if len(points) != 1 else ""
    say(f"sweep: {len(points)} point{plural}, {len(points) - len(waiting) - len(adopted)} up to "
        f"date, {len(waiting) + len(adopted)} to run through {sweep.until} on "
        f"{sweep.scheduler}" + (f" ({executor.capacity} at a time)" if executor.capacity
                                else ""))
    complete = False
    try:
        _drive(waiting, adopted, executor, flow, say)
        complete = True
    except BaseException:
        executor.cancel()         # an interrupted sweep leaves no job behind
        raise
    finally:
        rows = [point_row(job.run_dir, job.point.spec.as_dict(), flow) for job in jobs]
        rows += [SweepRow("", _assigned(item), "invalid", item.reason) for item in invalid]
        mark_fronts(rows)
        wall = time.monotonic() - started
        complete = complete and all(row.status not in ("not run", "interrupted")
                                    for row in rows)
        paths = write_sweep(rows, _summary(sweep, settings, flow, rows, invalid, wall,
                                           complete), sweep.out_dir)
    return SweepOutcome(rows, paths, complete, wall)


def _drive(waiting: list[PointJob], adopted: list[PointJob], executor: Executor,
           flow: list[str], say: Callable[[str], None]) -> None:
    total, queue = len(waiting) + len(adopted), list(waiting)
    done = failed = 0
    walls: list[float] = []
    began: dict[PointJob, float] = {job: time.monotonic() for job in adopted}
    last_report = time.monotonic()
    while queue or began:
        while queue and (executor.capacity is None or len(began) < executor.capacity):
            job = queue.pop(0)
            executor.start(job)
            began[job] = time.monotonic()
        for job in executor.ended():
            walls.append(time.monotonic() - began.pop(job))
            row = point_row(job.run_dir, job.point.spec.as_dict(), flow)
            done += 1
            failed += row.status != "passed"
            detail = f" ({row.note})" if row.note and row.status != "passed" else ""
            say(f"  [{done}/{total}] {job.label} {row.status} in {walls[-1]:.0f} s{detail}"
                f"; {_progress(done, failed, executor, total, walls, began, len(queue))}")
            last_report = time.monotonic()
        if began and time.monotonic() - last_report > 60:
            say(f"  ... {_progress(done, failed, executor, total, walls, began, len(queue))}")
            last_report = time.monotonic()
        if queue or began:
            time.sleep(POLL_SECONDS)


def _progress(done: int, failed: int, executor: Executor, total: int, walls: list[float],
              began: dict[PointJob, float], queued: int) -> str:
    """Counts, and the time left: the mean point so far for each queued one,
    what the mean leaves of each running one, shared by the points at once.
    A scheduler's jobs start when it decides, so there each running one
    counts half a mean point."""
    counts = executor.counts()
    running = ", ".join(f"{count} {state}" for state, count in counts.items())
    left = total - done
    estimate = ""
    if walls and left:
        mean, now = sum(walls) / len(walls), time.monotonic()
        if executor.capacity is None:
            work = (queued + counts.get("queued", 0)) * mean \
                + counts.get("running", 0) * mean / 2
        else:
            work = queued * mean + sum(max(mean - (now - start), 0.0)
                                       for start in began.values())
        parallel = executor.capacity or max(1, counts.get("running", 1))
        estimate = f", ~{work / parallel / 60:.1f} min to go"
    return f"{done} done ({failed} failed), {running}, {left} left of {total}{estimate}"


def _assigned(item: InvalidPoint) -> dict:
    return dict(assignment.split("=", 1) for assignment in item.assignments)


def _summary(sweep: SweepSettings, settings: RunSettings, flow: list[str],
             rows: list[SweepRow], invalid: list[InvalidPoint], wall: float,
             complete: bool) -> dict:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return {"design": sweep.design, "scheduler": sweep.scheduler, "until": sweep.until,
            "stages": flow, "complete": complete, "wall_seconds": round(wall, 1),
            "clock_mhz": round(1000.0 / settings.clock_period_ns, 4),
            "build_root": str(settings.build_root.resolve()), "counts": counts,
            "best_per_tile": [row.point for row in best_per_tile(rows)],
            "invalid": [{"assignments": list(item.assignments), "reason": item.reason}
                        for item in invalid]}


def sweep_folder_name(design: str, points: list[SweepPoint], settings: RunSettings,
                      until: str) -> str:
    """sweep-<design>-<6 hex>: the same points, settings and last stage give
    the same folder, so a restarted sweep rewrites its own table."""
    identity = {"points": sorted(run_name(design, p.spec, settings) for p in points),
                "until": until}
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:6]
    return f"sweep-{design}-{digest}"


def sweep_summary(outcome: SweepOutcome) -> str:
    rows = outcome.rows
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    lines = [f"sweep {'complete' if outcome.complete else 'INCOMPLETE'}: "
             + ", ".join(f"{n} {status}" for status, n in counts.items())
             + f" in {outcome.wall_seconds:.0f} s", ""]
    best = best_per_tile(rows)
    if best:
        lines.append("  best per tile (passed, fits, meets timing, GL passed):")
        for row in best:
            lines.append(f"  {row.tile:<5} {row.point:<36} {row.mmac_per_s:7.1f} MMAC/s = "
                         f"{row.mmac_per_s_per_tile:6.1f} per tile, "
                         f"{row.sustained_macs_per_cycle:g} MACs/cycle, "
                         f"{row.cell_area_um2:,.0f} µm² ({row.utilization_pct} %), "
                         f"fmax {row.fmax_ceiling_mhz} MHz")
    else:
        lines.append("  no point passed, fits a tile, meets timing and passed gate level")
    for label, path in outcome.paths.items():
        lines.append(f"  {label:<5} {path}")
    return "\n".join(lines)
