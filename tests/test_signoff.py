"""Signoff machinery: the black-box LVS set-up (fast, on text), and magic +
netgen on the precheck fixtures (slow), where no routed tile is needed."""

import pytest

from tapeflow.flows.adapters.lvs import cell_stubs, emptied_cells, run_lvs, used_cells
from tapeflow.flows.adapters.powered_netlist import cell_pins, connect_wells
from tapeflow.tapeout.fixtures import TOP, reference, variant, write

from .conftest import require_tool

CDL = """\
* two cells
.SUBCKT sky130_fd_sc_hd__inv_1 A VGND VNB VPB VPWR Y
MI1 Y A VGND VNB nfet_01v8 m=1 w=0.65 l=0.15
.ENDS
.SUBCKT sky130_fd_sc_hd__tapvpwrvgnd_1 VGND VPWR
.ENDS
"""

NETLIST = """\
module top (VGND, VPWR, a, y);
 input VGND;
 input VPWR;
 input a;
 output y;
 sky130_fd_sc_hd__inv_1 \\u/inv$1  (.A(a),
    .Y(y),
    .VGND(VGND),
    .VPWR(VPWR));
 sky130_fd_sc_hd__tapvpwrvgnd_1 TAP_1 (.VGND(VGND),
    .VPWR(VPWR));
endmodule
"""


def test_cell_pins_come_from_the_cdl_headers(tmp_path):
    (tmp_path / "cells.cdl").write_text(CDL)
    pins = cell_pins(tmp_path / "cells.cdl")
    assert pins == {"sky130_fd_sc_hd__inv_1": ["A", "VGND", "VNB", "VPB", "VPWR", "Y"],
                    "sky130_fd_sc_hd__tapvpwrvgnd_1": ["VGND", "VPWR"]}


def test_wells_join_their_supplies_only_where_the_cell_has_them(tmp_path):
    (tmp_path / "cells.cdl").write_text(CDL)
    pins = cell_pins(tmp_path / "cells.cdl")
    connected = connect_wells(NETLIST, pins)
    inverter = connected.split("sky130_fd_sc_hd__inv_1 ")[1].split(";")[0]
    assert inverter.startswith("\\u/inv$1 (") and ".VPB(VPWR)" in inverter \
        and ".VNB(VGND)" in inverter
    tap = connected.split("sky130_fd_sc_hd__tapvpwrvgnd_1 ")[1].split(";")[0]
    assert ".VPB" not in tap                    # the tap cell has no well pins
    assert connect_wells(connected, pins) == connected      # nothing added twice
    assert used_cells(connected, pins) == set(pins)


def test_both_sides_hold_the_cells_as_empty_boxes_with_their_pins(tmp_path):
    (tmp_path / "cells.cdl").write_text(CDL)
    pins = cell_pins(tmp_path / "cells.cdl")
    stubs = cell_stubs({"sky130_fd_sc_hd__inv_1"}, pins)
    assert stubs.startswith("module sky130_fd_sc_hd__inv_1 (A, VGND, VNB, VPB, VPWR, Y);")
    assert stubs.count("inout") == 6 and stubs.rstrip().endswith("endmodule")
    extracted = (".subckt sky130_fd_sc_hd__inv_1 Y A VPWR VGND VPB VNB\n"
                 "X0 Y A VGND VNB sky130_fd_pr__nfet_01v8 w=0.65 l=0.15\n"
                 ".ends\n\n.subckt top a y VPWR VGND\n"
                 "X1 y a VPWR VGND VPWR VGND sky130_fd_sc_hd__inv_1\n.ends\n")
    emptied = emptied_cells(extracted, {"sky130_fd_sc_hd__inv_1"})
    assert "sky130_fd_pr__nfet_01v8" not in emptied
    assert ".subckt sky130_fd_sc_hd__inv_1 Y A VPWR VGND VPB VNB\n.ends" in emptied
    assert "X1 y a VPWR VGND VPWR VGND sky130_fd_sc_hd__inv_1" in emptied


@pytest.mark.slow
@require_tool("magic", "magic >= 8.3.196, see `tapeflow doctor`")
@require_tool("netgen", "netgen >= 1.5.192, see `tapeflow doctor`")
def test_lvs_sees_the_reference_tiles_unwired_inverter(tmp_path, pdk_root, cell_gds):
    """The fixture draws the inverter but no wires, while its netlist connects
    it to ui_in[0], uo_out[0] and the supplies: LVS must say so."""
    from tapeflow.flows.adapters.pdk import cell_library, cell_netlists, magic_tech, netgen_setup
    from tapeflow.flows.adapters.tools import executable, tool_named

    gds = write(reference(), tmp_path / "tile", cell_gds)
    pins = cell_pins(cell_netlists(cell_library(pdk_root)))
    netlist = tmp_path / "powered.v"
    netlist.write_text(connect_wells(gds.with_suffix(".v").read_text(), pins))
    result = run_lvs(gds, netlist, TOP, magic_tech(pdk_root),
                     cell_netlists(cell_library(pdk_root)), netgen_setup(pdk_root),
                     tmp_path / "lvs", netgen=executable(tool_named("netgen")))
    assert not result.matched and result.mismatches > 0
    assert result.json_report.read_text().startswith("[")


@pytest.mark.slow
@require_tool("magic", "magic >= 8.3.196, see `tapeflow doctor`")
def test_drc_counts_the_fixture_violation_and_passes_the_reference(tmp_path, pdk_root,
                                                                  cell_gds):
    from tapeflow.flows.adapters.pdk import magic_tech
    from tapeflow.tapeout.magic_drc import run_magic_drc

    clean = write(reference(), tmp_path / "clean", cell_gds)
    broken = write(variant("Magic DRC"), tmp_path / "broken", cell_gds)
    assert run_magic_drc(clean, TOP, magic_tech(pdk_root), tmp_path / "d1").errors == 0
    assert run_magic_drc(broken, TOP, magic_tech(pdk_root), tmp_path / "d2").errors > 0



@require_tool("magic", "magic >= 8.3.196, see `tapeflow doctor`")
def test_cells_kept_out_of_synthesis_are_the_ones_magic_drc_rejects(tmp_path, pdk_root):
    """DRC_UNCLEAN_CELLS is what magic's drc(full) says of every sky130hd
    cell on its own (3.5 s), less the rules that need a placed tile's taps."""
    from tapeflow.flows.adapters.pdk import (CONTEXT_RULES, DRC_UNCLEAN_CELLS, cell_layouts,
                                             cell_library, magic_tech)
    from tapeflow.tapeout.magic_drc import cells_failing_drc

    failing = cells_failing_drc(cell_layouts(cell_library(pdk_root)), "sky130_fd_sc_hd__",
                                magic_tech(pdk_root), tmp_path, CONTEXT_RULES)
    assert set(failing) == set(DRC_UNCLEAN_CELLS)
    assert any("licon.8a" in rule for rule in failing["sky130_fd_sc_hd__a2111oi_0"])
