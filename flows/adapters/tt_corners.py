"""TinyTapeout's timing signoff corners and where their liberty files are.

TinyTapeout hardens with LibreLane on open_pdks, which times sky130hd at
tt_025C_1v80, ss_100C_1v60 and ff_n40C_1v95, each with nominal, minimum and
maximum interconnect (LibreLane ``config/pdk_compat.py`` STA_CORNERS for
sky130; open_pdks' sky130_fd_sc_hd LIB_SLOWEST/LIB_FASTEST). lambdapdk ships
other slow and fast corners (ss_n40C_1v40, ff_100C_1v95), which no
TinyTapeout tile is signed off at.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: TinyTapeout's PVT corners, typical first.
TT_CORNERS = ("tt_025C_1v80", "ss_100C_1v60", "ff_n40C_1v95")
LOCAL_FOLDER = "tt-signoff-corners"
OPEN_PDKS_FOLDER = Path("sky130A/libs.ref/sky130_fd_sc_hd/lib")
LIBERTY_NAME = "sky130_fd_sc_hd__{corner}.lib"


class CornerDataError(FileNotFoundError):
    pass


@dataclass(frozen=True)
class Corner:
    name: str            # PVT, e.g. ss_100C_1v60
    liberty: Path


def tt_corner_libraries(pdk_root: Path | None) -> list[Corner]:
    """The three liberty files: open_pdks' install under $PDK_ROOT (as every
    TinyTapeout user with ciel or volare has it) first, else the local PDK
    root's ``tt-signoff-corners/``. One line naming the first missing file."""
    folders = []
    if os.environ.get("PDK_ROOT"):
        folders.append(Path(os.environ["PDK_ROOT"]) / OPEN_PDKS_FOLDER)
    if pdk_root is not None:
        folders.append(pdk_root / LOCAL_FOLDER)
    corners = []
    for name in TT_CORNERS:
        base = LIBERTY_NAME.format(corner=name)
        found = next((folder / file for folder in folders for file in (base, base + ".gz")
                      if (folder / file).is_file()), None)
        if found is None:
            where = " or ".join(str(f) for f in folders) or "no folder (set PDK_ROOT)"
            raise CornerDataError(
                f"TinyTapeout's {name} liberty ({base}) is in neither {where}: install "
                f"sky130A with ciel/volare and set PDK_ROOT, or put the three files in "
                f"<pdk root>/{LOCAL_FOLDER}/")
        corners.append(Corner(name, found))
    return corners


def tt_corner_files(pdk_root: Path | None) -> list[Path]:
    """The corners' liberty files, for fingerprints (none where missing: the
    stage then fails naming the file)."""
    try:
        return [corner.liberty for corner in tt_corner_libraries(pdk_root)]
    except CornerDataError:
        return []
