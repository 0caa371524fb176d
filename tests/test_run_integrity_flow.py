"""Run integrity with the real flow: each kind of input edited in a copy
re-runs exactly the stages that read it; one `tapeflow run` per folder at a
time; SIGTERM leaves a manifest marked interrupted."""

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import needs_iverilog, needs_verilator
from .test_run_end_to_end import needs_flow_tools

pytestmark = [pytest.mark.slow, needs_verilator, needs_iverilog, needs_flow_tools]

UNTIL = "sta-pre"
FIRST_STAGES = ["elaborate", "lint", "verify-rtl", "synthesize", "tile-fit", "sta-pre"]
TT_TECH = Path("tt-support-tools/tech/sky130A")


def _tapeflow(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tapeflow.flows.cli", *args],
                          capture_output=True, text=True, env={**os.environ, **(env or {})})


def _edit_gzip(path: Path, edit) -> None:
    text = gzip.decompress(path.read_bytes()).decode()
    path.write_bytes(gzip.compress(edit(text).encode()))


@pytest.fixture(scope="module")
def copied_run(default_run, tmp_path_factory, pdk_root):
    """The default run's first stages, the PDK and TinyTapeout's tile data,
    each copied somewhere new."""
    from tapeflow.tapeout.tt_data import tt_root
    _, first, _, manifest = default_run
    assert first.returncode == 0, first.stdout + first.stderr
    work = tmp_path_factory.mktemp("integrity")
    run_dir = work / "build" / manifest.parent.name
    for stage in FIRST_STAGES:
        shutil.copytree(manifest.parent / stage, run_dir / stage, symlinks=True)
    shutil.copy(manifest, run_dir / "manifest.json")
    shutil.copytree(pdk_root, work / "pdk")
    shutil.copytree(tt_root() / TT_TECH, work / "tt" / TT_TECH)
    return work, run_dir


def _rerun(work: Path, run_dir: Path) -> list[str]:
    """`tapeflow run --until sta-pre` on the copies: the stages that ran."""
    done = _tapeflow("run", "--until", UNTIL, "--build-dir", str(work / "build"),
                     "--pdk-root", str(work / "pdk"), env={"TAPEFLOW_TT_ROOT": str(work / "tt")})
    assert done.returncode == 0, done.stdout + done.stderr
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["state"] == "complete" and manifest["flow"] == FIRST_STAGES
    return [s["name"] for s in manifest["stages"] if not s["up_to_date"]]


def test_each_kind_of_input_reruns_exactly_the_stages_that_read_it(copied_run):
    work, run_dir = copied_run
    # moved, not changed: the PDK and TinyTapeout data elsewhere re-run nothing
    assert _rerun(work, run_dir) == []

    # TinyTapeout's tile sizes (a smaller 1x2): tile-fit alone
    sizes = work / "tt" / TT_TECH / "tile_sizes.yaml"
    sizes.write_text(sizes.read_text().replace('1x2: "0 0 161.00 225.76"',
                                               '1x2: "0 0 161.00 200.00"'))
    before = json.loads((run_dir / "tile-fit" / "tile_fit.json").read_text())
    assert _rerun(work, run_dir) == ["tile-fit"]
    after = json.loads((run_dir / "tile-fit" / "tile_fit.json").read_text())
    assert after["tiles"][1]["utilization"] > before["tiles"][1]["utilization"]

    # a signoff-corner liberty (pre-layout timing reads it, synthesis does not)
    _edit_gzip(work / "pdk" / "tt-signoff-corners" / "sky130_fd_sc_hd__ss_100C_1v60.lib.gz",
               lambda text: text.replace("library (", "/* edited */\nlibrary (", 1))
    assert _rerun(work, run_dir) == ["sta-pre"]

    # the synthesis liberty, edited where synthesis ignores it: synthesis runs
    # again, writes the same netlist, and nothing after it runs
    netlist = next(s for s in json.loads((run_dir / "manifest.json").read_text())["stages"]
                   if s["name"] == "synthesize")["outputs"]
    _edit_gzip(work / "pdk" / "lambdapdk/sky130/libs/sky130hd/nldm"
               / "sky130_fd_sc_hd__tt_025C_1v80.lib.gz",
               lambda text: text.replace("library (", "/* edited */\nlibrary (", 1))
    assert _rerun(work, run_dir) == ["synthesize"]
    again = next(s for s in json.loads((run_dir / "manifest.json").read_text())["stages"]
                 if s["name"] == "synthesize")["outputs"]
    assert {o["name"]: o["sha256"] for o in again if o["name"] == "netlist"} == \
        {o["name"]: o["sha256"] for o in netlist if o["name"] == "netlist"}


def _wait_for_lock(build: Path, process: subprocess.Popen) -> Path:
    deadline = time.monotonic() + 120
    while True:
        locks = list(build.glob("*/.lock"))
        if locks and locks[0].read_text().strip() == str(process.pid):
            return locks[0].parent
        assert process.poll() is None and time.monotonic() < deadline, \
            process.communicate()[1] if process.poll() is not None else "no lock"
        time.sleep(0.1)


def test_one_run_per_folder_and_sigterm_marks_it_interrupted(tmp_path):
    build = tmp_path / "build"
    first = subprocess.Popen([sys.executable, "-m", "tapeflow.flows.cli", "run",
                              "--build-dir", str(build)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        run_dir = _wait_for_lock(build, first)
        second = _tapeflow("run", "--build-dir", str(build))
        assert second.returncode == 2
        assert second.stderr.strip().splitlines() == [
            f"tapeflow: error: {run_dir} is in use by another tapeflow run (pid {first.pid}); "
            f"wait for it to finish, or use another --build-dir"]
        first.send_signal(signal.SIGTERM)
        _, err = first.communicate(timeout=60)
    finally:
        first.kill()
    assert first.returncode == 128 + signal.SIGTERM, err
    assert "terminated" in err and "Traceback" not in err
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["state"] == "interrupted" and manifest["interrupted"]["stage"]
    report = _tapeflow("report", str(run_dir))
    assert report.returncode == 0, report.stderr
    verdict = json.loads((run_dir / "report" / "report.json").read_text())["verdict"]
    assert verdict[0]["question"] == "Did the run finish?" and verdict[0]["state"] == "red"
    assert verdict[0]["answer"].startswith(f"no: interrupted in {manifest['interrupted']['stage']}")
