"""`tapeflow run` on the default design, as the README's first command does,
then again to see every stage up to date."""

import importlib.util
import io
import json
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tapeflow.flows.adapters.tools import which

from .conftest import needs_iverilog, needs_verilator, require_tool, tapeflow_run

needs_flow_tools = pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in ("siliconcompiler", "lambdapdk", "pyosys")),
    reason="siliconcompiler, lambdapdk or pyosys not installed (scripts/install.sh)")

pytestmark = [pytest.mark.slow, needs_verilator, needs_iverilog, needs_flow_tools,
              require_tool("sta", "apt-get install opensta")]


@pytest.fixture(scope="module")
def full_run(default_run):
    return default_run


def test_full_run_then_everything_up_to_date(full_run):
    tmp_path, first, first_seconds, manifest_path = full_run
    assert first.returncode == 0, first.stdout + first.stderr
    manifest = json.loads(manifest_path.read_text())
    stages = {s["name"]: s for s in manifest["stages"]}
    assert list(stages) == ["elaborate", "lint", "verify-rtl", "synthesize", "tile-fit",
                            "sta-pre", "verify-gl", "harden", "sta-post", "signoff",
                            "verify-gl-postroute"]
    before_layout = list(stages)[:7]
    assert all(stages[n]["status"] == "passed" for n in before_layout), \
        {n: s["reason"] for n, s in stages.items()}
    if which("openroad") is None:     # here: hardening ends as skipped, with the install hint
        assert stages["harden"]["status"] == "skipped"
        assert stages["harden"]["reason"].startswith("openroad not found on PATH")
        assert "sc-install openroad" in stages["harden"]["reason"]
        assert {stages[n]["reason"] for n in ("sta-post", "signoff", "verify-gl-postroute")
                } == {"needs harden, which did not pass"}
    else:                             # CI: the relocatable OpenROAD of ../shared
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
    assert value["rtl_cycles_simulated"] > 10_000 and value["rtl_cycles_per_second"] > 0
    assert value["functional_coverage_percent"] == 100.0
    assert value["gl_icarus_tests_passed"] == value["gl_icarus_tests_run"] == 7
    # L6/L7 synthesis, tile, timing
    assert value["cell_count"] > 500 and value["cell_area_um2"] > 5000
    assert value["registers"] >= 300 and value["area_flip_flops_um2"] > 0
    assert value["tile"] == value["smallest_tile"] == "1x2"
    assert 0 < value["tile_utilization"] <= 60
    # TinyTapeout's 20 ns clock met, setup and hold, at its three signoff corners
    for corner in ("tt_025C_1v80", "ss_100C_1v60", "ff_n40C_1v95"):
        assert value[f"setup_slack_{corner}_ns"] >= 0 and value[f"hold_slack_{corner}_ns"] >= 0
        assert value[f"fmax_{corner}_mhz"] > 50
        assert value[f"fmax_reg2reg_{corner}_mhz"] < value[f"fmax_io_{corner}_mhz"]
    assert value["timing_corner_set"] == "tt" and value["clock_mhz"] == 50
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
    # the closing screen: every stage, then the numbers a user looks for first
    summary = first.stdout.splitlines()
    assert sum(line.split()[:1] in ([name] for name in stages) for line in summary) \
        == len(stages)
    assert "  tile       1x2 at " in first.stdout
    assert "  tests      RTL 7/7, GL icarus 7/7" in first.stdout

    second, second_seconds = tapeflow_run(tmp_path)
    assert second.returncode == 0
    again = json.loads(manifest_path.read_text())
    assert all(s["up_to_date"] for s in again["stages"] if s["status"] == "passed")
    assert second.stderr.count("up to date") == sum(
        s["status"] == "passed" for s in stages.values())
    assert second_seconds < 0.1 * first_seconds


