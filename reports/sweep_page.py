"""sweep.json, sweep.csv and a self-contained sweep.html (Pareto plots
embedded) from a sweep's rows."""

from __future__ import annotations

import base64
import csv
import html
import io
from pathlib import Path

from tapeflow.flows.engine.atomic import write_json_atomic, write_text_atomic

from .sweep_table import SweepRow

_STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.82em; }
th, td { border: 1px solid #ddd; padding: 3px 7px; text-align: right; }
th { background: #f2f2f2; } td.text { text-align: left; }
.passed { color: #17702a; } .failed, .invalid { color: #b00020; } .best { font-weight: bold; }
img { max-width: 49%; }
"""


def csv_columns(rows: list[SweepRow]) -> list[str]:
    parameters = list(dict.fromkeys(name for row in rows for name in row.parameters))
    corners = list(dict.fromkeys(corner for row in rows for corner in row.fmax_mhz))
    scalar = [name for name in SweepRow.__dataclass_fields__
              if name not in ("parameters", "fmax_mhz")]
    return ["point", *parameters, *scalar[1:], *(f"fmax_{corner}_mhz" for corner in corners)]


def _flat(row: SweepRow) -> dict:
    data = row.as_dict()
    flat = {key: value for key, value in data.items() if key not in ("parameters", "fmax_mhz")}
    flat.update(row.parameters)
    flat.update({f"fmax_{corner}_mhz": mhz for corner, mhz in row.fmax_mhz.items()})
    return flat


def write_sweep(rows: list[SweepRow], summary: dict, out_dir: Path) -> dict[str, Path]:
    """``summary``: the sweep's own facts (design, settings, stages, points,
    wall time, complete or not). The three files are composed first, then
    each written atomically."""
    document = {**summary, "points": [row.as_dict() for row in rows]}
    columns = csv_columns(rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(_flat(row))
    page = _html(rows, summary)
    paths = {"json": out_dir / "sweep.json", "csv": out_dir / "sweep.csv",
             "html": out_dir / "sweep.html"}
    write_json_atomic(paths["json"], document)
    write_text_atomic(paths["csv"], buffer.getvalue())
    write_text_atomic(paths["html"], page)
    return paths


def best_per_tile(rows: list[SweepRow]) -> list[SweepRow]:
    return sorted((row for row in rows if row.best_for_tile),
                  key=lambda row: (row.tiles or 0, row.tile or ""))


def _html(rows: list[SweepRow], summary: dict) -> str:
    from .sweep_plots import pareto_plot    # matplotlib only when a page is written

    title = f"tapeflow sweep: {summary['design']}, {len(rows)} points"
    state = "complete" if summary.get("complete") else \
        "<b class='failed'>incomplete: the sweep was interrupted or points are not run</b>"
    counts = ", ".join(f"{count} {status}" for status, count in summary["counts"].items())
    parts = [f"<h1>{html.escape(title)}</h1>",
             f"<p>{state}; {html.escape(counts)}; stages through "
             f"{html.escape(summary['until'])}; clock {summary['clock_mhz']:g} MHz; wall "
             f"{summary['wall_seconds']:.0f} s on {html.escape(summary['scheduler'])}.</p>",
             "<h2>Best point per tile size</h2>", _table(best_per_tile(rows), brief=True),
             "<p>Eligible points: the run passed, fits a TinyTapeout tile, meets setup and "
             "hold at the run's clock at every corner (routed when hardened, else before "
             "layout) and passed gate-level simulation. Best: most sustained MMAC/s (in "
             "whole MMAC/s), then least cell area.</p>"]
    for other, label in (("cell_area_um2", "cell area (µm²)"),
                         ("fmax_ceiling_mhz", "fmax, slowest corner (MHz)")):
        png = pareto_plot(rows, other, label)
        if png:
            data = base64.b64encode(png).decode()
            parts.append(f'<img alt="MMAC/s per tile against {html.escape(label)}" '
                         f'src="data:image/png;base64,{data}">')
    parts += ["<h2>All points</h2>", _table(rows, brief=False)]
    invalid = summary.get("invalid", [])
    if invalid:
        parts.append("<h2>Invalid combinations (skipped)</h2><ul>" + "".join(
            f"<li>{html.escape(' '.join(item['assignments']))}: "
            f"{html.escape(item['reason'])}</li>" for item in invalid) + "</ul>")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title><style>{_STYLE}</style></head><body>{''.join(parts)}</body></html>\n")


def _cell(value) -> str:
    if value is None:
        return "<td>–</td>"
    if isinstance(value, bool):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, float):
        return f"<td>{value:,.2f}</td>"
    if isinstance(value, int):
        return f"<td>{value:,}</td>"
    return f"<td class='text'>{html.escape(str(value))}</td>"


def _table(rows: list[SweepRow], brief: bool) -> str:
    if not rows:
        return "<p>none</p>"
    parameters = list(dict.fromkeys(name for row in rows for name in row.parameters
                                    if name != "top_name"))
    columns = [("tile", "tile"), ("utilization_pct", "util %"), ("cell_area_um2", "area µm²"),
               ("fmax_ceiling_mhz", "fmax MHz"), ("setup_slack_ns", "setup ns"),
               ("sustained_macs_per_cycle", "MACs/cycle"), ("mmac_per_s", "MMAC/s"),
               ("mmac_per_s_per_tile", "MMAC/s per tile")]
    if not brief:
        columns = [("status", "status")] + columns + [
            ("meets_timing", "timing met"), ("gl_pass", "GL passed"),
            ("pareto_area", "front (area)"), ("pareto_fmax", "front (fmax)"),
            ("wall_seconds", "wall s"), ("note", "note")]
    head = "".join(f"<th>{html.escape(name)}</th>" for name in parameters) + "".join(
        f"<th>{html.escape(label)}</th>" for _, label in columns)
    body = []
    for row in rows:
        cells = "".join(_cell(row.parameters.get(name)) for name in parameters)
        cells += "".join(_cell(getattr(row, key)) for key, _ in columns)
        css = "best" if row.best_for_tile and not brief else row.status.replace(" ", "-")
        body.append(f"<tr class='{css}'>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"
