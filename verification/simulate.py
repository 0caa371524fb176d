"""Runs the cocotb regression on Verilator (default) or Icarus."""

from __future__ import annotations

import json
import os
import time
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from tapeflow.designs.systolic.spec import SystolicSpec
from tapeflow.flows.adapters.cache import ccache_environment
from tapeflow.flows.adapters.tools import tool_environment

from .code_coverage import summarize_coverage_dat
from .coverage import summarize
from .harness import HARNESS, HARNESS_TOP
from .scenarios import SCENARIOS

#: Simulator name (cocotb's) -> the executable that must be on PATH.
SIMULATORS = {"verilator": "verilator", "icarus": "iverilog"}
TESTBENCH_MODULE = "tapeflow.verification.testbench"
# The exported Verilog trips these (Amaranth's implicit widths, Yosys' $pmux
# as a casez); the lint stage reports them, simulation must not stop on them.
VERILATOR_WAIVERS = ["-Wno-WIDTHEXPAND", "-Wno-WIDTHTRUNC", "-Wno-CASEINCOMPLETE",
                     "-Wno-CASEOVERLAP"]
# Not plain --coverage: its FSM coverage hits an internal error in Verilator
# 5.048's FSM detection on Amaranth's empty case branches.
CODE_COVERAGE_FLAGS = ["--coverage-line", "--coverage-toggle"]


class SimulationError(RuntimeError):
    """The simulator could not build or run the model; the message names the log."""


#: How TinyTapeout's gate-level test reads the cell models: functional, unit delay.
GATE_LEVEL_DEFINES = {"FUNCTIONAL": 1, "UNIT_DELAY": "#1"}
#: The cell models and netlists (unconnected tie-cell pins) are not lint-clean.
VERILATOR_GATE_LEVEL_WAIVERS = ["-Wno-fatal", "-Wno-lint", "-Wno-style"]


#: Verilator's C++ at -O0: a regression simulates ~13,000 cycles (0.1 s on
#: the model either way) but the compile of a gate-level model drops from
#: 34 s to 16 s. Benchmarks of simulation speed ask for the optimized build.
UNOPTIMIZED_BUILD = ["-CFLAGS", "-O0"]


@dataclass(frozen=True)
class SimulationSettings:
    simulator: str = "verilator"
    testcases: tuple[str, ...] | None = None   # None = every scenario
    seed: int = 1
    code_coverage: bool = False                # Verilator line/toggle coverage
    cell_models: tuple[Path, ...] = ()         # set for a gate-level netlist
    optimized_build: bool = False              # Verilator: -Os C++ (fast model, slow build)


class Activity(Protocol):
    """Where a long run says what it is doing (a stage's progress line)."""

    def set(self, text: str, count_lines: Path | None = None, total: int | None = None
            ) -> None: ...


@dataclass
class RegressionResult:
    simulator: str
    tests: int
    passed: int
    failed: int
    failures: list[str]
    cycles: int
    build_seconds: float
    test_seconds: float      # the simulator process, start-up included
    sim_seconds: float       # only the cycles the testbench drove
    functional_coverage: dict
    code_coverage: dict | None
    metrics: dict = field(default_factory=dict)
    results_xml: Path | None = None
    log: Path | None = None
    stats: Path | None = None          # per-test cycles, coverage hits, metrics

    @property
    def cycles_per_second(self) -> float:
        return self.cycles / self.sim_seconds if self.sim_seconds else 0.0


