"""Wall time of a clean `tapeflow run` (RTL to signed-off GDS), stage by stage,
with SiliconCompiler's time for each hardening step, then of the identical
second run (every stage up to date).

    TAPEFLOW_PDK_ROOT=../shared/pdk .venv/bin/python benchmarks/flow_time.py [--set k=v ...]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed_run(build: Path, args: list[str]) -> float:
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "tapeflow.flows.cli", "run", "--build-dir",
                          str(build), *args], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"tapeflow run exited {run.returncode}:\n{run.stderr[-3000:]}")
    return seconds


def main() -> None:
    args = sys.argv[1:]
    with tempfile.TemporaryDirectory() as scratch:
        build = Path(scratch)
        first = timed_run(build, args)
        (manifest,) = build.glob("*/manifest.json")
        stages = json.loads(manifest.read_text())["stages"]
        print(f"{'stage':<22} {'status':<8} {'seconds':>8}")
        for stage in stages:
            print(f"{stage['name']:<22} {stage['status']:<8} {stage['wall_seconds']:>8.1f}")
        steps = [(m["name"].removeprefix("harden_step_").removesuffix("_s"), m["value"])
                 for stage in stages for m in stage["metrics"]
                 if m["name"].startswith("harden_step_")]
        if steps:
            print(f"\n{'hardening step (SC task time)':<34} {'seconds':>8}")
            for step, seconds in steps:
                print(f"{step:<34} {seconds:>8.1f}")
        second = timed_run(build, args)
        print(f"\nclean run {first:.1f} s; identical second run {second:.1f} s")


if __name__ == "__main__":
    main()
