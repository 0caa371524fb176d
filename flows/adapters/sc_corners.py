"""SiliconCompiler's timing scenarios set to TinyTapeout's signoff corners, so
that OpenROAD repairs slew, capacitance, setup and hold where TinyTapeout
signs off (flows/adapters/tt_corners.py), not at lambdapdk's ss_n40C_1v40/ff_100C_1v95.

Interconnect per corner as LibreLane pairs its worst cases: maximum RC with
the slow corner (setup), minimum RC with the fast one (hold), nominal with
typical. SC's write.views then writes one SPEF per RC corner.
"""

from __future__ import annotations

from dataclasses import dataclass

from .tt_corners import Corner

#: SC's generic library corner (the PDK's non-cell timing data) rides along,
#: as in SC's own sky130 target.
GENERIC_LIBCORNER = "generic"


@dataclass(frozen=True)
class Scenario:
    corner: str          # PVT name, also SC's scenario and library corner name
    pex: str             # lambdapdk's RC corner: minimum, typical, maximum
    checks: tuple[str, ...]


SCENARIOS = (Scenario("tt_025C_1v80", "typical", ("setup", "hold", "power")),
             Scenario("ss_100C_1v60", "maximum", ("setup", "hold")),
             Scenario("ff_n40C_1v95", "minimum", ("setup", "hold")))
RC_CORNERS = ("minimum", "typical", "maximum")


def use_tt_corners(project, corners: list[Corner]) -> None:
    """Register the corners' liberty files on the cell library and make them
    the project's only timing scenarios."""
    library = project.get_library(project.get("asic", "mainlib"))
    liberty = {corner.name: corner.liberty for corner in corners}
    for scenario in SCENARIOS:
        with library.active_fileset(f"models.timing.{scenario.corner}.nldm"):
            library.add_file(str(liberty[scenario.corner]), clobber=True)
            library.add_asic_libcornerfileset(scenario.corner, "nldm")

    timing = project.constraint.timing
    for name in list(timing.get_scenario()):
        timing.remove_scenario(name)
    for scenario in SCENARIOS:
        made = timing.make_scenario(scenario.corner)
        made.add_libcorner([scenario.corner, GENERIC_LIBCORNER])
        made.set_pexcorner(scenario.pex)
        made.add_check(list(scenario.checks))
