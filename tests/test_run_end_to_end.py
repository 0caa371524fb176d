"""`tapeflow run` on the default design, as the README's first command does."""

import json
import subprocess
import sys

import pytest

from .conftest import needs_verilator

pytestmark = pytest.mark.slow


@needs_verilator
def test_tapeflow_run_writes_a_complete_manifest(tmp_path):
    run = subprocess.run([sys.executable, "-m", "tapeflow.flows.cli", "run",
                          "--build-dir", str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    (manifest_path,) = tmp_path.glob("systolic-*/manifest.json")
    manifest = json.loads(manifest_path.read_text())
    stages = {s["name"]: s for s in manifest["stages"]}
    assert [s["name"] for s in manifest["stages"]] == ["elaborate", "lint", "verify-rtl"]
    assert all(s["status"] == "passed" for s in stages.values())
    assert manifest["tapeflow_version"] and manifest["parameters"]["rows"] == 2

    metrics = {m["name"]: m for s in manifest["stages"] for m in s["metrics"]}
    assert metrics["pe_count"]["value"] == 2
    assert metrics["peak_macs_per_cycle"]["value"] == 2
    assert metrics["sustained_macs_per_cycle_protocol"]["value"] == 2.0
    assert metrics["storage_bits"]["value"] > 200
    assert metrics["io_input_bytes_per_cycle"]["value"] == 2.0
    assert metrics["rtl_tests_passed"]["value"] == metrics["rtl_tests_run"]["value"] == 7
    assert metrics["rtl_cycles_simulated"]["value"] > 10_000
    assert metrics["rtl_sim_cycles_per_second"]["value"] > 0
    assert metrics["functional_coverage_percent"]["value"] == 100.0
    assert metrics["sustained_macs_per_cycle_measured"]["value"] >= 1.99
    for metric in metrics.values():
        assert metric["layer"] in {"L5", "L6"} and metric["source"]
        if metric["file"]:
            assert (manifest_path.parent / metric["file"]).exists(), metric
    for stage in stages.values():
        for output in stage["outputs"]:
            assert (manifest_path.parent / output["path"]).exists()
            assert len(output["sha256"]) == 64
    assert "verify-rtl" in run.stderr      # progress lines
