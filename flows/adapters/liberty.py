"""Cell areas from a Liberty file (plain or .gz)."""

from __future__ import annotations

import gzip
import re
import zlib
from functools import lru_cache
from pathlib import Path

from tapeflow.flows.engine.hashing import sha256_of_data

from .cache import cache_root

#: sha256 of every Liberty file found whole, one per line, in the cache folder.
WHOLE_LIBERTY_FILE = "whole-liberty-files.txt"

_CELL = re.compile(r'^\s*cell\s*\(\s*"?([\w$]+)"?\s*\)')
_AREA = re.compile(r"^\s*area\s*:\s*([0-9.eE+-]+)\s*;")


@lru_cache(maxsize=None)
def cell_areas(liberty: Path) -> dict[str, float]:
    opener = gzip.open if liberty.suffix == ".gz" else open
    areas: dict[str, float] = {}
    cell = None
    with opener(liberty, "rt") as stream:
        for line in stream:
            match = _CELL.match(line)
            if match:
                cell = match.group(1)
                continue
            match = _AREA.match(line)
            if match and cell and cell not in areas:
                areas[cell] = float(match.group(1))
    return areas


def truncation(liberty: Path) -> str | None:
    """Why the file is not a whole Liberty library (a cut-off copy, a broken
    gzip), or None. A library's text ends with the `}` closing `library (...)`.
    Reading a 2 MB .gz to its end takes ~0.04 s, so a whole file is
    remembered by its sha256 in the tapeflow cache: content-keyed, it cannot
    vouch for an edited file."""
    digest = sha256_of_data(liberty)
    if digest in _known_whole():
        return None
    problem = _truncation(liberty)
    if problem is None:
        _remember_whole(digest)
    return problem


def _known_whole() -> set[str]:
    root = cache_root()
    try:
        return set((root / WHOLE_LIBERTY_FILE).read_text().split()) if root else set()
    except OSError:
        return set()


def _remember_whole(digest: str) -> None:
    root = cache_root()
    if root is None:
        return
    try:
        root.mkdir(parents=True, exist_ok=True)
        with open(root / WHOLE_LIBERTY_FILE, "a") as stream:   # one line: atomic enough
            stream.write(digest + "\n")
    except OSError:
        pass                                # a cache that cannot be written is no cache


def _truncation(liberty: Path) -> str | None:
    tail = b""
    try:
        with (gzip.open if liberty.suffix == ".gz" else open)(liberty, "rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                tail = (tail + block)[-64:]
    except (OSError, EOFError, zlib.error) as error:
        return f"{liberty} cannot be read to its end ({error})"
    if not tail.rstrip().endswith(b"}"):
        return f"{liberty} is cut off: it does not end with the library's closing brace"
    return None
