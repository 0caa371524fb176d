"""The GDS of SC's KLayout step made into what TinyTapeout's precheck checks.

Two things differ from a Magic stream-out (TT's own flow):
* SC's export reads the DEF with KLayout's macro_resolution_mode 0, which
  builds standard cells from LEF geometry when the LEF has no FOREIGN
  statements (lambdapdk's sky130hd LEF has none): cells come out as pins
  only, no transistors. Every cell the PDK's GDS defines is replaced by it.
* DEF pins become ``<metal>.pin`` shapes only; TT wants each pin over the
  same metal's drawing (the pin *is* that metal), so the top cell gets it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: met1..met4: GDS layer; .pin is datatype 16, .drawing 20 (sky130A.lyp).
PIN_METALS = (68, 69, 70, 71)
PIN, DRAWING = 16, 20


@dataclass(frozen=True)
class GdsFinish:
    cells_from_library: int
    pin_shapes_drawn: int


def finish_gds(source: Path, target: Path, top: str, cell_library_gds: Path) -> GdsFinish:
    """Write the finished copy of ``source`` to ``target`` (temporary name, then rename)."""
    import gdstk

    library_cells = {c.name: c for c in gdstk.read_gds(str(cell_library_gds)).cells}
    layout = gdstk.read_gds(str(source))
    cells = {c.name: c for c in layout.cells}
    if top not in cells:
        raise ValueError(f"{source} has no top cell {top}")
    substituted = set()
    for cell in layout.cells:
        for reference in cell.references:
            name = reference.cell.name if isinstance(reference.cell, gdstk.Cell) \
                else reference.cell
            if name in library_cells:
                reference.cell = library_cells[name]
                substituted.add(name)

    top_cell = cells[top]
    pins = [p for p in top_cell.polygons if p.layer in PIN_METALS and p.datatype == PIN]
    for pin in pins:
        top_cell.add(gdstk.Polygon(pin.points, layer=pin.layer, datatype=DRAWING))

    finished = gdstk.Library(name=layout.name, unit=layout.unit, precision=layout.precision)
    finished.add(top_cell, *top_cell.dependencies(True))
    partial = target.with_name(f".{target.name}.partial")
    finished.write_gds(str(partial))
    partial.replace(target)
    return GdsFinish(len(substituted), len(pins))
