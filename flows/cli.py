"""The `tapeflow` command line."""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import re
import shutil
import signal
import sys
import tempfile
import traceback
from pathlib import Path

from tapeflow.designs.errors import SpecError
from tapeflow.designs.registry import (DEFAULT_DESIGN, DESIGNS, PROJECT_DESIGN,
                                       UnknownDesignError, get_design)
from tapeflow.designs.tt_project import ProjectError, TtProjectSpec, load_project
from tapeflow.reports.browser import BrowserError, screenshot
from tapeflow.reports.compare import compare_runs, comparison_json, format_comparison
from tapeflow.reports.run_data import ReportError, load_run
from tapeflow.reports.summary import run_summary
from tapeflow.tapeout.info_yaml import (MetadataError, ProjectMetadata, check_metadata,
                                        check_project_folder, read_project_info)
from tapeflow.tapeout.package import (PackageError, PackageRefused, write_package,
                                      write_project_submission)
from tapeflow.tapeout.precheck import PrecheckError, find_inputs, run_precheck, write_reports
from tapeflow.tapeout.tiles import tiles
from tapeflow.tapeout.tt_data import TinyTapeoutDataError

from .adapters.cache import CACHE_ENV, cache_summary, clean_cache
from .adapters.pdk import (PDK_ROOT_ENV, PdkError, check_pdk_root, layer_properties, magic_tech,
                           pdk_root_setting)
from .adapters.timing_corners import (CORNER_SETS, DEFAULT_CORNER_SET, CornerDataError,
                                      corner_libraries)
from .adapters.tools import use_tool_environment
from .doctor import doctor_report
from .engine.atomic import write_json_atomic, write_text_atomic
from .engine.execute import ManifestWriteError, execute, tapeflow_version
from .engine.lock import RunFolderBusy
from .engine.run_folder import RunFolderError
from .engine.settings import RunSettings
from .engine.stage import Status
from .params import ParameterError, build_spec, load_config
from .stages import STAGE_NAMES, default_flow, flow_for
from .stages.verify_gl import GATE_LEVEL_SIMULATORS
from .sweep.executors import LocalExecutor, SchedulerError, SlurmExecutor, default_jobs
from .sweep.grid import expand, grid_from_config, grid_from_options
from .sweep.runner import SweepSettings, run_sweep, sweep_folder_name, sweep_summary

#: A sweep's last stage: through timing and gate level; with OpenROAD, through
#: routed timing (hardening is ~3 min a point, what decides fmax and the tile).
SWEEP_UNTIL, SWEEP_UNTIL_HARDENED = "verify-gl", "sta-post"


