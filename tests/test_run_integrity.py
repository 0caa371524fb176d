"""A run folder is never silently wrong: what re-runs after an edit, a killed
run, a locked folder, a full disk (with the stand-in stages of toy_flow)."""

import errno
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tapeflow.flows.engine import execute as engine
from tapeflow.flows.engine.lock import RunFolderBusy, run_folder_lock
from tapeflow.flows.engine.run_folder import RunFolderError

from .toy_flow import Consumer, Source, run_toy

REPO = Path(__file__).resolve().parents[1]


def reran(records) -> list[str]:
    return [r.stage.name for r in records if not r.up_to_date]


def test_only_real_inputs_feed_the_next_fingerprint(tmp_path):
    """Source re-runs with a new log but the same product: Consumer is up to
    date. A changed product re-runs Consumer."""
    data = tmp_path / "data.txt"
    data.write_text("alpha\n")
    Source.data = data
    try:
        run_dir, first = run_toy(tmp_path / "build")
        assert reran(first) == ["source", "consumer"]
        assert reran(run_toy(tmp_path / "build")[1]) == []
        data.write_text("alpha\n# a comment the product does not take\n")
        assert reran(run_toy(tmp_path / "build")[1]) == ["source"]
        data.write_text("beta\n")
        _, records = run_toy(tmp_path / "build")
        assert reran(records) == ["source", "consumer"]
        assert (run_dir / "consumer" / "result.txt").read_text().startswith("SEED 1 BETA")
    finally:
        Source.data = None


def test_a_stage_starts_from_an_empty_folder(tmp_path):
    run_dir, _ = run_toy(tmp_path)
    leftover = run_dir / "consumer" / "obj" / "truncated.o"
    leftover.parent.mkdir()
    leftover.write_bytes(b"\x7fELF")
    (run_dir / "consumer" / "stage.json").unlink()      # as if it had not finished
    _, records = run_toy(tmp_path)
    assert reran(records) == ["consumer"] and not leftover.exists()


def test_an_interrupt_marks_the_manifest_and_the_next_run_carries_on(tmp_path):
    class Interrupted(Consumer):
        def run(self, ctx):
            (ctx.stage_dir(self.name) / "partial.bin").write_bytes(b"half")
            raise KeyboardInterrupt

    from tapeflow.designs.systolic.spec import SystolicSpec
    from tapeflow.flows.engine.progress import Progress
    from tapeflow.flows.engine.settings import RunSettings
    with pytest.raises(KeyboardInterrupt):
        engine.execute("systolic", SystolicSpec(), RunSettings(build_root=tmp_path),
                       [Source(), Interrupted()], Progress(io.StringIO()))
    run_dir = next(tmp_path.iterdir())
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["state"] == "interrupted"
    assert manifest["interrupted"] == {"stage": "consumer", "cause": "interrupted"}
    assert [s["name"] for s in manifest["stages"]] == ["source"]
    _, records = run_toy(tmp_path)
    assert reran(records) == ["consumer"]
    assert not (run_dir / "consumer" / "partial.bin").exists()
    assert json.loads((run_dir / "manifest.json").read_text())["state"] == "complete"


def _start_toy(build: Path, dawdle: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.toy_flow", str(build),
                             "--dawdle", str(dawdle)], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for(folder: Path, pattern: str, seconds: float = 60) -> Path:
    deadline = time.monotonic() + seconds
    while not (found := list(folder.glob(pattern))):
        assert time.monotonic() < deadline, f"{folder}/{pattern} never appeared"
        time.sleep(0.05)
    return found[0]


