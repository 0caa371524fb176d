"""SiliconCompiler's timing scenarios set to the run's timing corners
(flows/adapters/timing_corners.py; TinyTapeout's by default), so that OpenROAD
repairs slew, capacitance, setup and hold where the design is signed off.

Interconnect per corner as LibreLane pairs its worst cases: maximum RC with
the slow corner (setup), minimum RC with the fast one (hold), nominal with
typical. SC's write.views then writes one SPEF per RC corner.
"""

from __future__ import annotations

from dataclasses import dataclass

from .timing_corners import Corner

#: SC's generic library corner (the PDK's non-cell timing data) rides along,
#: as in SC's own sky130 target.
GENERIC_LIBCORNER = "generic"
RC_CORNERS = ("minimum", "typical", "maximum")
#: a corner's role -> lambdapdk's RC corner and the checks SC runs there
_BY_ROLE = {"typical": ("typical", ("setup", "hold", "power")),
            "slow": ("maximum", ("setup", "hold")),
            "fast": ("minimum", ("setup", "hold"))}


@dataclass(frozen=True)
class Scenario:
    corner: str          # PVT name, also SC's scenario and library corner name
    pex: str             # lambdapdk's RC corner: minimum, typical, maximum
    checks: tuple[str, ...]


def scenarios(corners: list[Corner]) -> list[Scenario]:
    return [Scenario(corner.name, *_BY_ROLE[corner.role]) for corner in corners]


def use_corners(project, corners: list[Corner]) -> None:
    """Register the corners' liberty files on the cell library and make them
    the project's only timing scenarios."""
    library = project.get_library(project.get("asic", "mainlib"))
    for corner in corners:
        with library.active_fileset(f"models.timing.{corner.name}.nldm"):
            library.add_file(str(corner.liberty), clobber=True)
            library.add_asic_libcornerfileset(corner.name, "nldm")

    timing = project.constraint.timing
    for name in list(timing.get_scenario()):
        timing.remove_scenario(name)
    for scenario in scenarios(corners):
        made = timing.make_scenario(scenario.corner)
        made.add_libcorner([scenario.corner, GENERIC_LIBCORNER])
        made.set_pexcorner(scenario.pex)
        made.add_check(list(scenario.checks))
