"""Any TinyTapeout project: `tapeflow run --project DIR` on the real
projects in ../shared/tt-projects (read in place, never copied into the
repository), checked against what their info.yaml and INDEX.md state."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from .conftest import needs_iverilog, require_tool, tapeflow_run
from tapeflow.flows.adapters.powered_netlist import power_netlist
from tapeflow.flows.adapters.tt_test import add_write_permission, count_asserts, parse_results
from tapeflow.flows.cli import main
from tapeflow.flows.stages import PROJECT_FLOW
from tapeflow.flows.stages.project import memory_arrays, pins_used

PROJECTS = Path(__file__).resolve().parents[2] / "shared" / "tt-projects"
TEMPLATE = PROJECTS / "TinyTapeout__ttsky-verilog-template"
MINI_TPU = PROJECTS / "RickGao__Mini-TPU"
PURDUE = PROJECTS / "Purdue-SoCET__ttsky25b-intro-ii-matrix-mult"
needs_projects = pytest.mark.skipif(not PROJECTS.is_dir(),
                                    reason=f"no TinyTapeout projects at {PROJECTS}")
needs_openroad = require_tool("openroad", "../shared/openroad/bin on PATH (scripts/install.sh)")


def filled_template(dest: Path) -> Path:
    """TinyTapeout's template with what its info.yaml leaves for the user to
    fill (title, author, description, one pin): the template as a user's
    first commit has it."""
    shutil.copytree(TEMPLATE, dest, ignore=shutil.ignore_patterns("sim_build", "results.xml"))
    add_write_permission(dest)            # ../shared comes without write bits in CI
    info = dest / "info.yaml"
    text = info.read_text()
    for key, value in (("title", "Counter"), ("author", "A. User"),
                       ("description", "the template's counter")):
        text = re.sub(rf'^(\s*{key}:\s*)""', rf'\g<1>"{value}"', text, count=1, flags=re.M)
    text = re.sub(r'^(\s*uo\[0\]:\s*)""', r'\g<1>"count 0"', text, count=1, flags=re.M)
    info.write_text(text)
    return dest


def errors_of(capsys) -> list[str]:
    return capsys.readouterr().err.strip().splitlines()


# -- bad projects: one line each, exit 2, before any tool -----------------

@needs_projects
def test_the_unfilled_template_stops_with_tinytapeouts_own_messages(tmp_path, capsys):
    assert main(["run", "--project", str(TEMPLATE), "--build-dir", str(tmp_path)]) == 2
    lines = errors_of(capsys)
    assert [line.rsplit("info.yaml: ", 1)[-1] for line in lines] == [
        "Project title cannot be empty", "Project author cannot be empty",
        "Project description cannot be empty", "Please fill in the 'pinout' section"]
    assert not list(tmp_path.iterdir())           # nothing ran, nothing written


@pytest.mark.parametrize("edit, expected", [
    (lambda d: (d / "info.yaml").unlink(), "no info.yaml, so not a TinyTapeout project"),
    (lambda d: _replace(d / "info.yaml", 'top_module:  "tt_um_example"', 'top_module:  "example"'),
     "Top module must start with 'tt_um_'"),
    (lambda d: _replace(d / "info.yaml", '"project.v"', '"nothere.v"'),
     "nothere.v doesn't exist in the repo"),
    (lambda d: _replace(d / "info.yaml", 'top_module:  "tt_um_example"',
                        'top_module:  "tt_um_other"'),
     "module tt_um_other is not in its source_files"),
    (lambda d: _replace(d / "src" / "project.v", "input  wire       rst_n",
                        "input  wire       reset"), "rst_n missing"),
    (lambda d: (d / "test" / "Makefile").unlink(), "no test/Makefile"),
    (lambda d: _replace(d / "info.yaml", "clock_hz:     0", "clock_hz:     100"),
     "a clock period of 1e+07 ns"),
])
@needs_projects
def test_what_is_no_runnable_tt_project_is_one_line_and_exit_2(tmp_path, capsys, edit,
                                                                expected):
    project = filled_template(tmp_path / "project")
    edit(project)
    assert main(["run", "--project", str(project), "--build-dir", str(tmp_path / "b")]) == 2
    lines = errors_of(capsys)
    assert len(lines) == 1 and expected in lines[0], lines
    assert not (tmp_path / "b").exists()


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


@needs_projects
def test_project_takes_no_design_parameters(tmp_path, capsys):
    assert main(["run", "--project", str(MINI_TPU), "--set", "rows=2",
                 "--build-dir", str(tmp_path)]) == 2
    assert "leave out --design, --set and --config" in errors_of(capsys)[0]


@needs_projects
def test_until_names_a_stage_of_the_projects_flow(tmp_path, capsys):
    assert main(["run", "--project", str(MINI_TPU), "--until", "verify-rtl",
                 "--build-dir", str(tmp_path)]) == 2
    assert "this flow's stages are elaborate, lint, test-rtl" in errors_of(capsys)[0]


def test_the_project_flow_reads_only_what_it_declares():
    names = [stage.name for stage in PROJECT_FLOW]
    assert names == ["elaborate", "lint", "test-rtl", "synthesize", "tile-fit", "profile",
                     "sta-pre", "test-gl", "harden", "sta-post", "signoff",
                     "test-gl-postroute"]
    for stage in PROJECT_FLOW:      # Stage checks reads ⊆ needs when the class is made
        assert all(read.partition(".")[0] in stage.needs for read in stage.reads)


# -- the pieces, on small inputs --------------------------------------------

YOSYS_NETLIST = """\
module tt_um_x(ui_in, uo_out, clk);
  (* src = "a.v:1" *)
  input [7:0] ui_in;
  wire [7:0] ui_in;
  output [7:0] uo_out;
  wire [7:0] uo_out;
  input clk;
  wire \\odd/name[1] ;
  (* keep *)
  sky130_fd_sc_hd__inv_1 _1_ (
    .A(ui_in[3]),
    .Y(uo_out[0])
  );
  sky130_fd_sc_hd__conb_1 _2_ (
    .HI(_5_),
    .LO(uo_out[1])
  );
  sky130_fd_sc_hd__dfxtp_1 \\odd/name[1]_reg  (
    .CLK(clk),
    .D(ui_in[4]),
    .Q(uo_out[2])
  );
  assign uo_out[3] = 1'h0;
  assign uo_out[4] = uo_out[2];
