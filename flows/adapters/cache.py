"""tapeflow's cache folder, outside every run folder: the compiler cache
for Verilator's C++ builds (ccache, keyed by preprocessed source, flags and
compiler; a hit is the very object a compile would give, so results are
identical with and without it) and the sha256 of Liberty files already found
whole. The Verilator runtime (~2 s per build) hits on every run; a whole
model hits when its Verilog is unchanged (another run folder of the same
design, or after an edit to tapeflow's code)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

CACHE_ENV = "TAPEFLOW_CACHE"           # the cache folder; "off" disables it
#: The bound on the compiler cache: ccache evicts the oldest objects above it.
#: A default-design GL build stores ~25 MB, so 1 GB holds dozens of designs.
CCACHE_SIZE = "1G"


def cache_root() -> Path | None:
    """$TAPEFLOW_CACHE, else $XDG_CACHE_HOME/tapeflow, else ~/.cache/tapeflow;
    None when TAPEFLOW_CACHE=off."""
    value = os.environ.get(CACHE_ENV)
    if value == "off":
        return None
    if value:
        return Path(value).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tapeflow"


def ccache_environment() -> dict[str, str]:
    """Variables that make Verilator's makefile compile through ccache (its
    OBJCACHE), or nothing where ccache is not installed or the cache is off."""
    root, ccache = cache_root(), shutil.which("ccache")
    if root is None or ccache is None:
        return {}
    return {"OBJCACHE": ccache, "CCACHE_DIR": str(root / "ccache"),
            "CCACHE_MAXSIZE": os.environ.get("CCACHE_MAXSIZE", CCACHE_SIZE)}


def cache_summary() -> str:
    """Where the cache is, how big, and ccache's hit counts."""
    root = cache_root()
    if root is None:
        return f"compiler cache: off ({CACHE_ENV}=off)"
    if shutil.which("ccache") is None:
        return f"compiler cache: ccache not installed (apt-get install ccache); {root} unused"
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) if root.exists() else 0
    stats = _ccache("--show-stats") if (root / "ccache").exists() else ""
    hits = next((line.strip() for line in stats.splitlines() if line.strip().startswith("Hits")),
                "no builds yet")
    return (f"compiler cache: {root / 'ccache'}, {size / 1e6:.1f} MB of at most "
            f"{ccache_environment()['CCACHE_MAXSIZE']}; {hits}")


def clean_cache() -> str:
    root = cache_root()
    if root is None or not root.exists():
        return "tapeflow cache: nothing to clean"
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    shutil.rmtree(root)
    return f"tapeflow cache: removed {root} ({size / 1e6:.1f} MB)"


def _ccache(*args: str) -> str:
    env = {**os.environ, **ccache_environment()}
    done = subprocess.run(["ccache", *args], capture_output=True, text=True, env=env)
    return done.stdout
