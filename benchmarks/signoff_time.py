"""Wall time of the layout checks that run without OpenROAD, on precheck's
reference tile at the smallest and the largest TinyTapeout tile:
SiliconCompiler's signoff flow (magic DRC, extraction, netgen LVS) and
tapeflow's precheck (20 checks, Magic DRC included).

    TAPEFLOW_PDK_ROOT=../shared/pdk python benchmarks/signoff_time.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from tapeflow.flows.pdk import (cell_layouts, cell_library, check_pdk_root, layer_properties,
                                magic_tech, pdk_root_setting)
from tapeflow.flows.sc_signoff import SignoffSettings, run_signoff
from tapeflow.tapeout.fixtures import TOP, reference, write
from tapeflow.tapeout.precheck import run_precheck

TILES = ("1x1", "8x4")


def main() -> None:
    pdk_root = pdk_root_setting(None)
    check_pdk_root(pdk_root)
    if pdk_root is None:
        raise SystemExit("set TAPEFLOW_PDK_ROOT to a local lambdapdk copy")
    cells = cell_layouts(cell_library(pdk_root))
    print(f"{'tile':<6} {'signoff s':>10} {'DRC':>5} {'LVS':>5} {'precheck s':>11} {'passed':>7}")
    with tempfile.TemporaryDirectory() as scratch:
        for tile in TILES:
            folder = Path(scratch) / tile
            gds = write(reference(tile), folder / "tile", cells)
            started = time.perf_counter()
            result = run_signoff(SignoffSettings(TOP, gds, gds.with_suffix(".v"),
                                                 folder / "signoff", pdk_root),
                                 folder / "sc.log")
            signoff_s = time.perf_counter() - started
            started = time.perf_counter()
            checks = run_precheck(gds, layer_properties(pdk_root), magic_tech(pdk_root),
                                  folder / "drc")
            precheck_s = time.perf_counter() - started
            passed = sum(c.status == "passed" for c in checks)
            print(f"{tile:<6} {signoff_s:>10.1f} {result.drc_errors:>5} {result.lvs_errors:>5} "
                  f"{precheck_s:>11.1f} {passed:>4}/{len(checks)}")


if __name__ == "__main__":
    main()
