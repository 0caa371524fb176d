"""tapeflow's precheck and TinyTapeout's precheck.py on the reference tile,
every variant and every parity edit (tapeout/fixtures.py): the TinyTapeout
checks each fails, side by side, and the seconds each took.

    python benchmarks/precheck_agreement.py [CASE ...]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from tapeflow.flows.adapters.pdk import (cell_layouts, cell_library, layer_properties,
                                         magic_tech, pdk_root_setting)
from tapeflow.flows.adapters.tools import use_tool_environment
from tapeflow.tapeout.fixtures import PARITY_EDITS, VARIANTS, edited, reference, variant, write
from tapeflow.tapeout.precheck import failed_tt_checks, run_precheck
from tapeflow.tapeout.tt_reference import run_reference_precheck


def main() -> int:
    use_tool_environment()
    root = pdk_root_setting(None)
    lyp, tech, cells = layer_properties(root), magic_tech(root), cell_layouts(cell_library(root))
    cases = sys.argv[1:] or ["reference", *VARIANTS, *PARITY_EDITS]
    agree = 0
    print("| case | tapeflow | TinyTapeout | agree | s (ours / theirs) |\n|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for index, case in enumerate(cases):
            draft = reference() if case == "reference" else (
                variant(case) if case in VARIANTS else edited(case))
            gds = write(draft, Path(scratch) / f"case{index}", cells)
            began = time.monotonic()
            ours = failed_tt_checks(run_precheck(gds, lyp, tech, Path(scratch) / f"w{index}"))
            mine = time.monotonic() - began
            copy = Path(scratch) / f"tt{index}"
            shutil.copytree(gds.parent, copy)
            theirs = run_reference_precheck(copy / gds.name, lyp, tech)
            same = ours == set(theirs.failed)
            agree += same
            print(f"| {case} | {', '.join(sorted(ours)) or 'pass'} | "
                  f"{', '.join(sorted(theirs.failed)) or 'pass'} | {'yes' if same else 'NO'} | "
                  f"{mine:.1f} / {theirs.seconds:.1f} |", flush=True)
    print(f"\n{agree} of {len(cases)} cases agree")
    return 0 if agree == len(cases) else 1


if __name__ == "__main__":
    sys.exit(main())
