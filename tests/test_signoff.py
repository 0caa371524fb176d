"""Signoff machinery (SiliconCompiler's signoff flow with Debian's magic and
netgen) on the precheck fixtures, since no routed tile can be made here."""

from pathlib import Path

import pytest

from tapeflow.flows.sc_signoff import SignoffSettings, run_signoff
from tapeflow.tapeout.fixtures import TOP, reference, variant, write

from .conftest import require_tool

pytestmark = [pytest.mark.slow, require_tool("magic", "apt-get install magic"),
              require_tool("netgen-lvs", "apt-get install netgen-lvs")]
pytest.importorskip("siliconcompiler", reason="siliconcompiler not installed")


def signoff(draft, folder: Path, pdk_root: Path, cells: Path):
    gds = write(draft, folder / "tile", cells)
    return run_signoff(SignoffSettings(TOP, gds, gds.with_suffix(".v"), folder / "signoff",
                                       pdk_root), folder / "sc.log")


def test_reference_tile_is_drc_clean_and_lvs_sees_its_unwired_inverter(tmp_path, pdk_root,
                                                                      cell_gds):
    result = signoff(reference(), tmp_path, pdk_root, cell_gds)
    assert result.drc_errors == 0
    assert "[INFO]: COUNT: 0" in result.drc_report.read_text()
    # the fixture draws the inverter but no wires, while its netlist connects
    # it to ui_in[0], uo_out[0] and the supplies: LVS must say so
    assert result.lvs_errors > 0
    assert result.lvs_report.read_text().startswith("[")


def test_drc_violation_is_counted(tmp_path, pdk_root, cell_gds):
    result = signoff(variant("Magic DRC"), tmp_path, pdk_root, cell_gds)
    assert result.drc_errors > 0