def test_kill_9_in_a_stage_then_a_rerun_equals_a_clean_run(tmp_path):
    clean_dir, _ = run_toy(tmp_path / "clean")
    process = _start_toy(tmp_path / "killed", dawdle=60)
    run_dir = tmp_path / "killed" / clean_dir.name
    _wait_for(run_dir, "consumer/partial.bin")
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["state"] == "running" and manifest["pid"] == process.pid
    assert [s["name"] for s in manifest["stages"]] == ["source"]

    said = io.StringIO()
    _, records = run_toy(tmp_path / "killed", stream=said)
    assert f"previous run here (pid {process.pid}" in said.getvalue()
    assert reran(records) == ["consumer"]
    assert not (run_dir / "consumer" / "partial.bin").exists()
    for output in ("source/product.txt", "consumer/result.txt"):
        assert (run_dir / output).read_bytes() == (clean_dir / output).read_bytes()
    assert json.loads((run_dir / "manifest.json").read_text())["state"] == "complete"


def test_one_run_at_a_time_per_folder_and_different_folders_together(tmp_path):
    run_dir, _ = run_toy(tmp_path / "a")
    with run_folder_lock(run_dir):
        with pytest.raises(RunFolderBusy, match=f"pid {os.getpid()}"):
            run_toy(tmp_path / "a")
    # two processes in two build folders at once, both complete
    first, second = _start_toy(tmp_path / "b", 1.0), _start_toy(tmp_path / "c", 1.0)
    assert first.wait(60) == 0 and second.wait(60) == 0
    for build in ("b", "c"):
        manifest = next((tmp_path / build).glob("*/manifest.json"))
        assert json.loads(manifest.read_text())["state"] == "complete"


def test_a_second_process_in_a_busy_folder_is_refused(tmp_path):
    holder = _start_toy(tmp_path, dawdle=60)
    try:
        _wait_for(tmp_path, "*/consumer/partial.bin")
        with pytest.raises(RunFolderBusy, match=f"pid {holder.pid}"):
            run_toy(tmp_path)
    finally:
        holder.kill()
        holder.wait(10)


def test_a_failed_manifest_write_keeps_the_previous_manifest(tmp_path, monkeypatch):
    run_dir, _ = run_toy(tmp_path)
    before = (run_dir / "manifest.json").read_text()
    (run_dir / "consumer" / "stage.json").unlink()
    real_write = engine.write_json_atomic

    def disk_full(path, data):
        if path.name == "manifest.json":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_write(path, data)

    monkeypatch.setattr(engine, "write_json_atomic", disk_full)
    with pytest.raises(engine.ManifestWriteError, match="No space left on device"):
        run_toy(tmp_path)
    assert (run_dir / "manifest.json").read_text() == before


def test_a_build_dir_that_cannot_hold_runs_is_one_error(tmp_path):
    afile = tmp_path / "file"
    afile.write_text("")
    for build in (afile, afile / "under", Path("/proc/tapeflow")):
        with pytest.raises(RunFolderError, match="cannot use run folder"):
            run_toy(build)


def test_a_hand_edited_stage_record_is_run_again_not_trusted(tmp_path):
    run_dir, _ = run_toy(tmp_path)
    record_path = run_dir / "consumer" / "stage.json"
    for damage in ({"outputs": None}, {"metrics": [{"name": "x", "layer": "L9"}]},
                   {"outputs": [{"name": "result"}]}):
        record = json.loads(record_path.read_text()) | damage
        record_path.write_text(json.dumps(record))
        _, records = run_toy(tmp_path)
        assert reran(records) == ["consumer"], damage


def test_every_package_of_tapeflow_is_in_the_source_digest(tmp_path):
    """An edit anywhere in tapeflow's code (tapeout/tiles.py, which tile-fit
    reads, included) changes the digest every fingerprint carries."""
    import shutil
    import tomllib

    from tapeflow.flows.engine.fingerprint import source_roots, tree_digest
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    top_level = {name.split(".")[1] for name in declared["package-dir"]}
    roots = source_roots()
    assert set(roots) == top_level
    copies = {name: tmp_path / name for name in roots}
    for name, root in roots.items():
        shutil.copytree(root, copies[name], ignore=shutil.ignore_patterns("__pycache__"))
    before = tree_digest(copies)
    tiles = copies["tapeout"] / "tiles.py"
    tiles.write_text(tiles.read_text().replace("MARGIN_X = 6 *", "MARGIN_X = 60 *"))
    assert tree_digest(copies) != before


