"""`tapeflow doctor`: every tool and every data set the full flow uses, found
or not, what a missing one disables, and how to get it."""

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
    lines += ["", "data       status   where / what a missing one disables"]
    for name, found, text in data_checks():
        ready = ready and found
        lines.append(f"{name:<10} {'found' if found else 'MISSING':<8} {text}")
    return "\n".join(lines), ready


def data_checks() -> list[tuple[str, bool, str]]:
    """(name, found, where it is or what its absence disables and how to get it)."""
    from tapeflow.tapeout.tt_data import TinyTapeoutDataError, tt_root

    from .adapters.pdk import PDK_ROOT_ENV, PdkError, check_pdk_root, pdk_root_setting
    from .adapters.timing_corners import CornerDataError, tt_corner_libraries
    checks = []
    root = pdk_root_setting(None)
    if root is None:
        checks.append(("pdk", False, f"{PDK_ROOT_ENV} not set: lambdapdk downloads sky130 on "
                                     f"first use (needs internet); offline, synthesize and "
                                     f"every later stage are skipped. Set {PDK_ROOT_ENV} to "
                                     f"a folder laid out like the lambdapdk repository"))
    else:
        try:
            check_pdk_root(root)
            checks.append(("pdk", True, f"{root} (every file the sky130 and sky130hd "
                                        f"schemas name is there)"))
        except PdkError as error:
            checks.append(("pdk", False, str(error)))
    try:
        corners = tt_corner_libraries(root)
        checks.append(("corners", True, "TinyTapeout's signoff liberty files: "
                                        + ", ".join(str(c.liberty) for c in corners)))
    except CornerDataError as error:
        checks.append(("corners", False, f"{error}; without them timing and hardening "
                                         f"at TinyTapeout's corners fail"))
    try:
        checks.append(("tinytapeout", True, f"{tt_root()} (tile sizes, template DEFs and "
                                            f"project template, precheck tables and decks)"))
    except TinyTapeoutDataError as error:
        checks.append(("tinytapeout", False, f"{error}. Without it tile-fit, harden, "
                                             f"package, precheck and check-info fail: clone "
                                             f"TinyTapeout's tt-support-tools and "
                                             f"ttsky-verilog-template into one folder"))
    return checks


_HEADER = ("tool", "status", "version", "stages", "where / how")


def _where(location: str | None) -> str | None:
    """The location, and where it leads when it is a link (install.sh links
    the relocatable OpenROAD and magic/netgen builds into .venv/bin)."""
    if not location or not Path(location).is_symlink():
        return location
    return f"{location} -> {Path(location).resolve()}"
