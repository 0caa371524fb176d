"""The report's content, organised by chip-stack layer, as plain data.

Renderers (JSON, Markdown, HTML) only format what this module assembles.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from tapeflow.designs.systolic.pinout import OTHER_PINS, pinout
from tapeflow.designs.systolic.spec import SystolicSpec
from tapeflow.tapeout.layer_table import layer_names

from .derived import derived_metrics
from .metrics import Metric
from .plots import FIGURES, sky130_layer_properties
from .run_data import RunData

LAYER_TITLES = {
    "L5": "L5 Hardware architecture",
    "L6": "L6 RTL & logic design",
    "L7": "L7 Physical implementation",
    "L8": "L8 Fabrication & packaging",
}


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list]


@dataclass
class Figure:
    name: str
    png: bytes
    caption: str


@dataclass
class Section:
    layer: str
    title: str
    metrics: list[tuple[Metric, str]]          # metric, stage that recorded it
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def build_sections(run: RunData) -> list[Section]:
    derived = derived_metrics(run)
    sections = {}
    for layer, title in LAYER_TITLES.items():
        metrics = [(m, run.metric_stage[name]) for name, m in run.metrics.items()
                   if m.layer.value == layer]
        metrics += [(m, "report") for m in derived if m.layer.value == layer]
        sections[layer] = Section(layer, title, metrics)
    for layer, figures in FIGURES.items():
        for name, draw in figures:
            png = draw(run)
            if png is not None:
                sections[layer].figures.append(Figure(name, png, name.replace("_", " ")))
    _architecture(run, sections["L5"])
    _physical(run, sections["L7"])
    _packaging(run, sections["L8"])
    for section in sections.values():
        if not section.metrics and not section.tables:
            section.notes.append("No stage of this run has recorded numbers for this layer yet.")
    return list(sections.values())


def stage_table(run: RunData) -> Table:
    rows = []
    for stage in run.stages:
        status = f"{stage.status} (up to date)" if stage.up_to_date else stage.status
        key = [f"{m.name}={m.value}" for name, m in run.metrics.items()
               if run.metric_stage[name] == stage.name][:3]
        rows.append([stage.name, stage.layer, status, stage.reason or "; ".join(stage.warnings),
                     f"{stage.wall_seconds:.1f}", ", ".join(key)])
    return Table("Stages", ["stage", "layer", "status", "reason / warnings", "wall s",
                            "key numbers"], rows)


def _architecture(run: RunData, section: Section) -> None:
    params = run.parameters
    section.tables.append(Table("Array", ["property", "value"], [
        ["PE grid (rows x cols)", f"{params.get('rows')} x {params.get('cols')}"],
        ["dataflow", f"output-stationary, {params.get('fold')} accumulators per PE "
                     f"(A stationary per k-step, B streaming down)"],
        ["operands", f"{'int' if params.get('signed') else 'uint'}{params.get('in_width')}"
                     f" x {'int' if params.get('signed') else 'uint'}{params.get('in_width')}"
                     f" -> {params.get('acc_width')}-bit accumulators (wrap-around)"],
        ["top module", params.get("top_name")],
    ]))


def _physical(run: RunData, section: Section) -> None:
    corners = [c for c in ("typical", "slow", "fast") if f"fmax_{c}_mhz" in run.metrics]
    if corners:
        section.tables.append(Table("Timing per corner (pre-layout)",
                                    ["corner", "setup slack ns", "hold slack ns", "fmax MHz"],
                                    [[c, run.value(f"setup_slack_{c}_ns"),
                                      run.value(f"hold_slack_{c}_ns"),
                                      run.value(f"fmax_{c}_mhz")] for c in corners]))
    summary = run.output("sta-pre", "summary")
    if summary is not None:
        path = json.loads(summary.read_text()).get("typical", {}).get("critical_path")
        if path:
            section.tables.append(Table(
                f"Critical path, typical corner: {path['startpoint']} -> {path['endpoint']}",
                ["pin", "cell", "edge", "delay ns", "time ns"],
                [[s["pin"], s["cell"].removeprefix("sky130_fd_sc_hd__"), s["edge"],
                  s["delay_ns"], s["time_ns"]] for s in path["steps"]]))
    routed = [c for c in ("typical", "slow", "fast")
              if f"postroute_setup_slack_{c}_ns" in run.metrics]
    if routed:
        section.tables.append(Table(
            "Timing per corner (routed, with parasitics)",
            ["corner", "setup slack ns", "setup TNS ns", "hold slack ns", "hold TNS ns",
             "fmax MHz"],
            [[c] + [run.value(f"postroute_{n}_{c}_{u}") for n, u in (
                ("setup_slack", "ns"), ("setup_tns", "ns"), ("hold_slack", "ns"),
                ("hold_tns", "ns"), ("fmax", "mhz"))] for c in routed]))
    checks = [(label, run.metrics[name]) for label, name in SIGNOFF_ROWS if name in run.metrics]
    if checks:
        section.tables.append(Table("Signoff", ["check", "value", "unit", "source"],
                                    [[label, m.value, m.unit, m.source] for label, m in checks]))
    if not any(f.name == "layout" for f in section.figures):
        section.notes.append("No GDS in this run: post-route numbers and the layout picture "
                             f"come with the hardening stage ({_stage_state(run, 'harden')}).")


#: The signoff table's rows: (label, metric).
SIGNOFF_ROWS = (
    ("magic DRC (drc(full))", "drc_errors"), ("LVS mismatches (netgen)", "lvs_errors"),
    ("LVS top-level pin mismatches", "lvs_pin_mismatches"),
    ("antenna-violating nets", "postroute_antenna_nets"),
    ("antenna-violating pins", "postroute_antenna_pins"),
    ("router DRC violations", "postroute_route_drcs"),
    ("utilization", "postroute_utilization_pct"), ("wirelength", "postroute_wirelength_um"),
    ("buffers", "postroute_buffers"), ("power (typical)", "postroute_power_mw"),
)


def _stage_state(run: RunData, name: str) -> str:
    stage = run.stage(name)
    if stage is None:
        return f"{name} is not part of this run"
    return f"{name} {stage.status}" + (f": {stage.reason}" if stage.reason else "")


def _packaging(run: RunData, section: Section) -> None:
    report = run.output("tile-fit", "report")
    if report is not None:
        data = json.loads(report.read_text())
        chosen = run.value("tile")
        for tile in data["tiles"]:
            if tile["tile"] == chosen:
                section.tables.append(Table("Tile", ["property", "value"], [
                    ["tile", chosen],
                    ["die (µm)", f"{tile['die_um'][0]} x {tile['die_um'][1]}"],
                    ["core (µm)", f"{tile['core_um'][0]} x {tile['core_um'][1]}"],
                    ["core area (µm²)", tile["core_area_um2"]],
                    ["utilization", f"{100 * tile['utilization']:.1f} %"],
                ]))
    files = [[stage.name, output["path"], output["bytes"], output["sha256"][:16]]
             for stage in run.stages for output in stage.outputs
             if output["path"].endswith((".v", ".vg", ".gds", ".lef", ".def", ".il"))]
    if files:
        section.tables.append(Table("Design files", ["stage", "file", "bytes", "sha256 (16)"],
                                    files))
    if run.design == "systolic":
        spec = SystolicSpec(**run.parameters)
        rows = [[pin, text] for pin, text in pinout(spec).items()]
        rows += [[pin, text] for pin, text in OTHER_PINS.items()]
        section.tables.append(Table("Pin map", ["pin", "function"], rows))
    gds = run.output("harden", "gds")
    if gds is None:
        section.notes.append("GDS layers, TinyTapeout precheck and the submission bundle come "
                             f"with a hardened run ({_stage_state(run, 'harden')}).")
        return
    section.tables.append(Table(f"GDS layers ({gds.name}, whole hierarchy)",
                                ["layer", "GDS layer/datatype", "shapes"], gds_layers(gds)))
    section.notes.append("`tapeflow package` writes tt_submission/ (GDS, LEF, powered "
                         "netlist, stats) and `tapeflow precheck` checks it with TT's rules.")


def gds_layers(gds) -> list[list]:
    """Shape count per (layer, datatype) over the whole hierarchy, with sky130 names."""
    import gdstk
    names = layer_names(sky130_layer_properties())
    counts: dict[tuple[int, int], int] = {}
    for cell in gdstk.read_gds(str(gds)).cells:
        keys = [(p.layer, p.datatype) for p in cell.polygons]
        keys += [key for path in cell.paths for key in zip(path.layers, path.datatypes)]
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
    return [[names.get(key, "?"), f"{key[0]}/{key[1]}", count]
            for key, count in sorted(counts.items())]
