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
INSTANCE = re.compile(r"^([ \t]*)(\S+)\s+(\\\S+\s|\S+)\s*\((.*?)\);\s*$", re.M | re.S)


def cell_pins(cdl: Path) -> dict[str, list[str]]:
    """Each cell's pins in the order the library's CDL declares them."""
    text = re.sub(r"\n\+", " ", cdl.read_text(errors="replace"))
    return {name: pins.split() for name, pins in SUBCKT.findall(text)}


def connect_wells(verilog: str, pins: dict[str, list[str]]) -> str:
    """The powered netlist with each cell's VPB/VNB on its supplies, for the
    cells whose pins include them and whose instance lacks them."""
    def fix(match: re.Match) -> str:
        indent, cell, name, connections = match.groups()
        missing = [p for p in WELL_SUPPLIES
                   if p in pins.get(cell, ()) and f".{p}(" not in connections]
        if not missing:
            return match.group(0)
        added = ",\n".join(f"    .{p}({WELL_SUPPLIES[p]})" for p in missing)
        return f"{indent}{cell} {name.strip()} ({connections.rstrip()},\n{added});"
    return INSTANCE.sub(fix, verilog)
