"""TinyTapeout's test step, run as its GitHub workflow runs it, on a project
folder: the reference for what `tapeflow package` writes into test/.

The workflow (`.github/workflows/test.yaml` of TinyTapeout's template, which
`package` copies into the folder) installs `test/requirements.txt` into a
Python of its own and runs its "Run tests" step with bash: `cd test`, `make
clean`, `make`, `! grep failure results.xml`. Here the step's script is read
from the folder's workflow and run the same way (bash -e, the folder as the
working directory), with the Python environment of the template's
requirements first on PATH (scripts/install.sh makes `.venv-tttest`). The
gate-level variant is the same script with GATES=yes, the powered netlist
copied to test/gate_level_netlist.v and PDK_ROOT holding
sky130A/libs.ref/sky130_fd_sc_hd/verilog, as TinyTapeout's GL action sets it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

WORKFLOW = Path(".github/workflows/test.yaml")
STEP = "Run tests"
VENV = ".venv-tttest"
VENV_ENV = "TAPEFLOW_TT_TEST_VENV"
CELL_MODELS = Path("sky130A/libs.ref/sky130_fd_sc_hd/verilog")


class StepUnavailable(RuntimeError):
    pass


@dataclass
class StepResult:
    returncode: int
    output: str


def step_venv() -> Path | None:
    """The environment with the template's test/requirements.txt installed."""
    configured = os.environ.get(VENV_ENV)
    candidates = [Path(configured)] if configured else []
    candidates.append(Path(__file__).resolve().parents[1] / VENV)
    return next((c for c in candidates if (c / "bin" / "cocotb-config").is_file()), None)


def step_script(folder: Path) -> str:
    """The "Run tests" step's script from the folder's own test workflow."""
    workflow = folder / WORKFLOW
    if not workflow.is_file():
        raise StepUnavailable(f"{folder} has no {WORKFLOW}")
    for job in yaml.safe_load(workflow.read_text())["jobs"].values():
        for step in job["steps"]:
            if step.get("name") == STEP:
                return step["run"]
    raise StepUnavailable(f"{workflow} has no step named {STEP!r}")


def cell_models_root(models: list[Path], target: Path) -> Path:
    """A PDK_ROOT whose sky130A holds the cells' Verilog models, as the GL action's."""
    folder = target / CELL_MODELS
    folder.mkdir(parents=True, exist_ok=True)
    for model in models:
        link = folder / model.name
        if not link.exists():
            link.symlink_to(model.resolve())
    return target


def run_test_step(folder: Path, netlist: Path | None = None,
                  pdk_root: Path | None = None, venv: Path | None = None) -> StepResult:
    """The step on ``folder``'s RTL, or with ``netlist`` (and ``pdk_root``)
    at gate level, exactly as the workflow's script says."""
    venv = venv or step_venv()
    if venv is None:
        raise StepUnavailable(f"no Python with the template's test/requirements.txt "
                                  f"(scripts/install.sh makes {VENV}, or set {VENV_ENV})")
    # PWD as the runner has it: the template's Makefile names paths by $(PWD)
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
           "VIRTUAL_ENV": str(venv), "PWD": str(folder)}
    if netlist is not None:
        shutil.copyfile(netlist, folder / "test" / "gate_level_netlist.v")
        env.update(GATES="yes", PDK_ROOT=str(pdk_root))
    run = subprocess.run(["bash", "-e", "-c", step_script(folder)], cwd=folder, env=env,
                         capture_output=True, text=True, timeout=1800,
                         stdin=subprocess.DEVNULL)
    return StepResult(run.returncode, run.stdout + run.stderr)
