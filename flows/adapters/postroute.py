"""Post-route signoff numbers: SiliconCompiler's recorded metrics first, the
per-corner OpenROAD/OpenSTA reports SC writes for what SC keeps only as a
worst case (slack and TNS per scenario, power groups, antenna counts).

Report formats (OpenROAD 2.0 / OpenSTA, as SC's reports.tcl writes them):
``reports/timing/scenarios/<scene>/worst_slack.setup.<scene>.rpt`` holds
``worst slack max <ns>``, ``total_negative_slack.setup.<scene>.rpt`` holds
``tns max <ns>`` (``min`` for hold); ``reports/power/<scene>.rpt`` is
``report_power``'s table whose ``Total`` row is internal, switching, leakage
and total watts; ``check_antennas`` logs ``[INFO ANT-0002] Found N net
violations.`` and ``[INFO ANT-0001] Found N pin violations.``
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .opensta import parse_report_checks

_SCENE_VALUE = re.compile(r"^\s*(?:worst slack|tns)\s+(?:max|min)\s+(\S+)\s*$", re.M)
_POWER_TOTAL = re.compile(r"^Total\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", re.M)
_ANTENNA = re.compile(r"ANT-000[12]\]\s+Found\s+(\d+)\s+(net|pin) violations")


@dataclass(frozen=True)
class ScMetric:
    """One SC metric read from the node that owns its final value."""
    sc_name: str
    step: str
    name: str
    unit: str
    scale: float = 1.0


#: write.views re-times the routed design with its parasitics (SC's last
#: timing); routing counts belong to route.detailed.
SC_POSTROUTE = (
    ScMetric("setupwns", "write.views", "postroute_setup_wns_ns", "ns"),
    ScMetric("setuptns", "write.views", "postroute_setup_tns_ns", "ns"),
    ScMetric("holdwns", "write.views", "postroute_hold_wns_ns", "ns"),
    ScMetric("holdtns", "write.views", "postroute_hold_tns_ns", "ns"),
    ScMetric("fmax", "write.views", "postroute_fmax_mhz", "MHz", 1e-6),
    ScMetric("utilization", "write.views", "postroute_utilization_pct", "%"),
    ScMetric("cellarea", "write.views", "postroute_cell_area_um2", "um^2"),
    ScMetric("cells", "write.views", "postroute_cells", "cells"),
    ScMetric("buffers", "write.views", "postroute_buffers", "cells"),
    ScMetric("peakpower", "write.views", "postroute_power_mw", "mW"),
    ScMetric("leakagepower", "write.views", "postroute_leakage_mw", "mW"),
    ScMetric("drvs", "write.views", "postroute_drvs", "violations"),
    ScMetric("wirelength", "route.detailed", "postroute_wirelength_um", "um"),
    ScMetric("vias", "route.detailed", "postroute_vias", "vias"),
    ScMetric("drcs", "route.detailed", "postroute_route_drcs", "violations"),
)


def sc_values(lookup, table=SC_POSTROUTE) -> dict[ScMetric, float]:
    """``lookup(sc_name, step)`` -> value or None; missing metrics are left out."""
    values = {}
    for metric in table:
        value = lookup(metric.sc_name, metric.step)
        if value is not None:
            values[metric] = round(float(value) * metric.scale, 6)
    return values


def scene_value(text: str) -> float | None:
    """The number in a one-line scenario slack/TNS report (None for INF)."""
    match = _SCENE_VALUE.search(text)
    if not match:
        return None
    try:
        value = float(match.group(1))
    except ValueError:
        return None
    return None if abs(value) > 1e20 else value


@dataclass
class CornerResult:
    corner: str
    setup_slack_ns: float | None
    setup_tns_ns: float | None
    hold_slack_ns: float | None
    hold_tns_ns: float | None
    period_ns: float

    @property
    def fmax_mhz(self) -> float | None:
        if self.setup_slack_ns is None:
            return None
        return round(1000.0 / (self.period_ns - self.setup_slack_ns), 2)


def corner_results(reports: Path, corners, period_ns: float) -> list[CornerResult]:
    """Per-scenario timing from one SC node's ``reports`` folder."""
    results = []
    for corner in corners:
        folder = reports / "timing" / "scenarios" / corner

        def read(kind: str, check: str) -> float | None:
            path = folder / f"{kind}.{check}.{corner}.rpt"
            if path.is_file():
                return scene_value(path.read_text())
            # older OpenROAD without per-scene slack: the worst path's slack
            paths_file = folder / f"{check}.{corner}.rpt"
            if kind == "worst_slack" and paths_file.is_file():
                paths = parse_report_checks(paths_file.read_text())
                return paths[0].slack_ns if paths else None
            return None

        results.append(CornerResult(
            corner, read("worst_slack", "setup"), read("total_negative_slack", "setup"),
            read("worst_slack", "hold"), read("total_negative_slack", "hold"), period_ns))
    return results


def power_watts(text: str) -> dict[str, float] | None:
    match = _POWER_TOTAL.search(text)
    if not match:
        return None
    return dict(zip(("internal", "switching", "leakage", "total"),
                    (float(v) for v in match.groups())))


def antenna_violations(log_text: str) -> dict[str, int] | None:
    """The last check_antennas verdict in a log: violating nets and pins."""
    found: dict[str, int] = {}
    for count, kind in _ANTENNA.findall(log_text):
        found[kind] = int(count)
    return {"nets": found.get("net", 0), "pins": found.get("pin", 0)} if found else None


def step_times(job, flow: str) -> dict[str, float]:
    """SiliconCompiler's recorded wall time of each step of ``flow``, in the
    order the flow runs them."""
    graph = job.get("flowgraph", flow, field="schema")
    times = {}
    for level in graph.get_execution_order():
        for step, index in level:
            value = job.get("metric", "tasktime", step=step, index=index)
            if value is not None:
                times[step] = round(float(value), 2)
    return times
