"""tapeflow sweep: the grid and its bad input, the point command line, the
table and its Pareto fronts; slow: a real sweep interrupted and continued,
and the same sweep on a real one-node Slurm cluster equal to the local one."""

import json
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tapeflow.designs.systolic.spec import SystolicSpec
from tapeflow.flows import cli
from tapeflow.flows.engine.run_folder import run_name
from tapeflow.flows.engine.settings import RunSettings
from tapeflow.flows.params import ParameterError
from tapeflow.flows.sweep.grid import MAX_POINTS, expand, grid_from_config, grid_from_options
from tapeflow.flows.sweep.jobs import point_job, settings_argv
from tapeflow.reports.sweep_page import csv_columns, write_sweep
from tapeflow.reports.sweep_table import SweepRow, mark_fronts, point_row

from .conftest import require_tool
from .test_fuzz_inputs import call
from .test_reports import _manifest


def test_grid_is_every_combination_and_invalid_ones_are_skipped_with_the_reason():
    grid = grid_from_options(["rows=1,2", "in_width=4,8", "acc_width=12,20", "rows=1,2,2"])
    points, invalid = expand(SystolicSpec, grid)
    assert len(points) == 6 and len(invalid) == 2
    assert all("acc_width=12" in item.assignments and "in_width=8" in item.assignments
               for item in invalid)
    assert "at least the 16-bit product" in invalid[0].reason
    assert {(p.spec.rows, p.spec.in_width, p.spec.acc_width) for p in points} == {
        (1, 4, 12), (1, 4, 20), (1, 8, 20), (2, 4, 12), (2, 4, 20), (2, 8, 20)}


def test_config_grid_and_explicit_points():
    grid, listed = grid_from_config({"rows": [1, 2], "signed": False})
    assert grid == {"rows": ["1", "2"], "signed": ["false"]} and listed is None
    grid, listed = grid_from_config({"signed": True, "points": [{"rows": 1, "fold": 1},
                                                                {"rows": 4, "cols": 2}]})
    points, invalid = expand(SystolicSpec, grid, listed)
    assert [(p.spec.rows, p.spec.cols, p.spec.fold, p.spec.signed) for p in points] == [
        (1, 1, 1, True), (4, 2, 2, True)] and not invalid


@pytest.mark.parametrize("make, message", [
    (lambda: expand(SystolicSpec, grid_from_options(["rows=1,99"])), "rows=99 is in no valid"),
    (lambda: expand(SystolicSpec, grid_from_options(["colour=1"])), "unknown parameter"),
    (lambda: grid_from_options(["rows=1,,2"]), "no empty value"),
    (lambda: grid_from_config({"rows": []}), "at least one value"),
    (lambda: grid_from_config({"points": [1, 2]}), "list of tables"),
    (lambda: expand(SystolicSpec, *grid_from_config({"rows": [1, 2], "points": [{}]})),
     "not both"),
    (lambda: expand(SystolicSpec, grid_from_options(["in_width=8", "acc_width=12"])),
     "no valid point"),
    (lambda: expand(SystolicSpec, grid_from_options([f"{name}=1,2,3,4,5,6,7,8" for name in
                                                     ("rows", "cols", "fold")]
                                                    + ["acc_width=" + ",".join(
                                                        str(v) for v in range(16, 33))])),
     f"over {MAX_POINTS}"),
])
def test_bad_grid_is_one_error(make, message):
    with pytest.raises(ParameterError, match=message):
        make()


@pytest.mark.parametrize("argv", [
    ["--set", "rows=1,99"], ["--set", "bogus=1,2"], ["--set", "rows="], ["--jobs", "0"],
    ["--set", "in_width=8", "--set", "acc_width=12"], ["--clock-period", "nan"],
    ["--tile", "9x9"], ["--scheduler", "pbs"], ["--out", "/proc/version/x"],
])
def test_sweep_bad_input_exits_2_before_anything_runs(argv, tmp_path, capsys):
    assert call(["sweep", "--build-dir", str(tmp_path / "build"), *argv], capsys) == 2
    assert not (tmp_path / "build").exists()


