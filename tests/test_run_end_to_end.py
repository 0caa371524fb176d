"""`tapeflow run` on the default design, as the README's first command does,
then again to see every stage up to date."""

import json
import os
import subprocess
import sys
import time

import pytest

from .conftest import needs_iverilog, needs_verilator, require_tool

pytestmark = pytest.mark.slow

needs_flow_tools = pytest.mark.skipif(
    any(__import__("importlib").util.find_spec(m) is None
        for m in ("siliconcompiler", "lambdapdk", "pyosys")),
    reason="siliconcompiler, lambdapdk or pyosys not installed (scripts/install.sh)")


def _run(build_dir, *args):
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "tapeflow.flows.cli", "run",
                          "--build-dir", str(build_dir), *args],
                         capture_output=True, text=True, env=os.environ)
    return run, time.monotonic() - started


@needs_verilator
@needs_iverilog
@needs_flow_tools
@require_tool("sta", "apt-get install opensta")
def test_full_run_then_everything_up_to_date(tmp_path):
    first, first_seconds = _run(tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    (manifest_path,) = tmp_path.glob("systolic-*/manifest.json")
    manifest = json.loads(manifest_path.read_text())
    stages = {s["name"]: s for s in manifest["stages"]}
    assert list(stages) == ["elaborate", "lint", "verify-rtl", "synthesize", "tile-fit",
                            "sta-pre", "verify-gl"]
    assert all(s["status"] == "passed" for s in stages.values()), \
        {n: s["reason"] for n, s in stages.items()}
    assert manifest["tapeflow_version"] and manifest["parameters"]["rows"] == 2

    metrics = {m["name"]: m for s in manifest["stages"] for m in s["metrics"]}
    value = {name: m["value"] for name, m in metrics.items()}
    # L5 architecture
    assert value["pe_count"] == value["peak_macs_per_cycle"] == 2
    assert value["sustained_macs_per_cycle_protocol"] == 2.0
    assert value["sustained_macs_per_cycle_measured"] >= 1.99
    assert value["storage_bits"] > 200 and value["io_input_bytes_per_cycle"] == 2.0
    # L6 verification
    assert value["rtl_tests_passed"] == value["rtl_tests_run"] == 7
    assert value["rtl_cycles_simulated"] > 10_000 and value["rtl_sim_cycles_per_second"] > 0
    assert value["functional_coverage_percent"] == 100.0
    assert value["gl_icarus_tests_passed"] == value["gl_icarus_tests_run"] == 7
    # L6/L7 synthesis, tile, timing
    assert value["cell_count"] > 500 and value["cell_area_um2"] > 5000
    assert value["registers"] >= 300 and value["area_flip_flops_um2"] > 0
    assert value["tile"] == value["smallest_tile"] == "1x2"
    assert 0 < value["tile_utilization"] <= 60
    assert value["fmax_typical_mhz"] > 50          # TT's 20 ns clock met at tt
    stat = json.loads((manifest_path.parent / "synthesize/stat.json").read_text())
    assert value["cell_count"] == next(iter(stat["modules"].values()))["num_cells"]
    for metric in metrics.values():
        assert metric["source"]
        if metric["file"]:
            assert (manifest_path.parent / metric["file"]).exists(), metric
    for stage in stages.values():
        for output in stage["outputs"]:
            assert (manifest_path.parent / output["path"]).exists()
    assert "verify-rtl" in first.stderr      # progress lines

    second, second_seconds = _run(tmp_path)
    assert second.returncode == 0
    again = json.loads(manifest_path.read_text())
    assert all(s["up_to_date"] for s in again["stages"])
    assert second.stderr.count("up to date") == 7
    assert second_seconds < 0.1 * first_seconds
