"""The stage runner and the manifest, with stand-in stages."""

import json

from tapeflow.designs.systolic.spec import SystolicSpec
from tapeflow.flows.engine.execute import execute
from tapeflow.flows.engine.progress import Progress
from tapeflow.flows.engine.settings import RunSettings
from tapeflow.flows.engine.stage import Stage, StageResult, Status
from tapeflow.reports.metrics import Layer, Metric


class Writes(Stage):
    name = "writes"
    layer = Layer.L5

    def run(self, ctx):
        out = ctx.stage_dir(self.name) / "out.txt"
        out.write_text("hello")
        return StageResult(Status.PASSED, outputs={"text": out},
                           metrics=[Metric("answer", 42, "count", Layer.L5, "test", ctx.relative(out))])


class Crashes(Stage):
    name = "crashes"
    layer = Layer.L6
    needs = ("writes",)

    def run(self, ctx):
        raise RuntimeError("boom")


class Dependent(Stage):
    name = "dependent"
    layer = Layer.L6
    needs = ("crashes",)

    def run(self, ctx):
        raise AssertionError("must not run")


def test_manifest_records_outputs_metrics_failures_and_skips(tmp_path):
    import io
    spec = SystolicSpec()
    run_dir, records = execute("systolic", spec, RunSettings(build_root=tmp_path),
                               [Writes(), Crashes(), Dependent()], Progress(io.StringIO()))
    assert run_dir.parent == tmp_path.resolve()
    assert run_dir.name.startswith(f"systolic-{spec.label}-")
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["design"] == "systolic" and manifest["parameters"] == spec.as_dict()
    assert manifest["status"] == "failed" and manifest["state"] == "complete"
    assert manifest["flow"] == ["writes", "crashes", "dependent"]
    assert manifest["run"] == run_dir.name
    writes, crashes, dependent = manifest["stages"]
    assert writes["status"] == "passed" and writes["layer"] == "L5"
    assert writes["outputs"][0]["path"] == "writes/out.txt"
    assert writes["outputs"][0]["sha256"] == \
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    assert writes["metrics"][0] == {"name": "answer", "value": 42, "unit": "count",
                                    "layer": "L5", "source": "test", "file": "writes/out.txt"}
    assert crashes["status"] == "failed" and "boom" in crashes["reason"]
    assert (run_dir / "crashes" / "error.log").read_text().count("RuntimeError") >= 1
    assert dependent == {**dependent, "status": "skipped",
                         "reason": "needs crashes, which did not pass"}
    assert not list(run_dir.glob(".*.tmp"))


class Counts(Stage):
    """Writes a file whose content depends on a setting; counts its runs."""
    name = "counts"
    layer = Layer.L6
    settings_used = ("seed",)
    runs = 0

    def run(self, ctx):
        Counts.runs += 1
        out = ctx.stage_dir(self.name) / "seed.txt"
        out.write_text(str(ctx.settings.seed))
        return StageResult(Status.PASSED, outputs={"seed": out},
                           metrics=[Metric("seed", ctx.settings.seed, "", Layer.L6, "test")])


def test_unchanged_stages_are_reused_and_changed_ones_rerun(tmp_path):
    import io
    spec = SystolicSpec()
    quiet = Progress(io.StringIO())

    def run(**settings):
        return execute("systolic", spec, RunSettings(build_root=tmp_path, **settings),
                       [Writes(), Counts()], quiet)

    Counts.runs = 0
    first_dir, first = run(seed=1)
    assert Counts.runs == 1 and not any(r.up_to_date for r in first)
    _, second = run(seed=1)
    assert Counts.runs == 1 and all(r.up_to_date for r in second)
    assert second[1].result.metrics[0].value == 1
    (second[1].result.outputs["seed"]).write_text("tampered")
    run(seed=1)                                  # its output no longer matches
    assert Counts.runs == 2
    # every setting that changes results names another folder: nothing shared
    for changed in ({"seed": 2}, {"simulator": "icarus"}, {"tile": "1x2"},
                    {"clock_period_ns": 25.0}, {"target_density": 0.5}, {"corners": "lambdapdk"},
                    {"code_coverage": False}):
        other_dir, records = run(**changed)
        assert other_dir != first_dir and not any(r.up_to_date for r in records), changed
    # where the PDK is installed is not a result setting (its content is fingerprinted)
    assert run(seed=1, pdk_root=tmp_path)[0] == first_dir


def test_a_stage_that_reads_an_undeclared_input_fails(tmp_path):
    import io

    class Sneaky(Stage):
        name = "sneaky"
        layer = Layer.L6
        needs = ("writes",)

        def run(self, ctx):
            return StageResult(Status.PASSED, outputs={"text": ctx.output("writes", "text")})

    _, records = execute("systolic", SystolicSpec(), RunSettings(build_root=tmp_path),
                         [Writes(), Sneaky()], Progress(io.StringIO()))
    assert records[1].result.status == Status.FAILED
    assert "writes.text is read but not declared" in records[1].result.reason


def test_reads_must_come_from_needed_stages():
    import pytest
    with pytest.raises(TypeError, match="reads elaborate.verilog from a stage it does not need"):
        class Wrong(Stage):                                   # noqa: F841
            name = "wrong"
            layer = Layer.L6
            reads = ("elaborate.verilog",)

            def run(self, ctx):
                return StageResult(Status.PASSED)


def test_the_default_flow_declares_what_each_stage_reads():
    from tapeflow.flows.stages import FLOW
    reads = {stage.name: set(stage.reads) for stage in FLOW}
    assert reads["harden"] == {"elaborate.verilog", "synthesize.netlist", "synthesize.sdc",
                               "tile-fit.tile"}
    assert reads["tile-fit"] == {"synthesize.cell_area_um2"}
    assert reads["sta-pre"] == {"synthesize.netlist", "synthesize.sdc"}


def test_an_edited_data_file_runs_the_stage_again(tmp_path):
    """A PDK or TinyTapeout file a stage reads is part of its fingerprint:
    edited (same size, new content), the stage is no longer up to date."""
    import io
    import os

    liberty = tmp_path / "cells.lib"
    liberty.write_text("area : 1.0 ;")

    class ReadsData(Writes):
        def data_files(self, settings):
            return [liberty]

    def run():
        _, records = execute("systolic", SystolicSpec(), RunSettings(build_root=tmp_path),
                             [ReadsData()], Progress(io.StringIO()))
        return records[0].up_to_date

    assert run() is False and run() is True
    liberty.write_text("area : 9.0 ;")
    stat = liberty.stat()
    os.utime(liberty, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert run() is False and run() is True


def test_the_readme_names_the_default_run_folder():
    """`tapeflow run` with no options writes the folder the README shows."""
    import re
    from pathlib import Path

    from tapeflow.flows.engine.run_folder import run_name
    readme = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text().split())
    shown = re.search(r"for example `build/(systolic-[\w-]+)/` for the default design", readme)
    assert shown and shown.group(1) == run_name("systolic", SystolicSpec(), RunSettings())
