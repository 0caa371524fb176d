"""Stand-in stages for the engine's tests, importable in-process and runnable
as a program (``python -m tests.toy_flow BUILD_DIR [--slow-stage SECONDS]``)
so a test can kill a real process in the middle of a stage."""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

from tapeflow.designs.systolic.spec import SystolicSpec
from tapeflow.flows.engine.execute import execute
from tapeflow.flows.engine.progress import Progress
from tapeflow.flows.engine.settings import RunSettings
from tapeflow.flows.engine.stage import Stage, StageResult, Status
from tapeflow.reports.metrics import Layer, Metric


class Source(Stage):
    """Writes a product (read by the next stage) and a log (read by no one)."""
    name = "source"
    layer = Layer.L5
    settings_used = ("seed",)
    data: Path | None = None          # an outside data file; its first line is used

    def data_files(self, settings):
        return [self.data] if self.data else []

    def run(self, ctx):
        out = ctx.stage_dir(self.name)
        product, log = out / "product.txt", out / "run.log"
        used = self.data.read_text().splitlines()[0] if self.data else ""
        product.write_text(f"seed {ctx.settings.seed} {used}\n")
        log.write_text(f"written at {time.time()}\n")      # differs on every run
        return StageResult(Status.PASSED, outputs={"product": product, "log": log},
                           metrics=[Metric("size", 7, "count", Layer.L5, "toy")])


class Consumer(Stage):
    """Reads Source's product and metric; may dawdle so it can be killed."""
    name = "consumer"
    layer = Layer.L6
    needs = ("source",)
    reads = ("source.product", "source.size")
    dawdle_seconds = 0.0

    def run(self, ctx):
        out = ctx.stage_dir(self.name)
        partial = out / "partial.bin"
        partial.write_bytes(b"half")                # what a killed build leaves
        time.sleep(self.dawdle_seconds)
        text = ctx.output("source", "product").read_text()
        result = out / "result.txt"
        result.write_text(text.upper() + f"size {ctx.metric('source', 'size')}\n")
        partial.unlink()
        return StageResult(Status.PASSED, outputs={"result": result})


def toy_flow(dawdle_seconds: float = 0.0) -> list[Stage]:
    consumer = Consumer()
    consumer.dawdle_seconds = dawdle_seconds
    return [Source(), consumer]


def run_toy(build_root: Path, dawdle_seconds: float = 0.0, stream=None, **settings):
    return execute("systolic", SystolicSpec(), RunSettings(build_root=build_root, **settings),
                   toy_flow(dawdle_seconds), Progress(stream or io.StringIO()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("build_root", type=Path)
    parser.add_argument("--dawdle", type=float, default=0.0)
    args = parser.parse_args()
    try:
        run_toy(args.build_root, args.dawdle, sys.stdout)
    except KeyboardInterrupt:
        sys.exit(130)
