"""Timing corner sets, TinyTapeout's SDC, and the split of timing paths into
register-to-register and IO classes, on a netlist whose paths are known."""

import pytest

from tapeflow.flows.adapters.opensta import (PATH_CLASSES, StaDesign, class_fmax_mhz, run_sta,
                                             split_classes)
from tapeflow.flows.adapters.timing_corners import (TT_CORNERS, CornerDataError,
                                                    corner_libraries)
from tapeflow.flows.adapters.tt_sdc import TtSdc, write_sdc
from tapeflow.flows.cli import main

from .conftest import require_tool

LIB = "sky130_fd_sc_hd__"
#: Known paths: d_in and rst_n (through an extra buffer, so the slower) into
#: the first flop; 8 inverters to the second flop; the second flop to q_out;
#: pass_in straight to pass_out.
NETLIST = f"""
module paths (clk, rst_n, d_in, pass_in, q_out, pass_out);
  input clk, rst_n, d_in, pass_in;
  output q_out, pass_out;
  wire rst_late, d_gated, q1, q2;
  wire [8:0] chain;
  {LIB}buf_1 reset_buffer (.A(rst_n), .X(rst_late));
  {LIB}and2_1 gate (.A(d_in), .B(rst_late), .X(d_gated));
  {LIB}dfxtp_1 first (.CLK(clk), .D(d_gated), .Q(q1));
  assign chain[0] = q1;
{"".join(f"  {LIB}inv_1 i{k} (.A(chain[{k}]), .Y(chain[{k + 1}]));" + chr(10) for k in range(8))}
  {LIB}dfxtp_1 second (.CLK(clk), .D(chain[8]), .Q(q2));
  {LIB}buf_1 out (.A(q2), .X(q_out));
  {LIB}buf_1 through (.A(pass_in), .X(pass_out));
endmodule
"""

needs_sta = require_tool("sta", "OpenSTA: apt-get install opensta, or OpenROAD's sta")


def test_tt_set_is_tinytapeouts_three_corners_by_pvt(pdk_root, monkeypatch):
    monkeypatch.delenv("PDK_ROOT", raising=False)
    corners = corner_libraries("tt", pdk_root)
    assert [c.name for c in corners] == list(TT_CORNERS)
    assert [c.role for c in corners] == ["typical", "slow", "fast"]
    assert all(c.liberty.parent == pdk_root / "tt-signoff-corners" for c in corners)
    lambdapdk = corner_libraries("lambdapdk", pdk_root)
    assert [c.name for c in lambdapdk] == ["tt_025C_1v80", "ss_n40C_1v40", "ff_100C_1v95"]


def test_open_pdks_install_under_pdk_root_comes_first(pdk_root, tmp_path, monkeypatch):
    folder = tmp_path / "sky130A" / "libs.ref" / "sky130_fd_sc_hd" / "lib"
    folder.mkdir(parents=True)
    for corner in TT_CORNERS:
        name = f"{LIB}{corner}.lib.gz"
        (folder / name).symlink_to(pdk_root / "tt-signoff-corners" / name)
    monkeypatch.setenv("PDK_ROOT", str(tmp_path))
    assert {c.liberty.parent for c in corner_libraries("tt", pdk_root)} == {folder}


