"""The stages only a TinyTapeout project folder has: its sources gathered
into one file (the step the built-in accelerator's Amaranth export takes),
and the L5 facts that can be known of any design from its netlist."""

from __future__ import annotations

import re
from pathlib import Path

from tapeflow.designs.tt_ports import TT_PORTS
from tapeflow.designs.tt_project import TtProjectSpec
from tapeflow.designs.tt_project.spec import VERILOG_SUFFIXES
from tapeflow.reports.metrics import Layer, Metric

from ..adapters.tt_test import project_files
from ..engine.atomic import write_json_atomic, write_text_atomic
from ..engine.stage import RunContext, Stage, StageResult, Status

INCLUDE = re.compile(r'^[ \t]*`include[ \t]+"([^"]+)"[^\n]*$', re.M)
#: the 8-bit pin groups and their directions
PIN_GROUPS = {name: direction for name, (direction, width) in TT_PORTS.items() if width == 8}


class ProjectSources(Stage):
    """Named "elaborate" because it is that step for a Verilog project: what
    lint, synthesis and hardening read as the design's RTL."""
    name = "elaborate"
    layer = Layer.L5
    description = "info.yaml's source_files in order, `include files inlined, in one file"

    def __init__(self, spec: TtProjectSpec):
        self.spec = spec

    def data_files(self, settings) -> list[Path]:
        # every HDL file of src/: the sources and what they may `include
        src = self.spec.folder / "src"
        return [path for path in project_files(self.spec.folder)
                if path.suffix in VERILOG_SUFFIXES and src in path.parents]

    def run(self, ctx: RunContext) -> StageResult:
        spec: TtProjectSpec = ctx.spec
        out_dir = ctx.stage_dir(self.name)
        parts, lines = [], 0
        for path in spec.sources:
            try:
                text = _inline_includes(path, spec.folder / "src", set())
            except (OSError, ValueError) as error:
                return StageResult(Status.FAILED, f"{path.name}: {error}")
            lines += text.count("\n")
            parts.append(f"// ---- src/{path.name} ----\n{text}\n")
        suffix = ".sv" if any(name.endswith(".sv") for name in spec.source_files) else ".v"
        verilog = out_dir / f"{spec.top_name}{suffix}"
        write_text_atomic(verilog, "".join(parts))
        where, source = ctx.relative(verilog), "info.yaml"
        metrics = [
            Metric("source_files", len(spec.source_files), "files", Layer.L6, source, where),
            Metric("source_lines", lines, "lines", Layer.L6, "src/ files", where),
            Metric("language", spec.language, "", Layer.L6, source),
            Metric("declared_tile", spec.tiles, "tile", Layer.L8, source),
            Metric("declared_clock_mhz", round(spec.clock_hz / 1e6, 6), "MHz", Layer.L5,
                   source),
        ]
        return StageResult(Status.PASSED, None, {"verilog": verilog}, metrics)


def _inline_includes(path: Path, src: Path, seen: set[Path]) -> str:
    """The file with each `include "x" replaced by x from src/ (TinyTapeout's
    Makefile passes -I src): the one file stays self-contained."""
    if path in seen:
        raise ValueError(f"`include cycle through {path.name}")
    text = path.read_text(errors="replace")

    def inline(match: re.Match) -> str:
        included = src / match.group(1)
        if not included.is_file():
            raise ValueError(f"`include \"{match.group(1)}\" is not in src/")
        return _inline_includes(included, src, seen | {path})
    return INCLUDE.sub(inline, text)


class ProjectProfile(Stage):
    """What can be known of any design's architecture from its netlist:
    which TinyTapeout pins it uses, its registers and memories, its area
    per tile. (The accelerator's own L5 numbers come from its spec.)"""
    name = "profile"
    layer = Layer.L5
    needs = ("elaborate", "synthesize", "tile-fit")
    reads = ("elaborate.verilog", "synthesize.netlist", "synthesize.cell_area_um2",
             "tile-fit.tile")
    description = "TT pins used, registers, memories, cell area per tile"

    def run(self, ctx: RunContext) -> StageResult:
        netlist = ctx.output("synthesize", "netlist").read_text(errors="replace")
        used = pins_used(netlist)
        memories = memory_arrays(ctx.output("elaborate", "verilog").read_text(errors="replace"))
        tile = str(ctx.metric("tile-fit", "tile"))
        tile_count = _tile_count(tile)
        area = float(ctx.metric("synthesize", "cell_area_um2"))
        report = ctx.stage_dir(self.name) / "profile.json"
        write_json_atomic(report, {"pins_used": used, "memories": memories, "tile": tile})
        where, source = ctx.relative(report), "synthesized netlist"
        metrics = [Metric(f"pins_used_{group}", len(bits), "pins", Layer.L5, source, where)
                   for group, bits in used.items()]
        metrics += [
            Metric("io_pins_used", sum(len(bits) for group, bits in used.items()
                                       if group != "uio_oe"), "pins", Layer.L5, source, where),
            Metric("memory_arrays", len(memories), "arrays", Layer.L5,
                   "unpacked reg/logic arrays in the sources", where),
            Metric("cell_area_per_tile_um2", round(area / tile_count, 1), "um^2", Layer.L5,
                   "cell area / tiles of the chosen tile", where),
        ]
        return StageResult(Status.PASSED, None, {"report": report}, metrics)


def _tile_count(tile: str) -> int:
    width, _, height = tile.partition("x")
    return int(width) * int(height) if width.isdigit() and height.isdigit() else 1


def pins_used(netlist: str) -> dict[str, list[int]]:
    """Per TinyTapeout pin group, the bits the netlist uses: an input that
    some cell or assignment reads, an output not tied to a constant."""
    constant_nets = set(re.findall(r"\.(?:HI|LO)\(([^)]+?)\s*\)", netlist))
    assigns = dict(re.findall(r"^\s*assign\s+(.+?)\s*=\s*(.+?)\s*;", netlist, re.M))
    connections = re.findall(r"\.\w+\(([^()]*?)\s*\)", netlist)
    read = set(connections) | set(assigns.values())
    used: dict[str, list[int]] = {}
    for group, direction in PIN_GROUPS.items():
        bits = []
        for bit in range(8):
            net = f"{group}[{bit}]"
            if direction == "input":
                if net in read or any(re.search(rf"\b{group}\[{bit}\]", v)
                                      for v in assigns.values()):
                    bits.append(bit)
            else:
                driver = assigns.get(net, net)
                if not re.fullmatch(r"\d*'[bhd][0-9a-fA-FxXzZ]+|1'b[01]", driver) \
                        and driver not in constant_nets and net not in constant_nets:
                    bits.append(bit)
        used[group] = bits
    return used


def memory_arrays(verilog: str) -> list[str]:
    """Names declared as unpacked arrays (``reg [7:0] mem [0:15];``), what
    synthesis turns into flip-flops or latches on TinyTapeout (no SRAM)."""
    text = re.sub(r"//[^\n]*|/\*.*?\*/", " ", verilog, flags=re.S)
    return sorted(set(re.findall(
        r"\b(?:reg|logic|wire)\b(?:\s+(?:signed|unsigned))?\s*(?:\[[^\]]+\]\s*)*"
        r"(\w+)\s*\[[^\]]+\]", text)))
