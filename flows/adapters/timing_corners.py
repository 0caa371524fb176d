"""Named sets of timing corners and where their liberty files are.

``tt`` (the default) is TinyTapeout's signoff set. TinyTapeout hardens with
LibreLane on open_pdks, which times sky130hd at tt_025C_1v80, ss_100C_1v60
and ff_n40C_1v95, each with nominal, minimum and maximum interconnect
(LibreLane ``config/pdk_compat.py`` STA_CORNERS for sky130; open_pdks'
sky130_fd_sc_hd LIB_SLOWEST/LIB_FASTEST). ``lambdapdk`` is the set
SiliconCompiler's sky130 target ships (tt_025C_1v80, ss_n40C_1v40,
ff_100C_1v95); no TinyTapeout tile is signed off at its slow and fast corners.

Every corner is named by its PVT, which is what every metric, table and plot
shows; its role (typical, slow, fast) says which interconnect corner goes
with it in hardening.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .liberty import truncation

#: TinyTapeout's PVT corners, typical first.
TT_CORNERS = ("tt_025C_1v80", "ss_100C_1v60", "ff_n40C_1v95")
ROLES = ("typical", "slow", "fast")
CORNER_SETS = ("tt", "lambdapdk")
DEFAULT_CORNER_SET = "tt"
LOCAL_FOLDER = "tt-signoff-corners"
OPEN_PDKS_FOLDER = Path("sky130A/libs.ref/sky130_fd_sc_hd/lib")
LIBERTY_NAME = "sky130_fd_sc_hd__{corner}.lib"
_LIBERTY_PREFIX = "sky130_fd_sc_hd__"


class CornerDataError(FileNotFoundError):
    pass


@dataclass(frozen=True)
class Corner:
    name: str            # PVT, e.g. ss_100C_1v60
    liberty: Path
    role: str            # typical, slow or fast


def pvt_name(liberty: Path) -> str:
    """``sky130_fd_sc_hd__ss_n40C_1v40.lib.gz`` -> ``ss_n40C_1v40``."""
    return liberty.name.split(".lib")[0].removeprefix(_LIBERTY_PREFIX)


def corner_libraries(corner_set: str, pdk_root: Path | None) -> list[Corner]:
    """The set's three corners, typical first. CornerDataError (one line
    naming the missing file) when a liberty file cannot be found."""
    if corner_set == "tt":
        return tt_corner_libraries(pdk_root)
    if corner_set == "lambdapdk":
        return _lambdapdk_corners(pdk_root)
    raise CornerDataError(f"unknown corner set {corner_set!r}: expected one of "
                          f"{', '.join(CORNER_SETS)}")


def corner_files(corner_set: str, pdk_root: Path | None) -> list[Path]:
    """The set's liberty files, for fingerprints (none where missing: the
    stage then fails naming the file)."""
    try:
        return [corner.liberty for corner in corner_libraries(corner_set, pdk_root)]
    except (CornerDataError, ValueError):
        return []


def tt_corner_libraries(pdk_root: Path | None) -> list[Corner]:
    """TinyTapeout's three liberty files: open_pdks' install under $PDK_ROOT
    (as every TinyTapeout user with ciel or volare has it) first, else the
    local PDK root's ``tt-signoff-corners/``."""
    folders = []
    if os.environ.get("PDK_ROOT"):
        folders.append(Path(os.environ["PDK_ROOT"]) / OPEN_PDKS_FOLDER)
    if pdk_root is not None:
        folders.append(pdk_root / LOCAL_FOLDER)
    corners = []
    for name, role in zip(TT_CORNERS, ROLES):
        base = LIBERTY_NAME.format(corner=name)
        found = next((folder / file for folder in folders for file in (base, base + ".gz")
                      if (folder / file).is_file()), None)
        if found is None:
            where = (f"is in neither {' nor '.join(str(f) for f in folders)}" if folders
                     else "has no folder to be looked for in (no PDK_ROOT, no PDK root)")
            raise CornerDataError(
                f"TinyTapeout's {name} liberty ({base}) {where}: install "
                f"sky130A with ciel/volare and set PDK_ROOT, or put the three files in "
                f"<pdk root>/{LOCAL_FOLDER}/ (or use --corners lambdapdk)")
        problem = truncation(found)
        if problem:
            raise CornerDataError(f"TinyTapeout's {name} liberty is damaged: {problem}")
        corners.append(Corner(name, found, role))
    return corners


def _lambdapdk_corners(pdk_root: Path | None) -> list[Corner]:
    """lambdapdk's sky130hd corners, as SiliconCompiler's library schema names
    them (typical, slow, fast)."""
    from .pdk import PdkError, cell_library, liberty_file
    try:
        library = cell_library(pdk_root)
        files = [liberty_file(library, role) for role in ROLES]
    except (FileNotFoundError, PdkError) as error:
        raise CornerDataError(f"lambdapdk's sky130hd liberty files are not available: "
                              f"{str(error)[:160]}") from None
    return [Corner(pvt_name(path), path, role) for path, role in zip(files, ROLES)]
