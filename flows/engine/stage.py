"""The step model: a stage declares its name, layer and what it needs, and
turns a read-only RunContext into a StageResult. The flow is a list of stages."""

from __future__ import annotations

import dataclasses
import enum
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from tapeflow.reports.metrics import Layer, Metric

from .progress import Activity
from .settings import RunSettings


class Status(str, enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class StageResult:
    status: Status
    reason: str | None = None                   # why it failed or was skipped
    outputs: dict[str, Path] = field(default_factory=dict)
    metrics: list[Metric] = field(default_factory=list)
    tools: dict[str, str] = field(default_factory=dict)   # tool -> version used
    warnings: list[str] = field(default_factory=list)     # passed, but worth reading

    @classmethod
    def skipped(cls, reason: str) -> "StageResult":
        return cls(Status.SKIPPED, reason)


class UndeclaredRead(LookupError):
    """A stage read an earlier stage's output or metric it did not declare in
    ``reads``: its fingerprint would miss that input, so this is a bug."""


@dataclass(frozen=True)
class RunContext:
    """What a stage may read: the run's settings and the outputs and metrics
    of earlier stages that it declared in ``reads``."""

    design: str
    spec: object
    settings: RunSettings
    run_dir: Path
    results: dict[str, StageResult]
    reads: frozenset[str] = frozenset()        # "stage.name" entries it may read
    activity: Activity = field(default_factory=Activity)   # what it says it is doing

    def stage_dir(self, name: str) -> Path:
        path = self.run_dir / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def output(self, stage: str, name: str) -> Path:
        return self.results[self._declared(stage, name)].outputs[name]

    def optional_output(self, stage: str, name: str) -> Path | None:
        """An output the earlier stage may not have written (e.g. one SPEF per RC corner)."""
        return self.results[self._declared(stage, name)].outputs.get(name)

    def metric(self, stage: str, name: str):
        """The value of a metric an earlier stage recorded."""
        return next(m.value for m in self.results[self._declared(stage, name)].metrics
                    if m.name == name)

    def _declared(self, stage: str, name: str) -> str:
        if f"{stage}.{name}" not in self.reads:
            raise UndeclaredRead(f"{stage}.{name} is read but not declared in the stage's "
                                 f"`reads`")
        return stage

    def relative(self, path: Path) -> str:
        """How metrics and the manifest name a file: relative to the run folder."""
        return str(path.relative_to(self.run_dir))


class Stage(ABC):
    name: ClassVar[str]
    layer: ClassVar[Layer]
    needs: ClassVar[tuple[str, ...]] = ()      # stages that must pass before this one runs
    # What it reads of them, "stage.output" or "stage.metric": only these
    # (by content or value) enter its fingerprint, so a re-run earlier stage
    # whose logs changed but whose netlist did not leaves this one up to date.
    reads: ClassVar[tuple[str, ...]] = ()
    # Build folders (globs in its folder) removed once it passed: compiled
    # models and SiliconCompiler's per-step copies, hundreds of MB that no
    # output, report or later stage uses. A failed stage keeps them to debug.
    scratch: ClassVar[tuple[str, ...]] = ()
    # RunSettings fields whose values it reads. Not pdk_root: where the PDK is
    # does not matter, its files enter the fingerprint by content (data_files).
    settings_used: ClassVar[tuple[str, ...]] = ()
    description: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        stray = [read for read in cls.reads if read.partition(".")[0] not in cls.needs]
        if stray:
            raise TypeError(f"{cls.__name__} reads {stray[0]} from a stage it does not need")
        known = {field.name for field in dataclasses.fields(RunSettings)}
        if not isinstance(cls.settings_used, tuple) or not set(cls.settings_used) <= known:
            raise TypeError(f"{cls.__name__}.settings_used must be a tuple of RunSettings "
                            f"fields, not {cls.settings_used!r}")

    def data_files(self, settings: RunSettings) -> list[Path]:
        """Files outside the run folder that the stage reads (PDK data,
        TinyTapeout's data): their contents are part of its fingerprint, so
        an edited liberty or template DEF runs it again."""
        return []

    @abstractmethod
    def run(self, ctx: RunContext) -> StageResult:
        """Do the work in ``ctx.stage_dir(self.name)``; never raise for
        expected tool failures, return a FAILED result with the reason."""
