"""Where SiliconCompiler's lambdapdk data comes from, and the sky130hd files
tapeflow reads itself (liberty per corner, cell simulation models).

lambdapdk downloads its PDK files on first use. With TAPEFLOW_PDK_ROOT (or
--pdk-root) set, every library whose schema has a ``lambdapdk`` dataroot is
pointed at that local folder instead, which must be laid out like the
lambdapdk repository (it contains ``lambdapdk/sky130/...``). Every file the
libraries name is checked there before any tool starts.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from .liberty import truncation

PDK_ROOT_ENV = "TAPEFLOW_PDK_ROOT"
DATAROOT = "lambdapdk"


#: sky130hd cells whose own layout fails magic's drc(full), the DRC
#: TinyTapeout's precheck runs on the whole tile: licon.8a in a2111oi_0,
#: buf_16 and the clkdlybuf4s15/18 delay cells, met1.6 in the tapvgnd cells
#: (seen when the 1x1 tile failed signoff on one a2111oi_0). Found by checking
#: every cell of the PDK's GDS with magic 8.3.568 (3.5 s; the test re-derives
#: it), leaving out the rules no cell can meet without the taps a placed tile
#: gives it (nwell.4, LU.2, LU.3). Synthesis and OpenROAD may not use them.
DRC_UNCLEAN_CELLS = ("sky130_fd_sc_hd__a2111oi_0", "sky130_fd_sc_hd__buf_16",
                     "sky130_fd_sc_hd__clkdlybuf4s15_1", "sky130_fd_sc_hd__clkdlybuf4s18_1",
                     "sky130_fd_sc_hd__probe_p_8", "sky130_fd_sc_hd__tapvgnd2_1",
                     "sky130_fd_sc_hd__tapvgnd_1")
#: Rules a standard cell checked on its own cannot meet (no taps around it).
CONTEXT_RULES = ("nwell.4", "LU.2", "LU.3")


class PdkError(ValueError):
    """The local PDK root cannot serve the run."""


def pdk_root_setting(option: Path | None) -> Path | None:
    """The command-line value, else the environment's, else None (download)."""
    value = option or os.environ.get(PDK_ROOT_ENV)
    return Path(value).expanduser().resolve() if value else None


def sky130_libraries() -> list:
    """The lambdapdk schemas a sky130hd run uses: the PDK and the cell library."""
    from lambdapdk.sky130 import Sky130PDK
    from lambdapdk.sky130.libs.sky130sc import Sky130_SCHDLibrary
    return [Sky130PDK(), Sky130_SCHDLibrary()]


def use_local_pdk(libraries, root: Path) -> None:
    """Point the libraries' lambdapdk dataroot at ``root``; raise PdkError
    naming the first file they need that is not there."""
    if not root.is_dir():
        raise PdkError(f"PDK root {root} does not exist (set {PDK_ROOT_ENV} to a folder "
                       f"laid out like the lambdapdk repository)")
    for library in libraries:
        if DATAROOT not in library.getkeys("dataroot"):
            continue
        library.set_dataroot(DATAROOT, str(root), clobber=True)
        missing = _first_missing(library, root)
        if missing:
            raise PdkError(f"PDK root {root} is incomplete: {missing} is missing "
                           f"(library {library.name}); {PDK_ROOT_ENV} must hold the "
                           f"lambdapdk repository's layout")


def check_pdk_root(root: Path | None) -> None:
    """Every file the flow needs is there, and no Liberty file is cut off
    (which synthesis would otherwise only notice half-way)."""
    if root is not None:
        use_local_pdk(sky130_libraries(), root)
        for path in pdk_data_files(root):
            problem = truncation(path) if ".lib" in path.suffixes else None
            if problem:
                raise PdkError(f"PDK root {root} is damaged: {problem}")


def _local(library, root: Path | None):
    if root is not None:
        use_local_pdk([library], root)
    return library


