"""Numbers the report computes from recorded metrics, with their provenance."""

from __future__ import annotations

import re

from .metrics import Layer, Metric
from .run_data import RunData

#: TinyTapeout's default clock (20 ns), for runs that recorded no clock.
TT_CLOCK_MHZ = 50.0
_CORNER_FMAX = re.compile(r"^fmax_(?!reg2reg_|io_)(.+)_mhz$")


def timing_corners(run: RunData) -> list[str]:
    """The PVT corners sta-pre timed, in the order it timed them (typical,
    slow, fast)."""
    return [match.group(1) for name in run.metrics
            if (match := _CORNER_FMAX.match(name))]


def run_period_ns(run: RunData) -> float:
    """The clock period the run was timed at (TinyTapeout's 20 ns if it
    recorded none)."""
    return float(run.settings.get("clock_period_ns") or 1000.0 / TT_CLOCK_MHZ)


def run_clock(run: RunData) -> tuple[float, str]:
    """(MHz, what it is): the clock the run was timed at, which is the clock
    TinyTapeout runs the design at (its clock_hz)."""
    period = run.settings.get("clock_period_ns")
    if period:
        return 1000.0 / float(period), f"the run's clock ({float(period):g} ns)"
    return TT_CLOCK_MHZ, "TinyTapeout's default clock"


def fmax_ceiling(run: RunData) -> tuple[float, str, str | None] | None:
    """(MHz, what it is, file): the fastest clock every corner meets, routed
    (sta-post) when the run was hardened, else pre-layout (sta-pre)."""
    routed = run.metrics.get("routed_min_fmax_mhz")
    if routed is not None:
        return float(routed.value), "routed fmax, slowest corner", routed.file
    found = [(run.metrics[f"fmax_{c}_mhz"], c) for c in timing_corners(run)]
    if not found:
        return None
    metric, corner = min(found, key=lambda pair: pair[0].value)
    return float(metric.value), f"pre-layout fmax at {corner}", metric.file


def derived_metrics(run: RunData) -> list[Metric]:
    peak = run.metrics.get("peak_macs_per_cycle")
    sustained = run.metrics.get("sustained_macs_per_cycle_measured") \
        or run.metrics.get("sustained_macs_per_cycle_protocol")
    io = run.metrics.get("io_input_bytes_per_cycle")
    if peak is None or sustained is None or io is None:
        return []
    mhz, clock = run_clock(run)
    basis = f"derived: x {clock} {mhz:g} MHz"
    metrics = [
        Metric("peak_gops", round(2 * peak.value * mhz / 1000, 4), "GOPS (2 ops/MAC)",
               Layer.L5, f"{basis}, {peak.name}", peak.file),
        Metric("sustained_gmacs_per_second", round(sustained.value * mhz / 1000, 4), "GMAC/s",
               Layer.L5, f"{basis}, {sustained.name}", sustained.file),
        Metric("operational_intensity", round(sustained.value / io.value, 4), "MAC/byte",
               Layer.L5, f"derived: {sustained.name} / {io.name}", sustained.file),
    ]
    ceiling = fmax_ceiling(run)
    if ceiling is not None:
        fmax, what, where = ceiling
        basis = f"derived: x {what} {fmax:g} MHz (ceiling, not the clock TT runs)"
        metrics += [
            Metric("peak_gops_at_fmax", round(2 * peak.value * fmax / 1000, 4),
                   "GOPS (2 ops/MAC)", Layer.L5, f"{basis}, {peak.name}", where or peak.file),
            Metric("sustained_gmacs_per_second_at_fmax",
                   round(sustained.value * fmax / 1000, 4), "GMAC/s", Layer.L5,
                   f"{basis}, {sustained.name}", where or sustained.file),
        ]
    return metrics
