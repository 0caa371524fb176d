"""`tapeflow doctor`: every tool the full flow uses, found or not, and how to get it."""

from __future__ import annotations

from .stages import FLOW
from .tools import TOOLS, probe


def doctor_report() -> tuple[str, bool]:
    """The report text, and whether every tool of the implemented stages is there."""
    implemented = {stage.name for stage in FLOW}
    rows = []
    ready = True
    for tool in TOOLS:
        status = probe(tool)
        needed_now = bool(implemented & set(tool.stages))
        if not status.found and needed_now:
            ready = False
        state = "found" if status.found else ("MISSING" if needed_now else "missing")
        rows.append((tool.name, state, status.version or "-", ", ".join(tool.stages),
                     status.location or f"install: {tool.install}"))
    widths = [max(len(row[i]) for row in rows + [_HEADER]) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(_HEADER[:4], widths)) + "  where / how"]
    for row in rows:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths))
                     + "  " + row[4])
    lines.append("")
    lines.append("MISSING = needed by a stage `tapeflow run` executes now; missing = needed only "
                 "by later stages, which end as skipped until it is installed.")
    return "\n".join(lines), ready


_HEADER = ("tool", "status", "version", "stages", "where / how")