endmodule
"""
PINS = {"sky130_fd_sc_hd__inv_1": ["A", "VGND", "VNB", "VPB", "VPWR", "Y"],
        "sky130_fd_sc_hd__conb_1": ["HI", "LO", "VGND", "VNB", "VPB", "VPWR"],
        "sky130_fd_sc_hd__dfxtp_1": ["CLK", "D", "VGND", "VNB", "VPB", "VPWR", "Q"]}


def test_every_cell_of_a_yosys_netlist_gets_its_supplies_and_wells():
    """An attribute line before an instance once passed for the "(" of a
    `wire x;` line, and that instance stayed unpowered: X at gate level."""
    powered = power_netlist(YOSYS_NETLIST, "tt_um_x", PINS)
    assert powered.startswith("module tt_um_x(VPWR, VGND, ui_in, uo_out, clk);\n"
                              "  inout VPWR;\n  inout VGND;")
    for name in ("_1_", "_2_", "\\odd/name[1]_reg"):
        body = powered.split(name, 1)[1].split(");", 1)[0]
        assert all(f".{pin}({net})" in body for pin, net in
                   (("VPWR", "VPWR"), ("VGND", "VGND"), ("VPB", "VPWR"), ("VNB", "VGND")))
    assert powered.count(".VPWR(VPWR)") == 3


def test_pins_used_reads_inputs_and_unconstant_outputs():
    used = pins_used(YOSYS_NETLIST)
    assert used["ui_in"] == [3, 4]
    assert used["uo_out"] == [0, 2, 4, 5, 6, 7]   # 1 is a tie cell, 3 a constant
    # (5..7 are not assigned at all in this fragment: only ties and constants are unused)


def test_memory_arrays_are_the_unpacked_arrays():
    source = "reg [7:0] mem [0:15];\n// reg [3:0] old [0:3];\nlogic [1:0] q;\nwire w [2];\n"
    assert memory_arrays(source) == ["mem", "w"]


def test_results_xml_counts_and_failing_names(tmp_path):
    xml = tmp_path / "results.xml"
    xml.write_text('<testsuites><testsuite name="t">'
                   '<testcase name="test_a"/><testcase name="test_b"><failure/></testcase>'
                   '<testcase name="test_c"><skipped/></testcase></testsuite></testsuites>')
    assert parse_results(xml) == (3, ["test_b"], 1)


def test_a_read_only_project_is_copied_writable(tmp_path):
    """CI's ../shared and a user's checkout may be read-only; make writes
    sim_build/ and results.xml into the copy's test/."""
    from tapeflow.flows.adapters.tt_test import copy_project
    source = tmp_path / "p"
    for part in ("src", "test"):
        (source / part).mkdir(parents=True)
        (source / part / "f.v").write_text("module m; endmodule\n")
    (source / "test" / "results.xml").write_text("<old/>")      # generated: left behind
    for path in [*source.rglob("*"), source]:
        path.chmod(path.stat().st_mode & ~0o222)
    copy = copy_project(source, tmp_path / "copy")
    assert not (copy / "test" / "results.xml").exists()
    for path in [copy / "test", copy / "test" / "f.v", copy / "src"]:
        assert path.stat().st_mode & 0o200


