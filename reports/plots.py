"""The report's figures, drawn with matplotlib into PNG bytes."""

from __future__ import annotations

import io
import json

import matplotlib

matplotlib.use("Agg")                       # no display; PNG only
import matplotlib.pyplot as plt  # noqa: E402

from .derived import fmax_ceiling, run_clock, run_period_ns, timing_corners  # noqa: E402
from .layout import draw_gds  # noqa: E402
from .run_data import RunData  # noqa: E402


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return buffer.getvalue()


def roofline(run: RunData) -> bytes | None:
    """Compute roof (peak MACs/cycle x clock) and the TT input-pin roof
    (bytes/cycle x clock x intensity) at the run's clock, with the design's
    measured point; the same roofs at the fmax ceiling drawn faint beside."""
    peak = run.value("peak_macs_per_cycle")
    io_bytes = run.value("io_input_bytes_per_cycle")
    sustained = run.value("sustained_macs_per_cycle_measured",
                          run.value("sustained_macs_per_cycle_protocol"))
    if not (peak and io_bytes and sustained):
        return None
    mhz, clock = run_clock(run)
    intensity = sustained / io_bytes
    xs = [0.05 * intensity, 20 * intensity]
    figure, axes = plt.subplots(figsize=(6.4, 4.2))
    ceiling = fmax_ceiling(run)
    if ceiling is not None:
        fmax, what, _ = ceiling
        top = peak * fmax * 1e6
        axes.loglog(xs, [top] * 2, color="C3", alpha=0.35, linestyle="--",
                    label=f"ceiling at {what}: {fmax:.0f} MHz")
        axes.loglog(xs, [2.0 * fmax * 1e6 * x for x in xs], color="C0", alpha=0.35,
                    linestyle="--")
    hz = mhz * 1e6
    # the pins can carry 2 bytes/cycle (ui_in + uio_in); the protocol uses io_bytes
    pin_bandwidth = 2.0 * hz
    axes.loglog(xs, [peak * hz] * 2, label=f"compute roof: {peak:g} MAC/cycle", color="C3")
    axes.loglog(xs, [pin_bandwidth * x for x in xs],
                label="IO roof: 16 input pins, 2 B/cycle", color="C0")
    axes.loglog([intensity], [sustained * hz], "o", color="k",
                label=f"this design: {sustained:.3g} MAC/cycle at {intensity:.3g} MAC/B")
    axes.axvline(peak / 2.0, color="grey", linestyle=":", linewidth=1)
    axes.set_xlabel("operational intensity (MAC per input byte)")
    axes.set_ylabel("MAC/s")
    axes.set_title(f"Roofline inside the TinyTapeout pins at {mhz:g} MHz ({clock})",
                   fontsize=9)
    axes.legend(fontsize=8, loc="lower right")
    axes.grid(True, which="both", alpha=0.3)
    return _png(figure)


def area_breakdown(run: RunData) -> bytes | None:
    path = run.output("synthesize", "area_by_category")
    if path is None:
        return None
    areas = json.loads(path.read_text())["area_um2"]
    names = sorted(areas, key=areas.get)
    figure, axes = plt.subplots(figsize=(6.4, 3.6))
    axes.barh(names, [areas[n] for n in names], color="C2")
    axes.set_xlabel("cell area (µm²)")
    axes.set_title(f"Area by TinyTapeout cell category ({sum(areas.values()):,.0f} µm²)",
                   fontsize=9)
    return _png(figure)


def tile_utilization(run: RunData) -> bytes | None:
    tiles = [(name.removeprefix("utilization_"), metric.value)
             for name, metric in run.metrics.items() if name.startswith("utilization_")]
    if not tiles:
        return None
    target = 60.0
    figure, axes = plt.subplots(figsize=(6.4, 3.4))
    colors = ["C2" if value <= target else "C3" for _, value in tiles]
    axes.bar([t for t, _ in tiles], [v for _, v in tiles], color=colors)
    axes.axhline(target, color="k", linestyle="--", linewidth=1, label="60 % target density")
    axes.set_ylabel("utilization (%)")
    axes.set_yscale("log")
    axes.set_title("Cell area / core area for every TinyTapeout tile", fontsize=9)
    axes.legend(fontsize=8)
    plt.setp(axes.get_xticklabels(), rotation=45)
    return _png(figure)


