"""The full hardening path, where OpenROAD is installed (CI: ../shared's
relocatable builds): `tapeflow run` on the default design through harden,
routed timing at TinyTapeout's corners, signoff and post-route GL simulation;
the TT bundle through TinyTapeout's own precheck.py and tapeflow's; LVS
against a broken netlist; a 1x1 configuration into a 1x1 tile.

One hardened run of each design serves every test of this file."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import needs_iverilog, require_tool, tapeflow_run

OPENROAD_HINT = "see `tapeflow doctor` for OpenROAD install options"
TOP = "tt_um_tapeflow_systolic"
README = Path(__file__).resolve().parents[1] / "README.md"


def readme_example(says: str) -> tuple[list[str], str]:
    """(the arguments, the tile it names) of the README's `tapeflow run`
    example whose comment says ``says``."""
    line = next(line for line in README.read_text().splitlines()
                if "tapeflow run" in line and says in line)
    arguments, comment = line.split("tapeflow run", 1)[1].split("#", 1)
    return arguments.split(), re.search(r"(\d+x\d+) tile", comment).group(1)

pytestmark = [pytest.mark.slow, pytest.mark.openroad, needs_iverilog,
              require_tool("openroad", OPENROAD_HINT),
              require_tool("klayout", "apt-get install klayout"),
              require_tool("magic", "magic >= 8.3.196, see `tapeflow doctor`"),
              require_tool("netgen", "netgen >= 1.5.192, see `tapeflow doctor`"),
              require_tool("sta", "OpenSTA 3.x, comes with OpenROAD")]


def tapeflow(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tapeflow.flows.cli", *args],
                          capture_output=True, text=True)


def finished(run, manifest_path: Path) -> tuple[Path, dict, dict]:
    """(run folder, stages by name, metric values by name) of a run that exited 0."""
    stages = {s["name"]: s for s in json.loads(manifest_path.read_text())["stages"]}
    assert run.returncode == 0, {n: s["reason"] for n, s in stages.items()}
    values = {m["name"]: m["value"] for s in stages.values() for m in s["metrics"]}
    return manifest_path.parent, stages, values


@pytest.fixture(scope="module")
def hardened_default(default_run):
    """The session's default run (conftest), hardened here."""
    _build, run, _seconds, manifest_path = default_run
    return finished(run, manifest_path)


@pytest.fixture(scope="module")
def packaged(hardened_default):
    run_dir = hardened_default[0]
    package = tapeflow("package", str(run_dir), "--title", "MAC", "--author", "tapeflow")
    assert package.returncode == 0, package.stderr
    return run_dir / "tt_project"


def test_every_stage_passes_and_signs_off(hardened_default):
    _run_dir, stages, value = hardened_default
    assert {n: s["status"] for n, s in stages.items()} == {n: "passed" for n in stages}
    assert value["tile"] == "1x2"
    assert value["drc_errors"] == 0
    assert value["lvs_errors"] == 0 and value["lvs_pin_mismatches"] == 0
    assert value["postroute_antenna_nets"] == 0
    assert value["postroute_route_drcs"] == 0
    assert value["postroute_gl_icarus_tests_passed"] == value["postroute_gl_icarus_tests_run"]
    # TinyTapeout's three PVT corners, each with min/nom/max interconnect
    assert value["signoff_corners"] == 9
    assert value["routed_worst_setup_slack_ns"] >= 0
    assert value["routed_worst_hold_slack_ns"] >= 0
    assert "magic 8.3" in json.dumps(stages["signoff"]["metrics"])


def test_drvs_are_each_listed(hardened_default):
    run_dir, _stages, value = hardened_default
    corners = json.loads((run_dir / "sta-post" / "timing.json").read_text())["corners"]
    assert sum(len(c["drv_violators"]) for c in corners.values()) == value["routed_drvs"]
    for name, corner in corners.items():
        assert value[f"routed_drvs_{name}_violations"] == len(corner["drv_violators"])