def _parameter_help() -> str:
    lines = ["design parameters (--set name=value):"]
    for design in DESIGNS.values():
        lines.append(f"  {design.name}: {design.summary}")
        for field in dataclasses.fields(design.spec_type):
            lines.append(f"    {field.name:<10} default {field.default!r}")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tapeflow", description="Amaranth systolic MAC array to a TinyTapeout sky130 tile.")
    parser.add_argument("--version", action="version", version=f"tapeflow {tapeflow_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser(
        "run", help="run the flow's stages for a design",
        epilog=_parameter_help(), formatter_class=argparse.RawDescriptionHelpFormatter)
    _design_options(run, "override one design parameter (repeatable)")
    run.add_argument("--project", type=Path, metavar="DIR",
                     help="a TinyTapeout project folder (info.yaml, src/, test/) to run "
                          "instead of a built-in design: its top, sources, tiles and clock "
                          "come from info.yaml, its own test runs at RTL and gate level")
    _run_setting_options(run)
    run.add_argument("--until", choices=STAGE_NAMES, metavar="STAGE",
                     help="stop after this stage (" + ", ".join(STAGE_NAMES) + ")")

    sweep = commands.add_parser(
        "sweep", help="run many parameter sets (a grid or a list), locally or on Slurm",
        description="Every combination of the listed values (or the points of a --config "
                    "file's `points` list) as a normal run folder, then sweep.json, sweep.csv "
                    "and sweep.html (Pareto fronts of sustained MMAC/s per tile) in --out. "
                    "Points already up to date are not run again; an interrupted sweep "
                    "started again continues.",
        epilog=_parameter_help(), formatter_class=argparse.RawDescriptionHelpFormatter)
    _design_options(sweep, "values of one design parameter, comma-separated, e.g. "
                           "rows=1,2,4 (repeatable)")
    _run_setting_options(sweep)
    sweep.add_argument("--until", choices=STAGE_NAMES, metavar="STAGE",
                       help=f"last stage of every point (default {SWEEP_UNTIL_HARDENED} "
                            f"where OpenROAD is installed, else {SWEEP_UNTIL})")
    sweep.add_argument("--scheduler", choices=("local", "slurm"), default="local",
                       help="local: --jobs points at once here; slurm: one sbatch job per "
                            "point (log in the point's folder), followed with squeue")
    sweep.add_argument("--jobs", type=int, default=default_jobs(),
                       help=f"points at once with --scheduler local (default "
                            f"{default_jobs()}: one per core)")
    sweep.add_argument("--slurm-cpus", type=int, default=1, metavar="N",
                       help="--cpus-per-task of each Slurm job (default 1)")
    sweep.add_argument("--partition", help="Slurm partition (default: the cluster's)")
    sweep.add_argument("--out", type=Path,
                       help="where sweep.json/csv/html go (default <build-dir>/sweep-<hash "
                            "of the points and settings>)")

    commands.add_parser("doctor", help="list the tools the flow uses, found or missing")

    cache = commands.add_parser(
        "cache", help="show or clean tapeflow's cache (compiled simulation objects)",
        description=f"The cache lives outside run folders: ${CACHE_ENV}, else "
                    f"$XDG_CACHE_HOME/tapeflow or ~/.cache/tapeflow ({CACHE_ENV}=off "
                    f"disables it). Results are identical with and without it.")
    cache.add_argument("action", nargs="?", choices=("show", "clean"), default="show")

    report = commands.add_parser(
        "report", help="write the L5-L8 report of a run, or compare two runs",
        description="One run: writes <run>/report/report.{json,md,html}. Two runs: prints the "
                    "differences of every shared metric and writes them to A's report folder.")
    report.add_argument("runs", nargs="+", type=Path, metavar="RUN",
                        help="run folder (build/<design>-<tag>) or its manifest.json")
    report.add_argument("--screenshot", action="store_true",
                        help="also render report.html in headless Chromium to report.png")

    package = commands.add_parser(
        "package", help="write a TinyTapeout project folder from a run",
        description="info.yaml, docs/info.md, src/, test/ (cocotb + Icarus, TT's layout), "
                    "LICENSE; written to <run>/tt_project unless --out is given.")
    package.add_argument("run", type=Path, metavar="RUN", help="run folder or manifest.json")
    package.add_argument("--title", default="", help="project title (required)")
    package.add_argument("--author", default="", help="your name (required)")
    package.add_argument("--description", help="one line (default: generated from the design)")
    package.add_argument("--discord", default="", help="discord user name (optional)")
    package.add_argument("--out", type=Path, help="output folder")
    package.add_argument("--allow-incomplete", action="store_true",
                         help="package a run whose synthesis, tile-fit or timing did not pass "
                              "(or with a failed stage); its README lists them and why")

    check_info = commands.add_parser(
        "check-info", help="validate a TinyTapeout project's info.yaml and docs/info.md")
    check_info.add_argument("path", type=Path, help="project folder or its info.yaml")

    precheck = commands.add_parser(
        "precheck", help="TinyTapeout's precheck on a GDS + LEF + powered Verilog + info.yaml",
        description="Writes results.xml (JUnit) and results.md; exit 1 if any check fails.")
    precheck.add_argument("path", type=Path, help="folder holding <top>.gds, or the .gds")
    precheck.add_argument("--out", type=Path,
                          help="report folder (default <folder>.precheck, beside the folder)")
    precheck.add_argument("--pdk-root", type=Path,
                          help=f"local lambdapdk data for the sky130 layer table "
                               f"(default ${PDK_ROOT_ENV})")
    return parser


def _design_options(parser: argparse.ArgumentParser, set_help: str) -> None:
    parser.add_argument("--design", default=DEFAULT_DESIGN, help=f"default {DEFAULT_DESIGN}")
    parser.add_argument("--set", dest="assignments", action="append", default=[],
                        metavar="NAME=VALUE", help=set_help)
    parser.add_argument("--config", type=Path, help="TOML or JSON file of design parameters")


