"""What a cocotb regression result says, as metrics and as a failure reason;
shared by the RTL and the gate-level verification stages."""

from __future__ import annotations

from tapeflow.reports.metrics import Layer, Metric
from tapeflow.verification.simulate import RegressionResult

from ..engine.stage import RunContext


def regression_metrics(ctx: RunContext, result: RegressionResult, prefix: str,
                       source: str) -> list[Metric]:
    """``<prefix>_tests_run/_tests_passed/_cycles_simulated/_cycles_per_second``."""
    junit, stats = ctx.relative(result.results_xml), ctx.relative(result.stats)
    return [
        Metric(f"{prefix}_tests_run", result.tests, "tests", Layer.L6, source, junit),
        Metric(f"{prefix}_tests_passed", result.passed, "tests", Layer.L6, source, junit),
        Metric(f"{prefix}_cycles_simulated", result.cycles, "cycles", Layer.L6, source, stats),
        Metric(f"{prefix}_cycles_per_second", round(result.cycles_per_second), "cycles/s",
               Layer.L6, source, stats),
    ]


def regression_failure(result: RegressionResult, shown: int = 3) -> str | None:
    """Why the regression did not pass, or None: failures, or no test at all."""
    if not result.failed and result.tests:
        return None
    return f"{result.failed} of {result.tests} tests failed: " + \
        "; ".join(result.failures[:shown])
