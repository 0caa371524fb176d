"""info.yaml rules and the TinyTapeout project folder."""

import copy
import io
import json

import pytest
import yaml

from tapeflow.designs.systolic.pinout import pinout
from tapeflow.designs.systolic.spec import SystolicSpec
from tapeflow.flows.cli import main
from tapeflow.tapeout.info_yaml import (MetadataError, ProjectMetadata, build_info,
                                        check_metadata, validate_info)
from tapeflow.tapeout.tt_actions import run_test_step, step_script, step_venv

from .conftest import needs_iverilog


@pytest.fixture
def info():
    return build_info(ProjectMetadata("Systolic MAC", "Jane Doe", "int8 MAC array"),
                      "tt_um_tapeflow_systolic", "project.v", 50_000_000, "1x2",
                      pinout(SystolicSpec()))


def test_generated_info_is_valid(info):
    assert validate_info(info) == []
    assert info["yaml_version"] == 6 and info["project"]["language"] == "Amaranth"
    assert len(info["pinout"]) == 24 and all(info["pinout"].values())


@pytest.mark.parametrize("change, message", [
    (lambda i: i.update(yaml_version=5), "Unsupported YAML version"),
    (lambda i: i["project"].update(title=""), "Project title cannot be empty"),
    (lambda i: i["project"].pop("author"), "Missing key 'author' in 'project' section"),
    (lambda i: i["project"].update(clock_hz="50MHz"), "'clock_hz' in 'project' section, "
                                                      "must be an integer"),
    (lambda i: i["project"].update(tiles="7x7"), "Invalid value for 'tiles'"),
    (lambda i: i["project"].update(top_module="my_top"), "must start with 'tt_um_'"),
    (lambda i: i["project"].update(source_files=[]), "No source files specified"),
    (lambda i: i["project"].update(uses_3v3=True), "3v3"),
    (lambda i: i["project"].update(language="Wokwi"), "Missing key 'wokwi_id'"),
    (lambda i: i["pinout"].pop("uio[7]"), "Missing 'uio[7]' in 'pinout' section"),
    (lambda i: i["pinout"].update({"ui[8]": "x"}), "Invalid keys ['ui[8]']"),
    (lambda i: i["pinout"].update({k: "" for k in i["pinout"]}),
     "Please fill in the 'pinout' section"),
    (lambda i: i.pop("pinout"), "Missing 'pinout' section"),
])
def test_each_rule(info, change, message):
    broken = copy.deepcopy(info)
    change(broken)
    problems = validate_info(broken)
    assert any(message in p for p in problems), problems


def test_check_info_reports_template_text_and_bad_yaml(tmp_path, info, capsys):
    (tmp_path / "docs").mkdir()
    (tmp_path / "info.yaml").write_text(yaml.safe_dump(info))
    (tmp_path / "docs" / "info.md").write_text("## How it works\n\nExplain how your project works\n")
    assert main(["check-info", str(tmp_path)]) == 1
    assert "Missing 'How it works' section in docs/info.md" in capsys.readouterr().out
    (tmp_path / "docs" / "info.md").write_text("## How it works\n\nA MAC array.\n")
    assert main(["check-info", str(tmp_path / "info.yaml")]) == 1    # no src/project.v
    assert "project.v doesn't exist in the repo" in capsys.readouterr().out
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "project.v").write_text("module tt_um_tapeflow_systolic(); endmodule\n")
    assert main(["check-info", str(tmp_path / "info.yaml")]) == 0
    (tmp_path / "info.yaml").write_text("project: [unclosed")
    assert main(["check-info", str(tmp_path)]) == 1


def test_missing_metadata_is_a_clear_error():
    with pytest.raises(MetadataError, match="author is missing"):
        check_metadata(ProjectMetadata("Title", " ", "d"))


def stand_in(name: str, outputs=None, metrics=(), status="passed", reason=None,
             needs=("elaborate",)):
    """A stage that records what a real one would, without its tools."""
    from tapeflow.flows.engine.stage import Stage, StageResult, Status
    from tapeflow.reports.metrics import Layer

    class StandIn(Stage):
        layer = Layer.L7

        def run(self, ctx):
            made = outputs(ctx) if callable(outputs) else (outputs or {})
            return StageResult(Status(status), reason, made, list(metrics))
    StandIn.name, StandIn.needs = name, needs
    return StandIn()


def tile_fit(tile="1x2"):
    from tapeflow.reports.metrics import Layer, Metric
    return stand_in("tile-fit", metrics=[Metric("tile", tile, "tile", Layer.L8, "stand-in",
                                                None)])


