"""TinyTapeout tile geometry and which tile a synthesized netlist fits."""

from __future__ import annotations

from dataclasses import dataclass

from .tt_data import tile_sizes

#: sky130 unithd placement site (µm).
SITE_WIDTH = 0.46
ROW_HEIGHT = 2.72
#: TT's core margins: 1 row top and bottom, 6 sites left and right (TINYTAPEOUT.md §5).
MARGIN_X = 6 * SITE_WIDTH
MARGIN_Y = 1 * ROW_HEIGHT
#: TT's placement target density (src/config.json PL_TARGET_DENSITY_PCT).
TT_TARGET_DENSITY = 0.60


@dataclass(frozen=True)
class Tile:
    name: str
    width: float     # die, µm
    height: float

    @property
    def die_area(self) -> float:
        return self.width * self.height

    @property
    def core_width(self) -> float:
        return self.width - 2 * MARGIN_X

    @property
    def core_height(self) -> float:
        return self.height - 2 * MARGIN_Y

    @property
    def core_area(self) -> float:
        return self.core_width * self.core_height


def tiles() -> list[Tile]:
    """Every TT tile, smallest die first."""
    return sorted((Tile(name, w, h) for name, (w, h) in tile_sizes().items()),
                  key=lambda tile: (tile.die_area, tile.name))


def tile_named(name: str) -> Tile:
    """The TT tile called ``name`` (e.g. "1x2")."""
    found = next((tile for tile in tiles() if tile.name == name), None)
    if found is None:
        raise ValueError(f"{name!r} is not a TinyTapeout tile")
    return found


@dataclass(frozen=True)
class TileFit:
    cell_area: float
    target_density: float
    utilization: dict[str, float]      # tile -> cell area / core area
    smallest: Tile | None              # None: no tile is large enough

    def fits(self, tile: str) -> bool:
        return self.utilization[tile] <= self.target_density


def fit_tiles(cell_area: float, target_density: float = TT_TARGET_DENSITY) -> TileFit:
    ordered = tiles()
    utilization = {tile.name: cell_area / tile.core_area for tile in ordered}
    smallest = next((t for t in ordered if utilization[t.name] <= target_density), None)
    return TileFit(cell_area, target_density, utilization, smallest)
