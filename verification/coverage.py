"""Functional coverage of the host protocol and the operand corner values.

Bins are named up front from the spec, so a summary can say how many of
them the regression hit, not only which ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tapeflow.designs.systolic.protocol import Opcode
from tapeflow.designs.systolic.spec import MAX_K, MAX_TILES, SystolicSpec

from .arithmetic import operand_range


def coverage_bins(spec: SystolicSpec) -> dict[str, list[str]]:
    low, high = operand_range(spec)
    corners = sorted({low, -1, 0, 1, high} if spec.signed else {0, 1, high})
    return {
        "commands": [op.name for op in Opcode] + ["UNKNOWN"],
        "states": ["idle", "streaming", "readout_while_streaming", "readout_while_idle"],
        "events": ["tile_readout", "read_replay", "read_before_results", "overrun",
                   "reset_while_streaming", "reset_while_reading", "reset_while_idle",
                   "ena_low", "start_while_draining"],
        "burst_shape": ["k_1", "k_below_streaming_min", "k_streaming_min", "k_max",
                        "tiles_1", "tiles_many", "tiles_max"],
        "a_corners": [str(v) for v in corners],
        "b_corners": [str(v) for v in corners],
        "arithmetic": (["min_times_min", "min_times_max"] if spec.signed
                       else ["max_times_max"]) + (["accumulator_wrapped"]
                                                  if _can_wrap(spec) else []),
    }


def _can_wrap(spec: SystolicSpec) -> bool:
    """Whether MAX_K extreme products can leave the accumulator's range."""
    low, high = operand_range(spec)
    largest = max(low * low, high * high)
    limit = (1 << (spec.acc_width - 1)) if spec.signed else (1 << spec.acc_width)
    return largest * MAX_K >= limit


@dataclass
class ProtocolCoverage:
    spec: SystolicSpec
    hits: dict[str, set] = field(default_factory=dict)

    def hit(self, group: str, name: str) -> None:
        self.hits.setdefault(group, set()).add(name)

    # -- sampling hooks called by the protocol model ------------------------
    def observe_pins(self, pins, model) -> None:
        if not model.known:
            return
        if not pins.ena:
            self.hit("events", "ena_low")
        self.hit("states", "streaming" if model.streaming else "idle")
        if model.reading:
            self.hit("states", "readout_while_streaming" if model.streaming
                     else "readout_while_idle")

    def command(self, opcode: int) -> None:
        names = {op.value: op.name for op in Opcode}
        self.hit("commands", names.get(opcode, "UNKNOWN"))

    def burst(self, k: int, tiles: int, draining: bool = False) -> None:
        if k == 1:
            self.hit("burst_shape", "k_1")
        if k < self.spec.min_streaming_k and tiles > 1:
            self.hit("burst_shape", "k_below_streaming_min")
        if k == self.spec.min_streaming_k:
            self.hit("burst_shape", "k_streaming_min")
        if k == MAX_K:
            self.hit("burst_shape", "k_max")
        self.hit("burst_shape", "tiles_1" if tiles == 1 else "tiles_many")
        if tiles == MAX_TILES:
            self.hit("burst_shape", "tiles_max")
        if draining:
            self.hit("events", "start_while_draining")

    def readout(self, done: bool, read: bool, valid: bool, overrun: bool) -> None:
        if done:
            self.hit("events", "tile_readout")
        if read:
            self.hit("events", "read_replay" if valid else "read_before_results")
        if overrun:
            self.hit("events", "overrun")

    def reset(self, model) -> None:
        if not model.known:
            return
        if model.streaming:
            self.hit("events", "reset_while_streaming")
        elif model.reading:
            self.hit("events", "reset_while_reading")
        else:
            self.hit("events", "reset_while_idle")

    def operands(self, a: np.ndarray, b: np.ndarray) -> None:
        for group, values in (("a_corners", a), ("b_corners", b)):
            for value in set(int(v) for v in values):
                if str(value) in coverage_bins(self.spec)[group]:
                    self.hit(group, str(value))
        low, high = operand_range(self.spec)
        if self.spec.signed:
            if low in a and low in b:
                self.hit("arithmetic", "min_times_min")
            if (low in a and high in b) or (high in a and low in b):
                self.hit("arithmetic", "min_times_max")
        elif high in a and high in b:
            self.hit("arithmetic", "max_times_max")

    def tile(self, exact: np.ndarray, wrapped: np.ndarray) -> None:
        if np.any(exact != wrapped):
            self.hit("arithmetic", "accumulator_wrapped")

    def as_dict(self) -> dict[str, list[str]]:
        return {group: sorted(names) for group, names in self.hits.items()}


def summarize(spec: SystolicSpec, hit_sets: list[dict[str, list[str]]]) -> dict:
    """Merge the hits of several tests into per-group and total numbers."""
    bins = coverage_bins(spec)
    merged: dict[str, set] = {group: set() for group in bins}
    for hits in hit_sets:
        for group, names in hits.items():
            merged.setdefault(group, set()).update(names)
    groups = {}
    for group, names in bins.items():
        hit = [n for n in names if n in merged[group]]
        groups[group] = {"hit": len(hit), "total": len(names),
                         "missed": [n for n in names if n not in merged[group]]}
    total_hit = sum(g["hit"] for g in groups.values())
    total = sum(g["total"] for g in groups.values())
    return {"bins_hit": total_hit, "bins_total": total,
            "percent": round(100.0 * total_hit / total, 1), "groups": groups}
