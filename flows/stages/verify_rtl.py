"""The cocotb regression on the RTL, against the protocol model."""

from __future__ import annotations

from tapeflow.reports.metrics import Layer, Metric
from tapeflow.verification.simulate import (SIMULATORS, SimulationError, SimulationSettings,
                                            run_regression)

from ..adapters.tools import tool_version, which
from ..engine.atomic import write_json_atomic
from ..engine.stage import RunContext, Stage, StageResult, Status
from .regression import regression_failure, regression_metrics


class VerifyRtl(Stage):
    name = "verify-rtl"
    layer = Layer.L6
    needs = ("elaborate",)
    reads = ("elaborate.verilog",)
    settings_used = ("simulator", "seed", "code_coverage")
    description = "cocotb regression through the TT pins vs. the golden model"
    scratch = ("sim_build_*",)

    def run(self, ctx: RunContext) -> StageResult:
        simulator = ctx.settings.simulator
        executable = SIMULATORS[simulator]
        if which(executable) is None:
            return StageResult.skipped(f"{executable} not found (`tapeflow doctor` says how "
                                       f"to install it)")
        out_dir = ctx.stage_dir(self.name)
        settings = SimulationSettings(simulator=simulator, seed=ctx.settings.seed,
                                      code_coverage=ctx.settings.code_coverage
                                      and simulator == "verilator")
        try:
            result = run_regression(ctx.spec, [ctx.output("elaborate", "verilog")], out_dir,
                                    settings, ctx.activity)
        except SimulationError as error:
            return StageResult(Status.FAILED, str(error))

        coverage_file = out_dir / "coverage.json"
        write_json_atomic(coverage_file, {"functional": result.functional_coverage,
                                          "code": result.code_coverage})
        outputs = {"results": result.results_xml, "log": result.log, "stats": result.stats,
                   "coverage": coverage_file, "coverage_dat": out_dir / "coverage.dat"}
        outputs = {name: path for name, path in outputs.items() if path and path.exists()}
        tools = {executable: tool_version(executable), "cocotb": tool_version("cocotb")}
        metrics = _metrics(ctx, result, coverage_file)
        failure = regression_failure(result)
        return StageResult(Status.FAILED if failure else Status.PASSED, failure, outputs,
                           metrics, tools)


def _metrics(ctx: RunContext, result, coverage_file) -> list[Metric]:
    source = f"cocotb on {result.simulator}"
    coverage = ctx.relative(coverage_file)
    functional = result.functional_coverage
    metrics = regression_metrics(ctx, result, "rtl", source) + [
        Metric("functional_coverage_percent", functional["percent"], "%", Layer.L6,
               "tapeflow protocol coverage", coverage),
        Metric("functional_coverage_bins_hit", functional["bins_hit"], "bins", Layer.L6,
               "tapeflow protocol coverage", coverage),
        Metric("functional_coverage_bins_total", functional["bins_total"], "bins", Layer.L6,
               "tapeflow protocol coverage", coverage),
    ]
    for kind, numbers in (result.code_coverage or {}).items():
        if isinstance(numbers, dict) and "percent" in numbers:
            metrics.append(Metric(f"code_coverage_{kind}_percent", numbers["percent"], "%",
                                  Layer.L6, "verilator --coverage-line --coverage-toggle",
                                  coverage))
    if "sustained_macs_per_cycle" in result.metrics:
        metrics.append(Metric("sustained_macs_per_cycle_measured",
                              round(result.metrics["sustained_macs_per_cycle"], 4),
                              "MAC/cycle", Layer.L5, f"{source}: sustained_stream test",
                              ctx.relative(result.stats)))
    return metrics
