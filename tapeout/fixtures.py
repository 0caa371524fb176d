"""A TinyTapeout-compliant reference tile (GDS + LEF + powered Verilog +
info.yaml) and, for every precheck rule, a variant that breaks exactly it.

The reference draws the template's signal pins on met4 (drawing, .pin and a
label), TT's met4 power straps, the prBoundary, and places two sky130hd cells
(an inverter and a tap cell) from the PDK's GDS in the first row.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

from .tile_constraints import POWER_NETS, TileConstraints, tile_constraints

TOP = "tt_um_tapeflow_reference"
MET4, MET4_PIN, MET4_LABEL = (71, 20), (71, 16), (71, 5)
CELLS = ("sky130_fd_sc_hd__inv_1", "sky130_fd_sc_hd__tapvpwrvgnd_1")
POWER_USE = {"VPWR": "POWER", "VGND": "GROUND"}


@dataclass
class Draft:
    """A tile before it is written: shapes as data, so a variant can edit them."""

    constraints: TileConstraints
    top: str = TOP                 # the GDS top cell
    name: str = TOP                # the project's top module: file names, info.yaml, LEF, .v
    rects: list[tuple[tuple[int, int], tuple[float, float, float, float]]] = field(
        default_factory=list)                                  # (layer, datatype), box in µm
    polygons: list[tuple[tuple[int, int], list[tuple[float, float]]]] = field(
        default_factory=list)
    labels: list[tuple[tuple[int, int], str, tuple[float, float]]] = field(default_factory=list)
    cells: list[tuple[str, tuple[float, float]]] = field(default_factory=list)
    extra_top_cell: bool = False
    renamed_cells: dict[str, str] = field(default_factory=dict)
    lef_pins: dict[str, tuple[str, str, list[tuple[str, tuple[int, int, int, int]]]]] = field(
        default_factory=dict)                                  # name -> (direction, use, rects)
    lef_size: tuple[str, str] | None = None
    verilog: str = ""


def reference(tile: str = "1x1", name: str = TOP) -> Draft:
    constraints = tile_constraints(tile)
    draft = Draft(constraints, top=name, name=name)
    width, height = constraints.width / 1000, constraints.height / 1000
    draft.rects.append(((235, 4), (0.0, 0.0, width, height)))
    draft.lef_size = (f"{width:.3f}", f"{height:.3f}")
    for pin in constraints.pins.values():
        box = tuple(v / 1000 for v in pin.rect)
        draft.rects += [(MET4, box), (MET4_PIN, box)]
        draft.labels.append((MET4_LABEL, pin.name, ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)))
        draft.lef_pins[pin.name] = (pin.direction, "SIGNAL", [(pin.layer, pin.rect)])
    for net in POWER_NETS:
        rects = constraints.straps[net]
        for rect in rects:
            box = tuple(v / 1000 for v in rect)
            draft.rects += [(MET4, box), (MET4_PIN, box)]
        first = rects[0]
        draft.labels.append((MET4_LABEL, net, ((first[0] + first[2]) / 2000,
                                               (first[1] + first[3]) / 2000)))
        draft.lef_pins[net] = ("INOUT", POWER_USE[net],
                               [("met4", rect) for rect in rects])
    core_x, core_y = constraints.core[0] / 1000, constraints.core[1] / 1000
    # the tap abuts the inverter: their nwells merge and the tap biases both
    draft.cells = [(CELLS[0], (core_x + 10.12, core_y)), (CELLS[1], (core_x + 11.5, core_y))]
    draft.verilog = _powered_verilog(name)
    return draft


def _powered_verilog(top: str) -> str:
    """In the style of OpenROAD's write_verilog -include_pwr_gnd (ports
    declared in the body, no constant assigns), which netgen's reader takes."""
    return f"""module {top} (VPWR, VGND, ui_in, uo_out, uio_in, uio_out, uio_oe, ena, clk, rst_n);
  inout VPWR;
  inout VGND;
  input [7:0] ui_in;
  output [7:0] uo_out;
  input [7:0] uio_in;
  output [7:0] uio_out;
  output [7:0] uio_oe;
  input ena;
  input clk;
  input rst_n;
  sky130_fd_sc_hd__inv_1 inverter (.A(ui_in[0]), .Y(uo_out[0]),
      .VPWR(VPWR), .VGND(VGND), .VPB(VPWR), .VNB(VGND));
  sky130_fd_sc_hd__tapvpwrvgnd_1 tap (.VPWR(VPWR), .VGND(VGND));
endmodule
"""


