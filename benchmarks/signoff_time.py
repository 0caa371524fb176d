"""Wall time of the checks on a routed tile: magic DRC and black-box LVS
(tapeflow's signoff), tapeflow's precheck, and TinyTapeout's own precheck.py
on the same tt_submission/ folder, with each verdict.

    .venv/bin/tapeflow run && .venv/bin/tapeflow package build/<run> --title T --author A
    TAPEFLOW_PDK_ROOT=../shared/pdk .venv/bin/python benchmarks/signoff_time.py build/<run>

TinyTapeout's precheck.py runs where .venv-ttprecheck exists (scripts/install.sh
makes it beside ../shared/tinytapeout).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from tapeflow.flows.adapters.lvs import run_lvs
from tapeflow.flows.adapters.pdk import (cell_library, cell_netlists, check_pdk_root, layer_properties,
                                magic_tech, netgen_setup, pdk_root_setting)
from tapeflow.flows.adapters.tools import executable, tool_named, use_tool_environment
from tapeflow.tapeout.magic_drc import run_magic_drc
from tapeflow.tapeout.precheck import find_inputs, run_precheck
from tapeflow.tapeout.tt_reference import ReferenceUnavailable, run_reference_precheck


def timed(label: str, call):
    started = time.perf_counter()
    result = call()
    print(f"{label:<34} {time.perf_counter() - started:>7.1f} s", end="  ")
    return result


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: signoff_time.py RUN_FOLDER (packaged, with tt_project/)")
    use_tool_environment()
    bundle = Path(sys.argv[1]) / "tt_project" / "tt_submission"
    if not bundle.is_dir():
        raise SystemExit(f"{bundle} does not exist: run `tapeflow package` on a hardened run")
    root = pdk_root_setting(None)
    check_pdk_root(root)
    inputs = find_inputs(bundle)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        drc = timed("magic DRC drc(full)", lambda: run_magic_drc(
            inputs.gds, inputs.top, magic_tech(root), work / "drc"))
        print(f"{drc.errors} errors")
        lvs = timed("magic extraction + netgen LVS", lambda: run_lvs(
            inputs.gds, inputs.verilog, inputs.top, magic_tech(root),
            cell_netlists(cell_library(root)), netgen_setup(root), work / "lvs",
            netgen=executable(tool_named("netgen"))))
        print("match" if lvs.matched else f"{lvs.mismatches} mismatches")
        ours = timed("tapeflow precheck", lambda: run_precheck(
            bundle, layer_properties(root), magic_tech(root), work / "precheck"))
        print(f"{sum(r.status == 'passed' for r in ours)}/{len(ours)} passed")
        copy = work / "project"
        shutil.copytree(bundle.parent, copy, ignore=shutil.ignore_patterns("test"))
        try:
            theirs = timed("TinyTapeout precheck.py", lambda: run_reference_precheck(
                copy / "tt_submission" / inputs.gds.name, layer_properties(root),
                magic_tech(root)))
            print(f"{len(theirs.passed)}/{len(theirs.passed) + len(theirs.failed)} passed")
        except ReferenceUnavailable as error:
            print(f"\nTinyTapeout precheck.py not run: {error}")


if __name__ == "__main__":
    main()