def cell_library(root: Path | None):
    """sky130hd's schema, reading from ``root`` when given."""
    from lambdapdk.sky130.libs.sky130sc import Sky130_SCHDLibrary
    return _local(Sky130_SCHDLibrary(), root)


def unavailable_reason(root: Path | None) -> str | None:
    """Why the sky130hd data cannot be had, or None. With no local root this
    makes lambdapdk fetch its data, which fails offline."""
    try:
        liberty_file(cell_library(root), "typical")
    except FileNotFoundError as error:
        return (f"the sky130 PDK data could not be downloaded by lambdapdk "
                f"({str(error)[:100]}...); set {PDK_ROOT_ENV} to a local copy")
    return None


def _pdk_file(root: Path | None, fileset: str, kind: str, what: str) -> Path:
    """A file of the sky130 PDK schema; without a local root lambdapdk fetches it."""
    from lambdapdk.sky130 import Sky130PDK
    pdk = _local(Sky130PDK(), root)
    try:
        return Path(pdk.find_files("fileset", fileset, "file", kind)[0])
    except FileNotFoundError as error:   # lambdapdk could not download it
        raise PdkError(f"{what} is not available ({str(error)[:120]}...); "
                       f"set {PDK_ROOT_ENV} to a local lambdapdk copy") from None


def layer_properties(root: Path | None) -> Path:
    """KLayout's layer table for sky130 (sky130A.lyp)."""
    return _pdk_file(root, "klayout.techmap", "display", "the sky130 layer table")


def magic_tech(root: Path | None) -> Path:
    """Magic's sky130A.tech."""
    return _pdk_file(root, "magic.drc", "tech", "magic's sky130A.tech")


def liberty_file(library, corner: str) -> Path:
    fileset = library.get("asic", "libcornerfileset", corner, "nldm")[0]
    return Path(library.find_files("fileset", fileset, "file", "liberty")[0])


def cell_layouts(library) -> Path:
    """The cells' GDS (sky130_fd_sc_hd.gds)."""
    return Path(library.find_files("fileset", "models.physical", "file", "gds")[0])


def simulation_models(library) -> list[Path]:
    """The cells' functional Verilog models (sky130_fd_sc_hd.v, primitives.v)."""
    return [Path(p) for p in library.find_files("fileset", "models.sim", "file", "verilog")]


def pdk_data_files(root: Path | None) -> list[Path]:
    """Every file the sky130 PDK and sky130hd schemas name in the local PDK
    root (none without one: lambdapdk's download is pinned by its version)."""
    if root is None:
        return []
    return list(_library_files(root))


@lru_cache(maxsize=4)
def _library_files(root: Path) -> tuple[Path, ...]:
    libraries = sky130_libraries()
    use_local_pdk(libraries, root)
    return tuple(sorted({root / value for library in libraries
                         for value, kind in _local_values(library) if "file" in kind
                         and (root / value).is_file()}))


def _first_missing(library, root: Path) -> str | None:
    return next((value for value, _kind in _local_values(library)
                 if not (root / value).exists()), None)


def _local_values(library):
    """(path, type) of every file or folder value the library's schema takes
    from the lambdapdk dataroot."""
    for key in library.allkeys():
        kind = library.get(*key, field="type")
        if "file" not in kind and "dir" not in kind:
            continue
        values = library.get(*key)
        dataroots = library.get(*key, field="dataroot")
        if not isinstance(values, list):
            values, dataroots = [values], [dataroots]
        for value, dataroot in zip(values, dataroots):
            if value and dataroot == DATAROOT:
                yield value, kind


def cell_netlists(library) -> Path:
    """The cells' transistor netlists (sky130_fd_sc_hd.cdl): their pins for LVS."""
    return Path(library.find_files("fileset", "models.lvs", "file", "cdl")[0])


def netgen_setup(root: Path | None) -> Path:
    """netgen's sky130 LVS setup (lvs_setup.tcl: device classes, ignored fill/tap/decap)."""
    return _pdk_file(root, "netgen.lvs", "tcl", "netgen's sky130 setup")