def write(draft: Draft, folder: Path, cell_library: Path) -> Path:
    """GDS, LEF, powered Verilog and info.yaml in ``folder``."""
    import gdstk

    folder.mkdir(parents=True, exist_ok=True)
    cells = {c.name: c for c in gdstk.read_gds(str(cell_library)).cells}
    library = gdstk.Library(unit=1e-6, precision=1e-9)
    top = library.new_cell(draft.top)
    for (layer, datatype), (x1, y1, x2, y2) in draft.rects:
        top.add(gdstk.rectangle((x1, y1), (x2, y2), layer=layer, datatype=datatype))
    for (layer, datatype), points in draft.polygons:
        top.add(gdstk.Polygon(points, layer=layer, datatype=datatype))
    for (layer, texttype), text, origin in draft.labels:
        top.add(gdstk.Label(text, origin, layer=layer, texttype=texttype))
    used = {}
    for name, origin in draft.cells:
        cell = used.get(name) or cells[name].copy(draft.renamed_cells.get(name, name),
                                                  deep_copy=True)
        used[name] = cell
        top.add(gdstk.Reference(cell, origin))
    for cell in used.values():
        library.add(cell, *cell.dependencies(True))
    if draft.extra_top_cell:
        stray = library.new_cell("stray")
        stray.add(gdstk.rectangle((1, 1), (2, 2), layer=68, datatype=20))
    gds = folder / f"{draft.name}.gds"     # the file keeps info.yaml's name; the cell may not
    library.write_gds(str(gds))
    (folder / f"{draft.name}.lef").write_text(_lef(draft))
    (folder / f"{draft.name}.v").write_text(draft.verilog)
    (folder / "info.yaml").write_text(yaml.safe_dump({
        "project": {"title": "precheck reference", "author": "tapeflow", "description": "fixture",
                    "language": "Verilog", "clock_hz": 0, "tiles": draft.constraints.tile,
                    "top_module": draft.name, "source_files": ["project.v"]},
        "yaml_version": 6}, sort_keys=False))
    return gds


def reference_def(draft: Draft) -> str:
    """The reference tile as a placed DEF, the way OpenROAD's write_def holds
    a hardened tile: die, placed cells, template pins, power pins on the
    straps, straps as special routing. Feeds SC's KLayout GDS step here."""
    constraints = draft.constraints
    width, height = constraints.width, constraints.height
    lines = ["VERSION 5.8 ;", 'DIVIDERCHAR "/" ;', 'BUSBITCHARS "[]" ;',
             f"DESIGN {draft.name} ;", "UNITS DISTANCE MICRONS 1000 ;",
             f"DIEAREA ( 0 0 ) ( {width} {height} ) ;", f"COMPONENTS {len(draft.cells)} ;"]
    for index, (cell, (x, y)) in enumerate(draft.cells):
        lines.append(f"  - cell{index} {cell} + PLACED ( {round(x * 1000)} "
                     f"{round(y * 1000)} ) N ;")
    lines += ["END COMPONENTS", f"PINS {len(constraints.pins) + len(POWER_NETS)} ;"]
    for pin in constraints.pins.values():
        lines.append(f"  - {pin.name} + NET {pin.name} + DIRECTION {pin.direction} "
                     f"+ USE SIGNAL {_def_port(pin.layer, pin.rect)} ;")
    for net in POWER_NETS:
        ports = " ".join(_def_port("met4", rect) for rect in constraints.straps[net])
        lines.append(f"  - {net} + NET {net} + SPECIAL + DIRECTION INOUT "
                     f"+ USE {POWER_USE[net]} {ports} ;")
    lines += ["END PINS", f"SPECIALNETS {len(POWER_NETS)} ;"]
    for net in POWER_NETS:
        stripes = [f"met4 {x2 - x1} + SHAPE STRIPE ( {(x1 + x2) // 2} {y1} ) "
                   f"( {(x1 + x2) // 2} {y2} )" for x1, y1, x2, y2 in constraints.straps[net]]
        lines.append(f"  - {net} ( * {net} ) + USE {POWER_USE[net]}\n    + ROUTED "
                     + "\n      NEW ".join(stripes) + " ;")
    lines += ["END SPECIALNETS", "END DESIGN", ""]
    return "\n".join(lines)


