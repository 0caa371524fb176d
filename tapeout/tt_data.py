"""TinyTapeout's own data files (tile sizes, cell categories, tile DEFs),
read at run time from a local copy of TT's repositories.

The location is TAPEFLOW_TT_ROOT, else ``shared/tinytapeout`` beside this
checkout (where the project's developers and CI have it).
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import yaml

TT_ROOT_ENV = "TAPEFLOW_TT_ROOT"
SKY130_TECH = Path("tt-support-tools/tech/sky130A")


class TinyTapeoutDataError(ValueError):
    pass


def tt_root() -> Path:
    value = os.environ.get(TT_ROOT_ENV)
    root = Path(value) if value else Path(__file__).resolve().parents[2] / "shared" / "tinytapeout"
    if not (root / SKY130_TECH / "tile_sizes.yaml").is_file():
        raise TinyTapeoutDataError(
            f"TinyTapeout data not found at {root}: set {TT_ROOT_ENV} to a folder holding "
            f"{SKY130_TECH}/tile_sizes.yaml (TT's tt-support-tools layout)")
    return root.resolve()


@lru_cache(maxsize=None)
def tile_sizes() -> dict[str, tuple[float, float]]:
    """Tile name -> die width and height in µm, from tile_sizes.yaml."""
    path = tt_root() / SKY130_TECH / "tile_sizes.yaml"
    sizes = {}
    for name, box in yaml.safe_load(path.read_text()).items():
        x0, y0, x1, y1 = (float(v) for v in str(box).split())
        sizes[name] = (x1 - x0, y1 - y0)
    return sizes


@lru_cache(maxsize=None)
def cell_categories() -> tuple[list[str], dict[str, int]]:
    """TT's category names and the map from cell base name to category index."""
    data = json.loads((tt_root() / SKY130_TECH / "categories.json").read_text())
    return data["categories"], data["map"]


def tt_data_files() -> list[Path]:
    """TinyTapeout's sky130 data files the flow reads (tile sizes, template
    DEFs, cell categories), for the stages' fingerprints."""
    return sorted(p for p in (tt_root() / SKY130_TECH).rglob("*") if p.is_file())
