"""`tapeflow package`: a TinyTapeout project folder from a run, ready to push."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import yaml

from tapeflow.designs.systolic.pinout import pinout
from tapeflow.designs.systolic.spec import SystolicSpec
from tapeflow.reports.run_data import ReportError, RunData
from tapeflow.verification.protocol_model import ProtocolModel
from tapeflow.verification.scenarios import SCENARIOS

from .datasheet import write_info_md
from .info_yaml import ProjectMetadata, build_info, validate_info
from .tt_data import tt_root

TEMPLATE = Path("ttsky-verilog-template")
TEST_FILES = Path(__file__).parent / "tt_test"
#: Scenarios the TT test folder replays (the long stream stays in tapeflow's regression).
VECTOR_SCENARIOS = ("random_shapes", "back_to_back", "protocol_misuse")
SOURCE_NAME = "project.v"
#: the module the template's tb.v instantiates, replaced by the design's top
TEMPLATE_TOP = "tt_um_example"
#: Stages whose GDS, netlist or verdicts the submission stands on.
SIGNOFF_STAGES = ("harden", "sta-post", "signoff", "verify-gl-postroute")
#: The same for a TinyTapeout project: its own test on the routed netlist.
PROJECT_SIGNOFF_STAGES = ("harden", "sta-post", "signoff", "test-gl-postroute")
#: The open_pdks build TinyTapeout's precheck action installs for sky130A
#: (tt-gds-action precheck/action.yml); its GL action installs PDK_VERSION.
#: sky130_fd_sc_hd, whose cells the tile places, is the same there.
OPEN_PDKS_VERSION = "0536d02d875c8f67dd7cca3902ac457e62f20005"


#: Stages a package stands on: the netlist, the tile it fits, its timing.
REQUIRED_STAGES = ("synthesize", "tile-fit", "sta-pre")


class PackageError(ValueError):
    """The command cannot be carried out as given (exit 2)."""


class PackageRefused(PackageError):
    """The run is not complete enough to package (exit 1)."""


def incomplete_stages(run: RunData) -> list[str]:
    """"<stage>: why" for every stage that failed, and every required one that
    did not pass (skipped, or never ran)."""
    found = [f"{s.name}: failed ({s.reason})" for s in run.stages if s.status == "failed"]
    if run.state in ("running", "interrupted"):     # the stages it recorded are a part
        where = (run.interrupted or {}).get("stage") or "a stage"
        found.insert(0, f"the run did not finish ({run.state} in {where})")
    for name in REQUIRED_STAGES:
        stage = run.stage(name)
        if stage is None:
            found.append(f"{name}: never ran")
        elif stage.status == "skipped":
            found.append(f"{name}: skipped ({stage.reason})")
    return found


def write_package(run: RunData, metadata: ProjectMetadata, out_dir: Path,
                  allow_incomplete: bool = False) -> Path:
    """Write the folder next to ``out_dir`` and rename it into place when
    complete. A run with a failed stage, or whose synthesis, tile-fit or
    pre-layout timing did not pass, is refused unless ``allow_incomplete``;
    the tile only ever comes from tile-fit."""
    if run.design != "systolic":
        raise PackageError(f"packaging knows the systolic design only, not {run.design!r}")
    verilog = run.output("elaborate", "verilog")
    if verilog is None:
        raise ReportError(f"{run.run_dir} has no elaborated Verilog: run `tapeflow run` first")
    incomplete = incomplete_stages(run)
    if incomplete and not allow_incomplete:
        raise PackageRefused(f"the run is incomplete: {incomplete[0]}"
                             + (f" (+{len(incomplete) - 1} more)" if len(incomplete) > 1 else "")
                             + "; fix it and run `tapeflow run` again, or package with "
                               "--allow-incomplete")
    tile = run.value("tile")
    if tile is None or run.stage("tile-fit") is None or run.stage("tile-fit").status != "passed":
        raise PackageRefused(f"{run.run_dir} has no tile from tile-fit (info.yaml's tiles come "
                             f"from it alone): run `tapeflow run` through tile-fit first")
    spec = run.spec()
    clock_ns = float(run.settings.get("clock_period_ns") or 20.0)
    clock_hz = round(1e9 / clock_ns)
    info = build_info(metadata, spec.top_name, SOURCE_NAME, clock_hz, tile, pinout(spec))
    problems = validate_info(info)
    if problems:
        raise PackageError("generated info.yaml is invalid: " + "; ".join(problems))

    return _write_folder(out_dir, lambda root: _fill(root, run, spec, info, verilog, clock_ns,
                                                      tile, incomplete))


def _normal_permissions(root: Path) -> None:
    """0755 folders, 0644 files: the staging folder is made 0700 (mkdtemp),
    and files copied from a read-only TinyTapeout checkout come read-only."""
    root.chmod(0o755)
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _fill(root: Path, run: RunData, spec: SystolicSpec, info: dict, verilog: Path,
          clock_ns: float, tile: str | None, incomplete: list[str]) -> None:
    template = tt_root() / TEMPLATE
    (root / "info.yaml").write_text(
        "# Generated by tapeflow from the run " + run.tag + "\n"
        + yaml.safe_dump(info, sort_keys=False, allow_unicode=True))
    shutil.copyfile(template / "LICENSE", root / "LICENSE")
    (root / "docs").mkdir()
    (root / "docs" / "info.md").write_text(
        write_info_md(spec, info["project"]["clock_hz"], info["project"]["tiles"]))
    (root / "src").mkdir()
    shutil.copyfile(verilog, root / "src" / SOURCE_NAME)
    config = (template / "src" / "config.json").read_text()
    (root / "src" / "config.json").write_text(
        re.sub(r'("CLOCK_PERIOD":\s*)[0-9.]+', rf"\g<1>{clock_ns:g}", config))
    _test_folder(root / "test", spec, template)
    _repository_files(root, template)
    if _signed_off(run):
        _submission(root / "tt_submission", run, spec.top_name)
    (root / "README.md").write_text(_readme(run, spec, tile, incomplete))


def _submission(folder: Path, run: RunData, top: str) -> None:
    """What TT's GDS action uploads (TINYTAPEOUT.md 4.2, 5.7), from the hardened run."""
    (folder / "stats").mkdir(parents=True)
    for output, suffix in (("gds", "gds"), ("lef", "lef"), ("netlist_powered", "v")):
        shutil.copyfile(run.output("harden", output), folder / f"{top}.{suffix}")
    (folder / "pdk.json").write_text(json.dumps({
        "FLOW_NAME": "tapeflow", "FLOW_VERSION": run.tapeflow_version, "PDK": "sky130A",
        "PDK_SOURCE": "open_pdks", "PDK_VERSION": OPEN_PDKS_VERSION}, indent=2) + "\n")
    (folder / "commit_id.json").write_text(json.dumps({"app": "tapeflow", "run": run.tag})
                                           + "\n")
    if run.value("cell_count") is not None:     # TT's shuttle check reads this line
        (folder / "stats" / "synthesis-stats.txt").write_text(
            f"Number of cells: {run.value('cell_count')}\n")
    rows = [(name, m.value, m.unit) for name, m in run.metrics.items()
            if run.metric_stage[name] in SIGNOFF_STAGES + PROJECT_SIGNOFF_STAGES]
    (folder / "stats" / "metrics.csv").write_text(
        "name,value,unit\n" + "".join(f"{n},{v},{u}\n" for n, v, u in rows))


