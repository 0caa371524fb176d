"""tapeflow's implementation of TinyTapeout's precheck (TINYTAPEOUT.md 2) on a
GDS + LEF + powered Verilog + info.yaml, with gdstk; every check reports
passed, failed or skipped (with the reason), never a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import yaml

from .layer_table import layer_names
from .lef import LefError, LefMacro, parse_macro
from .magic_drc import MagicUnavailable, run_magic_drc
from .tile_constraints import POWER_NETS, Rect, TileConstraints, tile_constraints

BOUNDARY = (235, 4)
MET5 = {(72, 20), (72, 16), (72, 5)}
PIN_LAYERS = {"met1": (68, 16), "met2": (69, 16), "met3": (70, 16), "met4": (71, 16)}
POWER_LAYER, POWER_MIN_WIDTH, POWER_EDGE_REACH = "met4", 1200, 10_000
NWELL, URPM, NWELL_URPM_SPACING = (64, 20), (79, 20), 0.7
#: Layers whose .pin and .label shapes must lie over their .drawing (TT's deck;
#: pwell has no drawn shape in the standard cells, so it is not among them).
PIN_LABEL_LAYERS = {"nwell", "diff", "tap", "poly", "li1", "licon1", "mcon", "met1", "via",
                    "met2", "via2", "met3", "via3", "met4", "via4", "met5", "pad", "rdl"}


class PrecheckError(ValueError):
    """The inputs cannot be prechecked at all (one-line error)."""


@dataclass
class CheckResult:
    name: str
    status: str            # passed, failed, skipped
    message: str = ""


@dataclass
class Inputs:
    folder: Path
    top: str
    tile: str
    gds: Path
    lef: Path
    verilog: Path


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
        project = (yaml.safe_load(info_path.read_text()) or {}).get("project", {})
    except yaml.YAMLError as error:
        raise PrecheckError(f"{info_path} is not valid YAML: {error}") from None
    top, tile = project.get("top_module"), project.get("tiles", "1x1")
    if not isinstance(top, str) or not top:
        raise PrecheckError(f"{info_path} has no project.top_module")
    gds = path if path.suffix == ".gds" else folder / f"{top}.gds"
    if gds.name != f"{top}.gds":
        raise PrecheckError(f"GDS file is named {gds.name} but info.yaml's top module is {top}: "
                            f"TinyTapeout expects {top}.gds")
    return Inputs(folder, top, str(tile), gds, gds.with_suffix(".lef"), gds.with_suffix(".v"))


def run_precheck(path: Path, layer_properties: Path | None,
                 magic_tech: Path | None = None, work_dir: Path | None = None
                 ) -> list[CheckResult]:
    """``magic_tech``: the PDK's sky130A.tech for Magic DRC (skipped without it);
    ``work_dir``: where Magic's scratch files and log go (default: a
    temporary folder, removed afterwards)."""
    inputs = find_inputs(path)
    try:
        constraints = tile_constraints(inputs.tile)
    except ValueError as error:
        raise PrecheckError(f"info.yaml: {error}") from None
    results: list[CheckResult] = []
    layout = _read_gds(inputs.gds, results)
    macro = _read_lef(inputs, results)
    gds_checks = [_top_cell_name, _no_met5, _boundary_present, _outside_boundary,
                  _single_top_cell, _allowed_layers, _cell_names, _zero_area,
                  _pins_in_gds, _pin_label_over_drawing, _nwell_urpm]
    for check in gds_checks:
        name = check.__doc__.splitlines()[0]
        if layout is None:
            results.append(CheckResult(name, "skipped", "the GDS could not be read"))
            continue
        needs_lef = check is _pins_in_gds
        if needs_lef and macro is None:
            results.append(CheckResult(name, "skipped", "the LEF could not be read"))
            continue
        args = (layout, inputs, constraints, macro, layer_properties)
        results.append(_result(name, check(*args)))
    results += lef_checks(macro, constraints)
    results.append(_result("Power pin names and USE", _power_names(inputs)))
    results.append(_result("Verilog parses", _verilog_parses(inputs.verilog)))
    if work_dir is not None:
        results.append(_magic_drc(inputs, layout is not None, magic_tech, work_dir))
        return results
    # never scratch inside the checked folder: tt_submission/ is uploaded as it is
    with tempfile.TemporaryDirectory(prefix="tapeflow-precheck-") as scratch:
        results.append(_magic_drc(inputs, layout is not None, magic_tech, Path(scratch)))
    return results


def lef_checks(macro: LefMacro | None, constraints: TileConstraints) -> list[CheckResult]:
    """The LEF against the tile: origin and size, template pins, power pins,
    overlaps (precheck, and the hardening stage on its own LEF)."""
    results = []
    for check in (_lef_origin_size, _signal_pins, _power_pins, _pin_overlaps):
        name = check.__doc__.splitlines()[0]
        results.append(CheckResult(name, "skipped", "the LEF could not be read")
                       if macro is None else _result(name, check(macro, constraints)))
    return results


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
def _top_cell_name(layout, inputs, constraints, macro, lyp) -> list[str]:
    """Top cell name"""
    top = _top(layout, inputs.top)
    name = top.name if top else None
    return [] if name == inputs.top else [f"top cell is {name!r}, info.yaml says {inputs.top!r}"]


def _no_met5(layout, inputs, constraints, macro, lyp) -> list[str]:
    """No met5"""
    return [f"met5 layer {a}/{b} is used (met5 is TinyTapeout's power grid)"
            for a, b in sorted(_used_layers(layout) & MET5)]


def _boundary_present(layout, inputs, constraints, macro, lyp) -> list[str]:
    """prBoundary.boundary (235/4) present"""
    top = _top(layout, inputs.top)
    return [] if top and _shapes(top, BOUNDARY) else ["prBoundary.boundary (235/4) layer not found"]


def _outside_boundary(layout, inputs, constraints, macro, lyp) -> list[str]:
    """Nothing outside the boundary"""
    top = _top(layout, inputs.top)
    boundary = _shapes(top, BOUNDARY) if top else []
    if not boundary:
        return []          # reported by the boundary check
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


def _single_top_cell(layout, inputs, constraints, macro, lyp) -> list[str]:
    """Exactly one top cell"""
    tops = [c.name for c in layout.top_level()]
    return [] if len(tops) == 1 else [f"{len(tops)} top-level cells: {', '.join(tops)}"]


def _allowed_layers(layout, inputs, constraints, macro, lyp) -> list[str]:
    """Layers allowed"""
    allowed = set(layer_names(lyp))
    if not allowed:
        return ["no sky130 layer table (sky130A.lyp) to check against; set TAPEFLOW_PDK_ROOT"]
    return [f"layer {a}/{b} is not a sky130 layer"
            for a, b in sorted(_used_layers(layout) - allowed)]


def _cell_names(layout, inputs, constraints, macro, lyp) -> list[str]:
    """Cell names"""
    return [f"cell name {c.name!r} contains '#' or '/'" for c in layout.cells
            if "#" in c.name or "/" in c.name]


def _zero_area(layout, inputs, constraints, macro, lyp) -> list[str]:
    """No zero-area shapes"""
    problems = []
    for cell in layout.cells:
        problems += [f"zero-area polygon on {p.layer}/{p.datatype} in {cell.name}"
                     for p in cell.polygons if abs(p.area()) < 1e-12]
        problems += [f"zero-length path on {p.layers} in {cell.name}"
                     for p in cell.paths if p.path_spines() and
                     all(len(s) < 2 or (s[0] == s[-1]).all() for s in p.path_spines())]
    return problems


def _pins_in_gds(layout, inputs, constraints, macro, lyp) -> list[str]:
    """Pins drawn on <layer>.pin in the top cell"""
    import gdstk
    top = _top(layout, inputs.top)
    problems = []
    for pin in macro.pins.values():
        for layer, rect in pin.rects:
            spec = PIN_LAYERS.get(layer)
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


def _pin_label_over_drawing(layout, inputs, constraints, macro, lyp) -> list[str]:
    """Pin and label shapes over drawing"""
    import gdstk
    names = layer_names(lyp)
    by_name = {name: key for key, name in names.items()}
    top = _top(layout, inputs.top)
    # Flatten once and sort the polygons by layer: a routed tile has tens of
    # thousands of polygons and thousands of labels.
    by_layer: dict[tuple[int, int], list] = {}
    for polygon in top.get_polygons():
        by_layer.setdefault((polygon.layer, polygon.datatype), []).append(polygon)

    def drawing_of(name: str, purpose: str):
        base = name.removesuffix(purpose)
        if not name.endswith(purpose) or base not in PIN_LABEL_LAYERS:
            return None
        return by_name.get(base + ".drawing")

    problems = []
    for key in sorted(by_layer):
        name = names.get(key, "")
        drawing = drawing_of(name, ".pin")
        if drawing is None:
            continue
        outside = gdstk.boolean(by_layer[key], by_layer.get(drawing, []), "not")
        if any(abs(m.area()) > 1e-6 for m in outside):
            problems.append(f"{name} shapes not over {name.removesuffix('.pin')}.drawing")
    indexes: dict[tuple[int, int], _PolygonIndex] = {}
    for label in top.get_labels():
        name = names.get((label.layer, label.texttype), "")
        drawing = drawing_of(name, ".label")
        if drawing is None:
            continue
        if drawing not in indexes:
            indexes[drawing] = _PolygonIndex(by_layer.get(drawing, []))
        if not indexes[drawing].covers(label.origin):
            problems.append(f"label {label.text!r} on {name} is not over "
                            f"{name.removesuffix('.label')}.drawing")
    return problems


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


def _nwell_urpm(layout, inputs, constraints, macro, lyp) -> list[str]:
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


def _signal_pins(macro: LefMacro, constraints: TileConstraints) -> list[str]:
    """Signal pins match the template"""
    problems = [f"unexpected pin {name}" for name in macro.pins
                if name not in constraints.pins and name not in (*POWER_NETS, "VDPWR")]
    for name, pin in constraints.pins.items():
        lef_pin = macro.pins.get(name)
        if lef_pin is None:
            problems.append(f"pin {name} missing")
            continue
        if len(lef_pin.rects) != 1:
            problems.append(f"pin {name} has {len(lef_pin.rects)} rectangles, expected 1")
        elif lef_pin.rects[0] != (pin.layer, pin.rect):
            problems.append(f"pin {name} is {lef_pin.rects[0]}, template has "
                            f"{(pin.layer, pin.rect)}")
    return problems


def _power_pins(macro: LefMacro, constraints: TileConstraints) -> list[str]:
    """Power pins"""
    problems = []
    for name in POWER_NETS:
        pin = macro.pins.get(name)
        if pin is None or not pin.rects:
            problems.append(f"power pin {name} missing or without rectangles")
            continue
        for layer, (x1, y1, x2, y2) in pin.rects:
            where = f"{name} rect {(x1, y1, x2, y2)}"
            if layer != POWER_LAYER:
                problems.append(f"{where} is on {layer}, must be {POWER_LAYER}")
            if x2 - x1 < POWER_MIN_WIDTH:
                problems.append(f"{where} is {(x2 - x1) / 1000} um wide, minimum 1.2")
            if y1 > POWER_EDGE_REACH or constraints.height - y2 > POWER_EDGE_REACH:
                problems.append(f"{where} must start and end within 10 um of the die edges")
            if x1 < 0 or y1 < 0 or x2 > constraints.width or y2 > constraints.height:
                problems.append(f"{where} is outside the die")
    return problems


def _pin_overlaps(macro: LefMacro, constraints: TileConstraints) -> list[str]:
    """Pins do not overlap or abut"""
    rects = [(pin.name, layer, rect) for pin in macro.pins.values() for layer, rect in pin.rects]
    problems = []
    for index, (name_a, layer_a, a) in enumerate(rects):
        for name_b, layer_b, b in rects[index + 1:]:
            if layer_a == layer_b and a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] \
                    and b[1] <= a[3]:
                problems.append(f"{name_a} and {name_b} overlap or abut on {layer_a}")
    return problems


# -- text checks ---------------------------------------------------------------------
def _power_names(inputs: Inputs) -> list[str]:
    problems = []
    for path in (inputs.verilog, inputs.lef):
        if not path.is_file():
            problems.append(f"{path.name} does not exist")
            continue
        text = re.sub(r"//.*|/\*.*?\*/|#.*", "", path.read_text(errors="replace"), flags=re.S)
        text = re.sub(r"\bVPWR\b", "VDPWR", text)
        problems += [f"{path.name} does not mention {net}" for net in ("VGND", "VDPWR")
                     if not re.search(rf"\b{net}\b", text)]
        if path.suffix == ".lef":
            for net, use in (("VDPWR", "POWER"), ("VGND", "GROUND")):
                block = re.search(rf"PIN\s+{net}\b(.*?)END\s+{net}\b", text, re.S)
                if block and not re.search(rf"USE\s+{use}\s*;", block.group(1)):
                    problems.append(f"LEF pin {net} lacks USE {use}")
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
        case = ET.SubElement(suite, "testcase", name=result.name, classname="precheck")
        if result.status == "failed":
            ET.SubElement(case, "failure", message=result.message)
        elif result.status == "skipped":
            ET.SubElement(case, "skipped", message=result.message)
    xml_path, md_path = out_dir / "results.xml", out_dir / "results.md"
    suites = ET.Element("testsuites", name="precheck")
    suites.append(suite)
    xml_path.write_text(ET.tostring(suites, encoding="unicode"))
    icon = {"passed": "✅", "failed": "❌", "skipped": "⏭️"}
    md_path.write_text("# Tiny Tapeout Precheck Results\n\n| Check | Result | Note |\n|---|---|---|\n"
                       + "".join(f"| {r.name} | {icon[r.status]} {r.status} | {r.message} |\n"
                                 for r in results))
    return xml_path, md_path