def test_scratch_is_removed_once_a_stage_passed_and_kept_when_it_failed(tmp_path):
    from tapeflow.designs.systolic.spec import SystolicSpec
    from tapeflow.flows.engine.progress import Progress
    from tapeflow.flows.engine.settings import RunSettings
    from tapeflow.flows.engine.stage import Stage, StageResult, Status
    from tapeflow.reports.metrics import Layer

    class Builds(Stage):
        name = "builds"
        layer = Layer.L6
        scratch = ("obj_*",)
        passes = True

        def run(self, ctx):
            out = ctx.stage_dir(self.name)
            (out / "obj_model").mkdir()
            (out / "obj_model" / "big.o").write_bytes(b"\0" * 1000)
            (out / "result.txt").write_text("ok")
            return StageResult(Status.PASSED if self.passes else Status.FAILED,
                               None if self.passes else "it broke",
                               {"result": out / "result.txt"})

    def run(passes):
        stage = Builds()
        stage.passes = passes
        return engine.execute("systolic", SystolicSpec(), RunSettings(build_root=tmp_path),
                              [stage], Progress(io.StringIO()))

    run_dir, _ = run(passes=False)
    assert (run_dir / "builds" / "obj_model" / "big.o").exists()      # kept to debug
    run_dir, _ = run(passes=True)
    assert not (run_dir / "builds" / "obj_model").exists()
    assert (run_dir / "builds" / "result.txt").read_text() == "ok"
    assert run(passes=True)[1][0].up_to_date                           # outputs intact


def test_the_default_flow_keeps_no_output_in_scratch():
    from tapeflow.flows.stages import FLOW
    assert {stage.name: stage.scratch for stage in FLOW if stage.scratch} == {
        "verify-rtl": ("sim_build_*",), "synthesize": ("sc",), "verify-gl": ("*/sim_build_*",),
        "harden": ("sc",), "signoff": ("lvs/*.ext",), "verify-gl-postroute": ("*/sim_build_*",)}


def test_a_slow_stage_says_what_it_does_and_how_long_it_took_last_time(tmp_path):
    from tapeflow.flows.engine.progress import Activity, Progress
    stats = tmp_path / "stats.jsonl"
    stats.write_text("{}\n{}\n")
    activity = Activity()
    activity.set("icarus: simulating", count_lines=stats, total=7)
    said = io.StringIO()
    with Progress(said, heartbeat_seconds=0.05).stage(7, 11, "verify-gl", "L6", 20.0, activity):
        time.sleep(0.2)
    lines = said.getvalue().splitlines()
    assert lines[0] == "[7/11] verify-gl (L6), took 20 s last time ..."
    assert lines[1].startswith("      verify-gl: icarus: simulating test 3 of 7, 0 s, ~")
    assert lines[1].endswith(" s left")


def test_a_tool_log_says_which_step_a_stage_is_in(tmp_path):
    from tapeflow.flows.engine.progress import Activity
    from tapeflow.flows.stages.harden import SC_STEP
    log = tmp_path / "siliconcompiler.log"
    log.write_text("| INFO | job0 | place.detailed       | 0 | done\n"
                   "| LOG  | job0 | route.detailed       | 0 |     Completing 30% ...\n")
    activity = Activity()
    activity.set("SiliconCompiler step", log=(log, SC_STEP))
    assert activity.describe() == "SiliconCompiler step route.detailed"


def test_a_new_folder_is_told_how_long_the_stage_took_in_another(tmp_path):
    run_toy(tmp_path, dawdle_seconds=0.6)
    said = io.StringIO()
    run_toy(tmp_path, dawdle_seconds=0.6, stream=said, seed=2)      # another run folder
    assert "[2/2] consumer (L6), took 1 s last time ..." in said.getvalue()