def test_lvs_compares_every_cell_pin_and_port_by_name(hardened_default):
    run_dir, _stages, value = hardened_default
    summary = json.loads((run_dir / "signoff" / "signoff.json").read_text())
    assert summary["lvs_match"] and "black boxes" in summary["lvs_level"]
    assert summary["lvs_devices"][0] == summary["lvs_devices"][1] > 1000
    netlist = (run_dir / "harden" / f"{TOP}.v").read_text()
    assert ".VPB(VPWR)" in netlist and ".VNB(VGND)" in netlist
    # every port's net carries the port's name, so are the GDS pin labels
    assert not re.search(r"assign\s+uio_(out|oe)\[\d\]\s*=\s*net", netlist)
    import gdstk
    layout = gdstk.read_gds(str(run_dir / "harden" / f"{TOP}.gds"))
    top = next(c for c in layout.top_level() if c.name == TOP)
    labels = {label.text for label in top.labels}
    assert {f"uio_out[{i}]" for i in range(8)} <= labels
    assert {f"uio_oe[{i}]" for i in range(8)} <= labels


def test_lvs_fails_on_one_swapped_connection(hardened_default, tmp_path, pdk_root):
    from tapeflow.flows.adapters.lvs import run_lvs
    from tapeflow.flows.adapters.pdk import cell_library, cell_netlists, magic_tech, netgen_setup
    from tapeflow.flows.adapters.tools import executable, tool_named

    run_dir = hardened_default[0]
    netlist = (run_dir / "harden" / f"{TOP}.v").read_text()
    # one edge-enabled flip-flop with its data and enable pins exchanged
    flop = re.search(r"(sky130_fd_sc_hd__edfxtp_1 (\S+) \(\.D\()([^)]*)(\),\s*\.DE\()([^)]*)\)",
                     netlist)
    assert flop, "the routed netlist has an edfxtp_1 with .D then .DE"
    broken = netlist.replace(flop.group(0), flop.group(1) + flop.group(5) + flop.group(4)
                             + flop.group(3) + ")", 1)
    (tmp_path / "broken.v").write_text(broken)
    root = pdk_root
    result = run_lvs(run_dir / "harden" / f"{TOP}.gds", tmp_path / "broken.v", TOP,
                     magic_tech(root), cell_netlists(cell_library(root)), netgen_setup(root),
                     tmp_path / "lvs", netgen=executable(tool_named("netgen")))
    assert not result.matched and result.mismatches > 0
    # netgen names the flip-flop (its report columns cut long names)
    assert flop.group(2)[:30] in result.report.read_text()


def test_tinytapeout_precheck_passes_the_bundle_and_tapeflow_agrees(packaged, pdk_root,
                                                                      tmp_path):
    from tapeflow.flows.adapters.pdk import layer_properties, magic_tech
    from tapeflow.tapeout.precheck import run_precheck
    from tapeflow.tapeout.tt_reference import reference_python, run_reference_precheck

    bundle = packaged / "tt_submission"
    pdk = json.loads((bundle / "pdk.json").read_text())
    assert pdk["PDK"] == "sky130A" and pdk["PDK_VERSION"] and pdk["PDK_SOURCE"]
    ours = run_precheck(bundle, layer_properties(pdk_root), magic_tech(pdk_root),
                        tmp_path / "ours")
    assert [r.name for r in ours if r.status != "passed"] == []
    if reference_python() is None:
        pytest.skip("TinyTapeout's precheck.py needs .venv-ttprecheck (scripts/install.sh)")
    copy = tmp_path / "submission"          # precheck.py walks up to info.yaml
    shutil.copytree(packaged, copy, ignore=shutil.ignore_patterns("test"))
    theirs = run_reference_precheck(copy / "tt_submission" / f"{TOP}.gds",
                                    layer_properties(pdk_root), magic_tech(pdk_root))
    assert theirs.failed == {}, theirs.log[-3000:]
    assert len(theirs.passed) >= 15