def test_missing_corner_is_one_line_naming_the_file(pdk_root, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("PDK_ROOT", raising=False)
    root = tmp_path / "pdk"
    (root / "tt-signoff-corners").mkdir(parents=True)
    (root / "lambdapdk").symlink_to(pdk_root / "lambdapdk")
    for corner in ("tt_025C_1v80", "ff_n40C_1v95"):           # no ss_100C_1v60
        name = f"{LIB}{corner}.lib.gz"
        (root / "tt-signoff-corners" / name).symlink_to(pdk_root / "tt-signoff-corners" / name)
    with pytest.raises(CornerDataError, match="ss_100C_1v60"):
        corner_libraries("tt", root)
    build = tmp_path / "build"
    assert main(["run", "--pdk-root", str(root), "--build-dir", str(build)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and f"{LIB}ss_100C_1v60.lib" in error
    assert not build.exists()                       # before any tool started
    # the other set needs none of TinyTapeout's files
    assert [c.name for c in corner_libraries("lambdapdk", root)][1] == "ss_n40C_1v40"


def test_tt_sdc_times_rst_n_as_an_input():
    sdc = TtSdc(period_ns=25.0).text()
    assert "create_clock -name clk -period 25.0 [get_ports clk]" in sdc
    assert "set_input_delay 5.0 -clock clk [delete_from_list [all_inputs] [get_ports clk]]" in sdc
    assert "rst_n" not in sdc.replace("# rst_n", "")     # never taken out of the inputs
    assert "set_output_delay 5.0 -clock clk [all_outputs]" in sdc
    assert "set_driving_cell -lib_cell sky130_fd_sc_hd__inv_2 -pin Y" in sdc
    assert "set_clock_uncertainty 0.25" in sdc and "set_clock_transition 0.15" in sdc
    assert "set_timing_derate -early 0.95" in sdc and "set_max_fanout 10" in sdc


def test_fmax_of_each_class_solves_for_zero_slack():
    assert class_fmax_mhz(10.0, 20.0, 0, 0.2) == pytest.approx(100.0)   # 10 ns
    assert class_fmax_mhz(8.0, 20.0, 1, 0.2) == pytest.approx(100.0)    # 20 - 8 / 0.8
    assert class_fmax_mhz(6.0, 20.0, 2, 0.2) == pytest.approx(100.0)    # 20 - 6 / 0.6
    assert class_fmax_mhz(1.0, 20.0, 3, 0.4) == 0.0     # IO delays take the whole period
    assert class_fmax_mhz(-30.0, 20.0, 0, 0.2) == pytest.approx(20.0)  # needs 50 ns


def _timing(tmp_path, liberty, period_ns):
    folder = tmp_path / f"at_{period_ns:.4f}"
    folder.mkdir()
    netlist = folder / "paths.v"
    netlist.write_text(NETLIST)
    sdc = TtSdc(period_ns=period_ns)
    write_sdc(folder / "paths.sdc", sdc)
    design = StaDesign(netlist, "paths", folder / "paths.sdc", sdc)
    return run_sta(design, "tt_025C_1v80", liberty, folder)


@needs_sta
def test_paths_split_into_register_and_io_classes(pdk_root, tmp_path, monkeypatch):
    monkeypatch.delenv("PDK_ROOT", raising=False)
    liberty = corner_libraries("tt", pdk_root)[0].liberty
    timing = _timing(tmp_path, liberty, 20.0)
    classes = timing.classes
    assert set(classes) == {c.name for c in PATH_CLASSES}
    reg2reg, in2reg = classes["reg2reg"].setup, classes["in2reg"].setup
    assert (reg2reg.startpoint, reg2reg.endpoint) == ("first", "second")
    assert len({s.pin.split("/")[0] for s in reg2reg.steps if s.pin.startswith("i")}) == 8
    # rst_n is an input with TinyTapeout's 20 % input delay, not a false path
    assert (in2reg.startpoint, in2reg.endpoint) == ("rst_n", "first")
    # (4 ns of input delay, then a few ps of TinyTapeout's inv_2 driving cell)
    assert in2reg.steps[0].pin == "rst_n" and 4.0 <= in2reg.steps[0].time_ns < 4.05
    assert (classes["reg2out"].setup.startpoint, classes["reg2out"].setup.endpoint) == (
        "second", "q_out")
    assert (classes["in2out"].setup.startpoint, classes["in2out"].setup.endpoint) == (
        "pass_in", "pass_out")
    assert timing.fmax_mhz == min(c.fmax_mhz for c in classes.values())
    # at each class's fmax its worst setup path has zero slack: the formula
    # is what OpenSTA does when the clock (and with it the IO delays) changes
    for name, timed in classes.items():
        again = _timing(tmp_path, liberty, 1000.0 / timed.fmax_mhz)
        assert again.classes[name].setup.slack_ns == pytest.approx(0.0, abs=0.003), name


def test_split_classes_parses_marked_sections():
    text = ("header\nTAPEFLOW_PATHS reg2reg max\nNo paths found.\n"
            "TAPEFLOW_PATHS reg2reg min\nNo paths found.\n")
    head, classes = split_classes(text, 20.0, 0.2)
    assert head == "header\n"
    assert classes["reg2reg"].setup is None and classes["reg2reg"].fmax_mhz is None
