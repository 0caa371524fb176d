"""TinyTapeout precheck's own tables, read at run time from its
``precheck/tech_data.py`` in TAPEFLOW_TT_ROOT: the layers a GDS may use, the
forbidden ones, the boundary layer, the power pins' layer and minimum width,
the layers LEF ports may sit on. tapeflow's precheck judges with them, so a
new TinyTapeout table is a new verdict without a tapeflow release.

Layer names resolve to GDS numbers through the PDK's KLayout layer table
(sky130A.lyp), as TinyTapeout's precheck does (the name before " - ", the
last definition of a name winning); the two names lambdapdk's table lacks
take the SkyWater layer map's numbers.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .layer_table import lyp_entries
from .tt_data import tt_root

TECH = "sky130A"
TECH_DATA = Path("tt-support-tools/precheck/tech_data.py")
#: Layers TinyTapeout's table names that lambdapdk's sky130A.lyp lacks
#: (numbers from the SkyWater layer map).
MISSING_LAYERS = {"capm.drawing": "89/44", "capm2.drawing": "97/44"}

Layer = tuple[int, int]


class TablesUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class PrecheckTables:
    valid_layers: frozenset[Layer]
    forbidden_layers: dict[str, Layer]
    boundary: tuple[str, Layer]
    power_layer: str
    power_min_width_nm: int
    port_layers: dict[str, Layer]           # e.g. met4.pin -> (71, 16)


def _tech_data():
    path = tt_root() / TECH_DATA
    if not path.is_file():
        raise TablesUnavailable(f"TinyTapeout's precheck tables are not at {path}")
    spec = importlib.util.spec_from_file_location("tinytapeout_tech_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def lyp_layers(lyp: Path) -> dict[str, Layer]:
    """Layer name -> (layer, datatype); a later definition of a name wins, as
    in TinyTapeout's precheck."""
    return {name: key for name, key, _fill in lyp_entries(lyp)}


@lru_cache(maxsize=4)
def precheck_tables(lyp: Path) -> PrecheckTables:
    data = _tech_data()
    names = {name: tuple(map(int, source.split("/")))
             for name, source in MISSING_LAYERS.items()} | lyp_layers(lyp)

    def resolve(entry) -> Layer:
        if isinstance(entry, tuple):
            return entry
        if entry not in names:
            raise TablesUnavailable(f"TinyTapeout's table names layer {entry!r}, which "
                                    f"{lyp.name} does not define")
        return names[entry]

    boundary = data.boundary_layer[TECH]
    return PrecheckTables(
        valid_layers=frozenset(resolve(e) for e in data.valid_layers[TECH]),
        forbidden_layers={name: resolve(name) for name in data.forbidden_layers[TECH]},
        boundary=(boundary, resolve(boundary)),
        power_layer=data.power_pins_layer[TECH],
        power_min_width_nm=data.power_pins_min_width[TECH],
        port_layers=dict(data.valid_lef_port_layers[TECH]))
