"""The physical rules of a TinyTapeout digital tile, computed from TT's data:
die and core boxes, every signal pin as the template DEF has it, and the met4
power straps TT's flow draws (TINYTAPEOUT.md 1.4, 1.5, 5). Coordinates are
integers in nm (DEF's 1000 units per µm), so comparisons are exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .tiles import MARGIN_X, MARGIN_Y
from .tt_data import SKY130_TECH, tt_root

Rect = tuple[int, int, int, int]   # x1, y1, x2, y2 in nm

#: met4 power straps (sky130A PDK defaults, TT's config.json pitch).
STRAP_WIDTH = 1600
STRAP_GAP = 1700
STRAP_PITCH = 38870
STRAP_OFFSET = 16320        # centre of the first VPWR strap from the core's left edge
STRAP_END_MARGIN = 2480     # straps span y = 2.48 .. H - 2.48
POWER_NETS = ("VPWR", "VGND")
STRAP_LAYER = "met4"
#: met1 follow-pin rails on every row (sky130A pdn_cfg.tcl).
RAIL_LAYER = "met1"
RAIL_WIDTH = 480
#: met5 is TinyTapeout's chip-level power grid: a tile routes met1..met4 only.
FORBIDDEN_LAYERS = ("met5",)

_PIN = re.compile(r"-\s+(?P<name>\S+)\s+\+\s+NET\s+\S+\s+\+\s+DIRECTION\s+(?P<dir>\w+).*?"
                  r"\+\s+LAYER\s+(?P<layer>\w+)\s+\(\s*(?P<x1>-?\d+)\s+(?P<y1>-?\d+)\s*\)\s+"
                  r"\(\s*(?P<x2>-?\d+)\s+(?P<y2>-?\d+)\s*\).*?\+\s+PLACED\s+\(\s*(?P<px>-?\d+)\s+"
                  r"(?P<py>-?\d+)\s*\)\s+N\s*;", re.S)
_DIE = re.compile(r"DIEAREA\s+\(\s*0\s+0\s*\)\s+\(\s*(\d+)\s+(\d+)\s*\)")


@dataclass(frozen=True)
class Pin:
    name: str
    direction: str
    layer: str
    rect: Rect


@dataclass(frozen=True)
class TileConstraints:
    tile: str
    die: Rect
    core: Rect
    pins: dict[str, Pin]                       # signal pins, from the template DEF
    straps: dict[str, list[Rect]]              # VPWR/VGND met4 straps
    routing_layers: tuple[str, ...] = ("met1", "met2", "met3", "met4")

    @property
    def width(self) -> int:
        return self.die[2]

    @property
    def height(self) -> int:
        return self.die[3]

    def pin_placement_um(self, name: str) -> tuple[tuple[float, float], tuple[float, float]]:
        """(centre x, centre y), (width, height) of a signal pin in µm, the
        form OpenROAD's place_pin and SC's pin constraints take."""
        x1, y1, x2, y2 = self.pins[name].rect
        return ((um((x1 + x2) / 2), um((y1 + y2) / 2)), (um(x2 - x1), um(y2 - y1)))


def um(value_nm: float) -> float:
    return round(value_nm / 1000, 4)


def template_def_path(tile: str):
    return tt_root() / SKY130_TECH / "def" / f"tt_block_{tile}_pg.def"


@lru_cache(maxsize=None)
def tile_constraints(tile: str) -> TileConstraints:
    path = template_def_path(tile)
    if not path.is_file():
        raise ValueError(f"no TinyTapeout template DEF for tile {tile!r} ({path})")
    text = path.read_text()
    width, height = (int(v) for v in _DIE.search(text).groups())
    pins = {}
    for match in _PIN.finditer(text):
        px, py = int(match["px"]), int(match["py"])
        rect = (px + int(match["x1"]), py + int(match["y1"]),
                px + int(match["x2"]), py + int(match["y2"]))
        pins[match["name"]] = Pin(match["name"], match["dir"], match["layer"], rect)
    margin_x, margin_y = round(MARGIN_X * 1000), round(MARGIN_Y * 1000)
    core = (margin_x, margin_y, width - margin_x, height - margin_y)
    return TileConstraints(tile, (0, 0, width, height), core, pins,
                           _straps(core, height))


def _straps(core: Rect, height: int) -> dict[str, list[Rect]]:
    """VPWR first, then VGND 1.7 µm to its right, every 38.87 µm while inside the core."""
    straps: dict[str, list[Rect]] = {net: [] for net in POWER_NETS}
    y1, y2 = STRAP_END_MARGIN, height - STRAP_END_MARGIN
    left = core[0] + STRAP_OFFSET - STRAP_WIDTH // 2
    while left + 2 * STRAP_WIDTH + STRAP_GAP <= core[2]:
        straps["VPWR"].append((left, y1, left + STRAP_WIDTH, y2))
        ground = left + STRAP_WIDTH + STRAP_GAP
        straps["VGND"].append((ground, y1, ground + STRAP_WIDTH, y2))
        left += STRAP_PITCH
    return straps
