"""A TinyTapeout project's own cocotb test, run the way TinyTapeout's test
action runs it: ``make clean`` then ``make`` in test/ (Icarus by default,
the project's Makefile decides), ``GATES=yes`` with the gate-level netlist
copied to test/gate_level_netlist.v and ``PDK_ROOT`` holding sky130A's cell
models. The counts come from the results.xml cocotb writes."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

#: What a test run leaves in a project folder: never an input of the test.
GENERATED = ("sim_build", "results.xml", "__pycache__", "*.vcd", "*.fst", "*.pyc",
             "gate_level_netlist.v", ".pytest_cache")
#: Where TinyTapeout's Makefile finds the cell models under $PDK_ROOT.
CELL_MODELS_DIR = Path("sky130A/libs.ref/sky130_fd_sc_hd/verilog")
TEST_TIMEOUT_S = 1800


@dataclass(frozen=True)
class TtTestResult:
    log: Path
    results_xml: Path | None
    returncode: int
    tests: int = 0
    failed: list[str] = field(default_factory=list)   # names of failing tests
    skipped: int = 0

    @property
    def passed(self) -> int:
        return self.tests - len(self.failed) - self.skipped


def project_files(folder: Path) -> list[Path]:
    """The files of src/ and test/ a test reads (generated ones left out)."""
    files = []
    for part in ("src", "test"):
        root = folder / part
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root).parts
            if path.is_file() and not any(_generated(name) for name in relative):
                files.append(path)
    return files


def _generated(name: str) -> bool:
    return any(Path(name).match(pattern) for pattern in GENERATED)


def copy_project(folder: Path, dest: Path) -> Path:
    """src/ and test/ into ``dest`` (the project may be read-only; make
    writes sim_build/ and results.xml beside the Makefile)."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in ("src", "test"):
        if (folder / part).is_dir():
            shutil.copytree(folder / part, dest / part, symlinks=True,
                            ignore=shutil.ignore_patterns(*GENERATED))
    add_write_permission(dest)
    return dest


def add_write_permission(root: Path) -> None:
    """Owner write on a copied tree: copies keep the modes of a read-only
    checkout, and make writes sim_build/ and results.xml into test/."""
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o200)


def cell_model_root(models: list[Path], dest: Path) -> Path:
    """A PDK_ROOT with sky130A's cell models where TinyTapeout's Makefile
    looks for them, linked to the local PDK's files."""
    folder = dest / CELL_MODELS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for model in models:
        link = folder / model.name
        link.unlink(missing_ok=True)
        link.symlink_to(model.resolve())
    return dest


def run_tt_test(project: Path, log: Path, gates: bool = False, pdk_root: Path | None = None,
                on_line=None) -> TtTestResult:
    """``make clean && make`` in ``project``/test; ``on_line`` sees each
    line of output (progress)."""
    test_dir = project / "test"
    # The Makefiles name files by $(PWD), which make takes from the
    # environment: what `cd test && make` in a shell would set.
    env = dict(os.environ, PWD=str(test_dir))
    env.pop("GATES", None)
    if gates:
        env["GATES"] = "yes"
        env["PDK_ROOT"] = str(pdk_root)
    with open(log, "w") as stream:
        clean = subprocess.run(["make", "clean"], cwd=test_dir, env=env, stdout=stream,
                               stderr=subprocess.STDOUT, timeout=300)
        if clean.returncode != 0:
            return TtTestResult(log, None, clean.returncode)
        # its own session, so a test that hangs is stopped with the simulator
        # make started (which holds the output pipe open too)
        process = subprocess.Popen(["make"], cwd=test_dir, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, errors="replace",
                                   start_new_session=True)
        timed_out = threading.Event()

        def expire() -> None:
            timed_out.set()
            _stop(process)
        timer = threading.Timer(TEST_TIMEOUT_S, expire)
        timer.start()
        try:
            for line in process.stdout:
                stream.write(line)
                if on_line:
                    on_line(line)
            returncode = process.wait()
        finally:
            timer.cancel()
            if process.poll() is None:
                _stop(process)
                process.wait()
        if timed_out.is_set():
            stream.write(f"\ntapeflow: stopped after {TEST_TIMEOUT_S} s\n")
    results = test_dir / "results.xml"
    if not results.is_file():
        return TtTestResult(log, None, returncode)
    tests, failed, skipped = parse_results(results)
    return TtTestResult(log, results, returncode, tests, failed, skipped)


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def parse_results(path: Path) -> tuple[int, list[str], int]:
    """Tests, the names of failing ones and the skipped count of a JUnit
    results.xml as cocotb writes it."""
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError:
        return 0, ["results.xml does not parse"], 0
    tests, failed, skipped = 0, [], 0
    for case in root.iter("testcase"):
        tests += 1
        name = case.get("name", "?")
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(name)
        elif case.find("skipped") is not None:
            skipped += 1
    return tests, failed, skipped


def count_asserts(test_dir: Path) -> int:
    """``assert`` statements in the test modules the Makefile runs
    (COCOTB_TEST_MODULES, or cocotb 1's MODULE): a test without any passes
    whatever the design does, which a report should say."""
    makefile = (test_dir / "Makefile").read_text(errors="replace")
    named = re.findall(r"^\s*(?:COCOTB_TEST_MODULES|MODULE)\s*[?:]?=\s*(\S.*?)\s*$",
                       makefile, re.M)
    modules = [m.strip() for line in named for m in line.split(",") if m.strip()]
    total = 0
    for module in modules or ["test"]:
        path = test_dir / f"{module.replace('.', '/')}.py"
        if path.is_file():
            total += len(re.findall(r"^[ \t]*assert\b", path.read_text(errors="replace"),
                                    re.M))
    return total
