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


def run_magic_drc(gds: Path, top: str, tech: Path, work_dir: Path) -> DrcResult:
    if shutil.which("magic") is None:
        raise MagicUnavailable("magic is not installed (apt-get install magic)")
    work_dir.mkdir(parents=True, exist_ok=True)
    local_tech = tech_for_installed_magic(tech, work_dir)
    script = work_dir / "magic_drc.tcl"
    script.write_text(
        "scalegrid 1 2\n"
        f"gds read {{{gds.resolve()}}}\n"
        f"load {top}\n"
        "select top cell\n"
        "drc euclidean on\n"
        "drc style drc(full)\n"
        "drc check\n"
        "drc catchup\n"
        "set total 0\n"
        "foreach {rule boxes} [drc listall why] {\n"
        "  incr total [llength $boxes]\n"
        "  puts \"RULE\\t[llength $boxes]\\t$rule\"\n"
        "}\n"
        "puts \"DRC_TOTAL\\t$total\"\n"
        "quit -noprompt\n")
    log = work_dir / "magic_drc.log"
    run = subprocess.run(["magic", "-dnull", "-noconsole", "-rcfile", "/dev/null", "-T",
                          str(local_tech), str(script)], capture_output=True, text=True,
                         timeout=600, stdin=subprocess.DEVNULL)
    log.write_text(run.stdout + run.stderr)
    total = _TOTAL.search(run.stdout)
    if total is None:
        raise MagicUnavailable(f"magic did not complete the DRC (see {log})")
    rules = {rule: int(count) for count, rule in _RULE.findall(run.stdout)}
    return DrcResult(int(total.group(1)), rules, log)


def cells_failing_drc(gds: Path, prefix: str, tech: Path, work_dir: Path,
                      ignored_rules: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Every cell of a library GDS whose name starts with ``prefix``, checked
    on its own with drc(full): the rules each one breaks, leaving out those
    whose text names one of ``ignored_rules``."""
    if shutil.which("magic") is None:
        raise MagicUnavailable("magic is not installed")
    work_dir.mkdir(parents=True, exist_ok=True)
    script = work_dir / "cells_drc.tcl"
    script.write_text(
        "scalegrid 1 2\n"
        f"gds read {{{gds.resolve()}}}\n"
        "drc euclidean on\n"
        "drc style drc(full)\n"
        "foreach cell [cellname list allcells] {\n"
        f"  if {{![string match {prefix}* $cell]}} continue\n"
        "  load $cell\n"
        "  select top cell\n"
        "  drc check\n"
        "  drc catchup\n"
        "  foreach {rule boxes} [drc listall why] { puts \"CELL_RULE\\t$cell\\t$rule\" }\n"
        "}\n"
        "quit -noprompt\n")
    run = subprocess.run(["magic", "-dnull", "-noconsole", "-rcfile", "/dev/null", "-T",
                          str(tech_for_installed_magic(tech, work_dir)), str(script)],
                         capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    failing: dict[str, list[str]] = {}
    for cell, rule in re.findall(r"^CELL_RULE\t(\S+)\t(.*)$", run.stdout, re.M):
        if not any(f"({ignored})" in rule or f"{ignored} " in rule for ignored in ignored_rules):
            failing.setdefault(cell, []).append(rule)
    return failing
