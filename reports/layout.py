"""A picture of a GDS layout in the sky130 layer colours (KLayout's .lyp)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.collections import PolyCollection

from tapeflow.tapeout.layer_table import layer_colours

#: Purposes drawn: drawing layers and pins (labels and boundaries stay outlines).
_SKIPPED_DATATYPES = {5}


def draw_gds(gds: Path, lyp: Path | None, title: str):
    """A matplotlib figure of the top cell, every layer in its colour."""
    import gdstk

    library = gdstk.read_gds(str(gds))
    tops = library.top_level()
    if not tops:
        raise ValueError(f"{gds.name} has no top cell")
    top = tops[0]
    colours = layer_colours(lyp) if lyp and lyp.is_file() else {}
    polygons: dict[tuple[int, int], list] = {}
    for polygon in top.get_polygons():
        polygons.setdefault((polygon.layer, polygon.datatype), []).append(polygon.points)
    figure, axes = plt.subplots(figsize=(7.0, 5.0))
    palette = plt.get_cmap("tab20")
    for index, key in enumerate(sorted(polygons)):
        if key[1] in _SKIPPED_DATATYPES:
            continue
        colour, name = colours.get(key, (palette(index % 20), f"{key[0]}/{key[1]}"))
        boundary = key == (235, 4)
        axes.add_collection(PolyCollection(
            polygons[key], facecolors="none" if boundary else colour,
            edgecolors="black" if boundary else colour, alpha=1.0 if boundary else 0.45,
            linewidths=0.6 if boundary else 0.2, label=name))
    (x0, y0), (x1, y1) = top.bounding_box()
    axes.set_xlim(x0, x1)
    axes.set_ylim(y0, y1)
    axes.set_aspect("equal")
    axes.set_xlabel("µm")
    axes.set_title(title, fontsize=9)
    axes.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return figure
