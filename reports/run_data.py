"""A run as the reports see it: what its manifest.json recorded, read-only."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from .metrics import Metric


class ReportError(ValueError):
    """The run folder or manifest cannot be reported on."""


@dataclass(frozen=True)
class StageEntry:
    name: str
    layer: str
    status: str
    reason: str | None
    warnings: list[str]
    wall_seconds: float
    up_to_date: bool
    outputs: list[dict]        # name, path, sha256, bytes
    tools: dict[str, str]


@dataclass(frozen=True)
class RunData:
    run_dir: Path
    design: str
    tag: str
    parameters: dict
    settings: dict                     # the run's RunSettings, as recorded
    tapeflow_version: str
    stages: list[StageEntry]
    metrics: dict[str, Metric]         # by name
    metric_stage: dict[str, str]       # metric name -> the stage that recorded it
    state: str | None = None           # running | complete | interrupted (None: not recorded)
    flow: list[str] | None = None      # the stages the run set out to run
    interrupted: dict | None = None    # {"stage", "cause"} when it was interrupted
    pid: int | None = None
    host: str | None = None

    def value(self, name: str, default=None):
        metric = self.metrics.get(name)
        return metric.value if metric is not None else default

    def spec(self):
        """The design's parameters as its spec type (SystolicSpec for systolic)."""
        from tapeflow.designs.errors import SpecError
        from tapeflow.designs.registry import UnknownDesignError, spec_from_parameters
        try:
            return spec_from_parameters(self.design, self.parameters)
        except (TypeError, SpecError, UnknownDesignError) as error:
            raise ReportError(f"{self.run_dir}/manifest.json: its design parameters are not "
                              f"valid ({str(error)[:160]})") from None

    def stage(self, name: str) -> StageEntry | None:
        return next((s for s in self.stages if s.name == name), None)

    def output(self, stage: str, name: str) -> Path | None:
        entry = self.stage(stage)
        if entry is None or entry.status != "passed":
            return None
        for output in entry.outputs:
            if output["name"] == name:
                path = self.run_dir / output["path"]
                return path if path.exists() else None
        return None


def load_run(location: Path) -> RunData:
    """A run folder, or its manifest.json. Anything that is not a manifest
    tapeflow wrote is one ReportError naming the first thing wrong."""
    manifest_path = location if location.name == "manifest.json" else location / "manifest.json"
    if not manifest_path.is_file():
        raise ReportError(f"{location} is not a tapeflow run: no manifest.json there "
                          f"(run `tapeflow run` first; runs are under build/)")
    try:
        data = json.loads(manifest_path.read_text())
        return _run_data(manifest_path, data)
    except (ValueError, KeyError, TypeError, RecursionError, UnicodeDecodeError) as error:
        raise ReportError(f"{manifest_path} is not a valid tapeflow manifest: "
                          f"{str(error)[:200]}") from None


def _run_data(manifest_path: Path, data) -> RunData:
    _expect(data, dict, "the manifest")
    stages, metrics, owner = [], {}, {}
    for raw in _expect(data["stages"], list, "stages"):
        _expect(raw, dict, "a stage")
        name = _expect(raw["name"], str, "a stage's name")
        entry = StageEntry(
            name, _expect(raw["layer"], str, f"{name}'s layer"),
            _one_of(raw["status"], ("passed", "failed", "skipped"), f"{name}'s status"),
            _expect(raw.get("reason"), (str, type(None)), f"{name}'s reason"),
            _strings(raw.get("warnings", []), f"{name}'s warnings"),
            _number(raw.get("wall_seconds", 0.0), f"{name}'s wall_seconds"),
            _expect(raw.get("up_to_date", False), bool, f"{name}'s up_to_date"),
            [_output(o, name) for o in _expect(raw.get("outputs", []), list, f"{name}'s outputs")],
            _expect(raw.get("tools", {}), dict, f"{name}'s tools"))
        stages.append(entry)
        for item in _expect(raw.get("metrics", []), list, f"{name}'s metrics"):
            metric = Metric.from_dict(_expect(item, dict, f"a metric of {name}"))
            _expect(metric.name, str, f"a metric name of {name}")
            if not isinstance(metric.value, (str, bool, type(None))):
                _number(metric.value, f"metric {metric.name}")
            metrics[metric.name] = metric
            owner[metric.name] = name
    return RunData(manifest_path.parent.resolve(), _expect(data["design"], str, "design"),
                   _expect(data["tag"], str, "tag"),
                   _expect(data["parameters"], dict, "parameters"),
                   _expect(data.get("settings", {}), dict, "settings"),
                   str(data.get("tapeflow_version", "unknown")), stages, metrics, owner,
                   state=_expect(data.get("state"), (str, type(None)), "state"),
                   flow=_strings(data["flow"], "flow") if "flow" in data else None,
                   interrupted=_expect(data.get("interrupted"), (dict, type(None)),
                                       "interrupted"),
                   pid=_expect(data.get("pid"), (int, type(None)), "pid"),
                   host=_expect(data.get("host"), (str, type(None)), "host"))


def _expect(value, kind, what: str):
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise TypeError(f"{what} is {type(value).__name__}, not what tapeflow writes")
    return value


def _one_of(value, allowed: tuple, what: str):
    if value not in allowed:
        raise ValueError(f"{what} {str(value)[:40]!r} is not one of {', '.join(allowed)}")
    return value


def _number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value) or abs(value) > 1e15:
        raise ValueError(f"{what} is {str(value)[:40]}, not a finite number")
    return value


def _strings(value, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TypeError(f"{what} is not a list of strings")
    return value


def _output(value, stage: str) -> dict:
    _expect(value, dict, f"an output of {stage}")
    for key in ("name", "path"):
        _expect(value[key], str, f"an output's {key} of {stage}")
    return value
