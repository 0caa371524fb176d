"""Magic DRC (drc(full)) of a GDS with the PDK's sky130A.tech.

Debian's magic 8.3.105 refuses the lambdapdk tech file only because of its
``requires magic-8.3.111`` line; a copy without it loads and checks
correctly (TOOLCHAIN.md). ``scalegrid 1 2`` keeps half-lambda coordinates.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

_RULE = re.compile(r"^RULE\t(\d+)\t(.*)$", re.M)
_TOTAL = re.compile(r"^DRC_TOTAL\t(\d+)$", re.M)


class MagicUnavailable(RuntimeError):
    """Magic is missing or cannot load the tech file: the check is skipped."""


@dataclass
class DrcResult:
    errors: int
    rules: dict[str, int]
    log: Path


def tech_for_installed_magic(tech: Path, folder: Path) -> Path:
    """A copy of ``tech`` in ``folder`` without its ``requires magic-...`` line."""
    folder.mkdir(parents=True, exist_ok=True)
    local_tech = folder / tech.name
    local_tech.write_text(re.sub(r"^(\s*requires\s+magic-.*)$", r"# \1",
                                 tech.read_text(errors="replace"), flags=re.M))
    return local_tech


def _run_magic(body: str, gds: Path, tech: Path, work_dir: Path, name: str) -> str:
    """magic with the tech (a copy it accepts) on a script that reads ``gds``
    half-lambda safe, turns on euclidean drc(full), then runs ``body``; its
    output, also kept in ``<name>.log``."""
    if shutil.which("magic") is None:
        raise MagicUnavailable("magic is not installed (apt-get install magic)")
    work_dir.mkdir(parents=True, exist_ok=True)
    script = work_dir / f"{name}.tcl"
    script.write_text("scalegrid 1 2\n"
                      f"gds read {{{gds.resolve()}}}\n"
                      "drc euclidean on\n"
                      "drc style drc(full)\n"
                      + body + "quit -noprompt\n")
    run = subprocess.run(["magic", "-dnull", "-noconsole", "-rcfile", "/dev/null", "-T",
                          str(tech_for_installed_magic(tech, work_dir)), str(script)],
                         capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    (work_dir / f"{name}.log").write_text(run.stdout + run.stderr)
    return run.stdout


def run_magic_drc(gds: Path, top: str, tech: Path, work_dir: Path) -> DrcResult:
    output = _run_magic(
        f"load {top}\n"
        "select top cell\n"
        "drc check\n"
        "drc catchup\n"
        "set total 0\n"
        "foreach {rule boxes} [drc listall why] {\n"
        "  incr total [llength $boxes]\n"
        "  puts \"RULE\\t[llength $boxes]\\t$rule\"\n"
        "}\n"
        "puts \"DRC_TOTAL\\t$total\"\n", gds, tech, work_dir, "magic_drc")
    log = work_dir / "magic_drc.log"
    total = _TOTAL.search(output)
    if total is None:
        raise MagicUnavailable(f"magic did not complete the DRC (see {log})")
    rules = {rule: int(count) for count, rule in _RULE.findall(output)}
    return DrcResult(int(total.group(1)), rules, log)


def cells_failing_drc(gds: Path, prefix: str, tech: Path, work_dir: Path,
                      ignored_rules: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Every cell of a library GDS whose name starts with ``prefix``, checked
    on its own with drc(full): the rules each one breaks, leaving out those
    whose text names one of ``ignored_rules``."""
    output = _run_magic(
        "foreach cell [cellname list allcells] {\n"
        f"  if {{![string match {prefix}* $cell]}} continue\n"
        "  load $cell\n"
        "  select top cell\n"
        "  drc check\n"
        "  drc catchup\n"
        "  foreach {rule boxes} [drc listall why] { puts \"CELL_RULE\\t$cell\\t$rule\" }\n"
        "}\n", gds, tech, work_dir, "cells_drc")
    failing: dict[str, list[str]] = {}
    for cell, rule in re.findall(r"^CELL_RULE\t(\S+)\t(.*)$", output, re.M):
        if not any(f"({ignored})" in rule or f"{ignored} " in rule for ignored in ignored_rules):
            failing.setdefault(cell, []).append(rule)
    return failing
