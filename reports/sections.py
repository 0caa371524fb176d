"""The report's content, organised by chip-stack layer, as plain data.

Renderers (JSON, Markdown, HTML) only format what this module assembles.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from tapeflow.designs.registry import PROJECT_DESIGN
from tapeflow.designs.systolic.pinout import OTHER_PINS, pinout
from tapeflow.tapeout.layer_table import layer_names

from .derived import derived_metrics, run_period_ns, timing_corners
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
    link: str | None = None      # the full-size picture, relative to the report folder


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
                sections[layer].figures.append(Figure(name, png, name.replace("_", " "),
                                                      _full_picture(run, name)))
    _architecture(run, sections["L5"])
    _physical(run, sections["L7"])
    _packaging(run, sections["L8"])
    for section in sections.values():
        if not section.metrics and not section.tables:
            section.notes.append("No stage of this run has recorded numbers for this layer yet.")
    return list(sections.values())


def _full_picture(run: RunData, figure: str) -> str | None:
    """The link from report/ to the full-size layout picture."""
    full = run.output("harden", "layout_png") if figure == "layout" else None
    return f"../{full.relative_to(run.run_dir)}" if full is not None else None


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
    if run.design == PROJECT_DESIGN:      # what any design's netlist tells: the profile stage
        section.tables.append(Table("Project", ["property", "value"], [
            ["top module", params.get("top_name")],
            ["sources", ", ".join(params.get("source_files") or [])],
            ["language", params.get("language")],
            ["tiles declared / fitted", f"{params.get('tiles')} / {run.value('tile')}"],
            ["clock (info.yaml)", f"{(params.get('clock_hz') or 0) / 1e6:g} MHz"],
        ]))
        return
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
    _prelayout_timing(run, section)
    _routed_timing(run, section)
    checks = [(label, run.metrics[name]) for label, name in SIGNOFF_ROWS if name in run.metrics]
    if checks:
        section.tables.append(Table("Signoff", ["check", "value", "unit", "source"],
                                    [[label, m.value, m.unit, m.source] for label, m in checks]))
    _signoff_details(run, section)
    times = [(name.removeprefix("harden_step_").removesuffix("_s"), m.value)
             for name, m in run.metrics.items() if name.startswith("harden_step_")]
    if times:
        total = sum(seconds for _, seconds in times)
        section.tables.append(Table(
            f"Hardening steps (SiliconCompiler task times, {total:.0f} s in all)",
            ["step", "seconds", "share"],
            [[step, seconds, f"{100 * seconds / total:.0f} %"] for step, seconds in times]))
    if not any(f.name == "layout" for f in section.figures):
        section.notes.append("No GDS in this run: post-route numbers and the layout picture "
                             f"come with the hardening stage ({_stage_state(run, 'harden')}).")


#: pre-layout timing columns: overall, then register-to-register and IO paths
PRELAYOUT_COLUMNS = (("setup_slack", "ns"), ("hold_slack", "ns"), ("fmax", "mhz"),
                     ("setup_slack_reg2reg", "ns"), ("fmax_reg2reg", "mhz"),
                     ("setup_slack_io", "ns"), ("fmax_io", "mhz"))


def _prelayout_timing(run: RunData, section: Section) -> None:
    """sta-pre's slack and fmax per PVT corner, split into register-to-register
    and IO paths, and the worst path of each kind at the corner where setup is
    tightest."""
    corners = timing_corners(run)
    if not corners:
        return
    period = run_period_ns(run)
    section.tables.append(Table(
        f"Pre-layout timing per corner at {period:g} ns ({1000 / period:g} MHz; "
        f"{run.value('timing_corner_set', 'tt')} corners, TinyTapeout's SDC)",
        ["corner", "setup slack ns", "hold slack ns", "fmax MHz", "reg-to-reg setup ns",
         "reg-to-reg fmax MHz", "IO setup ns", "IO fmax MHz"],
        _corner_rows(run, "", corners, PRELAYOUT_COLUMNS)))
    summary = run.output("sta-pre", "summary")
    if summary is None:
        return
    data = json.loads(summary.read_text())
    by_corner = data.get("corners", {})
    slack = {c: by_corner[c]["setup_slack_ns"] for c in corners
             if by_corner.get(c, {}).get("setup_slack_ns") is not None}
    tightest = min(slack, key=slack.get, default=None)
    if tightest is None:
        return
    for name, kind in (("reg2reg", "register to register"), ("in2reg", "input to register"),
                       ("reg2out", "register to output"), ("in2out", "input to output")):
        path = by_corner[tightest].get("classes", {}).get(name, {}).get("critical_path")
        if path:
            section.tables.append(Table(
                f"Critical path, {kind}, {tightest}: {path['startpoint']} -> "
                f"{path['endpoint']} (slack {path['slack_ns']} ns)",
                ["pin", "cell", "edge", "delay ns", "time ns"],
                [[s["pin"], s["cell"].removeprefix("sky130_fd_sc_hd__"), s["edge"],
                  s["delay_ns"], s["time_ns"]] for s in path["steps"]]))


#: (metric name, unit suffix) of the routed timing tables' columns
ROUTED_COLUMNS = (("setup_slack", "ns"), ("setup_tns", "ns"), ("hold_slack", "ns"),
                  ("hold_tns", "ns"), ("fmax", "mhz"))
#: sta-post's columns: those, then the register-to-register / IO split
SIGNOFF_COLUMNS = ROUTED_COLUMNS + (("fmax_reg2reg", "mhz"), ("fmax_io", "mhz"),
                                    ("drvs", "violations"))


def _corner_rows(run: RunData, prefix: str, corners, columns) -> list[list]:
    """One row per corner: its name, then ``<prefix><metric>_<corner>_<unit>``."""
    return [[c] + [run.value(f"{prefix}{name}_{c}_{unit}") for name, unit in columns]
            for c in corners]


def _routed_timing(run: RunData, section: Section) -> None:
    """OpenSTA's routed signoff at every TT corner (sta-post), then the
    numbers OpenROAD reported per SiliconCompiler scenario (harden)."""
    signoff = [name.removeprefix("routed_setup_slack_").removesuffix("_ns")
               for name in run.metrics if name.startswith("routed_setup_slack_")
               and not name.startswith(("routed_setup_slack_reg2reg_",
                                        "routed_setup_slack_io_"))]
    if signoff:
        section.tables.append(Table(
            f"Routed timing per corner (OpenSTA, "
            f"{run_period_ns(run):g} ns clock)",
            ["corner (RC_PVT)", "setup slack ns", "setup TNS ns", "hold slack ns",
             "hold TNS ns", "fmax MHz", "reg-to-reg fmax MHz", "IO fmax MHz", "DRVs"],
            _corner_rows(run, "routed_", signoff, SIGNOFF_COLUMNS)))
    summary = run.output("sta-post", "summary")
    if summary is not None:
        rows = [[corner, violator] for corner, data in
                json.loads(summary.read_text())["corners"].items()
                for violator in data["drv_violators"]]
        if rows:
            section.tables.append(Table("Slew / capacitance / fanout violators after routing",
                                        ["corner", "pin: limit, actual, slack"], rows))
    scenarios = [name.removeprefix("postroute_setup_slack_").removesuffix("_ns")
                 for name in run.metrics if name.startswith("postroute_setup_slack_")]
    if scenarios:
        section.tables.append(Table(
            "OpenROAD's own routed timing per SiliconCompiler scenario",
            ["scenario", "setup slack ns", "setup TNS ns", "hold slack ns", "hold TNS ns",
             "fmax MHz"],
            _corner_rows(run, "postroute_", scenarios, ROUTED_COLUMNS)))


def _signoff_details(run: RunData, section: Section) -> None:
    summary = run.output("signoff", "summary")
    if summary is None:
        return
    data = json.loads(summary.read_text())
    tools = data.get("tools", {})
    section.tables.append(Table("How the layout was signed off", ["what", "how"], [
        ["LVS comparison", data.get("lvs_level", "")],
        ["why not transistor level", "sky130hd's CDL writes MOSFETs as nfet_01v8 and shares "
         "nodes that the cell layouts draw per finger (a21oi_2, o211ai_4): no "
         "transistor-level match is reachable with it"],
        ["LVS result", "circuits match uniquely" if data.get("lvs_match") else "MISMATCH"],
        ["instances (layout / netlist)", " / ".join(map(str, data.get("lvs_devices", [])))],
        ["nets (layout / netlist)", " / ".join(map(str, data.get("lvs_nets", [])))],
        *[[f"{name} used", f"{version} ({where})"] for name, (version, where) in tools.items()],
    ]))


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
        spec = run.spec()
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