def _def_port(layer: str, rect) -> str:
    """A DEF pin port: the rectangle about its placement point (the centre)."""
    x1, y1, x2, y2 = rect
    half_w, half_h = (x2 - x1) // 2, (y2 - y1) // 2
    return (f"+ PORT + LAYER {layer} ( {-half_w} {-half_h} ) ( {half_w} {half_h} ) "
            f"+ FIXED ( {(x1 + x2) // 2} {(y1 + y2) // 2} ) N")


def _lef(draft: Draft) -> str:
    lines = ["VERSION 5.7 ;", 'BUSBITCHARS "[]" ;', f"MACRO {draft.name}", "  CLASS BLOCK ;",
             "  ORIGIN 0.000 0.000 ;", f"  SIZE {draft.lef_size[0]} BY {draft.lef_size[1]} ;"]
    for name, (direction, use, rects) in draft.lef_pins.items():
        lines += [f"  PIN {name}", f"    DIRECTION {direction} ;", f"    USE {use} ;",
                  "    PORT"]
        for layer, (x1, y1, x2, y2) in rects:
            lines += [f"      LAYER {layer} ;",
                      f"        RECT {x1 / 1000:.3f} {y1 / 1000:.3f} {x2 / 1000:.3f} "
                      f"{y2 / 1000:.3f} ;"]
        lines += ["    END", f"  END {name}"]
    lines += [f"END {draft.name}", "END LIBRARY", ""]
    return "\n".join(lines)


# -- one variant per check: each edit breaks exactly that rule --------------------------
def _move_signal_pin(draft: Draft) -> None:
    direction, use, [(layer, (x1, y1, x2, y2))] = draft.lef_pins["clk"]
    draft.lef_pins["clk"] = (direction, use, [(layer, (x1 - 460, y1, x2 - 460, y2))])
    for index, (spec, box) in enumerate(draft.rects):      # keep the GDS pin under it
        if spec in (MET4, MET4_PIN) and abs(box[0] - x1 / 1000) < 1e-6 and box[3] > 100:
            draft.rects[index] = (spec, (box[0] - 0.46, box[1], box[2] - 0.46, box[3]))
    draft.labels = [(spec, text, (x - 0.46, y) if text == "clk" else (x, y))
                    for spec, text, (x, y) in draft.labels]


def _narrow_power(draft: Draft) -> None:
    direction, use, rects = draft.lef_pins["VPWR"]
    (x1, y1, x2, y2) = rects[0][1]
    draft.lef_pins["VPWR"] = (direction, use, [("met4", (x1, y1, x1 + 1000, y2))] + rects[1:])


def _abutting_power(draft: Draft) -> None:
    direction, use, rects = draft.lef_pins["VGND"]
    vpwr = draft.lef_pins["VPWR"][2][0][1]
    extra = (vpwr[0] - 1600, vpwr[1], vpwr[0], vpwr[3])    # touches the first VPWR strap
    draft.lef_pins["VGND"] = (direction, use, rects + [("met4", extra)])
    draft.rects += [(MET4, tuple(v / 1000 for v in extra)),
                    (MET4_PIN, tuple(v / 1000 for v in extra))]


def _drop_gds_pin(draft: Draft) -> None:
    clk = tuple(v / 1000 for v in draft.constraints.pins["clk"].rect)
    draft.rects.remove((MET4_PIN, clk))


def _pin_without_drawing(draft: Draft) -> None:
    ena = tuple(v / 1000 for v in draft.constraints.pins["ena"].rect)
    draft.rects.remove((MET4, ena))
    draft.labels = [label for label in draft.labels if label[1] != "ena"]


def _wrong_use(draft: Draft) -> None:
    direction, _, rects = draft.lef_pins["VPWR"]
    draft.lef_pins["VPWR"] = (direction, "SIGNAL", rects)


def _urpm_near_nwell(draft: Draft) -> None:
    x, y = draft.cells[0][1]            # the inverter's nwell reaches up to y + 2.91
    draft.rects.append(((79, 20), (x, y + 3.2, x + 1.0, y + 4.0)))


