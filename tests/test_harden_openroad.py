"""The full hardening path, where OpenROAD is installed: `tapeflow run` on the
default design through harden, signoff and post-route GL simulation, then the
TT bundle through tapeflow's precheck."""

import json
import subprocess
import sys

import pytest

from .conftest import needs_iverilog, require_tool

OPENROAD_HINT = "see `tapeflow doctor` for OpenROAD install options"

pytestmark = [pytest.mark.slow, pytest.mark.openroad, needs_iverilog,
              require_tool("openroad", OPENROAD_HINT),
              require_tool("klayout", "apt-get install klayout"),
              require_tool("magic", "apt-get install magic"),
              require_tool("netgen-lvs", "apt-get install netgen-lvs"),
              require_tool("sta", "apt-get install opensta")]


def test_default_design_hardens_signs_off_and_passes_precheck(tmp_path, pdk_root):
    from tapeflow.flows.pdk import layer_properties, magic_tech
    from tapeflow.tapeout.precheck import run_precheck

    run = subprocess.run([sys.executable, "-m", "tapeflow.flows.cli", "run",
                          "--build-dir", str(tmp_path)], capture_output=True, text=True)
    (manifest_path,) = tmp_path.glob("systolic-*/manifest.json")
    stages = {s["name"]: s for s in json.loads(manifest_path.read_text())["stages"]}
    assert run.returncode == 0, {n: s["reason"] for n, s in stages.items()}
    for name in ("harden", "signoff", "verify-gl-postroute"):
        assert stages[name]["status"] == "passed", stages[name]["reason"]
    value = {m["name"]: m["value"] for s in stages.values() for m in s["metrics"]}
    assert value["drc_errors"] == 0 and value["lvs_errors"] == 0
    assert value["postroute_antenna_nets"] == 0
    assert value["postroute_gl_icarus_tests_passed"] == value["postroute_gl_icarus_tests_run"]
    assert value["postroute_setup_slack_typical_ns"] >= 0

    run_dir = manifest_path.parent
    package = subprocess.run([sys.executable, "-m", "tapeflow.flows.cli", "package",
                              str(run_dir), "--title", "MAC", "--author", "tapeflow"],
                             capture_output=True, text=True)
    assert package.returncode == 0, package.stderr
    results = run_precheck(run_dir / "tt_project" / "tt_submission",
                           layer_properties(pdk_root), magic_tech(pdk_root), tmp_path / "drc")
    assert [r.name for r in results if r.status != "passed"] == []