def _repository_files(root: Path, template: Path) -> None:
    """TinyTapeout's GitHub workflows (GDS, precheck, GL test, test, docs) and
    .gitignore, as the template has them, so that the folder pushed as a
    repository runs TinyTapeout's actions."""
    shutil.copytree(template / ".github" / "workflows", root / ".github" / "workflows")
    shutil.copyfile(template / ".gitignore", root / ".gitignore")


def _test_folder(test: Path, spec: SystolicSpec, template: Path) -> None:
    """The template's test/ with its Makefile, requirements (the cocotb its
    test action installs) and tb.v around this design; tapeflow's test.py
    replays golden-model vectors."""
    (test / "vectors").mkdir(parents=True)
    shutil.copyfile(TEST_FILES / "test.py", test / "test.py")
    for name in ("Makefile", "requirements.txt"):
        shutil.copyfile(template / "test" / name, test / name)
    makefile = (test / "Makefile").read_text()
    (test / "Makefile").write_text(
        re.sub(r"(?m)^PROJECT_SOURCES = .*$", f"PROJECT_SOURCES = {SOURCE_NAME}", makefile))
    tb = (template / "test" / "tb.v").read_text()
    if TEMPLATE_TOP not in tb:
        raise PackageError(f"TinyTapeout's template tb.v no longer instantiates "
                           f"{TEMPLATE_TOP}: update tapeflow")
    (test / "tb.v").write_text(tb.replace(TEMPLATE_TOP, spec.top_name))
    for name in VECTOR_SCENARIOS:
        scenario = SCENARIOS[name](spec, np.random.default_rng(2026))
        cycles = scenario.stim.cycles
        expected = ProtocolModel(spec).run(cycles)
        # Nothing is expected while rst_n is low: only the RTL's initial values
        # define uo_out then; gates (and silicon) start at X until a reset
        # edge, and the simulator's first "falling edge" is the clock's X -> 0.
        defined = [None if pins.rst_n == 0 else byte for pins, byte in zip(cycles, expected)]
        (test / "vectors" / f"{name}.json").write_text(json.dumps({
            "pins": [[p.ui_in, p.uio_in, p.rst_n, p.ena] for p in cycles],
            "uo_out": defined}))


