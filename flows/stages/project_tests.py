"""A TinyTapeout project's own test (test/, cocotb + Icarus) at RTL, on the
synthesized netlist and on the routed one: the commands TinyTapeout's test
and GDS actions run, so the verdicts are the ones a push would get."""

from __future__ import annotations

from pathlib import Path

from tapeflow.designs.tt_project import TtProjectSpec
from tapeflow.reports.metrics import Layer, Metric

from ..adapters.pdk import cell_library, cell_netlists, pdk_data_files, simulation_models
from ..adapters.powered_netlist import cell_pins, power_netlist
from ..adapters.tools import tool_version, which
from ..adapters.tt_test import (TtTestResult, cell_model_root, copy_project, count_asserts,
                                project_files, run_tt_test)
from ..engine.atomic import write_text_atomic
from ..engine.stage import RunContext, Stage, StageResult, Status


class ProjectTest(Stage):
    name = "test-rtl"
    layer = Layer.L6
    needs = ("elaborate",)
    description = "the project's own test: make in test/ (cocotb, Icarus), as TT's test action"
    scratch = ("project/test/sim_build",)
    metric_prefix = "rtl"

    def __init__(self, spec: TtProjectSpec):
        self.spec = spec

    def data_files(self, settings) -> list[Path]:
        return project_files(self.spec.folder)

    def run(self, ctx: RunContext) -> StageResult:
        missing = [tool for tool in ("make", "iverilog", "cocotb-config") if which(tool) is None]
        if missing:
            return StageResult.skipped(f"{missing[0]} not found: the project's test needs "
                                       f"make, Icarus Verilog and cocotb (scripts/install.sh)")
        out_dir = ctx.stage_dir(self.name)
        project = copy_project(ctx.spec.folder, out_dir / "project")
        gates = self._prepare(ctx, project)
        ctx.activity.set(f"make in test/{' (GATES=yes)' if gates else ''}")
        result = run_tt_test(project, out_dir / "test.log", gates,
                             out_dir / "pdk" if gates else None, _progress(ctx))
        return self._result(ctx, result)

    def _prepare(self, ctx: RunContext, project: Path) -> bool:
        """Anything the test needs beside the project's files; True for GL."""
        return False

    def _result(self, ctx: RunContext, result: TtTestResult) -> StageResult:
        prefix = self.metric_prefix
        source = f"the project's test/ (make{' GATES=yes' if prefix != 'rtl' else ''})"
        outputs = {"log": result.log}
        tools = {"iverilog": tool_version("iverilog"), "cocotb": tool_version("cocotb")}
        if result.results_xml is None:
            return StageResult(Status.FAILED, f"the test wrote no results.xml (make exited "
                               f"{result.returncode}; see {result.log})", outputs, [], tools)
        kept = ctx.stage_dir(self.name) / "results.xml"
        write_text_atomic(kept, result.results_xml.read_text(errors="replace"))
        outputs["results"] = kept
        where = ctx.relative(kept)
        metrics = [
            Metric(f"{prefix}_tests_run", result.tests, "tests", Layer.L6, source, where),
            Metric(f"{prefix}_tests_passed", result.passed, "tests", Layer.L6, source, where),
            Metric(f"{prefix}_tests_failed", len(result.failed), "tests", Layer.L6, source,
                   where),
        ]
        warnings = []
        asserts = count_asserts(ctx.spec.test_dir)
        if prefix == "rtl":
            metrics.append(Metric("test_asserts", asserts, "asserts", Layer.L6,
                                  "assert statements in the test modules", None))
        if asserts == 0:
            warnings.append("the test modules hold no assert: a pass says the simulation ran, "
                            "not that the design computes the right thing")
        if result.failed:
            shown = ", ".join(result.failed[:3]) + (" ..." if len(result.failed) > 3 else "")
            return StageResult(Status.FAILED, f"{len(result.failed)} of {result.tests} "
                               f"test(s) failed: {shown} (see {result.log})", outputs,
                               metrics, tools, warnings)
        if result.tests == 0:
            return StageResult(Status.FAILED, f"no test ran (see {result.log})", outputs,
                               metrics, tools, warnings)
        return StageResult(Status.PASSED, None, outputs, metrics, tools, warnings)


class ProjectTestGl(ProjectTest):
    """The same test with GATES=yes on the synthesized netlist, given power
    pins as TinyTapeout's powered netlist has them (its tb.v connects VPWR
    and VGND under GL_TEST)."""
    name = "test-gl"
    needs = ("synthesize", "tile-fit")
    reads = ("synthesize.netlist",)
    description = "the project's own test with GATES=yes on the synthesized netlist"
    metric_prefix = "gl"
    netlist = ("synthesize", "netlist")

    def data_files(self, settings) -> list[Path]:
        return project_files(self.spec.folder) + pdk_data_files(settings.pdk_root)

    def _prepare(self, ctx: RunContext, project: Path) -> bool:
        library = cell_library(ctx.settings.pdk_root)
        cell_model_root(simulation_models(library), ctx.stage_dir(self.name) / "pdk")
        write_text_atomic(project / "test" / "gate_level_netlist.v",
                          self._gate_level(ctx, cell_pins(cell_netlists(library))))
        return True

    def _gate_level(self, ctx: RunContext, pins: dict[str, list[str]]) -> str:
        netlist = ctx.output(*self.netlist).read_text(errors="replace")
        return power_netlist(netlist, ctx.spec.top_name, pins)


class ProjectTestGlPostRoute(ProjectTestGl):
    """On the routed, powered netlist: what TinyTapeout's GDS action tests."""
    name = "test-gl-postroute"
    layer = Layer.L7
    needs = ("harden",)
    reads = ("harden.netlist_powered",)
    description = "the project's own test with GATES=yes on the routed powered netlist"
    metric_prefix = "postroute_gl"
    netlist = ("harden", "netlist_powered")

    def _gate_level(self, ctx: RunContext, pins: dict[str, list[str]]) -> str:
        return ctx.output(*self.netlist).read_text(errors="replace")


def _progress(ctx: RunContext):
    """The activity line follows cocotb's per-test result lines."""
    done = [0]

    def on_line(line: str) -> None:
        if " passed" in line or " failed" in line:
            done[0] += 1
            ctx.activity.set(f"make in test/: {done[0]} test(s) finished")
    return on_line
