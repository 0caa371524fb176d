"""The sweep's Pareto plots: sustained MMAC/s per tile against cell area and
against fmax, eligible points filled, the front joined, each tile size's best
point starred; points that miss timing or fit no tile drawn apart."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .sweep_table import SweepRow  # noqa: E402


def pareto_plot(rows: list[SweepRow], other: str, label: str) -> bytes | None:
    placed = [row for row in rows if getattr(row, other) is not None
              and row.mmac_per_s is not None]
    if not placed:
        return None
    figure, axes = plt.subplots(figsize=(6.2, 4.4))

    def y(row: SweepRow) -> float:       # a point that fits no tile sits on the axis
        return row.mmac_per_s_per_tile if row.mmac_per_s_per_tile is not None else 0.0

    groups = (("eligible", lambda r: r.eligible, dict(marker="o", color="#1f77b4")),
              ("misses timing", lambda r: r.tile and r.meets_timing is False,
               dict(marker="x", color="#c62828")),
              ("fits no tile", lambda r: r.tile is None, dict(marker="v", color="#888888")),
              ("failed or GL failed", lambda r: not r.eligible and r.tile
               and r.meets_timing is not False, dict(marker="s", color="#e0a800")))
    for name, belongs, style in groups:
        chosen = [row for row in placed if belongs(row)]
        if chosen:
            axes.scatter([getattr(r, other) for r in chosen], [y(r) for r in chosen],
                         label=name, s=36, **style)
    front_flag = "pareto_area" if other == "cell_area_um2" else "pareto_fmax"
    front = sorted((row for row in placed if getattr(row, front_flag)),
                   key=lambda row: getattr(row, other))
    if len(front) > 1:
        axes.plot([getattr(r, other) for r in front], [y(r) for r in front], "-",
                  color="#1f77b4", alpha=0.5, label="Pareto front")
    for row in placed:
        if row.best_for_tile:
            axes.scatter([getattr(row, other)], [y(row)], marker="*", s=220,
                         facecolors="none", edgecolors="#17702a", linewidths=1.4)
            axes.annotate(f"best {row.tile}", (getattr(row, other), y(row)),
                          textcoords="offset points", xytext=(6, 6), fontsize=8)
    axes.set_xlabel(label)
    axes.set_ylabel("sustained MMAC/s per tile")
    axes.set_title(f"MMAC/s per tile vs {label.split(' (')[0]}", fontsize=10)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="best")
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()