def _run_setting_options(parser: argparse.ArgumentParser) -> None:
    """The options that make RunSettings, shared by run and sweep."""
    parser.add_argument("--build-dir", type=Path, default=RunSettings.build_root,
                        help="where run folders go (default ./build)")
    parser.add_argument("--simulator", choices=("verilator", "icarus"), default="verilator",
                        help="RTL simulator (default verilator)")
    parser.add_argument("--gl-simulators", default=",".join(RunSettings.gl_simulators),
                        metavar="SIMS", help="gate-level simulators, comma-separated: icarus "
                                             "(default; TinyTapeout's, 4-state), verilator")
    parser.add_argument("--seed", type=int, default=RunSettings.seed, help="cocotb random seed")
    parser.add_argument("--no-code-coverage", action="store_true",
                        help="build the Verilator model without line/toggle coverage (faster)")
    parser.add_argument("--pdk-root", type=Path,
                        help=f"local lambdapdk data (default ${PDK_ROOT_ENV}; unset: download)")
    parser.add_argument("--clock-period", type=float, metavar="NS",
                        help="clock period in ns (default 20, TinyTapeout's; with --project "
                             "the period of info.yaml's clock_hz when it is not 0)")
    parser.add_argument("--tile", help="TinyTapeout tile, e.g. 1x2 (default: the smallest "
                                       "that fits at the target density)")
    parser.add_argument("--corners", choices=CORNER_SETS, default=DEFAULT_CORNER_SET,
                        help="timing corners: tt = TinyTapeout's signoff corners tt_025C_1v80, "
                             "ss_100C_1v60, ff_n40C_1v95 (default); lambdapdk = tt_025C_1v80, "
                             "ss_n40C_1v40, ff_100C_1v95")
    parser.add_argument("--target-density", type=float,
                        default=100 * RunSettings.target_density, metavar="PCT",
                        help="placement density for tile fit and hardening (TinyTapeout "
                             "default 60)")


#: Errors a user can cause with the command line, a config or an input file: exit 2.
USER_ERRORS = (SpecError, ParameterError, UnknownDesignError, PdkError, TinyTapeoutDataError,
               ReportError, BrowserError, MetadataError, PackageError, PrecheckError,
               CornerDataError, RunFolderError, RunFolderBusy, SchedulerError, ProjectError)


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: the run is marked interrupted before exit."""


def _terminate(signum, frame):
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    use_tool_environment()
    handlers = {"run": _run, "doctor": _doctor, "report": _report, "package": _package,
                "precheck": _precheck, "check-info": _check_info, "cache": _cache,
                "sweep": _sweep}
    previous_handler = signal.signal(signal.SIGTERM, _terminate)
    try:
        return handlers[args.command](args)
    except ProjectInfoProblems as problems:
        for line in problems.lines:
            print(f"tapeflow: error: {_one_line(line)}", file=sys.stderr)
        return 2
    except (PackageRefused, ManifestWriteError) as error:   # the run, not the command
        print(f"tapeflow: error: {_one_line(error)}", file=sys.stderr)
        return 1
    except USER_ERRORS as error:
        print(f"tapeflow: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as interrupt:
        terminated = isinstance(interrupt, Terminated)
        print(f"tapeflow: {'terminated' if terminated else 'interrupted'}; a run's manifest "
              f"says so, and the same command carries on from the last finished stage",
              file=sys.stderr)
        return 128 + (signal.SIGTERM if terminated else signal.SIGINT)
    except Exception:                        # a bug: one line, the traceback in a file
        print(f"tapeflow: internal error ({_crash_log()}): please report it", file=sys.stderr)
        return 3
    finally:
        signal.signal(signal.SIGTERM, previous_handler)


def _one_line(error: Exception) -> str:
    """The message with any control character a user's value carried (a
    newline in a path) shown escaped, so an error stays one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(error))


def _crash_log() -> str:
    """Where the traceback of an unexpected error went (the build folder may
    be the thing that is broken, so a temporary file)."""
    kind, error, _ = sys.exc_info()
    handle, path = tempfile.mkstemp(prefix="tapeflow-error-", suffix=".log")
    with os.fdopen(handle, "w") as stream:
        stream.write(traceback.format_exc())
    return f"{kind.__name__}: {str(error)[:120]}; traceback in {path}"


def _doctor(args) -> int:
    report, ready = doctor_report()
    print(report)
    return 0 if ready else 1


def _cache(args) -> int:
    print(clean_cache() if args.action == "clean" else cache_summary())
    return 0


def _check_info(args) -> int:
    problems = check_project_folder(args.path)
    for problem in problems:
        print(f"error: {problem}")
    print(f"{len(problems)} problem(s)" if problems else "info.yaml and docs/info.md are valid")
    return 1 if problems else 0


