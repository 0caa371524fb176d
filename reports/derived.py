"""Numbers the report computes from recorded metrics, with their provenance."""

from __future__ import annotations

from .metrics import Layer, Metric
from .run_data import RunData

#: TinyTapeout's default clock, used when no timing has been measured.
TT_CLOCK_MHZ = 50.0


def clock_for_roofline(run: RunData) -> tuple[float, str, str | None]:
    """(MHz, what it is, file): the routed typical fmax (OpenSTA at
    nom_tt_025C_1v80), else the pre-layout one, else TT's clock."""
    for name, what in (("routed_fmax_nom_tt_025C_1v80_mhz",
                        "routed fmax (nom_tt_025C_1v80)"),
                       ("fmax_typical_mhz", "pre-layout fmax (typical)")):
        fmax = run.metrics.get(name)
        if fmax is not None:
            return float(fmax.value), what, fmax.file
    return TT_CLOCK_MHZ, "TinyTapeout's default clock", None


def derived_metrics(run: RunData) -> list[Metric]:
    peak = run.metrics.get("peak_macs_per_cycle")
    sustained = run.metrics.get("sustained_macs_per_cycle_measured") \
        or run.metrics.get("sustained_macs_per_cycle_protocol")
    io = run.metrics.get("io_input_bytes_per_cycle")
    if peak is None or sustained is None or io is None:
        return []
    mhz, clock, clock_file = clock_for_roofline(run)
    basis = f"derived: x {clock} {mhz:g} MHz"
    return [
        Metric("peak_gops", round(2 * peak.value * mhz / 1000, 4), "GOPS (2 ops/MAC)",
               Layer.L5, f"{basis}, {peak.name}", clock_file or peak.file),
        Metric("sustained_gmacs_per_second", round(sustained.value * mhz / 1000, 4), "GMAC/s",
               Layer.L5, f"{basis}, {sustained.name}", clock_file or sustained.file),
        Metric("operational_intensity", round(sustained.value / io.value, 4), "MAC/byte",
               Layer.L5, f"derived: {sustained.name} / {io.name}", sustained.file),
    ]
