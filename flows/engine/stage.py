"""The step model: a stage declares its name, layer and what it needs, and
turns a read-only RunContext into a StageResult. The flow is a list of stages."""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from tapeflow.reports.metrics import Layer, Metric

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


@dataclass(frozen=True)
class RunContext:
    """What a stage may read: the run's settings and earlier stages' results."""

    design: str
    spec: object
    settings: RunSettings
    run_dir: Path
    results: dict[str, StageResult]

    def stage_dir(self, name: str) -> Path:
        path = self.run_dir / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def output(self, stage: str, name: str) -> Path:
        return self.results[stage].outputs[name]

    def metric(self, stage: str, name: str):
        """The value of a metric an earlier stage recorded."""
        return next(m.value for m in self.results[stage].metrics if m.name == name)

    def relative(self, path: Path) -> str:
        """How metrics and the manifest name a file: relative to the run folder."""
        return str(path.relative_to(self.run_dir))


class Stage(ABC):
    name: ClassVar[str]
    layer: ClassVar[Layer]
    needs: ClassVar[tuple[str, ...]] = ()      # stages whose outputs this one reads
    settings_used: ClassVar[tuple[str, ...]] = ()   # RunSettings fields it reads
    description: ClassVar[str] = ""

    def data_files(self, settings: RunSettings) -> list[Path]:
        """Files outside the run folder that the stage reads (PDK data,
        TinyTapeout's data): their contents are part of its fingerprint, so
        an edited liberty or template DEF runs it again."""
        return []

    @abstractmethod
    def run(self, ctx: RunContext) -> StageResult:
        """Do the work in ``ctx.stage_dir(self.name)``; never raise for
        expected tool failures, return a FAILED result with the reason."""
