"""A run as the reports see it: what its manifest.json recorded, read-only."""

from __future__ import annotations

import json
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

    def value(self, name: str, default=None):
        metric = self.metrics.get(name)
        return metric.value if metric is not None else default

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
    """A run folder, or its manifest.json."""
    manifest_path = location if location.name == "manifest.json" else location / "manifest.json"
    if not manifest_path.is_file():
        raise ReportError(f"{location} is not a tapeflow run: no manifest.json there "
                          f"(run `tapeflow run` first; runs are under build/)")
    try:
        data = json.loads(manifest_path.read_text())
        stages = [StageEntry(s["name"], s["layer"], s["status"], s.get("reason"),
                             s.get("warnings", []), s.get("wall_seconds", 0.0),
                             s.get("up_to_date", False), s.get("outputs", []),
                             s.get("tools", {}))
                  for s in data["stages"]]
        metrics, owner = {}, {}
        for stage in data["stages"]:
            for raw in stage.get("metrics", []):
                metric = Metric.from_dict(raw)
                metrics[metric.name] = metric
                owner[metric.name] = stage["name"]
        return RunData(manifest_path.parent.resolve(), data["design"], data["tag"],
                       data["parameters"], data.get("settings", {}),
                       data.get("tapeflow_version", "unknown"), stages,
                       metrics, owner)
    except (ValueError, KeyError, TypeError) as error:
        raise ReportError(f"{manifest_path} is not a valid tapeflow manifest: {error}") from None