def _run(args) -> int:
    if args.project is not None:
        if args.assignments or args.config or args.design != DEFAULT_DESIGN:
            raise ParameterError("--project takes everything from the project's info.yaml: "
                                 "leave out --design, --set and --config")
        name, spec = PROJECT_DESIGN, _project_spec(args.project)
    else:
        design = get_design(args.design)
        config = load_config(args.config) if args.config else {}
        name, spec = design.name, build_spec(design.spec_type, config, args.assignments)
    settings = _run_settings(args, spec)
    stages = flow_for(name, spec)
    if args.until:
        names = [stage.name for stage in stages]
        if args.until not in names:
            raise ParameterError(f"--until {args.until}: this flow's stages are "
                                 f"{', '.join(names)}")
        stages = stages[:names.index(args.until) + 1]
    run_dir, records = execute(name, spec, settings, stages)

    print("\n" + run_summary(load_run(run_dir)))
    return 1 if any(r.result.status == Status.FAILED for r in records) else 0


def _project_spec(folder: Path) -> TtProjectSpec:
    """The project's spec, after TinyTapeout's own info.yaml and source-file
    checks: each problem in TinyTapeout's words, one line each, exit 2."""
    if not folder.is_dir():
        raise ProjectError(f"--project {folder}: not a folder (give a TinyTapeout project's "
                           f"folder, the one holding info.yaml)")
    if not (folder / "info.yaml").is_file():
        raise ProjectError(f"--project {folder}: no info.yaml, so not a TinyTapeout project "
                           f"(TinyTapeout's template has info.yaml, src/ and test/)")
    info, problems = read_project_info(folder / "info.yaml")
    if problems:
        raise ProjectInfoProblems(folder / "info.yaml", problems)
    return load_project(folder, info)


class ProjectInfoProblems(ValueError):
    """info.yaml breaks TinyTapeout's rules: every problem, one line each."""

    def __init__(self, path: Path, problems: list[str]):
        super().__init__("\n".join(f"{path}: {problem}" for problem in problems))
        self.lines = [f"{path}: {problem}" for problem in problems]


def _clock_period(args, spec) -> float:
    """--clock-period, else a TinyTapeout project's clock_hz, else 20 ns."""
    if args.clock_period is not None:
        period, given = args.clock_period, "--clock-period"
    elif isinstance(spec, TtProjectSpec) and spec.clock_hz > 0:
        period = round(1e9 / spec.clock_hz, 6)
        given = f"info.yaml's clock_hz {spec.clock_hz} (give --clock-period to time it " \
                f"at another)"
    else:
        return RunSettings.clock_period_ns
    if not math.isfinite(period) or not 1 <= period <= 1000:
        raise ParameterError(f"{given}: a clock period of {period:g} ns; expected 1..1000 ns "
                             f"(TinyTapeout's is 20)")
    return period


def _run_settings(args, spec=None) -> RunSettings:
    """RunSettings from run's and sweep's shared options, every one checked
    before any tool starts."""
    clock_period = _clock_period(args, spec)
    if not math.isfinite(args.target_density) or not 10 <= args.target_density <= 95:
        raise ParameterError(f"--target-density {args.target_density:g}: expected a "
                             f"percentage in 10..95")
    _check_tile(args.tile)
    gl_simulators = _gl_simulators(args.gl_simulators)
    pdk_root = pdk_root_setting(args.pdk_root)
    check_pdk_root(pdk_root)     # before any tool starts
    if pdk_root is not None or os.environ.get("PDK_ROOT"):
        corner_libraries(args.corners, pdk_root)   # one line naming a missing liberty
    return RunSettings(build_root=args.build_dir, simulator=args.simulator,
                       gl_simulators=gl_simulators, seed=args.seed,
                       code_coverage=not args.no_code_coverage, pdk_root=pdk_root,
                       clock_period_ns=clock_period, tile=args.tile,
                       target_density=round(args.target_density / 100, 4),
                       corners=args.corners)


def _sweep(args) -> int:
    design = get_design(args.design)
    config = load_config(args.config) if args.config else {}
    grid, listed = grid_from_config(config)
    grid |= grid_from_options(args.assignments)
    points, invalid = expand(design.spec_type, grid, listed)
    if not points:
        raise ParameterError("sweep: no valid point (" + (invalid[0].reason if invalid
                                                          else "no values given") + ")")
    settings = _run_settings(args)
    if args.jobs < 1 or args.slurm_cpus < 1:
        raise ParameterError("--jobs and --slurm-cpus: expected at least 1")
    until = args.until or (SWEEP_UNTIL_HARDENED if shutil.which("openroad") else SWEEP_UNTIL)
    flow_names = [stage.name for stage in default_flow()]
    if until not in flow_names:
        raise ParameterError(f"--until {until}: the {design.name} flow's stages are "
                             f"{', '.join(flow_names)}")
    executor = SlurmExecutor(args.slurm_cpus, args.partition) if args.scheduler == "slurm" \
        else LocalExecutor(args.jobs)
    out = args.out or settings.build_root / sweep_folder_name(design.name, points, settings,
                                                              until)
    try:                             # before any point runs, not when the table is due
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        option = "--out" if args.out else "--build-dir"
        raise ParameterError(f"{option}: cannot make {out}: {error.strerror or error} "
                             f"(choose a writable folder)") from None
    outcome = run_sweep(points, invalid, settings,
                        SweepSettings(design.name, until, out, args.scheduler), executor,
                        lambda text: print(text, flush=True))
    print("\n" + sweep_summary(outcome))
    return 0 if all(row.status in ("passed", "invalid") for row in outcome.rows) else 1


