"""Runs a flow (a list of stages) for one design and keeps manifest.json current."""

from __future__ import annotations

import datetime as dt
import time
import traceback
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .atomic import write_json_atomic, write_text_atomic
from .hashing import sha256_file
from .progress import Progress
from .settings import RunSettings
from .stage import RunContext, Stage, StageResult, Status


@dataclass
class StageRecord:
    stage: Stage
    result: StageResult
    wall_seconds: float

    def as_dict(self, run_dir: Path) -> dict:
        result = self.result
        return {
            "name": self.stage.name,
            "layer": self.stage.layer.value,
            "status": result.status.value,
            "reason": result.reason,
            "wall_seconds": round(self.wall_seconds, 3),
            "outputs": [_describe_output(name, path, run_dir)
                        for name, path in result.outputs.items()],
            "metrics": [metric.as_dict() for metric in result.metrics],
            "tools": result.tools,
        }


def _describe_output(name: str, path: Path, run_dir: Path) -> dict:
    return {"name": name, "path": str(path.relative_to(run_dir)),
            "sha256": sha256_file(path), "bytes": path.stat().st_size}


def tapeflow_version() -> str:
    try:
        return metadata.version("tapeflow")
    except metadata.PackageNotFoundError:
        return "unknown"


def run_directory(design: str, spec, settings: RunSettings) -> Path:
    return settings.build_root / f"{design}-{spec.tag}"


def execute(design: str, spec, settings: RunSettings, stages: list[Stage],
            progress: Progress | None = None) -> tuple[Path, list[StageRecord]]:
    """Run ``stages`` in order. A stage whose needs did not pass is skipped
    with that reason; an unexpected exception fails the stage (traceback in
    its folder), never the whole program."""
    progress = progress or Progress()
    run_dir = run_directory(design, spec, settings).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = run_dir / "manifest.json"
    started = dt.datetime.now(dt.timezone.utc)
    records: list[StageRecord] = []
    results: dict[str, StageResult] = {}

    for index, stage in enumerate(stages, start=1):
        blocked = [need for need in stage.needs
                   if need not in results or results[need].status != Status.PASSED]
        began = time.monotonic()
        if blocked:
            result = StageResult.skipped(f"needs {blocked[0]}, which did not pass")
            progress.say(f"[{index}/{len(stages)}] {stage.name}: skipped ({result.reason})")
        else:
            ctx = RunContext(design, spec, settings, run_dir, dict(results))
            with progress.stage(index, len(stages), stage.name, stage.layer.value):
                result = _run_guarded(stage, ctx)
            wall = time.monotonic() - began
            detail = f": {result.reason}" if result.reason else ""
            progress.say(f"      {stage.name} {result.status.value} in {wall:.1f} s{detail}")
        results[stage.name] = result
        records.append(StageRecord(stage, result, time.monotonic() - began))
        write_json_atomic(manifest_path, _manifest(design, spec, run_dir, started, records))
    return run_dir, records


def _run_guarded(stage: Stage, ctx: RunContext) -> StageResult:
    try:
        return stage.run(ctx)
    except Exception as error:  # a bug or an unexpected tool state: keep the run going
        log = ctx.stage_dir(stage.name) / "error.log"
        write_text_atomic(log, traceback.format_exc())
        return StageResult(Status.FAILED, f"{type(error).__name__}: {error} (traceback in {log})")


def _manifest(design: str, spec, run_dir: Path, started, records: list[StageRecord]) -> dict:
    statuses = [r.result.status for r in records]
    return {
        "design": design,
        "parameters": spec.as_dict(),
        "tag": spec.tag,
        "tapeflow_version": tapeflow_version(),
        "started": started.isoformat(timespec="seconds"),
        "updated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "status": "failed" if Status.FAILED in statuses else "passed",
        "stages": [record.as_dict(run_dir) for record in records],
    }
