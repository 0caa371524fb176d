"""Layout versus schematic with the standard cells as black boxes: magic
extracts the routed GDS hierarchically, netgen compares it with the powered
netlist cell pin by cell pin, every top-level port by its own name.

Why black boxes and not transistors: the only transistor-level view of
sky130hd at hand is SkyWater's CDL, which writes MOSFETs as ``nfet_01v8``
where magic extracts ``sky130_fd_pr__nfet_01v8`` and, in some cells
(``a21oi_2``, ``o211ai_4``), shares nodes that the layout draws as
per-finger stacks, so a transistor-level match is not reachable with it.
The cells' own layouts are the PDK's, verified by SkyWater; what this
design adds is their placement and wiring, which the black-box comparison
checks in full: every instance, every pin of every instance (wells
included), every net, every port. SiliconCompiler's netgen task reads the
Verilog alone, where every cell is a pinless placeholder, hence the
comparison is set up here.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .powered_netlist import INSTANCE, SUBCKT, cell_pins


class LvsError(RuntimeError):
    """magic or netgen did not produce a verdict."""


@dataclass(frozen=True)
class LvsResult:
    matched: bool               # netgen: "Circuits match uniquely"
    mismatches: int             # netgen's failures (nets, devices, pins, properties)
    pin_mismatches: int
    devices: tuple[int, int]    # layout, schematic
    nets: tuple[int, int]
    level: str                  # what was compared
    report: Path
    json_report: Path


def cell_stubs(cells: set[str], pins: dict[str, list[str]]) -> str:
    """Empty Verilog modules with the library's pins: netgen's black boxes."""
    return "".join(f"module {cell} ({', '.join(pins[cell])});\n"
                   + "".join(f"  inout {p};\n" for p in pins[cell]) + "endmodule\n"
                   for cell in sorted(cells) if cell in pins)


def used_cells(verilog: str, pins: dict[str, list[str]]) -> set[str]:
    return {m.group(2) for m in INSTANCE.finditer(verilog) if m.group(2) in pins}


def emptied_cells(spice: str, cells: set[str]) -> str:
    """magic's extracted netlist with the library cells' bodies removed, so
    both sides hold them as black boxes with the same pins."""
    out, inside = [], False
    for line in spice.splitlines():
        header = SUBCKT.match(line)
        if header and header.group(1) in cells:
            inside = True
            out.append(line)
            continue
        if inside and not line.lower().startswith(".ends"):
            continue
        inside = False
        out.append(line)
    return "\n".join(out) + "\n"


def extract_script(gds: Path, top: str, spice: Path) -> str:
    """magic: read the GDS, extract the whole hierarchy, write SPICE for LVS
    (ports from the top cell's pin labels)."""
    return (f"gds read {{{gds.resolve()}}}\n"
            f"load {top} -dereference\n"
            "select top cell\n"
            "extract no all\n"
            "extract do local\n"
            "extract unique\n"
            "extract all\n"
            "ext2spice lvs\n"
            f"ext2spice -o {{{spice.resolve()}}}\n"
            "quit -noprompt\n")


def run_lvs(gds: Path, netlist: Path, top: str, tech: Path, cdl: Path, setup: Path,
            work_dir: Path, magic: str = "magic", netgen: str = "netgen") -> LvsResult:
    """Extract ``gds`` with magic and compare it with ``netlist`` in netgen."""
    work_dir.mkdir(parents=True, exist_ok=True)
    pins = cell_pins(cdl)
    schematic_text = netlist.read_text()
    cells = used_cells(schematic_text, pins)

    raw_spice = work_dir / f"{top}.extracted.spice"
    script = work_dir / "extract.tcl"
    script.write_text(extract_script(gds, top, raw_spice))
    _run([magic, "-dnull", "-noconsole", "-rcfile", "/dev/null", "-T", str(tech),
          str(script)], work_dir, work_dir / "extract.log", "magic extraction")
    if not raw_spice.is_file():
        raise LvsError(f"magic wrote no extracted netlist (see {work_dir / 'extract.log'})")

    layout, extracted = work_dir / f"{top}.layout.spice", raw_spice.read_text()
    layout_cells = set(_subckt_names(extracted)) & set(pins)
    layout.write_text(emptied_cells(extracted, layout_cells))
    schematic = work_dir / f"{top}.schematic.v"
    schematic.write_text(cell_stubs(cells | layout_cells, pins) + schematic_text)

    report, json_report = work_dir / f"{top}.lvs.out", work_dir / f"{top}.lvs.json"
    _run([netgen, "-batch", "lvs", f"{layout} {top}", f"{schematic} {top}", str(setup),
          str(report), "-json", "-blackbox"], work_dir, work_dir / "netgen.log", "netgen LVS")
    if not json_report.is_file() or not report.is_file():
        raise LvsError(f"netgen wrote no LVS report (see {work_dir / 'netgen.log'})")
    return _verdict(report, json_report)


def _subckt_names(spice: str) -> list[str]:
    return [m.group(1) for m in SUBCKT.finditer(spice)]


def _run(command: list[str], cwd: Path, log: Path, what: str) -> None:
    try:
        run = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=1800,
                             stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise LvsError(f"{what} could not run: {error}") from None
    log.write_text(run.stdout + run.stderr)
    if run.returncode != 0:
        raise LvsError(f"{what} exited with {run.returncode} (see {log})")


def _verdict(report: Path, json_report: Path) -> LvsResult:
    from siliconcompiler.tools.netgen.count_lvs import count_lvs_failures

    failures, _nets, _devices, pin_failures, *_ = count_lvs_failures(str(json_report))
    text = report.read_text(errors="replace")
    top = json.loads(json_report.read_text())[-1]
    devices = tuple(sum(count for _name, count in side) for side in top.get("devices", [[], []]))
    nets = tuple(top.get("nets", [0, 0]))
    matched = "Final result: Circuits match uniquely." in text
    return LvsResult(matched and failures == 0, failures, pin_failures,
                     devices if len(devices) == 2 else (0, 0),
                     nets if len(nets) == 2 else (0, 0),
                     "standard cells as black boxes (every instance, cell pin, net and port)",
                     report, json_report)
