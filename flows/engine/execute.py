"""Runs a flow (a list of stages) for one design and keeps manifest.json current.

A stage whose fingerprint (parameters, the settings it reads, what it reads
of earlier stages, the outside data it reads, tapeflow's source) matches its
last successful run, and whose outputs are still there unchanged, is not run
again: its recorded result is reused and marked up to date. That record lives
in the stage's own folder (``<stage>/stage.json``), written after its outputs,
so a run killed at any point leaves every finished stage reusable and the
interrupted one without a record.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import time
import traceback
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from tapeflow.reports.metrics import Metric

from .atomic import write_json_atomic, write_text_atomic
from .fingerprint import stage_fingerprint
from .hashing import sha256_file, sha256_of_data
from .lock import run_folder_lock
from .progress import Progress
from .run_folder import RunFolderError, run_directory, run_name
from .settings import RunSettings
from .stage import RunContext, Stage, StageResult, Status

RECORD_FILE = "stage.json"
#: In the build folder: each stage's last wall time, for the progress estimate.
STAGE_TIMES_FILE = ".stage-times.json"


class ManifestWriteError(RuntimeError):
    """manifest.json could not be written (disk full, say); the one on disk is
    the previous, complete one."""


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


def tapeflow_version() -> str:
    try:
        return metadata.version("tapeflow")
    except metadata.PackageNotFoundError:
        return "unknown"


def execute(design: str, spec, settings: RunSettings, stages: list[Stage],
            progress: Progress | None = None) -> tuple[Path, list[StageRecord]]:
    """Run ``stages`` in order, holding the run folder's lock. A stage whose
    needs did not pass is skipped with that reason; an unexpected exception
    fails the stage (traceback in its folder), never the whole program. An
    interrupt (Ctrl-C, or SIGTERM turned into KeyboardInterrupt by the caller)
    marks the manifest interrupted and propagates."""
    run_dir = run_directory(design, spec, settings).resolve()
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RunFolderError.of(run_dir, error) from None
    with run_folder_lock(run_dir):
        run = _Run(design, spec, settings, stages, run_dir, progress or Progress())
        return run_dir, run.execute()


def pending_stages(design: str, spec, settings: RunSettings, stages: list[Stage]
                   ) -> list[str]:
    """The stages ``execute`` would run now rather than reuse (all of them
    for a folder that never ran): an empty list means the run is up to date.
    Reads only, takes no lock: a sweep asks this before it starts a job."""
    run_dir = run_directory(design, spec, settings).resolve()
    if not (run_dir / "manifest.json").is_file():
        return [stage.name for stage in stages]
    return _Run(design, spec, settings, stages, run_dir, Progress()).pending()


class _Run:
    def __init__(self, design, spec, settings, stages, run_dir: Path, progress: Progress):
        self.design, self.spec, self.settings, self.stages = design, spec, settings, stages
        self.run_dir, self.progress = run_dir, progress
        self.manifest_path = run_dir / "manifest.json"
        self.started = dt.datetime.now(dt.timezone.utc)
        self.records: dict[str, StageRecord] = {}

    def execute(self) -> list[StageRecord]:
        self._note_previous_run()
        self._write_manifest("running")
        current = None
        try:
            for index, stage in enumerate(self.stages, start=1):
                current = stage.name
                self.records[stage.name] = self._stage(index, stage)
                self._write_manifest("running")
        except BaseException as error:
            cause = "interrupted" if isinstance(error, KeyboardInterrupt) else \
                f"stopped by {type(error).__name__}: {error}"
            try:
                self._write_manifest("interrupted", {"stage": current, "cause": cause})
            except ManifestWriteError:
                pass                  # the error being raised says more
            raise
        self._write_manifest("complete")
        return list(self.records.values())

    def _note_previous_run(self) -> None:
        """We hold the lock, so a manifest still saying "running" is a run
        that died without a word (kill -9, power loss)."""
        try:
            previous = json.loads(self.manifest_path.read_text())
        except (OSError, ValueError, RecursionError):
            return
        if isinstance(previous, dict) and previous.get("state") == "running":
            self.progress.say(
                f"note: the previous run here (pid {previous.get('pid', '?')}, started "
                f"{previous.get('started', '?')}) ended without finishing; stages it "
                f"finished are reused where up to date, the rest run again")

    def pending(self) -> list[str]:
        """The stages a run would execute rather than reuse, found the way
        a run finds them but without running or writing anything."""
        for position, stage in enumerate(self.stages):
            if self._blocked_by(stage):
                self.records[stage.name] = StageRecord(stage, StageResult.skipped(""), 0.0, [])
                continue
            fingerprint, previous = self._fingerprint(stage)
            reused = _reuse(previous, fingerprint, self.run_dir)
            if reused is None:
                return [later.name for later in self.stages[position:]]
            self.records[stage.name] = StageRecord(stage, reused[0], 0.0, reused[1],
                                                   fingerprint, up_to_date=True)
        return []

    def _blocked_by(self, stage: Stage) -> str | None:
        results = self._results()
        return next((need for need in stage.needs
                     if need not in results or results[need].status != Status.PASSED), None)

    def _fingerprint(self, stage: Stage) -> tuple[str, dict | None]:
        """The stage's fingerprint now, and its folder's record of its last run."""
        fingerprint = stage_fingerprint(stage, self.spec, self.settings,
                                        self._read_values(stage), _data_hashes(stage,
                                                                               self.settings))
        return fingerprint, _read_record(self.run_dir / stage.name)

    def _stage(self, index: int, stage: Stage) -> StageRecord:
        total, results = len(self.stages), self._results()
        blocked = self._blocked_by(stage)
        if blocked:
            result = StageResult.skipped(f"needs {blocked}, which did not pass")
            self.progress.say(f"[{index}/{total}] {stage.name}: skipped ({result.reason})")
            return StageRecord(stage, result, 0.0, [])
        began = time.monotonic()
        fingerprint, previous = self._fingerprint(stage)
        stage_dir = self.run_dir / stage.name
        reused = _reuse(previous, fingerprint, self.run_dir)
        if reused is not None:
            self.progress.say(f"[{index}/{total}] {stage.name}: up to date")
            result, outputs = reused
            return StageRecord(stage, result, time.monotonic() - began, outputs, fingerprint,
                               up_to_date=True)
        # A stage always starts from an empty folder: nothing a failed or
        # killed earlier attempt left behind (a truncated object file) is reused.
        shutil.rmtree(stage_dir, ignore_errors=True)
        ctx = RunContext(self.design, self.spec, self.settings, self.run_dir, results,
                         frozenset(stage.reads))
        last = _last_seconds(previous) or self._stage_times().get(stage.name)
        with self.progress.stage(index, total, stage.name, stage.layer.value, last,
                                 ctx.activity):
            result = _run_guarded(stage, ctx)
        result, outputs = _describe_outputs(result, self.run_dir)
        if result.status == Status.PASSED:
            _remove_scratch(stage, stage_dir)
        record = StageRecord(stage, result, time.monotonic() - began, outputs, fingerprint)
        self._note_stage_time(stage.name, record.wall_seconds)
        detail = f": {result.reason}" if result.reason else ""
        self.progress.say(f"      {stage.name} {result.status.value} in "
                          f"{record.wall_seconds:.1f} s{detail}")
        for warning in result.warnings:
            self.progress.say(f"      warning: {warning}")
        try:
            write_json_atomic(stage_dir / RECORD_FILE, record.as_dict())
        except OSError as error:
            raise ManifestWriteError(f"could not write {stage_dir / RECORD_FILE}: "
                                     f"{error.strerror or error}") from None
        return record

    def _stage_times(self) -> dict[str, float]:
        """The last time each stage took in any run folder of this build
        folder: the estimate for a folder that never ran it."""
        try:
            times = json.loads((self.run_dir.parent / STAGE_TIMES_FILE).read_text())
        except (OSError, ValueError, RecursionError):
            return {}
        return {name: float(seconds) for name, seconds in times.items()
                if isinstance(seconds, (int, float))} if isinstance(times, dict) else {}

    def _note_stage_time(self, name: str, seconds: float) -> None:
        try:            # a lost update between two runs only costs an estimate
            write_json_atomic(self.run_dir.parent / STAGE_TIMES_FILE,
                              self._stage_times() | {name: round(seconds, 1)})
        except OSError:
            pass

    def _results(self) -> dict[str, StageResult]:
        return {name: record.result for name, record in self.records.items()}

    def _read_values(self, stage: Stage) -> dict[str, str]:
        """What the stage reads of earlier stages: files by content, metrics by value."""
        values = {}
        for read in stage.reads:
            source, _, name = read.partition(".")
            record = self.records[source]
            output = next((o for o in record.outputs if o["name"] == name), None)
            metric = next((m for m in record.result.metrics if m.name == name), None)
            values[read] = (output["sha256"] if output else
                            json.dumps(metric.value) if metric else "absent")
        return values

    def _write_manifest(self, state: str, interruption: dict | None = None) -> None:
        records = list(self.records.values())
        statuses = [r.result.status for r in records]
        data = {
            "design": self.design,
            "run": run_name(self.design, self.spec, self.settings),
            "parameters": self.spec.as_dict(),
            "settings": {k: None if v is None else (str(v) if isinstance(v, Path) else v)
                         for k, v in vars(self.settings).items()},
            "tag": self.spec.tag,
            "tapeflow_version": tapeflow_version(),
            # running | complete | interrupted; a "running" one whose pid is
            # gone was killed (the next run says so and carries on)
            "state": state,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": self.started.isoformat(timespec="seconds"),
            "updated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "flow": [stage.name for stage in self.stages],
            "status": "failed" if Status.FAILED in statuses else "passed",
            "stages": [record.as_dict() for record in records],
        }
        if interruption:
            data["interrupted"] = interruption
        try:
            write_json_atomic(self.manifest_path, data)
        except OSError as error:
            raise ManifestWriteError(
                f"could not write {self.manifest_path}: {error.strerror or error}; it still "
                f"holds the previous state of the run") from None


def _describe_outputs(result: StageResult, run_dir: Path) -> tuple[StageResult, list[dict]]:
    """Each output by path, sha256 and size. A passed stage whose output is
    missing did not pass."""
    described, missing = [], []
    for name, path in result.outputs.items():
        if not path.is_file():
            missing.append(name)
            continue
        described.append({"name": name, "path": str(path.relative_to(run_dir)),
                          "sha256": sha256_file(path), "bytes": path.stat().st_size})
    if missing and result.status == Status.PASSED:
        result = StageResult(Status.FAILED, f"output {missing[0]} was not written",
                             result.outputs, result.metrics, result.tools, result.warnings)
    return result, described


def _data_hashes(stage: Stage, settings: RunSettings) -> list[tuple[str, str]]:
    """The stage's outside data files by content, each named by its folder and
    file name only: a PDK or TinyTapeout copy moved elsewhere re-runs nothing,
    an edited file re-runs what reads it. Where they cannot be listed (no
    local PDK), the stage runs and says why itself."""
    try:
        files = stage.data_files(settings)
    except Exception:                     # noqa: BLE001 - reported by the stage's run
        return [("data", "unavailable")]
    return sorted((f"{path.parent.name}/{path.name}", sha256_of_data(path))
                  for path in set(files))


def _last_seconds(record: dict | None) -> float | None:
    """How long the stage took when it last ran to a pass or a failure."""
    if not record or record.get("status") not in ("passed", "failed"):
        return None
    seconds = record.get("wall_seconds")
    return float(seconds) if isinstance(seconds, (int, float)) and seconds > 0 else None


def _remove_scratch(stage: Stage, stage_dir: Path) -> None:
    for pattern in stage.scratch:
        for path in stage_dir.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _read_record(stage_dir: Path) -> dict | None:
    try:
        record = json.loads((stage_dir / RECORD_FILE).read_text())
    except (OSError, ValueError, RecursionError):
        return None
    return record if isinstance(record, dict) else None


def _reuse(record: dict | None, fingerprint: str, run_dir: Path
           ) -> tuple[StageResult, list[dict]] | None:
    """The recorded result and outputs, if it passed with the same fingerprint
    and its outputs are still there, byte for byte. A record that does not
    parse as one (edited by hand, from an older tapeflow) is not reused."""
    if not record or record.get("status") != Status.PASSED.value \
            or record.get("fingerprint") != fingerprint:
        return None
    try:
        outputs = {}
        for output in record["outputs"]:
            path = run_dir / output["path"]
            if not path.is_file() or sha256_file(path) != output["sha256"]:
                return None
            outputs[output["name"]] = path
        result = StageResult(Status.PASSED, None, outputs,
                             [Metric.from_dict(m) for m in record["metrics"]],
                             dict(record.get("tools", {})), list(record.get("warnings", [])))
    except (KeyError, TypeError, ValueError, AttributeError, OSError):
        return None
    return result, record["outputs"]


def _run_guarded(stage: Stage, ctx: RunContext) -> StageResult:
    try:
        return stage.run(ctx)
    except Exception as error:  # a bug or an unexpected tool state: keep the run going
        log = ctx.stage_dir(stage.name) / "error.log"
        write_text_atomic(log, traceback.format_exc())
        return StageResult(Status.FAILED, f"{type(error).__name__}: {error} (traceback in {log})")
