"""A sweep's table: one row per point from its run folder's manifest, the
Pareto fronts of work per tile, and the best point of each tile size."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from .derived import fmax_ceiling, run_clock, timing_corners
from .run_data import ReportError, RunData, load_run


@dataclass
class SweepRow:
    point: str                          # the run folder's name ("" for an invalid point)
    parameters: dict
    status: str                         # passed | failed | interrupted | not run | invalid
    note: str = ""                      # why it failed, or which stages were skipped
    tile: str | None = None
    tiles: int | None = None            # TinyTapeout tiles the tile covers (1x2 = 2)
    utilization_pct: float | None = None
    cells: int | None = None
    cell_area_um2: float | None = None
    fmax_mhz: dict[str, float] = field(default_factory=dict)   # corner -> pre-layout fmax
    fmax_ceiling_mhz: float | None = None    # slowest corner, routed when hardened
    timing_source: str | None = None         # pre-layout | routed
    setup_slack_ns: float | None = None      # worst corner, at the run's clock
    hold_slack_ns: float | None = None
    meets_timing: bool | None = None
    clock_mhz: float | None = None
    sustained_macs_per_cycle: float | None = None
    mmac_per_s: float | None = None          # sustained, at the run's clock
    mmac_per_s_per_tile: float | None = None
    gl_pass: bool | None = None              # every gate-level test passed (None: not run)
    wall_seconds: float | None = None
    eligible: bool = False                   # passed, fits a tile, meets timing, GL passed
    pareto_area: bool = False                # on the front of MMAC/s per tile vs cell area
    pareto_fmax: bool = False                # on the front of MMAC/s per tile vs fmax
    best_for_tile: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def tile_count(name: str) -> int:
    width, height = name.split("x")
    return int(width) * int(height)


def point_row(run_dir: Path, parameters: dict, flow: list[str]) -> SweepRow:
    """The row of one point from its run folder (``flow``: the stages the
    sweep asked for)."""
    try:
        run = load_run(run_dir)
    except ReportError:
        return SweepRow(run_dir.name, parameters, "not run", "no manifest yet")
    status, note = _status(run, flow)
    row = SweepRow(run_dir.name, parameters, status, note)
    _fill(row, run)
    row.eligible = (status == "passed" and row.tile is not None and bool(row.meets_timing)
                    and row.gl_pass is not False and row.mmac_per_s_per_tile is not None)
    return row


def _status(run: RunData, flow: list[str]) -> tuple[str, str]:
    stages = {stage.name: stage for stage in run.stages}
    failed = next((stages[name] for name in flow
                   if name in stages and stages[name].status == "failed"), None)
    if failed is not None:
        return "failed", f"{failed.name}: {failed.reason or 'failed'}"[:300]
    if run.state == "interrupted":
        return "interrupted", f"interrupted in {(run.interrupted or {}).get('stage')}"
    missing = [name for name in flow if name not in stages]
    if missing or run.state == "running":
        return "not run", f"stages not run: {', '.join(missing)}" if missing else "running"
    skipped = [f"{name} ({stages[name].reason})" for name in flow
               if stages[name].status == "skipped"]
    return "passed", ("skipped: " + "; ".join(skipped))[:300] if skipped else ""


def _fill(row: SweepRow, run: RunData) -> None:
    value = run.value
    row.tile = value("tile")
    row.tiles = tile_count(row.tile) if row.tile else None
    row.utilization_pct = value("tile_utilization")
    row.cells, row.cell_area_um2 = value("cell_count"), value("cell_area_um2")
    corners = timing_corners(run)
    row.fmax_mhz = {corner: value(f"fmax_{corner}_mhz") for corner in corners}
    ceiling = fmax_ceiling(run)
    row.fmax_ceiling_mhz = round(ceiling[0], 2) if ceiling else None
    routed = value("routed_worst_setup_slack_ns")
    if routed is not None:
        row.timing_source = "routed"
        row.setup_slack_ns, row.hold_slack_ns = routed, value("routed_worst_hold_slack_ns")
    elif corners:
        row.timing_source = "pre-layout"
        row.setup_slack_ns = min(value(f"setup_slack_{c}_ns") for c in corners)
        row.hold_slack_ns = min(value(f"hold_slack_{c}_ns") for c in corners)
    if row.setup_slack_ns is not None:
        # as sta-pre and sta-post judge it: setup and hold at every corner
        row.meets_timing = row.setup_slack_ns >= 0 and (row.hold_slack_ns or 0) >= 0
    row.clock_mhz, _ = run_clock(run)
    sustained = value("sustained_macs_per_cycle_measured") \
        or value("sustained_macs_per_cycle_protocol")
    row.sustained_macs_per_cycle = sustained
    if sustained is not None:
        row.mmac_per_s = round(sustained * row.clock_mhz, 2)
        if row.tiles:
            row.mmac_per_s_per_tile = round(row.mmac_per_s / row.tiles, 2)
    gl = [(value(f"gl_{sim}_tests_passed"), value(f"gl_{sim}_tests_run"))
          for sim in ("icarus", "verilator") if value(f"gl_{sim}_tests_run") is not None]
    row.gl_pass = all(passed == ran for passed, ran in gl) if gl else None
    row.wall_seconds = round(sum(stage.wall_seconds for stage in run.stages), 1)


def mark_fronts(rows: list[SweepRow]) -> None:
    """Pareto fronts among eligible points (more MMAC/s per tile is better;
    less cell area, more fmax), and each tile size's best point: most MMAC/s
    counted in whole MMAC/s, then least area — the measured rate differs in
    the fourth digit between shapes of the same peak (how a 256-tile burst
    drains), which must not pick a design half again as big."""
    eligible = [row for row in rows if row.eligible]
    for row in eligible:
        row.pareto_area = not any(_dominates(other, row, "cell_area_um2", lower=True)
                                  for other in eligible)
        row.pareto_fmax = row.fmax_ceiling_mhz is not None and not any(
            _dominates(other, row, "fmax_ceiling_mhz", lower=False) for other in eligible
            if other.fmax_ceiling_mhz is not None)
    for tile in {row.tile for row in eligible}:
        best = max((row for row in eligible if row.tile == tile),
                   key=lambda row: (round(row.mmac_per_s), -(row.cell_area_um2 or 0)))
        best.best_for_tile = True


def _dominates(a: SweepRow, b: SweepRow, other: str, lower: bool) -> bool:
    x, y = getattr(a, other), getattr(b, other)
    better_other = x <= y if lower else x >= y
    strictly = (a.mmac_per_s_per_tile > b.mmac_per_s_per_tile) or (x < y if lower else x > y)
    return a.mmac_per_s_per_tile >= b.mmac_per_s_per_tile and better_other and strictly
