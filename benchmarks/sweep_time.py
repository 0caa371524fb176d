"""Wall time of one `tapeflow sweep` at --jobs 1 and --jobs 2 (and more, if
asked) on the same points, each in a fresh build folder with a warm compiler
cache, then the identical second sweep (every point up to date): what the
default --jobs rests on.

    TAPEFLOW_PDK_ROOT=../shared/pdk .venv/bin/python benchmarks/sweep_time.py \\
        [--jobs 1 2] [--until verify-gl] [--set rows=1,2 --set in_width=4,8]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def sweep(build: Path, jobs: int, until: str, sets: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tapeflow.flows.cli", "sweep", "--build-dir",
                           str(build), "--jobs", str(jobs), "--until", until,
                           *(item for pair in sets for item in ("--set", pair))],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"tapeflow sweep exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--until", default="verify-gl")
    parser.add_argument("--set", dest="sets", action="append",
                        default=None, metavar="NAME=V1,V2")
    args = parser.parse_args()
    sets = args.sets or ["rows=1,2", "in_width=4,8"]
    with tempfile.TemporaryDirectory(prefix="tapeflow-sweep-bench-") as work:
        sweep(Path(work) / "warm-up", 2, args.until, sets)   # fills the compiler cache
        for jobs in args.jobs:
            build = Path(work) / f"jobs{jobs}"
            seconds = sweep(build, jobs, args.until, sets)
            (document,) = build.glob("sweep-*/sweep.json")
            points = json.loads(document.read_text())["points"]
            busy = sum(point["wall_seconds"] or 0 for point in points)
            print(f"--jobs {jobs}: {len(points)} points through {args.until} in "
                  f"{seconds:6.1f} s wall ({busy:.0f} s of stage time, "
                  f"{busy / seconds:.2f} points' stages at once)")
            again = sweep(build, jobs, args.until, sets)
            print(f"           identical second sweep (all up to date): {again:.1f} s")


if __name__ == "__main__":
    main()
