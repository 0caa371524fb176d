"""Cell areas from a Liberty file (plain or .gz)."""

from __future__ import annotations

import gzip
import re
import zlib
from functools import lru_cache
from pathlib import Path

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
    gzip), or None. A library's text ends with the `}` closing `library (...)`;
    the check reads the file once per process and version of it (~0.03 s per
    2 MB .gz)."""
    stat = liberty.stat()
    return _truncation(liberty, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=256)
def _truncation(liberty: Path, size: int, mtime_ns: int) -> str | None:
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
