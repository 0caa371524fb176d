"""Typed settings of a run that are not design parameters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tapeflow.tapeout.tiles import TT_TARGET_DENSITY

from ..adapters.timing_corners import DEFAULT_CORNER_SET
from ..adapters.tt_sdc import TT_CLOCK_PERIOD_NS


@dataclass(frozen=True)
class RunSettings:
    build_root: Path = Path("build")
    simulator: str = "verilator"        # for verify-rtl: verilator or icarus
    # gate-level simulators: Icarus (4-state, TinyTapeout's own GL simulator)
    # by default; adding Verilator (2-state) costs a ~16 s C++ build per netlist
    gl_simulators: tuple[str, ...] = ("icarus",)
    seed: int = 1                       # cocotb random seed
    code_coverage: bool = True          # Verilator line/toggle coverage in verify-rtl
    clock_period_ns: float = TT_CLOCK_PERIOD_NS
    pdk_root: Path | None = None        # local lambdapdk data (TAPEFLOW_PDK_ROOT); None: download
    tile: str | None = None             # requested TT tile; None: the smallest that fits
    target_density: float = TT_TARGET_DENSITY
    corners: str = DEFAULT_CORNER_SET   # timing corner set: tt (TinyTapeout's) or lambdapdk