def test_report_of_the_run_traces_to_tool_reports(full_run):
    from tapeflow.flows.adapters.opensta import split_classes
    from tapeflow.reports.browser import chromium, images_loaded, page_height

    _, _, _, manifest_path = full_run
    run_dir = manifest_path.parent
    report = subprocess.run([sys.executable, "-m", "tapeflow.flows.cli", "report", str(run_dir)]
                            + (["--screenshot"] if chromium() else []),
                            capture_output=True, text=True)
    assert report.returncode == 0, report.stderr
    data = json.loads((run_dir / "report" / "report.json").read_text())
    metrics = {m["name"]: m for layer in data["layers"].values() for m in layer["metrics"]}
    for metric in metrics.values():
        assert metric["source"], metric
    # a few key values against the tool reports they came from
    fmax = metrics["fmax_reg2reg_ss_100C_1v60_mhz"]
    _, classes = split_classes((run_dir / fmax["file"]).read_text(), 20.0, 0.2)
    assert fmax["value"] == round(1000 / (20.0 - classes["reg2reg"].setup.slack_ns), 2)
    stat = json.loads((run_dir / metrics["cell_area_um2"]["file"]).read_text())
    assert metrics["cell_area_um2"]["value"] == round(
        next(iter(stat["modules"].values()))["area"], 3)
    junit = (run_dir / metrics["rtl_tests_run"]["file"]).read_text()
    assert metrics["rtl_tests_run"]["value"] == junit.count("<testcase")
    assert (run_dir / "report" / "report.md").exists()
    # the first screen's answers are the manifest's numbers
    verdict = {v["question"]: v for v in data["verdict"]}
    assert verdict["Does it fit a tile?"]["answer"].startswith(
        f"tile {metrics['tile']['value']} at {metrics['tile_utilization']['value']} %")
    assert verdict["Do the tests pass?"]["answer"].startswith(
        f"RTL {metrics['rtl_tests_passed']['value']}/{metrics['rtl_tests_run']['value']}")
    if chromium():
        loaded, total = images_loaded(run_dir / "report" / "report.html")
        assert loaded == total >= 4
        png = (run_dir / "report" / "report.png").read_bytes()
        width, height = struct.unpack(">II", png[16:24])
        # the whole page, at its real height: never a cut
        assert (width, height) == (1200, page_height(run_dir / "report" / "report.html"))


def test_compare_with_a_larger_array(full_run):
    from tapeflow.designs.systolic.spec import SystolicSpec
    from tapeflow.flows.engine.execute import execute
    from tapeflow.flows.adapters.pdk import pdk_root_setting
    from tapeflow.flows.engine.progress import Progress
    from tapeflow.flows.engine.settings import RunSettings
    from tapeflow.flows.stages import Elaborate, Synthesize, TileFit

    build, _, _, manifest_path = full_run
    larger, _ = execute("systolic", SystolicSpec(rows=4),
                        RunSettings(build_root=build, pdk_root=pdk_root_setting(None)),
                        [Elaborate(), Synthesize(), TileFit()], Progress(io.StringIO()))
    compare = subprocess.run([sys.executable, "-m", "tapeflow.flows.cli", "report",
                              str(manifest_path.parent), str(larger)],
                             capture_output=True, text=True)
    assert compare.returncode == 0, compare.stderr
    lines = {line.split()[1]: line for line in compare.stdout.splitlines()
             if line[:2] == "L5" or line[:2] == "L7"}
    assert "+100.0" in lines["peak_macs_per_cycle"]
    assert "+" in lines["cell_area_um2"].split()[4]


README = Path(__file__).resolve().parents[1] / "README.md"


def readme_number(pattern: str) -> tuple[str, ...]:
    """The groups of ``pattern`` in the README's text (line breaks as spaces)."""
    text = " ".join(README.read_text().split())
    match = re.search(pattern, text)
    assert match, f"the README no longer says {pattern!r}"
    return match.groups()


def test_readme_states_what_the_default_run_measures(full_run):
    """The README's numbers for the default design come from a run: this one."""
    _, _, _, manifest_path = full_run
    value = {m["name"]: m["value"] for s in json.loads(manifest_path.read_text())["stages"]
             for m in s["metrics"]}
    cells, area, flops, tile, used = readme_number(
        r"([\d,]+) cells, ([\d,]+) µm², (\d+) flip-flops, tile (\dx\d) at (\d+) %")
    assert int(cells.replace(",", "")) == value["cell_count"]
    assert int(area.replace(",", "")) == round(value["cell_area_um2"])
    assert int(flops) == value["registers"]
    assert tile == value["tile"] and int(used) == round(value["tile_utilization"])
    setup, = readme_number(r"setup slack ≥ \+([\d.]+) ns \(at ss_100C_1v60")
    assert min(value[f"setup_slack_{c}_ns"] for c in ("tt_025C_1v80", "ss_100C_1v60",
                                                     "ff_n40C_1v95")) == pytest.approx(
        float(setup), abs=0.005) == value["setup_slack_ss_100C_1v60_ns"]
    hold, = readme_number(r"hold ≥ \+([\d.]+) ns \(ff_n40C_1v95\)")
    assert value["hold_slack_ff_n40C_1v95_ns"] == pytest.approx(float(hold), abs=0.0005)
    folder, = readme_number(r"for example `build/(systolic-[\w-]+)/` for the default design")
    assert manifest_path.parent.name == folder
    fmax, = readme_number(r"register-to-register fmax is ([\d.]+) MHz")
    assert value["fmax_reg2reg_ss_100C_1v60_mhz"] == pytest.approx(float(fmax), abs=0.05)