def test_point_command_line_gives_the_sweeps_settings_back(tmp_path):
    """The folder a point's `tapeflow run` makes is the one the sweep reads."""
    settings = RunSettings(build_root=tmp_path, gl_simulators=("icarus", "verilator"),
                           seed=7, code_coverage=False, clock_period_ns=25.0, tile="2x2",
                           target_density=0.555, corners="lambdapdk", simulator="icarus")
    argv = ["run", *settings_argv(settings)]
    args = cli._parser().parse_args(argv)
    parsed = cli._run_settings(args)
    spec = SystolicSpec(rows=4)
    assert run_name("systolic", spec, parsed) == run_name("systolic", spec, settings)
    points, _ = expand(SystolicSpec, grid_from_options(["rows=4"]))
    job = point_job("systolic", points[0], settings, "sta-pre", tmp_path / "x")
    assert job.argv[1:4] == ("-m", "tapeflow.flows.cli", "run")
    assert ("--set", "rows=4") == job.argv[6:8] and "sta-pre" in job.argv


def _row(point, area, fmax, per_tile, tile="1x2", eligible=True, meets=True):
    return SweepRow(point, {"rows": 1}, "passed", tile=tile, tiles=2, cell_area_um2=area,
                    fmax_ceiling_mhz=fmax, mmac_per_s=per_tile * 2,
                    mmac_per_s_per_tile=per_tile, meets_timing=meets, eligible=eligible)


def test_pareto_fronts_and_best_per_tile():
    rows = [_row("a", 10_000, 70, 25), _row("b", 18_000, 72, 50),
            _row("c", 20_000, 60, 50),               # dominated by b on both
            _row("d", 9_000, 140, 12.5, tile="1x1"),
            _row("e", 30_000, 50, 80, eligible=False, meets=False),
            _row("f", 30_000, 50, 50.2)]   # 0.4 MMAC/s more than b for 2/3 more area
    mark_fronts(rows)
    front = {row.point for row in rows if row.pareto_area}
    assert front == {"a", "b", "d", "f"}
    assert {row.point for row in rows if row.pareto_fmax} == {"b", "d", "f"}
    assert {row.point for row in rows if row.best_for_tile} == {"b", "d"}
    assert not rows[4].pareto_area and not rows[4].best_for_tile


def test_row_from_a_run_folder_and_the_three_files(tmp_path):
    run_dir = _manifest(tmp_path, "systolic-x", 2, 18_000.0)
    row = point_row(run_dir, {"rows": 2}, ["elaborate", "synthesize"])
    assert row.status == "passed" and row.cell_area_um2 == 18_000.0
    assert row.mmac_per_s == pytest.approx(100.0) and row.tile is None
    assert not row.eligible                     # no tile-fit, no timing
    missing = point_row(tmp_path / "never", {"rows": 1}, ["elaborate"])
    assert missing.status == "not run"
    short = point_row(run_dir, {"rows": 2}, ["elaborate", "synthesize", "tile-fit"])
    assert short.status == "not run" and "tile-fit" in short.note
    rows = [row, missing]
    paths = write_sweep(rows, {"design": "systolic", "counts": {"passed": 1, "not run": 1},
                               "until": "synthesize", "clock_mhz": 50.0, "wall_seconds": 3.0,
                               "scheduler": "local", "complete": False, "invalid": []},
                        tmp_path / "out")
    data = json.loads(paths["json"].read_text())
    assert [point["status"] for point in data["points"]] == ["passed", "not run"]
    header = paths["csv"].read_text().splitlines()[0].split(",")
    assert header == csv_columns(rows) and "mmac_per_s_per_tile" in header and "rows" in header
    page = paths["html"].read_text()
    assert "incomplete" in page and "http" not in page.replace("http-equiv", "")


# -- slow: real runs ---------------------------------------------------------

def _sweep(build: Path, *args: str, scheduler: str = "local", timeout: int = 1200):
    return subprocess.run([sys.executable, "-m", "tapeflow.flows.cli", "sweep",
                           "--build-dir", str(build), "--scheduler", scheduler, *args],
                          capture_output=True, text=True, timeout=timeout)


def _points(build: Path) -> list[dict]:
    (document,) = build.glob("sweep-*/sweep.json")
    return json.loads(document.read_text())["points"]


