"""Cell areas from a Liberty file (plain or .gz)."""

from __future__ import annotations

import gzip
import re
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