VARIANTS: dict[str, Callable[[Draft], None]] = {
    "Top cell name": lambda d: setattr(d, "top", "tt_um_other_name"),
    "No met5": lambda d: d.rects.append(((72, 20), (40.0, 40.0, 43.0, 43.0))),
    "prBoundary.boundary (235/4) present": lambda d: d.rects.remove(d.rects[0]),
    "Nothing outside the boundary": lambda d: d.rects.append(((68, 20), (-5.0, 10.0, -4.0, 11.0))),
    "Exactly one top cell": lambda d: setattr(d, "extra_top_cell", True),
    "Layers allowed": lambda d: d.rects.append(((200, 0), (30.0, 30.0, 31.0, 31.0))),
    "Cell names": lambda d: d.renamed_cells.update({CELLS[1]: "tap#cell"}),
    "KLayout zero area": lambda d: d.polygons.append(((68, 20), [(50, 50), (51, 50), (52, 50)])),
    "Pins drawn on <layer>.pin in the top cell": _drop_gds_pin,
    "KLayout pin label overlapping drawing": _pin_without_drawing,
    "urpm/nwell check": _urpm_near_nwell,
    "LEF origin and size": lambda d: setattr(d, "lef_size", ("160.000", d.lef_size[1])),
    "Signal pins match the template": _move_signal_pin,
    "Power pins": _narrow_power,
    "Pins do not overlap or abut": _abutting_power,
    "Power pin names and USE": _wrong_use,
    "Verilog parses": lambda d: setattr(d, "verilog", d.verilog.replace("endmodule", "")),
    # met1 narrower than its 0.14 um minimum width
    "Magic DRC": lambda d: d.rects.append(((68, 20), (60.0, 60.0, 60.1, 62.0))),
}


def variant(name: str, tile: str = "1x1") -> Draft:
    draft = copy.deepcopy(reference(tile))
    VARIANTS[name](draft)
    return draft


# -- edits where tapeflow's precheck once disagreed with TinyTapeout's ----------------
def _split_signal_pin(draft: Draft) -> None:
    """clk drawn in the LEF as two overlapping rectangles (their union is the pin)."""
    direction, use, [(layer, (x1, y1, x2, y2))] = draft.lef_pins["clk"]
    middle = (y1 + y2) // 2
    draft.lef_pins["clk"] = (direction, use, [(layer, (x1, y1, x2, middle + 100)),
                                              (layer, (x1, middle - 100, x2, y2))])


def _split_power_strap(draft: Draft) -> None:
    """The first VGND strap given as two halves that abut."""
    direction, use, rects = draft.lef_pins["VGND"]
    layer, (x1, y1, x2, y2) = rects[0]
    middle = (y1 + y2) // 2
    draft.lef_pins["VGND"] = (direction, use, [(layer, (x1, y1, x2, middle)),
                                               (layer, (x1, middle, x2, y2))] + rects[1:])


def _vdpwr(draft: Draft) -> None:
    """TinyTapeout's current name for the digital supply, in LEF and Verilog."""
    draft.lef_pins = {("VDPWR" if name == "VPWR" else name): pin
                      for name, pin in draft.lef_pins.items()}
    draft.verilog = draft.verilog.replace("VPWR", "VDPWR")
    draft.labels = [(spec, "VDPWR" if text == "VPWR" else text, origin)
                    for spec, text, origin in draft.labels]


def _shape(layer: tuple[int, int], box=(30.0, 30.0, 31.0, 31.0)) -> Callable[[Draft], None]:
    return lambda draft: draft.rects.append((layer, box))


#: edit -> what it does to the reference tile; TinyTapeout's precheck.py is the
#: judge of each (tests/test_precheck_vs_tinytapeout.py)
PARITY_EDITS: dict[str, Callable[[Draft], None]] = {
    "layer 102/20": _shape((102, 20)),
    "layer 83/6": _shape((83, 6)),
    "layer 10/0": _shape((10, 0)),
    "layer 201/20": _shape((201, 20)),
    "layer 235/250": _shape((235, 250)),
    "met1.label polygon without met1": _shape((68, 5), (20.0, 20.0, 21.0, 21.0)),
    "met4 label text away from met4": lambda d: d.labels.append((MET4_LABEL, "note", (5.0, 5.0))),
    "met1 shape 1 nm off the 5 nm grid": _shape((68, 20), (30.001, 30.0, 31.001, 31.0)),
    "VAPWR in a digital project's Verilog": lambda d: setattr(
        d, "verilog", d.verilog.replace("endmodule", "  wire VAPWR;\nendmodule")),
    "power pins named VDPWR": _vdpwr,
    "signal pin as two overlapping LEF rectangles": _split_signal_pin,
    "power strap as two LEF halves": _split_power_strap,
}


def edited(name: str, tile: str = "1x1") -> Draft:
    draft = copy.deepcopy(reference(tile))
    PARITY_EDITS[name](draft)
    return draft