@pytest.mark.slow
def test_interrupted_sweep_continues_where_it_stopped(tmp_path):
    args = ["--set", "rows=1,2", "--set", "fold=1", "--until", "verify-rtl", "--jobs", "1"]
    process = subprocess.Popen([sys.executable, "-m", "tapeflow.flows.cli", "sweep",
                                "--build-dir", str(tmp_path), *args],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in process.stdout:            # stop it once the first point finished
        lines.append(line)
        if "[1/2]" in line:
            process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=120) == 143, "".join(lines)
    points = _points(tmp_path)
    # the second point was either running (its run marked interrupted) or not started
    assert points[0]["status"] == "passed", points
    assert points[1]["status"] in ("interrupted", "not run"), points
    again = _sweep(tmp_path, *args)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "1 up to date, 1 to run" in again.stdout
    assert [point["status"] for point in _points(tmp_path)] == ["passed", "passed"]


README = Path(__file__).resolve().parents[1] / "README.md"
_TABLE_ROW = re.compile(r"^\| (\dx\d) \| int(\d) \| `([^`]+)`[^|]* \| ([\d.]+) \| ([\d.]+) \| "
                        r"([\d,]+) \| ([\d,]+) \| ([\d.]+) % \| ([\d.]+) \|$")


def readme_best_points() -> list[dict]:
    """The README's best-per-tile table: tile, parameters and numbers."""
    rows = []
    for line in README.read_text().splitlines():
        match = _TABLE_ROW.match(line)
        if match:
            tile, width, config, macs, per_tile, cells, area, util, fmax = match.groups()
            parameters = {"in_width": int(width)} | {
                key: int(value) for key, value in (item.split("=") for item in config.split())}
            rows.append({"tile": tile, "parameters": parameters, "macs": float(macs),
                         "per_tile": float(per_tile), "cells": int(cells.replace(",", "")),
                         "area": float(area.replace(",", "")), "util": float(util),
                         "fmax": float(fmax)})
    assert len(rows) == 6, "the README's best-per-tile table is gone"
    return rows


@pytest.fixture(scope="module")
def readme_sweep(tmp_path_factory):
    """The README's table points swept here through verify-gl:
    (build folder, the points' rows by parameters)."""
    build = tmp_path_factory.mktemp("readme-sweep")
    config = build / "points.toml"
    config.write_text("points = [\n" + "".join(
        "  {" + ", ".join(f"{k} = {v}" for k, v in row["parameters"].items()) + "},\n"
        for row in readme_best_points()) + "]\n")
    done = _sweep(build, "--config", str(config), "--until", "verify-gl", "--jobs", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    return build, {json.dumps(point["parameters"], sort_keys=True): point
                   for point in _points(build)}


@pytest.mark.slow
def test_readme_best_per_tile_table_comes_from_a_sweep(readme_sweep):
    _, points = readme_sweep
    for expected in readme_best_points():
        spec = SystolicSpec(**expected["parameters"])
        point = points[json.dumps(spec.as_dict(), sort_keys=True)]
        assert point["status"] == "passed" and point["eligible"], point
        assert (point["tile"], point["cells"]) == (expected["tile"], expected["cells"])
        assert round(point["cell_area_um2"]) == expected["area"]
        # as printed: to the last digit shown
        assert point["sustained_macs_per_cycle"] == pytest.approx(expected["macs"], abs=5.01e-4)
        assert point["mmac_per_s_per_tile"] == pytest.approx(expected["per_tile"], abs=0.0501)
        assert point["utilization_pct"] == pytest.approx(expected["util"], abs=0.0501)
        assert point["fmax_ceiling_mhz"] == pytest.approx(expected["fmax"], abs=0.0501)


def _slurm_running() -> bool:
    if shutil.which("sinfo") is None:
        return False
    try:                     # sinfo retries for a minute when no controller answers
        done = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True,
                              timeout=10)
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0 and any(state in done.stdout
                                        for state in ("idle", "mixed", "allocated"))


#: What a point's row says of its design (not of the sweep it was in: fronts
#: and bests depend on the other points).
COMPARED = ("point", "parameters", "status", "tile", "utilization_pct", "cells",
            "cell_area_um2", "fmax_mhz", "setup_slack_ns", "hold_slack_ns", "meets_timing",
            "sustained_macs_per_cycle", "mmac_per_s", "mmac_per_s_per_tile", "gl_pass",
            "eligible")


@pytest.mark.slow
@require_tool("sbatch", "apt-get install slurm-wlm munge; scripts/slurm_localhost.sh start")
@pytest.mark.skipif(not _slurm_running(), reason="no Slurm cluster answers sinfo "
                                                 "(scripts/slurm_localhost.sh start)")
