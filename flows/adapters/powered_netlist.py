"""OpenROAD's powered netlist as TinyTapeout's powered netlist is: every
cell's wells on the supplies too."""

from __future__ import annotations

import re
from pathlib import Path

#: The cell wells: OpenROAD's powered netlist leaves them out because
#: lambdapdk's sky130hd LEF has no VPB/VNB pins, although the global connect
#: (and the layout: taps, abutted wells) ties them to the supplies.
WELL_SUPPLIES = {"VPB": "VPWR", "VNB": "VGND"}

#: a subcircuit header of a CDL or SPICE file: name, pins
SUBCKT = re.compile(r"^\.subckt[ \t]+(\S+)((?:[ \t]+[^\s=]+)*)[ \t]*$", re.I | re.M)
#: one cell instance of OpenROAD's write_verilog: indent, cell, name, connections
#: (cell, name and "(" on one line, as both OpenROAD and Yosys write them;
#: a Yosys "(* attribute *)" line must not pass for an instance's "(")
INSTANCE = re.compile(r"^([ \t]*)([A-Za-z_][\w$]*)[ \t]+(\\\S+[ \t]|[A-Za-z_][\w$]*)[ \t]*"
                      r"\((.*?)\);[ \t]*$", re.M | re.S)


def cell_pins(cdl: Path) -> dict[str, list[str]]:
    """Each cell's pins in the order the library's CDL declares them."""
    text = re.sub(r"\n\+", " ", cdl.read_text(errors="replace"))
    return {name: pins.split() for name, pins in SUBCKT.findall(text)}


def connect_wells(verilog: str, pins: dict[str, list[str]]) -> str:
    """The powered netlist with each cell's VPB/VNB on its supplies, for the
    cells whose pins include them and whose instance lacks them."""
    return _connect(verilog, pins, WELL_SUPPLIES)


def _connect(verilog: str, pins: dict[str, list[str]], supplies: dict[str, str]) -> str:
    """Each cell instance with those of ``supplies``' pins it has but does
    not connect connected to their supply nets."""
    def fix(match: re.Match) -> str:
        indent, cell, name, connections = match.groups()
        missing = [p for p in supplies
                   if p in pins.get(cell, ()) and f".{p}(" not in connections]
        if not missing:
            return match.group(0)
        added = ",\n".join(f"    .{p}({supplies[p]})" for p in missing)
        return f"{indent}{cell} {name.strip()} ({connections.rstrip()},\n{added});"
    return INSTANCE.sub(fix, verilog)


#: Every sky130hd cell's supply and well pins, and the supply each goes to.
CELL_SUPPLIES = {"VPWR": "VPWR", "VGND": "VGND", "VPB": "VPWR", "VNB": "VGND"}


def power_netlist(verilog: str, top: str, pins: dict[str, list[str]]) -> str:
    """A synthesized (unpowered) netlist as TinyTapeout's gate-level test
    wants it: VPWR and VGND ports on the top module, on which every cell's
    supply and well pins are connected (the tests' tb.v connects them under
    GL_TEST, the cell models have them under USE_POWER_PINS)."""
    header = re.compile(rf"(^module\s+{re.escape(top)}\s*\()(.*?\);)", re.M | re.S)
    if not header.search(verilog):
        raise ValueError(f"module {top} is not in the netlist")
    verilog = header.sub(lambda m: f"{m.group(1)}VPWR, VGND, {m.group(2)}\n"
                                   f"  inout VPWR;\n  inout VGND;", verilog, count=1)
    return _connect(verilog, pins, CELL_SUPPLIES)