def _incomplete_note(incomplete: list[str]) -> str:
    if not incomplete:
        return ""
    return ("\n**Packaged from an incomplete run** (`tapeflow package --allow-incomplete`); "
            "these stages did not pass:\n\n" + "".join(f"- {line}\n" for line in incomplete))


def _signed_off(run: RunData) -> bool:
    """Hardened, timed at TT's corners, DRC/LVS clean, routed netlist simulated."""
    return all(run.stage(n) is not None and run.stage(n).status == "passed"
               for n in SIGNOFF_STAGES)


def write_project_submission(run: RunData, out_dir: Path) -> Path:
    """A TinyTapeout project's run as its repository would hold it after
    TinyTapeout's GDS action: its own info.yaml (what precheck reads) and
    tt_submission/ from the hardened run. Only a signed-off run is packaged:
    a half-checked tile must not look ready to submit."""
    missing = [name for name in PROJECT_SIGNOFF_STAGES
               if run.stage(name) is None or run.stage(name).status != "passed"]
    if missing or run.state in ("running", "interrupted"):
        why = f"{missing[0]} did not pass" if missing else f"the run is {run.state}"
        raise PackageRefused(f"{run.run_dir}: {why}; tt_submission/ is written from a "
                             f"signed-off run (harden, sta-post, signoff, test-gl-postroute)")
    spec = run.spec()

    def fill(root: Path) -> None:
        shutil.copyfile(spec.folder / "info.yaml", root / "info.yaml")
        _submission(root / "tt_submission", run, spec.top_name)
    return _write_folder(out_dir, fill)


def _write_folder(out_dir: Path, fill) -> Path:
    """``fill`` a staging folder beside ``out_dir``, then rename it into
    place: an interrupted package leaves no half-written folder that looks
    valid."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}."))
    try:
        fill(staging)
        _normal_permissions(staging)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir


def _readme(run: RunData, spec: SystolicSpec, tile: str | None, incomplete: list[str]) -> str:
    if _signed_off(run):
        state = ("hardened and signed off by tapeflow (DRC, LVS, antenna, routed timing at "
                 "TinyTapeout's corners, gate-level tests of the routed netlist): "
                 "tt_submission/ holds the GDS, LEF and powered netlist")
    else:
        why = next((f"{s.name}: {s.reason}" for s in run.stages
                    if s.name in SIGNOFF_STAGES and s.status != "passed"),
                   "the run has no hardening stages")
        state = ("**not hardened by tapeflow** (" + why + "), so there is no "
                 "tt_submission/ folder: push this folder as a TinyTapeout repository and "
                 "TinyTapeout's GDS action hardens it from src/")
    return f"""# {spec.top_name}

Generated by tapeflow from the run `{run.tag}` (tile {tile or "not fitted"}).
This folder is a TinyTapeout project: info.yaml, docs/info.md, src/, test/,
and TinyTapeout's GitHub workflows (.github/workflows: GDS, precheck, GL
test, test, docs) and .gitignore from its template. Pushed as a repository,
TinyTapeout's actions run on it.

State: {state}.
{_incomplete_note(incomplete)}
Test the RTL as TinyTapeout's test action does (Icarus Verilog, and the
Python packages of test/requirements.txt: cocotb 2.0.1, whose results.xml
the action's `grep failure` reads correctly):

    python3 -m venv .venv && .venv/bin/pip install -r test/requirements.txt
    export PATH=$PWD/.venv/bin:$PATH
    cd test && make clean && make && ! grep failure results.xml

Gate level, as TinyTapeout's GL action does: copy the powered netlist
(tt_submission/{spec.top_name}.v) to test/gate_level_netlist.v and run
`make clean && GATES=yes make` with PDK_ROOT holding
sky130A/libs.ref/sky130_fd_sc_hd/verilog/.
"""