def test_slurm_sweep_equals_the_local_sweep(tmp_path, readme_sweep):
    """The README's two 1x1 points as Slurm jobs: the same rows as the same
    points run here (the README sweep), and nothing submitted twice."""
    config = tmp_path / "points.toml"
    config.write_text('points = [{rows = 1, cols = 1, fold = 1},\n'
                      '          {rows = 1, cols = 2, fold = 1, in_width = 4}]\n')
    args = ["--config", str(config), "--until", "verify-gl"]
    on_slurm = _sweep(tmp_path, *args, scheduler="slurm")
    assert on_slurm.returncode == 0, on_slurm.stdout + on_slurm.stderr
    logs = sorted(tmp_path.glob("systolic-*/point.log"))
    assert len(logs) == 2 and all("verify-gl passed" in log.read_text() for log in logs)
    assert all((log.parent / "slurm-job-id").read_text().strip().isdigit() for log in logs)
    _, local = readme_sweep
    for point in _points(tmp_path):
        here = local[json.dumps(point["parameters"], sort_keys=True)]
        assert {key: point[key] for key in COMPARED} == {key: here[key] for key in COMPARED}
    again = _sweep(tmp_path, *args, scheduler="slurm")
    assert "2 up to date, 0 to run" in again.stdout


class _FakeExecutor:
    """Ends each job at the next poll with a manifest like a passed run's
    (tapeflow's own stages would need the tools); stops at ``interrupt_at``."""

    def __init__(self, capacity, interrupt_at=None):
        self.capacity, self.interrupt_at = capacity, interrupt_at
        self.started, self.running, self.cancelled = [], [], False

    def adopt(self, job):
        return False

    def start(self, job):
        if len(self.started) == self.interrupt_at:
            raise KeyboardInterrupt
        self.started.append(job)
        self.running.append(job)

    def ended(self):
        done, self.running = self.running, []
        for job in done:
            made = _manifest(job.run_dir.parent, job.run_dir.name, job.point.spec.rows, 9000.0)
            assert made == job.run_dir
        return done

    def counts(self):
        return {"running": len(self.running)}

    def cancel(self):
        self.cancelled = True


def _fake_sweep(tmp_path, executor, monkeypatch):
    from tapeflow.flows.sweep import runner
    monkeypatch.setattr(runner, "POLL_SECONDS", 0.0)
    points, invalid = expand(SystolicSpec, grid_from_options(["rows=1,2,4"]))
    lines = []
    settings = RunSettings(build_root=tmp_path / "build")
    sweep = runner.SweepSettings("systolic", "elaborate", tmp_path / "out")
    outcome = runner.run_sweep(points, invalid, settings, sweep, executor, lines.append)
    return outcome, lines


def test_sweep_runs_points_at_most_capacity_at_once_and_says_how_far_it_got(tmp_path,
                                                                            monkeypatch):
    executor = _FakeExecutor(capacity=2)
    outcome, lines = _fake_sweep(tmp_path, executor, monkeypatch)
    assert len(executor.started) == 3 and outcome.complete
    assert [row.status for row in outcome.rows] == ["passed"] * 3
    assert any(line.startswith("  [3/3] systolic-4x1f2") for line in lines), lines
    assert "3 to run through elaborate on local (2 at a time)" in lines[0]
    data = json.loads(outcome.paths["json"].read_text())
    assert data["complete"] and data["counts"] == {"passed": 3}
    assert data["stages"] == ["elaborate"]


def test_an_interrupted_sweep_cancels_its_jobs_and_writes_an_incomplete_table(tmp_path,
                                                                              monkeypatch):
    executor = _FakeExecutor(capacity=1, interrupt_at=1)
    with pytest.raises(KeyboardInterrupt):
        _fake_sweep(tmp_path, executor, monkeypatch)
    assert executor.cancelled
    (document,) = (tmp_path / "out").glob("sweep.json")
    data = json.loads(document.read_text())
    assert not data["complete"]
    assert [point["status"] for point in data["points"]] == ["passed", "not run", "not run"]


def test_a_schedulers_queued_jobs_count_in_the_estimate():
    from tapeflow.flows.sweep.runner import _progress

    class Queue:
        capacity = None

        def counts(self):
            return {"running": 2, "queued": 4}

    text = _progress(2, 0, Queue(), 8, [60.0, 60.0], {}, 0)
    # 4 queued x 60 s + 2 running x 30 s, two at once: 150 s
    assert text == "2 done (0 failed), 2 running, 4 queued, 6 left of 8, ~2.5 min to go"
