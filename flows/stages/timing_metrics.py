"""Metrics and summaries of OpenSTA's results that sta-pre and sta-post share:
worst setup/hold slack and fmax per corner, overall and split into
register-to-register paths and IO-constrained ones (inputs -> registers,
registers -> outputs, inputs -> outputs)."""

from __future__ import annotations

from tapeflow.reports.metrics import Layer, Metric

from ..adapters.opensta import ClassTiming, CornerTiming, TimingPath

#: the report's two groups of path classes
GROUPS = {"reg2reg": ("reg2reg",), "io": ("in2reg", "reg2out", "in2out")}


def _worst(paths: list[TimingPath | None]) -> TimingPath | None:
    found = [p for p in paths if p is not None]
    return min(found, key=lambda p: p.slack_ns) if found else None


def group_timing(timing: CornerTiming, group: str) -> tuple[TimingPath | None,
                                                           TimingPath | None, float | None]:
    """(worst setup path, worst hold path, fmax) of a group of path classes."""
    members = [timing.classes[name] for name in GROUPS[group] if name in timing.classes]
    fmaxes = [c.fmax_mhz for c in members if c.fmax_mhz is not None]
    return (_worst([c.setup for c in members]), _worst([c.hold for c in members]),
            min(fmaxes) if fmaxes else None)


def corner_metrics(prefix: str, timing: CornerTiming, source: str, where: str) -> list[Metric]:
    """``<prefix>setup_slack_<corner>_ns`` etc.: overall, then per group
    (``<prefix>fmax_reg2reg_<corner>_mhz``, ``<prefix>setup_slack_io_<corner>_ns``)."""
    rows = [("setup_slack", "", timing.setup.slack_ns if timing.setup else None, "ns"),
            ("hold_slack", "", timing.hold.slack_ns if timing.hold else None, "ns"),
            ("fmax", "", _rounded(timing.fmax_mhz), "MHz")]
    for group in GROUPS:
        setup, hold, fmax = group_timing(timing, group)
        rows += [("setup_slack", f"{group}_", setup.slack_ns if setup else None, "ns"),
                 ("hold_slack", f"{group}_", hold.slack_ns if hold else None, "ns"),
                 ("fmax", f"{group}_", _rounded(fmax), "MHz")]
    return [Metric(f"{prefix}{name}_{group}{timing.corner}_{unit.lower()}", value, unit,
                   Layer.L7, source, where)
            for name, group, value, unit in rows if value is not None]


def _rounded(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def path_summary(path: TimingPath | None, steps: bool = True) -> dict | None:
    if path is None:
        return None
    summary = {"startpoint": path.startpoint, "endpoint": path.endpoint,
               "slack_ns": path.slack_ns, "arrival_ns": path.arrival_ns}
    if steps:
        summary["steps"] = [vars(s) for s in path.steps]
    return summary


def class_summary(classes: dict[str, ClassTiming], steps: bool = True) -> dict:
    """Every path class's worst setup and hold path, for timing.json."""
    return {name: {"label": c.path_class.label,
                   "setup_slack_ns": c.setup.slack_ns if c.setup else None,
                   "hold_slack_ns": c.hold.slack_ns if c.hold else None,
                   "fmax_mhz": _rounded(c.fmax_mhz),
                   "critical_path": path_summary(c.setup, steps),
                   "hold_path": path_summary(c.hold, steps)}
            for name, c in classes.items()}
