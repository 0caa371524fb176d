"""Differences of every metric two runs share."""

from __future__ import annotations

from dataclasses import dataclass

from .run_data import RunData


@dataclass(frozen=True)
class MetricDelta:
    name: str
    unit: str
    layer: str
    a: object
    b: object

    @property
    def numeric(self) -> bool:
        return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (self.a, self.b))

    @property
    def delta(self) -> float | None:
        return self.b - self.a if self.numeric else None

    @property
    def percent(self) -> float | None:
        if not self.numeric or self.a == 0:
            return None
        return 100.0 * (self.b - self.a) / abs(self.a)

    @property
    def changed(self) -> bool:
        return self.a != self.b


def compare_runs(a: RunData, b: RunData) -> list[MetricDelta]:
    shared = [name for name in a.metrics if name in b.metrics]
    return [MetricDelta(name, a.metrics[name].unit, a.metrics[name].layer.value,
                        a.metrics[name].value, b.metrics[name].value) for name in shared]


def format_comparison(a: RunData, b: RunData, deltas: list[MetricDelta]) -> str:
    lines = [f"A: {a.design} {a.tag}", f"B: {b.design} {b.tag}", "",
             f"{'layer':<5} {'metric':<38} {'A':>14} {'B':>14} {'B-A':>12} {'%':>8}  unit"]
    for d in sorted(deltas, key=lambda d: (d.layer, d.name)):
        delta = f"{d.delta:+.4g}" if d.numeric else ("" if not d.changed else "changed")
        percent = f"{d.percent:+.1f}" if d.percent is not None else ""
        lines.append(f"{d.layer:<5} {d.name:<38} {str(d.a):>14} {str(d.b):>14} "
                     f"{delta:>12} {percent:>8}  {d.unit}")
    return "\n".join(lines)


def comparison_json(a: RunData, b: RunData, deltas: list[MetricDelta]) -> dict:
    return {"a": {"design": a.design, "tag": a.tag, "run_dir": str(a.run_dir)},
            "b": {"design": b.design, "tag": b.tag, "run_dir": str(b.run_dir)},
            "metrics": [{"name": d.name, "layer": d.layer, "unit": d.unit, "a": d.a, "b": d.b,
                         "delta": d.delta, "percent": d.percent} for d in deltas]}
