"""Which TinyTapeout tile the synthesized netlist fits, before any hardening."""

from __future__ import annotations

from pathlib import Path

from tapeflow.reports.metrics import Layer, Metric
from tapeflow.tapeout.tiles import fit_tiles, tiles
from tapeflow.tapeout.tt_data import tt_data_files, tt_root

from ..engine.atomic import write_json_atomic
from ..engine.stage import RunContext, Stage, StageResult, Status


class TileFit(Stage):
    name = "tile-fit"
    layer = Layer.L8
    needs = ("synthesize",)
    reads = ("synthesize.cell_area_um2",)
    settings_used = ("tile", "target_density")
    description = "utilization per TT tile at the target density; the smallest that fits"

    def data_files(self, settings) -> list[Path]:
        return tt_data_files()

    def run(self, ctx: RunContext) -> StageResult:
        cell_area = ctx.metric("synthesize", "cell_area_um2")
        fit = fit_tiles(cell_area, ctx.settings.target_density)
        report = ctx.stage_dir(self.name) / "tile_fit.json"
        source = f"cell area / TT core area ({tt_root()}/.../tile_sizes.yaml)"
        write_json_atomic(report, {
            "cell_area_um2": cell_area,
            "target_density": fit.target_density,
            "tiles": [{"tile": t.name, "die_um": [t.width, t.height],
                       "core_um": [round(t.core_width, 3), round(t.core_height, 3)],
                       "core_area_um2": round(t.core_area, 3),
                       "utilization": round(fit.utilization[t.name], 4),
                       "fits": fit.fits(t.name)} for t in tiles()],
            "smallest_fitting_tile": fit.smallest.name if fit.smallest else None,
            "requested_tile": ctx.settings.tile,
        })
        where = ctx.relative(report)
        metrics = [Metric(f"utilization_{t.name}", round(100 * fit.utilization[t.name], 2),
                          "%", Layer.L7, source, where) for t in tiles()]
        if fit.smallest is None:
            largest = tiles()[-1]
            return StageResult(Status.FAILED, (
                f"{cell_area:,.0f} um^2 of cells fits no TinyTapeout tile: the largest, "
                f"{largest.name}, would be {fit.utilization[largest.name]:.0%} utilized "
                f"(target {fit.target_density:.0%}); "
                f"{ctx.spec.shrink_hint(cell_area, fit.target_density * largest.core_area)}"),
                {"report": report}, metrics)
        warnings = []
        declared = getattr(ctx.spec, "declared_tile", None)   # a TT project's info.yaml tiles
        if declared and not ctx.settings.tile and declared in fit.utilization \
                and not fit.fits(declared):
            warnings.append(
                f"info.yaml declares tiles: \"{declared}\" but the design needs "
                f"{fit.smallest.name}: {declared} would be {fit.utilization[declared]:.0%} "
                f"utilized (target {fit.target_density:.0%}); the flow goes on in "
                f"{fit.smallest.name}, set tiles: \"{fit.smallest.name}\" in info.yaml")
            declared = None
        chosen = ctx.settings.tile or declared or fit.smallest.name
        if chosen not in fit.utilization:
            return StageResult(Status.FAILED, f"tile {chosen!r} is not a TinyTapeout tile; "
                               f"choose one of {', '.join(t.name for t in tiles())}",
                               {"report": report}, metrics)
        metrics += [
            Metric("smallest_tile", fit.smallest.name, "tile", Layer.L8, source, where),
            Metric("tile", chosen, "tile", Layer.L8, source, where),
            Metric("tile_utilization", round(100 * fit.utilization[chosen], 2), "%", Layer.L7,
                   source, where),
        ]
        if not fit.fits(chosen):
            return StageResult(Status.FAILED, (
                f"the requested tile {chosen} would be {fit.utilization[chosen]:.0%} utilized "
                f"(target {fit.target_density:.0%}); the smallest tile that fits is "
                f"{fit.smallest.name} ({fit.utilization[fit.smallest.name]:.0%})"),
                {"report": report}, metrics)
        return StageResult(Status.PASSED, None, {"report": report}, metrics, warnings=warnings)

