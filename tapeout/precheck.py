"""TinyTapeout's precheck (TINYTAPEOUT.md 2) on a GDS + LEF + powered Verilog
+ info.yaml; every check reports passed, failed or skipped (with the reason),
never a traceback, and names the TinyTapeout check it stands for.

TinyTapeout's verdicts are the reference: its tables (layers, forbidden
layers, boundary, power pins; tapeout/tt_tables.py) are read from its
tt-support-tools at run time, and its KLayout decks (FEOL, BEOL, offgrid,
pin/label over drawing, zero area, urpm/nwell; tapeout/tt_decks.py) are run
from there where KLayout is installed. Without KLayout, the pin/label, zero
area and urpm/nwell checks fall back to tapeflow's own gdstk versions and
FEOL, BEOL and offgrid are skipped, saying so."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

from .lef import LefError, LefMacro, parse_macro
from .magic_drc import MagicUnavailable, run_magic_drc
from .tile_constraints import Rect, TileConstraints, tile_constraints
from .tt_decks import DECK_BY_CHECK, DeckUnavailable, klayout, run_deck
from .tt_tables import PrecheckTables, TablesUnavailable, precheck_tables

#: how far power pins may stop short of the die's bottom and top edges (nm)
POWER_EDGE_REACH = 10_000
#: TinyTapeout's current name of the digital supply, and the old one it accepts
DIGITAL_POWER, LEGACY_POWER, GROUND, ANALOG_POWER = "VDPWR", "VPWR", "VGND", "VAPWR"
NWELL, URPM, NWELL_URPM_SPACING = (64, 20), (79, 20), 0.7
#: (drawing, its pin/label purposes) that TinyTapeout's pin/label deck checks:
#: every .pin or .label polygon must lie over the drawing (layer numbers from
#: the SkyWater layer map; pwell is left out, as the deck does by default).
PIN_LABEL_PAIRS = {
    (64, 20): ((64, 16), (64, 5)), (65, 20): ((65, 16), (65, 6)), (65, 44): ((65, 48), (65, 5)),
    (66, 20): ((66, 16), (66, 5)), (66, 44): ((66, 58),), (67, 20): ((67, 16), (67, 5)),
    (67, 44): ((67, 48),), (68, 20): ((68, 16), (68, 5)), (68, 44): ((68, 58),),
    (69, 20): ((69, 16), (69, 5)), (69, 44): ((69, 58),), (70, 20): ((70, 16), (70, 5)),
    (70, 44): ((70, 48),), (71, 20): ((71, 16), (71, 5)), (71, 44): ((71, 48),),
    (72, 20): ((72, 16), (72, 5)),
}
#: the layers LEF ports may be drawn on (TinyTapeout's valid_lef_port_layers)
PIN_LAYERS = {"met1.pin": (68, 16), "met2.pin": (69, 16), "met3.pin": (70, 16),
              "met4.pin": (71, 16)}
#: the manufacturing grid TinyTapeout's offgrid deck checks vertices against (µm)
GRID_UM = 0.005


class PrecheckError(ValueError):
    """The inputs cannot be prechecked at all (one-line error)."""


@dataclass
class CheckResult:
    name: str
    status: str            # passed, failed, skipped
    message: str = ""
    tt_check: str = ""     # the TinyTapeout precheck.py check this is part of


@dataclass
class Inputs:
    folder: Path
    top: str
    tile: str
    gds: Path
    lef: Path
    verilog: Path
    uses_3v3: bool = False
    analog_pins: int = 0


def find_inputs(path: Path) -> Inputs:
    """From a folder holding <top>.gds or from the GDS itself, with info.yaml
    found in that folder or a parent, as TT's precheck walks up."""
    folder = path.parent if path.suffix == ".gds" else path
    if not folder.is_dir():
        raise PrecheckError(f"{path} is neither a folder nor a .gds file")
    for candidate in [folder, *folder.parents]:
        info_path = candidate / "info.yaml"
        if info_path.is_file():
            break
    else:
        raise PrecheckError(f"no info.yaml in {folder} or its parents (TinyTapeout's precheck "
                            f"reads top_module and tiles from it)")
    try:
        info = yaml.safe_load(info_path.read_text())
    except (yaml.YAMLError, UnicodeDecodeError, ValueError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise PrecheckError(f"{info_path} is not valid YAML: {first}") from None
    if not isinstance(info, dict):
        raise PrecheckError(f"{info_path} must be a mapping (yaml_version, project, pinout)")
    project = info.get("project", {})
    if not isinstance(project, dict):
        raise PrecheckError(f"{info_path}: 'project' must be a mapping of keys")
    top, tile = project.get("top_module"), project.get("tiles", "1x1")
    if not isinstance(top, str) or not top:
        raise PrecheckError(f"{info_path} has no project.top_module")
    gds = path if path.suffix == ".gds" else folder / f"{top}.gds"
    if gds.name != f"{top}.gds":
        raise PrecheckError(f"GDS file is named {gds.name} but info.yaml's top module is {top}: "
                            f"TinyTapeout expects {top}.gds")
    analog = project.get("analog_pins", 0)
    return Inputs(folder, top, str(tile), gds, gds.with_suffix(".lef"), gds.with_suffix(".v"),
                  bool(project.get("uses_3v3", False)),
                  analog if isinstance(analog, int) else 0)


#: tapeflow's checks -> the TinyTapeout precheck.py check each is part of
TT_CHECKS = {
    "GDS readable": "KLayout Checks", "LEF readable": "Pin check",
    "Top cell name": "KLayout Checks", "No met5": "KLayout Checks",
    "prBoundary.boundary (235/4) present": "KLayout Checks",
    "Nothing outside the boundary": "Boundary check", "Exactly one top cell": "Boundary check",
    "Layers allowed": "Layer check", "Cell names": "Cell name check",
    "Pins drawn on <layer>.pin in the top cell": "Pin check",
    "LEF origin and size": "Pin check", "Signal pins match the template": "Pin check",
    "Power pins": "Pin check", "Pins do not overlap or abut": "Pin check",
    "Power pin names and USE": "Power pin check", "Analog pins": "Analog pin check",
    "Verilog parses": "Verilog syntax check", "Magic DRC": "Magic DRC",
    **{check: check for check in DECK_BY_CHECK},
}


def run_precheck(path: Path, layer_properties: Path | None,
                 magic_tech: Path | None = None, work_dir: Path | None = None,
                 klayout_decks: bool = True) -> list[CheckResult]:
    """``magic_tech``: the PDK's sky130A.tech for Magic DRC (skipped without it);
    ``work_dir``: where Magic's and KLayout's scratch files and logs go
    (default: a temporary folder, removed afterwards); ``klayout_decks``:
    run TinyTapeout's KLayout decks where KLayout is installed (False: the
    gdstk fallbacks, for quick checks)."""
    inputs = find_inputs(path)
    try:
        constraints = tile_constraints(inputs.tile)
    except ValueError as error:
        raise PrecheckError(f"info.yaml: {error}") from None
    try:
        tables = precheck_tables(layer_properties) if layer_properties else None
    except TablesUnavailable as error:
        raise PrecheckError(str(error)) from None
    results: list[CheckResult] = []
    layout = _read_gds(inputs.gds, results)
    macro = _read_lef(inputs, results)
    for check in (*GDS_CHECKS.values(), _pins_in_gds):
        name = check.__doc__.splitlines()[0]
        if layout is None:
            results.append(CheckResult(name, "skipped", "the GDS could not be read"))
            continue
        if check is _pins_in_gds and macro is None:
            results.append(CheckResult(name, "skipped", "the LEF could not be read"))
            continue
        if tables is None and check in (_no_met5, _boundary_present, _allowed_layers):
            results.append(CheckResult(name, "skipped", "no sky130 layer table (sky130A.lyp): "
                                                        "set TAPEFLOW_PDK_ROOT"))
            continue
        results.append(_result(name, check(layout, inputs, constraints, macro, tables)))
    rules = PowerRules(tables.power_layer, tables.power_min_width_nm, inputs.uses_3v3) \
        if tables else PowerRules(uses_3v3=inputs.uses_3v3)
    results += lef_checks(macro, constraints, rules)
    results.append(_result("Power pin names and USE", _power_names(inputs)))
    results.append(_result("Analog pins", []) if inputs.analog_pins == 0 else CheckResult(
        "Analog pins", "skipped", "tapeflow does not check analog pins (TinyTapeout does)"))
    results.append(_result("Verilog parses", _verilog_parses(inputs.verilog)))
    # never scratch inside the checked folder: tt_submission/ is uploaded as it is
    with tempfile.TemporaryDirectory(prefix="tapeflow-precheck-") as scratch, \
            ThreadPoolExecutor(max_workers=2) as pool:
        scratch_dir = work_dir or Path(scratch)
        # KLayout (one thread, as TinyTapeout runs its decks) beside magic: two cores
        magic = pool.submit(_magic_drc, inputs, layout is not None, magic_tech, scratch_dir)
        results += _deck_checks(layout, inputs, klayout_decks, scratch_dir / "klayout")
        results.append(magic.result())
    for result in results:
        result.tt_check = TT_CHECKS[result.name]
    return results


def _deck_checks(layout, inputs: Inputs, use_decks: bool, work_dir: Path) -> list[CheckResult]:
    """TinyTapeout's KLayout decks, or the gdstk fallbacks where there are."""
    fallbacks = {"KLayout offgrid": _offgrid, "KLayout zero area": _zero_area,
                 "KLayout pin label overlapping drawing": _pin_label_over_drawing,
                 "urpm/nwell check": _nwell_urpm}
    results = []
    for name, deck in DECK_BY_CHECK.items():
        if layout is None:
            results.append(CheckResult(name, "skipped", "the GDS could not be read"))
            continue
        if use_decks and klayout():
            try:
                results.append(_result(name, run_deck(deck, inputs.gds, inputs.top, work_dir)))
                continue
            except DeckUnavailable as error:
                reason = str(error)
        else:
            reason = ("KLayout decks not asked for" if not use_decks
                      else "KLayout not found: apt-get install klayout")
        fallback = fallbacks.get(name)
        if fallback is None:
            results.append(CheckResult(name, "skipped", reason))
        else:
            result = _result(name, fallback(layout, inputs))
            result.message = f"{result.message} (gdstk: {reason})".strip()
            results.append(result)
    return results


@dataclass(frozen=True)
class PowerRules:
    """TinyTapeout's power pins: their layer and minimum width (its tables;
    these defaults are sky130A's), VAPWR only where info.yaml says uses_3v3."""
    layer: str = "met4"
    min_width_nm: int = 1200
    uses_3v3: bool = False

    @property
    def required(self) -> tuple[str, ...]:
        return (GROUND, DIGITAL_POWER) + ((ANALOG_POWER,) if self.uses_3v3 else ())


def lef_checks(macro: LefMacro | None, constraints: TileConstraints,
               rules: PowerRules = PowerRules()) -> list[CheckResult]:
    """The LEF against the tile: origin and size, template pins, power pins,
    overlaps (precheck, and the hardening stage on its own LEF). Each pin's
    rectangles are merged per layer first and VPWR counts as VDPWR, as
    TinyTapeout's pin check does."""
    names = ("LEF origin and size", "Signal pins match the template", "Power pins",
             "Pins do not overlap or abut")
    if macro is None:
        return [CheckResult(name, "skipped", "the LEF could not be read") for name in names]
    ports, problems = merged_ports(macro)
    found = (_lef_origin_size(macro, constraints), problems + _signal_pins(ports, constraints, rules),
             _power_pins(ports, constraints, rules), _pin_overlaps(ports))
    return [_result(name, issues) for name, issues in zip(names, found)]


def merged_ports(macro: LefMacro) -> tuple[dict[str, list[tuple[str, Rect]]], list[str]]:
    """Each pin's rectangles, merged per layer where they touch or overlap
    into the rectangles of their union, VPWR folded into VDPWR."""
    import gdstk
    ports: dict[str, list[tuple[str, Rect]]] = {}
    for pin in macro.pins.values():
        merged = []
        for layer in sorted({layer for layer, _ in pin.rects}):
            rects = [rect for lay, rect in pin.rects if lay == layer]
            union = gdstk.boolean([gdstk.rectangle((r[0], r[1]), (r[2], r[3])) for r in rects],
                                  [], "or")
            for polygon in union:
                (x1, y1), (x2, y2) = polygon.bounding_box()
                if len(polygon.points) == 4 and abs(polygon.area() - (x2 - x1) * (y2 - y1)) < 1:
                    merged.append((layer, (round(x1), round(y1), round(x2), round(y2))))
                else:              # not one rectangle: keep the rectangles it is made of
                    merged += [(layer, r) for r in rects
                               if x1 <= r[0] and r[2] <= x2 and y1 <= r[1] and r[3] <= y2]
        ports[pin.name] = merged
    problems = []
    if LEGACY_POWER in ports:
        if DIGITAL_POWER in ports:
            problems.append(f"both {LEGACY_POWER} and {DIGITAL_POWER} ports appear")
        ports.setdefault(DIGITAL_POWER, []).extend(ports.pop(LEGACY_POWER))
    return ports, problems


def _magic_drc(inputs: Inputs, readable: bool, tech: Path | None, work_dir: Path) -> CheckResult:
    name = "Magic DRC"
    if not readable:
        return CheckResult(name, "skipped", "the GDS could not be read")
    if tech is None:
        return CheckResult(name, "skipped", "no sky130A.tech (set TAPEFLOW_PDK_ROOT)")
    try:
        drc = run_magic_drc(inputs.gds, inputs.top, tech, work_dir)
    except MagicUnavailable as error:
        return CheckResult(name, "skipped", str(error))
    return _result(name, [f"{count} x {rule}" for rule, count in drc.rules.items()])


def _result(name: str, problems: list[str]) -> CheckResult:
    if problems:
        extra = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        return CheckResult(name, "failed", "; ".join(problems[:3]) + extra)
    return CheckResult(name, "passed")


# -- reading ---------------------------------------------------------------------
def _read_gds(gds: Path, results: list[CheckResult]):
    import gdstk
    if not gds.is_file():
        results.append(CheckResult("GDS readable", "failed", f"{gds.name} does not exist"))
        return None
    try:
        library = gdstk.read_gds(str(gds))
    except Exception as error:      # gdstk raises plain errors on corrupt streams
        results.append(CheckResult("GDS readable", "failed", f"{gds.name}: {error}"))
        return None
    results.append(CheckResult("GDS readable", "passed"))
    return library


def _read_lef(inputs: Inputs, results: list[CheckResult]) -> LefMacro | None:
    if not inputs.lef.is_file():
        results.append(CheckResult("LEF readable", "failed", f"{inputs.lef.name} does not exist"))
        return None
    try:
        macro = parse_macro(inputs.lef.read_text(errors="replace"), inputs.top)
    except LefError as error:
        results.append(CheckResult("LEF readable", "failed", str(error)))
        return None
    results.append(CheckResult("LEF readable", "passed"))
    return macro


def _top(library, name: str):
    """The top cell named like the project, else the first top-level cell."""
    tops = library.top_level()
    return next((c for c in tops if c.name == name), tops[0] if tops else None)


def _shapes(cell, layer: tuple[int, int]):
    return [p for p in cell.get_polygons() if (p.layer, p.datatype) == layer]


def _used_layers(layout) -> set[tuple[int, int]]:
    """(layer, datatype) of every polygon and (layer, texttype) of every label."""
    used = {(p.layer, p.datatype) for c in layout.cells for p in c.polygons}
    return used | {(label.layer, label.texttype) for c in layout.cells for label in c.labels}


# -- GDS checks --------------------------------------------------------------------
def _top_cell_name(layout, inputs, constraints, macro, tables) -> list[str]:
    """Top cell name"""
    tops = layout.top_level()
    if len(tops) > 1:      # TinyTapeout reads the one top cell KLayout finds: there is none
        return [f"{len(tops)} top-level cells, so no top cell to name"]
    top = _top(layout, inputs.top)
    name = top.name if top else None
    return [] if name == inputs.top else [f"top cell is {name!r}, info.yaml says {inputs.top!r}"]


def _no_met5(layout, inputs, constraints, macro, tables: PrecheckTables) -> list[str]:
    """No met5"""
    used = _used_layers(layout)
    return [f"Forbidden layer {name} ({a}/{b}) found (met5 is TinyTapeout's power grid)"
            for name, (a, b) in tables.forbidden_layers.items() if (a, b) in used]


def _boundary_present(layout, inputs, constraints, macro, tables: PrecheckTables) -> list[str]:
    """prBoundary.boundary (235/4) present"""
    name, (layer, datatype) = tables.boundary
    present = (layer, datatype) in _used_layers(layout)
    return [] if present else [f"{name} ({layer}/{datatype}) layer not found"]


def _outside_boundary(layout, inputs, constraints, macro, tables) -> list[str]:
    """Nothing outside the boundary"""
    top = _top(layout, inputs.top)
    boundary = _shapes(top, tables.boundary[1] if tables else (235, 4)) if top else []
    if not boundary:       # TinyTapeout: the boundary's box is none, the layout's is not
        return ["Shapes outside project area: there is no boundary shape in the top cell"]
    import gdstk
    box = gdstk.Cell("boundary")
    box.add(*boundary)
    if _bbox_nm(top.bounding_box()) != _bbox_nm(box.bounding_box()):
        return [f"shapes outside project area: layout {_bbox_nm(top.bounding_box())} nm, "
                f"boundary {_bbox_nm(box.bounding_box())} nm"]
    return []


def _bbox_nm(box) -> Rect:
    (x1, y1), (x2, y2) = box
    return (round(x1 * 1000), round(y1 * 1000), round(x2 * 1000), round(y2 * 1000))


def _single_top_cell(layout, inputs, constraints, macro, tables) -> list[str]:
    """Exactly one top cell"""
    tops = [c.name for c in layout.top_level()]
    return [] if len(tops) == 1 else [f"{len(tops)} top-level cells: {', '.join(tops)}"]


def _allowed_layers(layout, inputs, constraints, macro, tables: PrecheckTables) -> list[str]:
    """Layers allowed"""
    return [f"layer {a}/{b} is not in TinyTapeout's list of valid layers"
            for a, b in sorted(_used_layers(layout) - tables.valid_layers)]


def _cell_names(layout, inputs, constraints, macro, tables) -> list[str]:
    """Cell names"""
    return [f"cell name {c.name!r} contains '#' or '/'" for c in layout.cells
            if "#" in c.name or "/" in c.name]


def _zero_area(layout, inputs) -> list[str]:
    """Zero-area polygons and zero-length paths in any cell"""
    problems = []
    for cell in layout.cells:
        problems += [f"zero-area polygon on {p.layer}/{p.datatype} in {cell.name}"
                     for p in cell.polygons if abs(p.area()) < 1e-12]
        problems += [f"zero-length path on {p.layers} in {cell.name}"
                     for p in cell.paths if p.path_spines() and
                     all(len(s) < 2 or (s[0] == s[-1]).all() for s in p.path_spines())]
    return problems


#: the checks that read the GDS alone, by name (the first line of each's doc)
GDS_CHECKS = {check.__doc__.splitlines()[0]: check for check in (
    _top_cell_name, _no_met5, _boundary_present, _outside_boundary, _single_top_cell,
    _allowed_layers, _cell_names)}


def _pins_in_gds(layout, inputs, constraints, macro, tables) -> list[str]:
    """Pins drawn on <layer>.pin in the top cell"""
    import gdstk
    top = next((c for c in layout.top_level() if c.name == inputs.top), None)
    if top is None:        # TinyTapeout's pin check looks for the pins in that cell only
        return [f"no top-level cell named {inputs.top} to hold the pins"]
    problems = []
    for pin in macro.pins.values():
        for layer, rect in pin.rects:
            spec = PIN_LAYERS.get(f"{layer}.pin")
            if spec is None:
                problems.append(f"{pin.name}: LEF layer {layer} has no .pin layer")
                continue
            shapes = [p for p in top.polygons if (p.layer, p.datatype) == spec]
            x1, y1, x2, y2 = (v / 1000 for v in rect)
            missing = gdstk.boolean(gdstk.rectangle((x1, y1), (x2, y2)), shapes, "not")
            if any(abs(m.area()) > 1e-6 for m in missing):
                problems.append(f"{pin.name}: {layer}.pin does not cover its LEF rectangle "
                                f"in the top cell")
    return problems


def _pin_label_over_drawing(layout, inputs) -> list[str]:
    """Pin and label polygons over their drawing (TinyTapeout's deck checks the
    .pin/.label polygons of each pair, not the label texts)"""
    import gdstk
    top = _top(layout, inputs.top)
    by_layer: dict[tuple[int, int], list] = {}
    for polygon in top.get_polygons():
        by_layer.setdefault((polygon.layer, polygon.datatype), []).append(polygon)
    problems = []
    for drawing, purposes in PIN_LABEL_PAIRS.items():
        for purpose in purposes:
            if purpose not in by_layer:
                continue
            outside = gdstk.boolean(by_layer[purpose], by_layer.get(drawing, []), "not")
            if any(abs(m.area()) > 1e-6 for m in outside):
                problems.append(f"{purpose[0]}/{purpose[1]}: pin/label not over drawing "
                                f"{drawing[0]}/{drawing[1]}")
    return problems


def _offgrid(layout, inputs) -> list[str]:
    """Every vertex on the 5 nm manufacturing grid"""
    top = _top(layout, inputs.top)
    off = {(p.layer, p.datatype) for p in top.get_polygons()
           if any(abs(round(v / GRID_UM) * GRID_UM - v) > 1e-6 for v in p.points.flat)}
    return [f"{a}/{b}: OFFGRID vertex (grid {GRID_UM} um)" for a, b in sorted(off)]


class _PolygonIndex:
    """Polygons bucketed on a square grid by bounding box, so a point is
    tested against the few polygons near it, not all of them."""

    CELL_UM = 5.0

    def __init__(self, polygons: list):
        self.buckets: dict[tuple[int, int], list] = {}
        for polygon in polygons:
            box = polygon.bounding_box()
            if box is None:
                continue
            (x1, y1), (x2, y2) = box
            for i in range(int(x1 // self.CELL_UM), int(x2 // self.CELL_UM) + 1):
                for j in range(int(y1 // self.CELL_UM), int(y2 // self.CELL_UM) + 1):
                    self.buckets.setdefault((i, j), []).append(polygon)

    def covers(self, point) -> bool:
        import gdstk
        x, y = point
        near = self.buckets.get((int(x // self.CELL_UM), int(y // self.CELL_UM)))
        return bool(near) and gdstk.inside([point], near)[0]


def _nwell_urpm(layout, inputs) -> list[str]:
    """nwell to urpm spacing >= 0.7 um"""
    import gdstk
    top = _top(layout, inputs.top)
    polygons = top.get_polygons()
    nwell = [p for p in polygons if (p.layer, p.datatype) == NWELL]
    urpm = [p for p in polygons if (p.layer, p.datatype) == URPM]
    if not nwell or not urpm:
        return []
    grown = gdstk.offset(urpm, NWELL_URPM_SPACING - 0.001)
    if gdstk.boolean(grown, nwell, "and"):
        return [f"nwell (64/20) closer than {NWELL_URPM_SPACING} um to urpm (79/20)"]
    return []


# -- LEF checks --------------------------------------------------------------------
def _lef_origin_size(macro: LefMacro, constraints: TileConstraints) -> list[str]:
    """LEF origin and size"""
    problems = []
    # TT's pin_check.py checks ORIGIN only where one is written (OpenROAD's
    # abstract LEF has none).
    if macro.origin is not None and [float(v) for v in macro.origin] != [0.0, 0.0]:
        problems.append(f"ORIGIN is {macro.origin}, expected 0 0")
    if macro.size is None:
        problems.append("no SIZE")
    else:
        size = tuple(round(float(v) * 1000) for v in macro.size)
        if size != (constraints.width, constraints.height):
            problems.append(f"SIZE {macro.size[0]} BY {macro.size[1]} differs from the "
                            f"{constraints.tile} die {constraints.width / 1000:.2f} BY "
                            f"{constraints.height / 1000:.2f}")
    if macro.unreadable_for_tt:
        problems.append(f"{len(macro.unreadable_for_tt)} geometry lines TT's precheck misreads "
                        f"(it needs three decimals and single spaces), first: "
                        f"{macro.unreadable_for_tt[0]!r}")
    return problems


def _signal_pins(ports: dict, constraints: TileConstraints, rules: PowerRules) -> list[str]:
    """Signal pins match the template"""
    problems = [f"unexpected pin {name}" for name in ports
                if name not in constraints.pins and name not in rules.required]
    for name, pin in constraints.pins.items():
        rects = ports.get(name)
        if not rects:
            problems.append(f"pin {name} missing")
        elif len(rects) != 1:
            problems.append(f"pin {name} has {len(rects)} rectangles, expected 1")
        elif rects[0] != (pin.layer, pin.rect):
            problems.append(f"pin {name} is {rects[0]}, template has {(pin.layer, pin.rect)}")
    return problems


def _power_pins(ports: dict, constraints: TileConstraints, rules: PowerRules) -> list[str]:
    """Power pins"""
    problems = []
    for name in rules.required:
        rects = ports.get(name)
        if not rects:
            problems.append(f"power pin {name} missing or without rectangles")
            continue
        for layer, (x1, y1, x2, y2) in rects:
            where = f"{name} rect {(x1, y1, x2, y2)}"
            if layer != rules.layer:
                problems.append(f"{where} is on {layer}, must be {rules.layer}")
            if x2 - x1 < rules.min_width_nm:
                problems.append(f"{where} is {(x2 - x1) / 1000} um wide, minimum "
                                f"{rules.min_width_nm / 1000}")
            if y1 > POWER_EDGE_REACH or constraints.height - y2 > POWER_EDGE_REACH:
                problems.append(f"{where} must start and end within 10 um of the die edges")
            if x1 < 0 or y1 < 0 or x2 > constraints.width or y2 > constraints.height:
                problems.append(f"{where} is outside the die")
    return problems


def _pin_overlaps(ports: dict) -> list[str]:
    """Pins do not overlap or abut"""
    problems = []
    names = sorted(ports)
    for index, name_a in enumerate(names):
        for name_b in names[index + 1:]:
            if any(layer_a == layer_b and a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3]
                   and b[1] <= a[3] for layer_a, a in ports[name_a]
                   for layer_b, b in ports[name_b]):
                problems.append(f"{name_a} and {name_b} overlap or abut")
    return problems


# -- text checks ---------------------------------------------------------------------
def _power_names(inputs: Inputs) -> list[str]:
    """TinyTapeout's power pin check: with VPWR read as VDPWR, the Verilog
    (comments removed) and the LEF each name VGND and VDPWR, and VAPWR only
    where info.yaml says uses_3v3; the LEF's supply pins say USE POWER or
    USE GROUND. TinyTapeout looks for the names anywhere in the text."""
    problems = []
    texts = {}
    for kind, path in (("Verilog", inputs.verilog), ("LEF", inputs.lef)):
        if not path.is_file():
            problems.append(f"{path.name} does not exist")
            continue
        text = path.read_text(errors="replace").replace(LEGACY_POWER, DIGITAL_POWER)
        if kind == "Verilog":
            text = re.sub(r"/\*.*?\*/", "", re.sub(r"//.*", "", text), flags=re.S)
        texts[kind] = text
        for net, wanted in ((GROUND, True), (DIGITAL_POWER, True),
                            (ANALOG_POWER, inputs.uses_3v3)):
            if (net in text) != wanted:
                verb = "doesn't contain" if wanted else "contains"
                problems.append(f"{kind} {verb} {net}")
    for pin, body in re.findall(r"^\s*PIN (VDPWR|VAPWR|VGND)\s*([\s\S]+?(?=^\s*END \1))",
                                texts.get("LEF", ""), re.M):
        use = "GROUND" if pin == GROUND else "POWER"
        if f"USE {use}" not in body:
            problems.append(f"{pin} does not have a corresponding 'USE {use} ;'")
    return problems


def _verilog_parses(verilog: Path) -> list[str]:
    if not verilog.is_file():
        return [f"{verilog.name} does not exist"]
    run = subprocess.run([sys.executable, "-m", "tapeflow.flows.adapters.yosys_launcher", "-p",
                          f"read_verilog -sv {verilog}"], capture_output=True, text=True)
    if run.returncode != 0:
        errors = [line for line in (run.stdout + run.stderr).splitlines() if "ERROR" in line]
        return [errors[0] if errors else f"yosys exited with {run.returncode}"]
    return []


# -- reports ---------------------------------------------------------------------------
def write_reports(results: list[CheckResult], out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    suite = ET.Element("testsuite", name="Tiny Tapeout Precheck", tests=str(len(results)),
                       failures=str(sum(r.status == "failed" for r in results)),
                       skipped=str(sum(r.status == "skipped" for r in results)))
    for result in results:
        case = ET.SubElement(suite, "testcase", name=result.name,
                             classname=result.tt_check or "precheck")
        if result.status == "failed":
            ET.SubElement(case, "failure", message=result.message)
        elif result.status == "skipped":
            ET.SubElement(case, "skipped", message=result.message)
    xml_path, md_path = out_dir / "results.xml", out_dir / "results.md"
    suites = ET.Element("testsuites", name="precheck")
    suites.append(suite)
    xml_path.write_text(ET.tostring(suites, encoding="unicode"))
    icon = {"passed": "✅", "failed": "❌", "skipped": "⏭️"}
    md_path.write_text("# Tiny Tapeout Precheck Results\n\n"
                       "| Check | TinyTapeout check | Result | Note |\n|---|---|---|---|\n"
                       + "".join(f"| {r.name} | {r.tt_check} | {icon[r.status]} {r.status} | "
                                 f"{r.message} |\n" for r in results))
    return xml_path, md_path


def failed_tt_checks(results: list[CheckResult]) -> set[str]:
    """The TinyTapeout checks these results fail (its names), to set beside
    what its own precheck.py says."""
    return {r.tt_check for r in results if r.status == "failed"}


def run_check(name: str, inputs: Inputs, layer_properties: Path,
              magic_tech: Path | None = None, work_dir: Path | None = None) -> CheckResult:
    """One check, by its name, on the files ``inputs`` names, tile or not
    (TinyTapeout's own precheck tests judge single small files this way)."""
    import gdstk
    tables = precheck_tables(layer_properties)
    with tempfile.TemporaryDirectory(prefix="tapeflow-check-") as scratch:
        folder = work_dir or Path(scratch)
        if name in GDS_CHECKS:
            layout = gdstk.read_gds(str(inputs.gds))
            result = _result(name, GDS_CHECKS[name](layout, inputs, None, None, tables))
        elif name in DECK_BY_CHECK:
            result = _result(name, run_deck(DECK_BY_CHECK[name], inputs.gds, inputs.top, folder))
        elif name == "Magic DRC":
            result = _magic_drc(inputs, True, magic_tech, folder)
        elif name == "Power pin names and USE":
            result = _result(name, _power_names(inputs))
        elif name == "Verilog parses":
            result = _result(name, _verilog_parses(inputs.verilog))
        else:
            raise PrecheckError(f"no single check named {name!r}")
    result.tt_check = TT_CHECKS[name]
    return result
