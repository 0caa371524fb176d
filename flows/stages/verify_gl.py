"""The RTL regression again, on the synthesized netlist with the sky130hd
cell models (functional, unit delay, as TinyTapeout's gate-level test)."""

from __future__ import annotations

from pathlib import Path

from tapeflow.reports.metrics import Layer
from tapeflow.verification.simulate import (SIMULATORS, SimulationError, SimulationSettings,
                                            run_regression)

from ..adapters.pdk import cell_library, pdk_data_files, simulation_models
from ..adapters.tools import tool_version, which
from ..engine.stage import RunContext, Stage, StageResult, Status
from .regression import regression_failure, regression_metrics

#: Icarus is TT's own gate-level simulator; Verilator handles the cell models' UDPs too.
GATE_LEVEL_SIMULATORS = ("icarus", "verilator")


class VerifyGl(Stage):
    """Every scenario on every simulator of ``--gl-simulators`` (Icarus by
    default: 4-state, so an unreset or X-propagating netlist fails, which a
    2-state simulator would hide)."""
    name = "verify-gl"
    layer = Layer.L6
    needs = ("synthesize", "tile-fit")   # no timing or GL work for a design that fits no tile
    reads = ("synthesize.netlist",)
    settings_used = ("seed", "gl_simulators")
    description = "cocotb regression on the gate-level netlist (Icarus; Verilator on request)"
    scratch = ("*/sim_build_*",)
    netlist: tuple[str, str] = ("synthesize", "netlist")     # (stage, output)
    metric_prefix = "gl"

    def data_files(self, settings) -> list[Path]:
        return pdk_data_files(settings.pdk_root)

    def run(self, ctx: RunContext) -> StageResult:
        out_dir = ctx.stage_dir(self.name)
        models = tuple(simulation_models(cell_library(ctx.settings.pdk_root)))
        netlist = ctx.output(*self.netlist)
        outputs, metrics, tools, warnings, failures = {}, [], {}, [], []
        for simulator in ctx.settings.gl_simulators:
            executable = SIMULATORS[simulator]
            if which(executable) is None:
                warnings.append(f"{simulator} skipped: {executable} not installed")
                continue
            settings = SimulationSettings(simulator=simulator, seed=ctx.settings.seed,
                                          cell_models=models)
            try:
                result = run_regression(ctx.spec, [netlist], out_dir / simulator, settings,
                                        ctx.activity)
            except SimulationError as error:   # asked for and failed: never a pass on one
                failures.append(f"{simulator} could not build or run the gate-level "
                                f"simulation: {error}")
                continue
            tools[executable] = tool_version(executable)
            outputs[f"{simulator}_results"] = result.results_xml
            outputs[f"{simulator}_log"] = result.log
            metrics += regression_metrics(ctx, result, f"{self.metric_prefix}_{simulator}",
                                          f"cocotb on {simulator}, {self.name}")
            failure = regression_failure(result, shown=2)
            if failure:
                failures.append(f"{simulator}: {failure}")
        if not tools and not failures:
            return StageResult.skipped("no gate-level simulator is installed: "
                                       + "; ".join(warnings))
        if failures:
            return StageResult(Status.FAILED, " | ".join(failures), outputs, metrics, tools,
                               warnings)
        return StageResult(Status.PASSED, None, outputs, metrics, tools, warnings)


class VerifyGlPostRoute(VerifyGl):
    """The same regression on the routed netlist (OpenROAD's unpowered
    write_verilog: CTS buffers, resizing and repair included)."""
    name = "verify-gl-postroute"
    layer = Layer.L7
    needs = ("harden",)
    reads = ("harden.netlist_unpowered",)
    description = "cocotb regression on the routed netlist (Icarus; Verilator on request)"
    netlist = ("harden", "netlist_unpowered")
    metric_prefix = "postroute_gl"
