"""`tapeflow doctor`: every tool the full flow uses, found or not, and how to get it."""

from __future__ import annotations

from pathlib import Path

from .adapters.tools import TOOLS, is_outdated, probe


def doctor_report() -> tuple[str, bool]:
    """The report text, and whether every tool is there."""
    rows = []
    ready = True
    for tool in TOOLS:
        status = probe(tool)
        ready = ready and status.found
        state = "found" if status.found else "MISSING"
        version = status.version or "-"
        if is_outdated(status):
            version += f" (fallback: older than {tool.outdated_below})"
        rows.append((tool.name, state, version, ", ".join(tool.stages),
                     _where(status.location) or f"install: {tool.install}"))
    widths = [max(len(row[i]) for row in rows + [_HEADER]) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(_HEADER[:4], widths)) + "  where / how"]
    for row in rows:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths))
                     + "  " + row[4])
    lines.append("")
    lines.append("A stage whose tool is MISSING ends as skipped, with the install hint above, "
                 "and the stages that need it are skipped too.")
    return "\n".join(lines), ready


_HEADER = ("tool", "status", "version", "stages", "where / how")


def _where(location: str | None) -> str | None:
    """The location, and where it leads when it is a link (install.sh links
    the relocatable OpenROAD and magic/netgen builds into .venv/bin)."""
    if not location or not Path(location).is_symlink():
        return location
    return f"{location} -> {Path(location).resolve()}"