def test_tinytapeout_test_step_passes_on_rtl_and_the_routed_gates(packaged, pdk_root,
                                                                   tmp_path):
    """The "Run tests" step of the folder's own TinyTapeout workflow, verbatim
    (cd test; make clean; make; ! grep failure results.xml), on the RTL and
    with GATES=yes on the submission's powered netlist, as TT's GL action runs it."""
    from tapeflow.flows.adapters.pdk import cell_library, simulation_models
    from tapeflow.tapeout.tt_actions import cell_models_root, run_test_step, step_venv

    if step_venv() is None:
        pytest.skip("TinyTapeout's test packages are not installed (scripts/install.sh "
                    "makes .venv-tttest from the template's test/requirements.txt)")
    folder = tmp_path / "project"
    shutil.copytree(packaged, folder)
    rtl = run_test_step(folder)
    assert rtl.returncode == 0, rtl.output[-3000:]
    models = cell_models_root(simulation_models(cell_library(pdk_root)), tmp_path / "pdk")
    gates = run_test_step(folder, folder / "tt_submission" / f"{TOP}.v", models)
    assert gates.returncode == 0, gates.output[-3000:]
    assert "-DGL_TEST" in gates.output and "TESTS=3 PASS=3 FAIL=0" in gates.output


def test_package_refuses_a_run_whose_signoff_failed(hardened_default, tmp_path):
    run_dir = hardened_default[0]
    copy = tmp_path / run_dir.name
    shutil.copytree(run_dir, copy, ignore=shutil.ignore_patterns("sc", "tt_project"))
    manifest = json.loads((copy / "manifest.json").read_text())
    signoff = next(s for s in manifest["stages"] if s["name"] == "signoff")
    signoff["status"], signoff["reason"] = "failed", "signoff found 1 LVS mismatches"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    package = tapeflow("package", str(copy), "--title", "MAC", "--author", "tapeflow")
    assert package.returncode == 1
    assert package.stderr.count("\n") == 1 and "signoff: failed" in package.stderr
    assert not (copy / "tt_project").exists()


def test_one_by_one_configuration_hardens_into_a_1x1_tile(tmp_path):
    """The README's example, as it is written there, does what its comment says."""
    arguments, tile = readme_example("signs off in a 1x1 tile")
    assert arguments == ["--set", "rows=1", "--set", "fold=1"] and tile == "1x1"
    run, _seconds = tapeflow_run(tmp_path, *arguments)
    (manifest_path,) = tmp_path.glob("systolic-*/manifest.json")
    _run_dir, stages, value = finished(run, manifest_path)
    assert value["tile"] == tile
    assert stages["signoff"]["status"] == "passed"
    assert value["drc_errors"] == 0 and value["lvs_errors"] == 0
    assert value["routed_worst_setup_slack_ns"] >= 0
    assert value["routed_worst_hold_slack_ns"] >= 0
    assert_hardened_row("1x1", "int8", value)     # the same point: rows=1 cols=1 fold=1


_HARDENED_ROW = re.compile(r"^\| (\dx\d) \| (int\d) \| ([\d.]+) \| \+([\d.]+) / \+([\d.]+) ns \| "
                           r"([\d.]+) % \|$")


def assert_hardened_row(tile: str, operands: str, value: dict) -> None:
    """A row of the README's table of hardened best-per-tile points equals
    this run's routed numbers, to the digits printed."""
    rows = {match.group(1, 2): match.groups()[2:] for line in README.read_text().splitlines()
            if (match := _HARDENED_ROW.match(line))}
    fmax, setup, hold, placed = (float(x) for x in rows[(tile, operands)])
    assert value["routed_min_fmax_mhz"] == pytest.approx(fmax, abs=0.0501)
    assert value["routed_worst_setup_slack_ns"] == pytest.approx(setup, abs=0.00501)
    assert value["routed_worst_hold_slack_ns"] == pytest.approx(hold, abs=0.000501)
    assert value["postroute_utilization_pct"] == pytest.approx(placed, abs=0.0501)


def test_int4_reaches_2_macs_per_cycle_in_a_1x1_tile(tmp_path):
    """The README's answer to "2 MACs/cycle per tile?": int4 does, hardened
    in a 1x1 with the routed numbers the README's table gives."""
    run, _seconds = tapeflow_run(tmp_path, "--set", "rows=1", "--set", "cols=2", "--set",
                                 "fold=1", "--set", "in_width=4", "--until", "sta-post")
    (manifest_path,) = tmp_path.glob("systolic-*/manifest.json")
    _run_dir, _stages, value = finished(run, manifest_path)
    assert value["tile"] == "1x1" and value["sustained_macs_per_cycle_measured"] >= 1.99
    assert_hardened_row("1x1", "int4", value)