def slack_by_corner(run: RunData) -> bytes | None:
    """Pre-layout setup slack of register-to-register and IO paths, and hold
    slack, at each PVT corner."""
    corners = timing_corners(run)
    if not corners:
        return None
    series = (("setup, reg to reg", "setup_slack_reg2reg", "C0"),
              ("setup, IO paths", "setup_slack_io", "C9"),
              ("hold (worst)", "hold_slack", "C1"))
    figure, axes = plt.subplots(figsize=(6.4, 3.2))
    width = 0.8 / len(series)
    for offset, (label, name, color) in enumerate(series):
        values = [run.value(f"{name}_{c}_ns", 0.0) for c in corners]
        bars = axes.bar([p + (offset - 1) * width for p in range(len(corners))], values,
                        width=width, label=label, color=color)
        axes.bar_label(bars, fmt="%.2f", fontsize=7)      # hold slacks are too small to see
    axes.axhline(0, color="k", linewidth=0.8)
    axes.set_xticks(list(range(len(corners))), corners)
    axes.set_ylabel("slack (ns)")
    axes.set_title(f"Pre-layout slack per PVT corner at {run_period_ns(run):g} ns",
                   fontsize=9)
    axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3)
    return _png(figure)


#: Width of the layout picture on the page; the report links the full one.
LAYOUT_WIDTH_PX = 1000


def layout(run: RunData) -> bytes | None:
    """The hardened tile as KLayout rendered it (SiliconCompiler's write.gds),
    scaled for the page; else a drawing of the first GDS any stage produced."""
    rendered = run.output("harden", "layout_png")
    if rendered is not None:
        return scaled_png(rendered, LAYOUT_WIDTH_PX)
    gds = next((run.run_dir / o["path"] for s in run.stages if s.status == "passed"
                for o in s.outputs if o["path"].endswith(".gds")), None)
    if gds is None or not gds.is_file():
        return None
    return _png(draw_gds(gds, sky130_layer_properties(), gds.name))


def scaled_png(path, width_px: int) -> bytes:
    """A PNG ``width_px`` wide (or as it is, if narrower)."""
    import io

    import matplotlib.image as mpimg
    height, width = mpimg.imread(str(path)).shape[:2]
    if width <= width_px:
        return path.read_bytes()
    buffer = io.BytesIO()
    mpimg.thumbnail(str(path), buffer, scale=width_px / width, interpolation="antialiased")
    return buffer.getvalue()


def sky130_layer_properties():
    """sky130A.lyp from the local PDK (TAPEFLOW_PDK_ROOT); without one the
    picture uses default colours rather than downloading the PDK."""
    from tapeflow.flows.adapters.pdk import layer_properties, pdk_root_setting
    root = pdk_root_setting(None)
    return layer_properties(root) if root is not None else None   # no download for a picture


def tile_floorplan(run: RunData) -> bytes | None:
    """The chosen tile from TinyTapeout's template: die, core, the template's
    pins and TinyTapeout's met4 power straps (for a run with no layout yet)."""
    tile = run.value("tile")
    if tile is None or run.output("harden", "layout_png") is not None:
        return None
    from matplotlib.patches import Rectangle

    from tapeflow.tapeout.tile_constraints import tile_constraints
    plan = tile_constraints(str(tile))
    figure, axes = plt.subplots(figsize=(4.6, 4.6 * plan.height / plan.width + 0.6))

    def box(rect, **style):
        x1, y1, x2, y2 = (v / 1000 for v in rect)
        axes.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, **style))

    box(plan.die, fill=False, edgecolor="k", linewidth=1.2)
    box(plan.core, facecolor="#eef3fb", edgecolor="#9ab", linewidth=0.6)
    for net, color in (("VPWR", "#c62828"), ("VGND", "#1565c0")):
        for rect in plan.straps[net]:
            box(rect, facecolor=color, alpha=0.55, linewidth=0)
    for pin in plan.pins.values():
        box(pin.rect, facecolor="#2e7d32", linewidth=0)
    axes.set_xlim(-2, plan.width / 1000 + 2)
    axes.set_ylim(-2, plan.height / 1000 + 2)
    axes.set_aspect("equal")
    axes.set_xlabel("µm")
    axes.set_title(f"TinyTapeout tile {tile}: core, {len(plan.pins)} template pins (green), "
                   f"met4 VPWR/VGND straps", fontsize=8)
    return _png(figure)


FIGURES = {
    "L5": [("roofline", roofline)],
    "L7": [("area_breakdown", area_breakdown), ("tile_utilization", tile_utilization),
           ("slack_by_corner", slack_by_corner), ("layout", layout)],
    "L8": [("tile_floorplan", tile_floorplan)],
}