def test_a_hanging_test_is_stopped_with_the_simulator_it_started(tmp_path, monkeypatch):
    """make's child (the simulator) holds the output pipe open: the timeout
    must stop the whole group, or the stage waits forever."""
    from tapeflow.flows.adapters import tt_test
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "Makefile").write_text(
        "all:\n\tsh -c 'sleep 600'\nclean:\n\t@true\n")
    monkeypatch.setattr(tt_test, "TEST_TIMEOUT_S", 1)
    result = tt_test.run_tt_test(tmp_path, tmp_path / "test.log")
    assert result.results_xml is None and result.returncode != 0
    assert "tapeflow: stopped after 1 s" in (tmp_path / "test.log").read_text()


@needs_projects
def test_asserts_are_counted_in_the_modules_the_makefile_runs():
    assert count_asserts(TEMPLATE / "test") == 1
    assert count_asserts(PURDUE / "test") == 0       # its one assert is commented out
    assert count_asserts(MINI_TPU / "test") == 0     # checks by log only (INDEX.md)


# -- real projects through synthesis, tile-fit, timing, both test levels --

#: README's table: info.yaml's tiles, INDEX.md's own-test result (1/1 pass), and
#: what synthesis and pre-layout timing gave here (cells, flip-flops, area um^2,
#: fmax at tt / ss / ff MHz: reg-to-reg, or the IO paths of a design without registers)
STATED = {"template": ("1x1", 1, 41, 0, 322, (186, 94, 308)),
          "mini-tpu": ("2x2", 1, 4508, 580, 39976, (153, 79, 242)),
          "purdue": ("1x1", 1, 628, 135, 6708, (295, 154, 469))}
CORNERS = ("tt_025C_1v80", "ss_100C_1v60", "ff_n40C_1v95")


@pytest.fixture(scope="module")
def project_runs(tmp_path_factory):
    """Each project through test-gl once per session: {key: (process, manifest)}."""
    build = tmp_path_factory.mktemp("projects")
    folders = {"template": filled_template(build / "template"), "mini-tpu": MINI_TPU,
               "purdue": PURDUE}
    runs = {}
    for key, folder in folders.items():
        process, _ = tapeflow_run(build / "runs", "--project", str(folder), "--until",
                                  "test-gl")
        top = re.search(r'top_module:\s*"(\w+)"', (folder / "info.yaml").read_text()).group(1)
        manifest = next((build / "runs").glob(f"tt-project-{top.removeprefix('tt_um_')}-*"
                                              f"/manifest.json"))
        runs[key] = (process, json.loads(manifest.read_text()))
    return runs


def metric(manifest: dict, name: str):
    return next(m["value"] for s in manifest["stages"] for m in s["metrics"]
                if m["name"] == name)


@pytest.mark.slow
@needs_projects
@needs_iverilog
@pytest.mark.parametrize("key", sorted(STATED))
def test_a_real_project_runs_through_both_test_levels(project_runs, key):
    process, manifest = project_runs[key]
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-2000:]
    statuses = {s["name"]: s["status"] for s in manifest["stages"]}
    assert set(statuses.values()) == {"passed"}, statuses
    tile, tests, cells, flops, area, fmax = STATED[key]
    assert metric(manifest, "declared_tile") == tile
    assert metric(manifest, "tile") == tile            # it fits what it declares
    assert metric(manifest, "cell_count") == cells
    assert metric(manifest, "registers") == flops
    assert round(metric(manifest, "cell_area_um2")) == area
    assert metric(manifest, "rtl_tests_run") == metric(manifest, "rtl_tests_passed") == tests
    assert metric(manifest, "gl_tests_run") == metric(manifest, "gl_tests_passed") == tests
    kind = "reg2reg_" if flops else ""
    assert tuple(round(metric(manifest, f"fmax_{kind}{corner}_mhz"))
                 for corner in CORNERS) == fmax
    for corner in CORNERS:
        assert metric(manifest, f"setup_slack_{corner}_ns") > 0
        assert metric(manifest, f"hold_slack_{corner}_ns") > 0