def front(tile="1x2"):
    """Stand-ins for the stages a package needs: synthesis, tile-fit, timing."""
    return [stand_in("synthesize"), tile_fit(tile), stand_in("sta-pre")]


def executed(tmp_path, *stages):
    from tapeflow.flows.engine.execute import execute
    from tapeflow.flows.engine.progress import Progress
    from tapeflow.flows.engine.settings import RunSettings
    from tapeflow.flows.stages import Elaborate

    run_dir, _ = execute("systolic", SystolicSpec(), RunSettings(build_root=tmp_path),
                         [Elaborate(), *stages], Progress(io.StringIO()))
    return run_dir


@pytest.mark.slow
@needs_iverilog
def test_package_of_a_run_validates_and_its_tests_pass_with_icarus(tmp_path):
    run_dir = executed(tmp_path, *front())
    assert main(["package", str(run_dir), "--title", "MAC", "--author", "Jane"]) == 0
    folder = run_dir / "tt_project"
    info = yaml.safe_load((folder / "info.yaml").read_text())
    assert validate_info(info) == []
    assert main(["check-info", str(folder)]) == 0
    assert info["project"]["tiles"] == "1x2"
    readme = (folder / "README.md").read_text()
    assert "not hardened by tapeflow" in readme and "no hardening stages" in readme
    assert not (folder / "tt_submission").exists()
    assert "Explain how your project works" not in (folder / "docs/info.md").read_text()
    assert "module tt_um_tapeflow_systolic" in (folder / "src/project.v").read_text()
    assert '"CLOCK_PERIOD": 20' in (folder / "src/config.json").read_text()
    assert (folder / "LICENSE").read_text().lstrip().startswith("Apache License")
    # TinyTapeout's test step, verbatim from the folder's workflow, with the
    # template's test/requirements.txt (cocotb 2.0.1)
    if step_venv() is None:
        pytest.skip("TinyTapeout's test packages are not installed (scripts/install.sh "
                    "makes .venv-tttest from the template's test/requirements.txt)")
    step = run_test_step(folder)
    assert step.returncode == 0, step.output[-3000:]
    assert "TESTS=3 PASS=3 FAIL=0" in step.output


def test_package_is_a_tinytapeout_repository(tmp_path):
    """What TinyTapeout's actions need, taken from its template as it is."""
    from tapeflow.tapeout.tt_data import tt_root

    run_dir = executed(tmp_path, *front())
    assert main(["package", str(run_dir), "--title", "MAC", "--author", "Jane"]) == 0
    folder, template = run_dir / "tt_project", tt_root() / "ttsky-verilog-template"
    workflows = sorted(p.name for p in (template / ".github" / "workflows").iterdir())
    assert workflows == sorted(p.name for p in (folder / ".github" / "workflows").iterdir())
    assert {"gds.yaml", "test.yaml", "docs.yaml"} <= set(workflows)
    for name in [f".github/workflows/{w}" for w in workflows] + [
            ".gitignore", "test/requirements.txt", "test/Makefile"]:
        assert (folder / name).read_bytes() == (template / name).read_bytes(), name
    assert "cocotb==2.0.1" in (folder / "test/requirements.txt").read_text()
    tb = (folder / "test/tb.v").read_text()
    assert tb == (template / "test/tb.v").read_text().replace("tt_um_example",
                                                              "tt_um_tapeflow_systolic")
    assert "! grep failure results.xml" in step_script(folder)
    modes = {oct(p.stat().st_mode & 0o777) for p in [folder, *folder.rglob("*")] if p.is_dir()}
    assert modes == {"0o755"}
    assert {oct(p.stat().st_mode & 0o777) for p in folder.rglob("*") if p.is_file()} == {"0o644"}
    # nothing is expected of uo_out while rst_n is low (gates start at X)
    for vectors in (folder / "test" / "vectors").glob("*.json"):
        data = json.loads(vectors.read_text())
        in_reset = [expected for (_ui, _uio, rst_n, _ena), expected
                    in zip(data["pins"], data["uo_out"]) if rst_n == 0]
        assert in_reset and set(in_reset) == {None}
        assert any(e is not None for e in data["uo_out"])


