"""Wall time of `tapeflow run` on the default design (or --set ...): a clean
run with an empty cache, the identical second run (every stage up to date),
and a clean run in a new build folder with the cache the first one filled;
per stage seconds, SiliconCompiler's time per hardening step, the run
folder's size and the compiler cache's hits and misses.

    TAPEFLOW_PDK_ROOT=../shared/pdk .venv/bin/python benchmarks/flow_time.py \\
        [--until verify-gl] [--set k=v ...]

Any extra arguments go to `tapeflow run`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed_run(build: Path, args: list[str], cache: Path) -> float:
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "tapeflow.flows.cli", "run", "--build-dir",
                          str(build), *args], capture_output=True, text=True,
                         env={**os.environ, "TAPEFLOW_CACHE": str(cache)})
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"tapeflow run exited {run.returncode}:\n{run.stderr[-3000:]}")
    return seconds


def ccache_counts(cache: Path) -> tuple[int, int]:
    """(hits, misses) so far in the cache's ccache folder."""
    done = subprocess.run(["ccache", "--print-stats"], capture_output=True, text=True,
                          env={**os.environ, "CCACHE_DIR": str(cache / "ccache")})
    stats = dict(re.findall(r"^(\w+)\t(\d+)$", done.stdout, re.MULTILINE))
    hits = int(stats.get("direct_cache_hit", 0)) + int(stats.get("preprocessed_cache_hit", 0))
    return hits, int(stats.get("cache_miss", 0))


def folder_megabytes(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def stage_seconds(build: Path) -> dict[str, tuple[str, float]]:
    (manifest,) = build.glob("*/manifest.json")
    return {s["name"]: (s["status"], s["wall_seconds"])
            for s in json.loads(manifest.read_text())["stages"]}


def main() -> None:
    args = sys.argv[1:]
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        cache, first_build, second_build = scratch / "cache", scratch / "a", scratch / "b"
        cold = timed_run(first_build, args, cache)
        cold_counts = ccache_counts(cache)
        cold_stages = stage_seconds(first_build)
        size = folder_megabytes(next(first_build.glob("*/")))
        again = timed_run(first_build, args, cache)
        warm = timed_run(second_build, args, cache)
        warm_counts = ccache_counts(cache)
        warm_stages = stage_seconds(second_build)

        print(f"{'stage':<22} {'status':<8} {'empty cache s':>13} {'warm cache s':>13}")
        for name, (status, seconds) in cold_stages.items():
            print(f"{name:<22} {status:<8} {seconds:>13.1f} {warm_stages[name][1]:>13.1f}")
        (manifest,) = first_build.glob("*/manifest.json")
        steps = [(m["name"].removeprefix("harden_step_").removesuffix("_s"), m["value"])
                 for stage in json.loads(manifest.read_text())["stages"]
                 for m in stage["metrics"] if m["name"].startswith("harden_step_")]
        if steps:
            print(f"\n{'hardening step (SC task time)':<34} {'seconds':>8}")
            for step, seconds in steps:
                print(f"{step:<34} {seconds:>8.1f}")
        print(f"\nclean run, empty cache: {cold:.1f} s (ccache {cold_counts[0]} hits, "
              f"{cold_counts[1]} misses)")
        print(f"identical second run:   {again:.2f} s")
        print(f"clean run, warm cache:  {warm:.1f} s (ccache {warm_counts[0] - cold_counts[0]} "
              f"hits, {warm_counts[1] - cold_counts[1]} misses)")
        print(f"run folder: {size:.1f} MB")


if __name__ == "__main__":
    main()