@pytest.mark.slow
@needs_projects
@needs_iverilog
def test_a_test_without_asserts_is_said_to_be_weak(project_runs):
    _, manifest = project_runs["purdue"]
    test_rtl = next(s for s in manifest["stages"] if s["name"] == "test-rtl")
    assert any("no assert" in warning for warning in test_rtl["warnings"])


@pytest.mark.slow
@needs_projects
@needs_iverilog
def test_a_failing_test_is_reported_by_name(tmp_path):
    project = filled_template(tmp_path / "broken")
    _replace(project / "test" / "test.py", "assert dut.uo_out.value == 50",
             "assert dut.uo_out.value == 51")
    process, _ = tapeflow_run(tmp_path / "b", "--project", str(project), "--until", "test-rtl")
    said = process.stdout + process.stderr
    assert process.returncode == 1
    assert "test-rtl failed in" in said
    assert "1 of 1 test(s) failed: test_project (see" in said


#: README: the routed reg-to-reg fmax (nominal RC) at tt / ss / ff, MHz
ROUTED = {"purdue": (282, 143, 457), "template": None}


@pytest.mark.slow
@needs_projects
@needs_iverilog
@needs_openroad
@pytest.mark.parametrize("key", sorted(ROUTED))
def test_a_project_hardens_packages_and_passes_precheck(tmp_path, pdk_root, key):
    """A project through hardening, signoff and its own test on the routed
    netlist (Purdue's read in place, read-only to the flow); the package is
    what TinyTapeout's GDS action uploads, and both tapeflow's precheck and
    TinyTapeout's precheck.py pass it."""
    project = PURDUE if key == "purdue" else filled_template(tmp_path / "template")
    process, _ = tapeflow_run(tmp_path / "b", "--project", str(project))
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-2000:]
    run = next((tmp_path / "b").glob("tt-project-*"))
    manifest = json.loads((run / "manifest.json").read_text())
    assert metric(manifest, "postroute_gl_tests_passed") == 1
    assert metric(manifest, "drc_errors") == metric(manifest, "lvs_errors") == 0
    if ROUTED[key]:
        routed = tuple(metric(manifest, f"routed_fmax_reg2reg_nom_{corner}_mhz")
                       for corner in CORNERS)
        assert routed == pytest.approx(ROUTED[key], rel=0.02)
    assert main(["package", str(run)]) == 0
    package = run / "tt_package"
    top = manifest["parameters"]["top_name"]
    assert {p.name for p in (package / "tt_submission").iterdir()} >= {
        f"{top}.gds", f"{top}.lef", f"{top}.v", "pdk.json", "stats"}
    assert main(["precheck", str(package / "tt_submission")]) == 0
    assert main(["report", str(run)]) == 0
    verdicts = (run / "report" / "report.md").read_text()
    assert "| TinyTapeout precheck? | ✅ |" in verdicts
    from tapeflow.flows.adapters.pdk import layer_properties, magic_tech
    from tapeflow.tapeout.tt_reference import reference_python, run_reference_precheck
    if reference_python() is None:
        pytest.skip("TinyTapeout's precheck.py needs .venv-ttprecheck (scripts/install.sh)")
    theirs = run_reference_precheck(package / "tt_submission" / f"{top}.gds",
                                    layer_properties(pdk_root), magic_tech(pdk_root))
    assert theirs.failed == {}, theirs.log[-3000:]
    assert len(theirs.passed) >= 15


@pytest.mark.slow
@needs_projects
def test_a_project_declaring_too_small_a_tile_is_warned_and_fitted(tmp_path):
    """Mini-TPU (2x2 in its info.yaml) declared 1x2: tile-fit says so, names
    the smallest tile that fits, and the flow goes on in that one."""
    project = tmp_path / "mini-tpu"
    shutil.copytree(MINI_TPU, project)
    add_write_permission(project)
    _replace(project / "info.yaml", 'tiles: "2x2"', 'tiles: "1x2"')
    process, _ = tapeflow_run(tmp_path / "b", "--project", str(project), "--until", "tile-fit")
    assert process.returncode == 0, process.stdout[-2000:] + process.stderr[-2000:]
    said = process.stdout + process.stderr
    assert 'warning: info.yaml declares tiles: "1x2" but the design needs 2x2' in said
    manifest = json.loads(next((tmp_path / "b").glob("tt-project-tpu-*/manifest.json"))
                          .read_text())
    assert metric(manifest, "declared_tile") == "1x2" and metric(manifest, "tile") == "2x2"
