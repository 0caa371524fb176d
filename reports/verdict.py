"""The report's first screen: "can I tape this out?" as one line per question,
each green, amber or red with its number and where the detail is."""

from __future__ import annotations

import os
import socket
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from tapeflow.designs.registry import PROJECT_DESIGN

from .derived import run_clock, timing_corners
from .run_data import RunData

GREEN, AMBER, RED = "green", "amber", "red"
#: where `tapeflow precheck <run>/tt_project/tt_submission` writes its results
PRECHECK_RESULTS = ("tt_project", "tt_submission.precheck", "results.xml")
#: the package folder of a TinyTapeout project's run (its repository is the project)
PROJECT_PACKAGE = "tt_package"


@dataclass(frozen=True)
class Verdict:
    question: str
    state: str          # green, amber, red
    answer: str
    detail: str         # anchor of the section with the numbers


def _stage_state(run: RunData, name: str) -> str:
    stage = run.stage(name)
    if stage is None:
        return "never ran"
    return stage.status + (f": {stage.reason}" if stage.reason else "")


def _fits(run: RunData) -> Verdict:
    tile, used = run.value("tile"), run.value("tile_utilization")
    stage = run.stage("tile-fit")
    if stage is not None and stage.status == "failed":
        return Verdict("Does it fit a tile?", RED, stage.reason or "no tile fits", "L8")
    if tile is None:
        return Verdict("Does it fit a tile?", AMBER, f"not known (tile-fit "
                       f"{_stage_state(run, 'tile-fit')})", "L8")
    return Verdict("Does it fit a tile?", GREEN, f"tile {tile} at {used} % of its core "
                   f"(TinyTapeout's target 60 %)", "L8")


def _timing(run: RunData) -> Verdict:
    mhz, _ = run_clock(run)
    question = f"Timing at {mhz:g} MHz?"
    routed = run.metrics.get("routed_worst_setup_slack_ns")
    if routed is not None:
        setup = routed.value
        hold = run.value("routed_worst_hold_slack_ns")
        corners = run.value("signoff_corners")
        state = GREEN if setup >= 0 and (hold is None or hold >= 0) else RED
        return Verdict(question, state, f"routed, {corners} corners: worst setup slack "
                       f"{setup:+.2f} ns, hold {hold:+.2f} ns", "L7")
    corners = timing_corners(run)
    if not corners:
        return Verdict(question, AMBER, f"not timed (sta-pre {_stage_state(run, 'sta-pre')})",
                       "L7")
    slacks = [(c, run.value(f"setup_slack_{c}_ns"), run.value(f"hold_slack_{c}_ns"))
              for c in corners]
    bad = [c for c, setup, hold in slacks if (setup or 0) < 0 or (hold or 0) < 0]
    text = "; ".join(f"{c} setup {setup:+.2f}, hold {hold:+.2f} ns" for c, setup, hold in slacks
                     if setup is not None and hold is not None)
    return Verdict(question, RED if bad else AMBER,
                   f"pre-layout only: {text}" + (" (not yet routed)" if not bad else ""), "L7")


def _tests(run: RunData) -> Verdict:
    # a TinyTapeout project's own test records gl_/postroute_gl_ (its
    # Makefile picks the simulator); the accelerator's, per simulator
    levels = ((("RTL", "rtl"), ("gate level", "gl"), ("routed", "postroute_gl"))
              if run.design == PROJECT_DESIGN else
              (("RTL", "rtl"), ("gate level", "gl_icarus"), ("routed", "postroute_gl_icarus")))
    rows = [(label, run.value(f"{prefix}_tests_passed"), run.value(f"{prefix}_tests_run"))
            for label, prefix in levels]
    found = [(label, passed, total) for label, passed, total in rows if total]
    if not found:
        return Verdict("Do the tests pass?", AMBER, "no tests ran", "L6")
    failing = any(passed != total for _, passed, total in found)
    coverage = run.value("functional_coverage_percent")
    text = ", ".join(f"{label} {passed}/{total}" for label, passed, total in found)
    if coverage is not None:
        text += f"; functional coverage {coverage:g} %"
    complete = len(found) == len(rows)
    if run.value("test_asserts") == 0:          # a project's test that checks nothing
        text += "; its test modules assert nothing, so a pass proves little"
        complete = False
    return Verdict("Do the tests pass?", RED if failing else GREEN if complete else AMBER,
                   text, "L6")


