"""Runs a flow (a list of stages) for one design and keeps manifest.json current.

A stage whose fingerprint (parameters, the settings it reads, its input files,
tapeflow's source) matches the last successful run, and whose outputs are
still there unchanged, is not run again: its recorded result is reused and
marked up to date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
import traceback
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from tapeflow.reports.metrics import Metric

from .atomic import write_json_atomic, write_text_atomic
from .fingerprint import stage_fingerprint
from .hashing import sha256_file, sha256_of_data
from .progress import Progress
from .settings import RunSettings
from .stage import RunContext, Stage, StageResult, Status


@dataclass
class StageRecord:
    stage: Stage
    result: StageResult
    wall_seconds: float
    outputs: list[dict]             # name, path, sha256, bytes: hashed once per run
    fingerprint: str | None = None
    up_to_date: bool = False

    def as_dict(self) -> dict:
        result = self.result
        return {
            "name": self.stage.name,
            "layer": self.stage.layer.value,
            "status": result.status.value,
            "reason": result.reason,
            "warnings": result.warnings,
            "up_to_date": self.up_to_date,
            "fingerprint": self.fingerprint,
            "wall_seconds": round(self.wall_seconds, 3),
            "outputs": self.outputs,
            "metrics": [metric.as_dict() for metric in result.metrics],
            "tools": result.tools,
        }


def _describe_outputs(result: StageResult, run_dir: Path) -> list[dict]:
    return [{"name": name, "path": str(path.relative_to(run_dir)),
             "sha256": sha256_file(path), "bytes": path.stat().st_size}
            for name, path in result.outputs.items()]


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
    previous = _previous_stages(manifest_path)
    started = dt.datetime.now(dt.timezone.utc)
    records: dict[str, StageRecord] = {}
    results: dict[str, StageResult] = {}

    for index, stage in enumerate(stages, start=1):
        blocked = [need for need in stage.needs
                   if need not in results or results[need].status != Status.PASSED]
        began = time.monotonic()
        if blocked:
            result = StageResult.skipped(f"needs {blocked[0]}, which did not pass")
            progress.say(f"[{index}/{len(stages)}] {stage.name}: skipped ({result.reason})")
            record = StageRecord(stage, result, 0.0, [])
        else:
            inputs = {f"{need}.{output['name']}": output["sha256"] for need in stage.needs
                      for output in records[need].outputs}
            inputs |= _data_hashes(stage, settings)
            fingerprint = stage_fingerprint(stage, spec, settings, inputs)
            reused = _reuse(previous.get(stage.name), fingerprint, run_dir)
            if reused is not None:
                result, outputs = reused
                progress.say(f"[{index}/{len(stages)}] {stage.name}: up to date")
            else:
                ctx = RunContext(design, spec, settings, run_dir, dict(results))
                with progress.stage(index, len(stages), stage.name, stage.layer.value):
                    result = _run_guarded(stage, ctx)
                outputs = _describe_outputs(result, run_dir)
                detail = f": {result.reason}" if result.reason else ""
                progress.say(f"      {stage.name} {result.status.value} in "
                             f"{time.monotonic() - began:.1f} s{detail}")
                for warning in result.warnings:
                    progress.say(f"      warning: {warning}")
            record = StageRecord(stage, result, time.monotonic() - began, outputs, fingerprint,
                                 up_to_date=reused is not None)
        records[stage.name] = record
        results[stage.name] = result
        write_json_atomic(manifest_path, _manifest(design, spec, settings, started,
                                                   list(records.values())))
    return run_dir, list(records.values())


def _data_hashes(stage: Stage, settings: RunSettings) -> dict[str, str]:
    """The stage's outside data files by content. Where they cannot be listed
    (no local PDK), the stage runs and says why itself."""
    try:
        files = stage.data_files(settings)
    except Exception:                     # noqa: BLE001 - reported by the stage's run
        return {"data": "unavailable"}
    return {f"data:{path}": sha256_of_data(path) for path in sorted(set(files))}


def _previous_stages(manifest_path: Path) -> dict[str, dict]:
    try:
        return {s["name"]: s for s in json.loads(manifest_path.read_text())["stages"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _reuse(record: dict | None, fingerprint: str, run_dir: Path
           ) -> tuple[StageResult, list[dict]] | None:
    """The recorded result and outputs, if it passed with the same fingerprint
    and its outputs are still there, byte for byte."""
    if not record or record.get("status") != Status.PASSED.value \
            or record.get("fingerprint") != fingerprint:
        return None
    outputs = {}
    for output in record["outputs"]:
        path = run_dir / output["path"]
        if not path.is_file() or sha256_file(path) != output["sha256"]:
            return None
        outputs[output["name"]] = path
    result = StageResult(Status.PASSED, None, outputs,
                         [Metric.from_dict(m) for m in record["metrics"]],
                         record.get("tools", {}), record.get("warnings", []))
    return result, record["outputs"]


def _run_guarded(stage: Stage, ctx: RunContext) -> StageResult:
    try:
        return stage.run(ctx)
    except Exception as error:  # a bug or an unexpected tool state: keep the run going
        log = ctx.stage_dir(stage.name) / "error.log"
        write_text_atomic(log, traceback.format_exc())
        return StageResult(Status.FAILED, f"{type(error).__name__}: {error} (traceback in {log})")


def _manifest(design: str, spec, settings: RunSettings, started,
              records: list[StageRecord]) -> dict:
    statuses = [r.result.status for r in records]
    return {
        "design": design,
        "parameters": spec.as_dict(),
        "settings": {k: None if v is None else (str(v) if isinstance(v, Path) else v)
                     for k, v in dataclasses.asdict(settings).items()},
        "tag": spec.tag,
        "tapeflow_version": tapeflow_version(),
        "started": started.isoformat(timespec="seconds"),
        "updated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "status": "failed" if Status.FAILED in statuses else "passed",
        "stages": [record.as_dict() for record in records],
    }