@contextmanager
def _environment(env: dict[str, str]):
    """cocotb's runner reads os.environ; swap it for the duration of a run."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_regression(spec: SystolicSpec, sources: list[Path], work_dir: Path,
                   settings: SimulationSettings = SimulationSettings(),
                   activity: Activity | None = None) -> RegressionResult:
    from cocotb_tools.runner import Verilog, get_runner

    if settings.simulator not in SIMULATORS:
        raise ValueError(f"unknown simulator {settings.simulator!r}: use one of {list(SIMULATORS)}")
    work_dir.mkdir(parents=True, exist_ok=True)
    build_dir = work_dir / f"sim_build_{settings.simulator}"
    stats_path = work_dir / f"stats_{settings.simulator}.jsonl"
    stats_path.unlink(missing_ok=True)
    results_xml = work_dir / f"results_{settings.simulator}.xml"
    log = work_dir / f"{settings.simulator}.log"

    build_args, environment = [], tool_environment()
    if settings.simulator == "verilator":
        build_args = VERILATOR_WAIVERS + (CODE_COVERAGE_FLAGS if settings.code_coverage else []) \
            + (VERILATOR_GATE_LEVEL_WAIVERS if settings.cell_models else []) \
            + ([] if settings.optimized_build else UNOPTIMIZED_BUILD)
        environment |= ccache_environment()
    build_log = work_dir / f"{settings.simulator}_build.log"
    tests = len(settings.testcases or SCENARIOS)
    say = activity.set if activity else (lambda *args, **kwargs: None)
    with _environment(environment):
        runner = get_runner(settings.simulator)
        started = time.monotonic()
        say(f"{settings.simulator}: building the model")
        try:
            runner.build(sources=[Verilog(str(path)) for path in
                                  (HARNESS, *settings.cell_models, *sources)],
                         hdl_toplevel=HARNESS_TOP,
                         defines={"TT_TOP": spec.top_name,
                                  **(GATE_LEVEL_DEFINES if settings.cell_models else {})},
                         build_dir=str(build_dir), build_args=build_args, always=True,
                         timescale=("1ns", "1ps"), log_file=str(build_log))
        except (RuntimeError, SystemExit) as error:
            raise SimulationError(f"{settings.simulator} could not build the model "
                                  f"({error}); see {build_log}") from None
        built = time.monotonic()
        say(f"{settings.simulator}: simulating", count_lines=stats_path, total=tests)
        try:
            runner.test(test_module=TESTBENCH_MODULE, hdl_toplevel=HARNESS_TOP,
                        testcase=list(settings.testcases) if settings.testcases else None,
                        seed=settings.seed, build_dir=str(build_dir), test_dir=str(work_dir),
                        results_xml=str(results_xml), log_file=str(log),
                        extra_env={"TAPEFLOW_SPEC": json.dumps(spec.as_dict()),
                                   "TAPEFLOW_SIM_STATS": str(stats_path)})
        except (RuntimeError, SystemExit) as error:
            raise SimulationError(f"{settings.simulator} did not finish the tests "
                                  f"({error}); see {log}") from None
        finished = time.monotonic()

    tests, failures = _parse_junit(results_xml)
    stats = [json.loads(line) for line in stats_path.read_text().splitlines()] \
        if stats_path.exists() else []
    metrics = {}
    for record in stats:
        metrics.update(record["metrics"])
    code_coverage = None
    if settings.code_coverage:
        code_coverage = summarize_coverage_dat(work_dir / "coverage.dat", Path(sources[0]))
    return RegressionResult(
        simulator=settings.simulator, tests=tests, passed=tests - len(failures),
        failed=len(failures), failures=failures, cycles=sum(r["cycles"] for r in stats),
        build_seconds=built - started, test_seconds=finished - built,
        sim_seconds=sum(r["sim_seconds"] for r in stats),
        functional_coverage=summarize(spec, [r["coverage"] for r in stats]),
        code_coverage=code_coverage, metrics=metrics, results_xml=results_xml, log=log,
        stats=stats_path)


def _parse_junit(path: Path) -> tuple[int, list[str]]:
    if not path.exists():
        return 0, ["the simulator wrote no results (see its log)"]
    root = ET.parse(path).getroot()
    tests, failures = 0, []
    for case in root.iter("testcase"):
        tests += 1
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            message = problem.get("message") or (problem.text or "").strip().splitlines()[-1:]
            failures.append(f"{case.get('name')}: {message}")
    return tests, failures