def test_hardened_run_gets_a_tt_submission_bundle_that_passes_precheck(tmp_path, pdk_root,
                                                                       cell_gds):
    """A run whose harden and signoff stages passed (here stand-ins: harden
    writes precheck's reference tile under the design's name) gets
    tt_submission/ as TT's GDS action uploads it, and the bundle passes
    tapeflow's precheck."""
    from tapeflow.flows.adapters.pdk import layer_properties
    from tapeflow.reports.metrics import Layer, Metric
    from tapeflow.tapeout.fixtures import reference, write
    from tapeflow.tapeout.precheck import run_precheck

    top = SystolicSpec().top_name

    def hardened(ctx):
        gds = write(reference("1x2", top), ctx.stage_dir("harden"), cell_gds)
        return {"gds": gds, "lef": gds.with_suffix(".lef"),
                "netlist_powered": gds.with_suffix(".v")}

    utilization = Metric("postroute_utilization_pct", 41.5, "%", Layer.L7, "stand-in", None)
    run_dir = executed(tmp_path, *front(), stand_in("harden", hardened, [utilization]),
                       *(stand_in(name) for name in ("sta-post", "signoff",
                                                     "verify-gl-postroute")))
    assert main(["package", str(run_dir), "--title", "MAC", "--author", "Jane"]) == 0
    bundle = run_dir / "tt_project" / "tt_submission"
    assert sorted(p.name for p in bundle.iterdir()) == sorted(
        [f"{top}.gds", f"{top}.lef", f"{top}.v", "pdk.json", "commit_id.json", "stats"])
    assert "postroute_utilization_pct,41.5,%" in (bundle / "stats/metrics.csv").read_text()
    assert not (bundle / "stats/synthesis-stats.txt").exists()    # no synthesis in this run
    pdk = json.loads((bundle / "pdk.json").read_text())
    assert pdk["PDK"] == "sky130A" and pdk["PDK_SOURCE"] == "open_pdks" and pdk["PDK_VERSION"]
    assert "hardened and signed off by tapeflow" in (run_dir / "tt_project/README.md").read_text()
    results = run_precheck(bundle, layer_properties(pdk_root))
    assert [r.name for r in results if r.status == "failed"] == []


@pytest.mark.parametrize("failed", ["harden", "signoff"])
def test_package_refuses_a_run_whose_hardening_failed(tmp_path, capsys, failed):
    stages = front() + [stand_in(name, status="failed" if name == failed else "passed",
                                 reason="killed" if name == failed else None)
                        for name in ("harden", "signoff")]
    run_dir = executed(tmp_path, *stages)
    assert main(["package", str(run_dir), "--title", "MAC", "--author", "Jane"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and f"{failed}: failed (killed)" in error
    assert not (run_dir / "tt_project").exists()


@pytest.mark.parametrize("missing", ["synthesize", "tile-fit", "sta-pre"])
def test_package_refuses_a_run_without_synthesis_tile_or_timing(tmp_path, capsys, missing):
    stages = [s for s in front() if s.name != missing]
    run_dir = executed(tmp_path, *stages)
    assert main(["package", str(run_dir), "--title", "MAC", "--author", "Jane"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and f"{missing}: never ran" in error
    assert "--allow-incomplete" in error and not (run_dir / "tt_project").exists()


def test_package_refuses_an_interrupted_run(tmp_path, capsys):
    run_dir = executed(tmp_path, *front())
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest |= {"state": "interrupted", "interrupted": {"stage": "verify-gl",
                                                         "cause": "interrupted"}}
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    assert main(["package", str(run_dir), "--title", "MAC", "--author", "Jane"]) == 1
    assert "the run did not finish (interrupted in verify-gl)" in capsys.readouterr().err
    assert not (run_dir / "tt_project").exists()


def test_allow_incomplete_says_what_is_missing_but_never_guesses_a_tile(tmp_path, capsys):
    stages = [stand_in("synthesize"), tile_fit("1x2"),
              stand_in("sta-pre", status="failed", reason="setup violated at ss_100C_1v60")]
    run_dir = executed(tmp_path, *stages)
    assert main(["package", str(run_dir), "--title", "MAC", "--author", "Jane",
                 "--allow-incomplete"]) == 0
    readme = (run_dir / "tt_project" / "README.md").read_text()
    assert "Packaged from an incomplete run" in readme
    assert "- sta-pre: failed (setup violated at ss_100C_1v60)" in readme
    untiled = executed(tmp_path / "untiled", stand_in("synthesize"), stand_in("sta-pre"))
    assert main(["package", str(untiled), "--title", "MAC", "--author", "Jane",
                 "--allow-incomplete"]) == 1
    assert "no tile from tile-fit" in capsys.readouterr().err


def test_skipped_hardening_is_packaged_without_a_bundle_saying_why(tmp_path):
    stages = front() + [stand_in(name, status="skipped",
                                      reason="openroad not found on PATH")
                             for name in ("harden", "signoff")]
    run_dir = executed(tmp_path, *stages)
    assert main(["package", str(run_dir), "--title", "MAC", "--author", "Jane"]) == 0
    readme = (run_dir / "tt_project" / "README.md").read_text()
    assert "harden: openroad not found on PATH" in readme
    assert not (run_dir / "tt_project" / "tt_submission").exists()