def _gl_simulators(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",")))
    if not names or not set(names) <= set(GATE_LEVEL_SIMULATORS):
        raise ParameterError(f"--gl-simulators {text!r}: expected a comma-separated list of "
                             f"{', '.join(GATE_LEVEL_SIMULATORS)}")
    return names


def _check_tile(name: str | None) -> None:
    """A requested tile is one TinyTapeout has, checked before any tool runs."""
    if name is None:
        return
    if not re.fullmatch(r"\d{1,2}x\d{1,2}", name):
        raise ParameterError(f"--tile {name!r}: expected a TinyTapeout tile like 1x2, or "
                             f"leave it out for the smallest that fits")
    try:
        known = [tile.name for tile in tiles()]
    except TinyTapeoutDataError:
        return                   # tile-fit reports the missing data with the rest
    if name not in known:
        raise ParameterError(f"--tile {name}: not a TinyTapeout tile; choose one of "
                             f"{', '.join(known)}")


def _precheck(args) -> int:
    find_inputs(args.path)               # a one-line error before the PDK is looked at
    root = pdk_root_setting(args.pdk_root)
    check_pdk_root(root)
    folder = (args.path.parent if args.path.suffix == ".gds" else args.path).resolve()
    # beside the checked folder, never inside it: tt_submission/ is what gets uploaded
    out = args.out or folder.with_name(f"{folder.name}.precheck")
    results = run_precheck(args.path, layer_properties(root), magic_tech(root), out)
    xml, markdown = write_reports(results, out)
    width = max(len(r.name) for r in results)
    tt_width = max(len(r.tt_check) for r in results)
    for result in results:
        note = f"  {result.message}" if result.message else ""
        print(f"{result.status:<8} {result.name:<{width}}  [{result.tt_check:<{tt_width}}]{note}")
    counts = {status: sum(r.status == status for r in results)
              for status in ("passed", "failed", "skipped")}
    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped; "
          f"{xml}, {markdown}")
    return 1 if counts["failed"] else 0


def _package(args) -> int:
    run = load_run(args.run)
    if run.design == PROJECT_DESIGN:     # the repository is the project folder already
        folder = write_project_submission(run, args.out or run.run_dir / "tt_package")
        print(folder)
        return 0
    spec = run.spec()
    description = args.description or (
        f"{spec.rows}x{spec.cols} systolic {'int' if spec.signed else 'uint'}{spec.in_width} "
        f"MAC array, {spec.sustained_macs_per_cycle:g} MACs/cycle through the TT pins")
    metadata = ProjectMetadata(args.title, args.author, description, args.discord)
    check_metadata(metadata)
    folder = write_package(run, metadata, args.out or run.run_dir / "tt_project",
                           args.allow_incomplete)
    print(folder)
    return 0


def _report(args) -> int:
    if len(args.runs) > 2:
        raise ReportError("give one run to report on, or two to compare")
    first = load_run(args.runs[0])
    out_dir = first.run_dir / "report"
    if len(args.runs) == 2:
        second = load_run(args.runs[1])
        deltas = compare_runs(first, second)
        text = format_comparison(first, second, deltas)
        out_dir.mkdir(exist_ok=True)
        write_text_atomic(out_dir / f"compare-{second.tag}.txt", text + "\n")
        write_json_atomic(out_dir / f"compare-{second.tag}.json",
                          comparison_json(first, second, deltas))
        print(text)
        return 0
    from tapeflow.reports.render import write_report   # matplotlib: 0.7 s, only for reports
    paths = write_report(first, out_dir)
    if args.screenshot:
        paths["screenshot"] = screenshot(paths["html"], out_dir / "report.png")
    for kind, path in paths.items():
        print(f"{kind:<10} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