def _signoff(run: RunData) -> Verdict:
    drc, lvs = run.value("drc_errors"), run.value("lvs_errors")
    antenna = run.value("postroute_antenna_nets")
    if drc is None or lvs is None:
        return Verdict("DRC, LVS, antenna clean?", AMBER, f"not signed off (signoff "
                       f"{_stage_state(run, 'signoff')})", "L7")
    clean = drc == 0 and lvs == 0 and not antenna
    return Verdict("DRC, LVS, antenna clean?", GREEN if clean else RED,
                   f"magic DRC {drc} errors, LVS {lvs} mismatches, "
                   f"{antenna if antenna is not None else '?'} antenna nets", "L7")


def _precheck(run: RunData) -> Verdict:
    package = PROJECT_PACKAGE if run.design == PROJECT_DESIGN else PRECHECK_RESULTS[0]
    results = run.run_dir.joinpath(package, *PRECHECK_RESULTS[1:])
    if not results.is_file():
        return Verdict("TinyTapeout precheck?", AMBER, "not run: tapeflow package, then "
                       f"tapeflow precheck <run>/{package}/tt_submission", "L8")
    cases = list(ET.parse(results).getroot().iter("testcase"))
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    skipped = sum(c.find("skipped") is not None for c in cases)
    passed = len(cases) - len(failed) - skipped
    text = f"{passed} passed, {len(failed)} failed, {skipped} skipped"
    if failed:
        text += f" ({', '.join(failed[:3])})"
    return Verdict("TinyTapeout precheck?", RED if failed else GREEN if not skipped else AMBER,
                   text, "L8")


def _finished(run: RunData) -> Verdict | None:
    """Whether the run got to its end: an interrupted or killed run is marked
    first, since every other answer then describes part of a run."""
    question = "Did the run finish?"
    if run.state is None:                # a manifest from before runs recorded it
        return None
    done = {stage.name for stage in run.stages}
    missing = [name for name in run.flow or [] if name not in done]
    if run.state == "complete":
        last = (run.flow or [stage.name for stage in run.stages] or ["nothing"])[-1]
        return Verdict(question, GREEN, f"yes, {len(run.stages)} stages, through {last}",
                       "stages")
    if run.state == "interrupted":
        where = (run.interrupted or {}).get("stage") or "?"
        return Verdict(question, RED, f"no: interrupted in {where}, {len(missing)} of "
                       f"{len(run.flow or done)} stages not run; run it again to finish",
                       "stages")
    alive = run.pid is not None and run.host == socket.gethostname() and _alive(run.pid)
    return Verdict(question, AMBER if alive else RED,
                   f"still running (pid {run.pid}), {len(missing)} stages to go" if alive else
                   f"no: it ended without finishing (pid {run.pid} gone, killed?), "
                   f"{len(missing)} stages not run; run it again to finish", "stages")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def verdicts(run: RunData) -> list[Verdict]:
    finished = _finished(run)
    found = ([finished] if finished else []) + [
        _fits(run), _timing(run), _tests(run), _signoff(run), _precheck(run)]
    blocking = [v for v in found if v.state != GREEN]
    ready = Verdict("Ready to submit?", GREEN if not blocking else
                    RED if any(v.state == RED for v in blocking) else AMBER,
                    "yes: every answer above is green" if not blocking else
                    "no, not yet: " + "; ".join(v.question.rstrip("?") for v in blocking),
                    "L8")
    return found + [ready]
