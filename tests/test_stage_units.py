"""Stages and parsers of the synthesis part, without running the tools."""


import pytest

from tapeflow.designs.systolic.spec import SystolicSpec
from tapeflow.flows.adapters.opensta import parse_report_checks
from tapeflow.flows.engine.settings import RunSettings
from tapeflow.flows.engine.stage import RunContext, StageResult, Status
from tapeflow.flows.stages.synthesize import Synthesize, area_by_category
from tapeflow.flows.stages.tile_fit import TileFit
from tapeflow.reports.metrics import Layer, Metric

REPORT = """\
Startpoint: core/in_reg[3]$_DFF_P_ (rising edge-triggered flip-flop clocked by clk)
Endpoint: core/acc0[19]$_DFFE_PP_ (rising edge-triggered flip-flop clocked by clk)
Path Group: clk
Path Type: max

     Cap     Slew    Delay     Time   Description
---------------------------------------------------------------------------
            0.000    0.000    0.000   clock clk (rise edge)
                     0.000    0.000   clock network delay (ideal)
            0.000    0.000    0.000 ^ core/in_reg[3]$_DFF_P_/CLK (sky130_fd_sc_hd__dfxtp_1)
   0.088    0.925    0.827    0.827 ^ core/in_reg[3]$_DFF_P_/Q (sky130_fd_sc_hd__dfxtp_1)
            0.925    0.002    0.829 ^ _2690_/A (sky130_fd_sc_hd__nor2b_1)
   0.002    0.124    0.088    0.916 v _2690_/Y (sky130_fd_sc_hd__nor2b_1)
            0.124    0.003    0.920 v core/acc0[19]$_DFFE_PP_/D (sky130_fd_sc_hd__edfxtp_1)
                              0.920   data arrival time

            0.000   20.000   20.000   clock clk (rise edge)
                             19.724   data required time
---------------------------------------------------------------------------
                             19.724   data required time
                             -0.920   data arrival time
---------------------------------------------------------------------------
                             18.804   slack (MET)


Startpoint: ui_in[0] (input port clocked by clk)
Endpoint: core/word[0] (rising edge-triggered flip-flop clocked by clk)
Path Group: clk
Path Type: min

     Cap     Slew    Delay     Time   Description
---------------------------------------------------------------------------
                     4.000    4.000 v input external delay
            0.000    0.000    4.000 v ui_in[0] (in)
                              4.000   data arrival time
---------------------------------------------------------------------------
                             -0.042   data required time
                             -4.000   data arrival time
---------------------------------------------------------------------------
                             -0.352   slack (VIOLATED)
"""


def test_parse_report_checks():
    setup, hold = parse_report_checks(REPORT)
    assert setup.startpoint == "core/in_reg[3]$_DFF_P_" and setup.endpoint.startswith("core/acc0")
    assert setup.slack_ns == 18.804 and setup.arrival_ns == 0.920
    assert [s.cell for s in setup.steps] == ["sky130_fd_sc_hd__dfxtp_1"] * 2 + \
        ["sky130_fd_sc_hd__nor2b_1"] * 2 + ["sky130_fd_sc_hd__edfxtp_1"]
    assert setup.steps[1].delay_ns == 0.827 and setup.steps[-1].edge == "v"
    assert hold.slack_ns == -0.352 and hold.startpoint == "ui_in[0]"


def test_area_by_category_uses_tt_categories_and_liberty_areas():
    stat = {"modules": {"\\top": {"num_cells": 4, "sequential_area": 40.0, "num_cells_by_type": {
        "sky130_fd_sc_hd__dfxtp_1": 2, "sky130_fd_sc_hd__mux2_1": 1,
        "sky130_fd_sc_hd__buf_2": 1}}}}
    areas = {"sky130_fd_sc_hd__dfxtp_1": 20.0, "sky130_fd_sc_hd__mux2_1": 11.0,
             "sky130_fd_sc_hd__buf_2": 5.0}
    breakdown = area_by_category(stat, areas)
    assert breakdown["area_um2"] == {"Buffer": 5.0, "Flip Flops": 40.0, "Multiplexer": 11.0}
    assert breakdown["cells"] == {"Buffer": 1, "Flip Flops": 2, "Multiplexer": 1}
    assert breakdown["total_area_um2"] == 56.0


def _context(tmp_path, cell_area, **settings):
    spec = SystolicSpec(rows=8, cols=8, fold=8)
    synth = StageResult(Status.PASSED, metrics=[
        Metric("cell_area_um2", cell_area, "um^2", Layer.L7, "test")])
    return RunContext("systolic", spec, RunSettings(build_root=tmp_path, **settings), tmp_path,
                      {"synthesize": synth}, frozenset(TileFit.reads))


def test_tile_fit_picks_the_smallest_and_records_every_utilization(tmp_path):
    result = TileFit().run(_context(tmp_path, 18_195.0))
    assert result.status == Status.PASSED
    values = {m.name: m.value for m in result.metrics}
    assert values["tile"] == values["smallest_tile"] == "1x2"
    assert values["utilization_1x1"] > 100 and values["tile_utilization"] == pytest.approx(53.12, 0.01)


def test_tile_fit_stops_when_the_requested_tile_is_too_small(tmp_path):
    result = TileFit().run(_context(tmp_path, 18_195.0, tile="1x1"))
    assert result.status == Status.FAILED
    assert "1x1 would be 110% utilized" in result.reason and "smallest tile that fits is 1x2" \
        in result.reason


def test_tile_fit_names_a_shrink_when_no_tile_fits(tmp_path):
    result = TileFit().run(_context(tmp_path, 1_000_000.0))
    assert result.status == Status.FAILED
    assert "fits no TinyTapeout tile" in result.reason and "8x4" in result.reason
    assert "--set rows=" in result.reason and "\n" not in result.reason


def test_unknown_tile_name(tmp_path):
    result = TileFit().run(_context(tmp_path, 1000.0, tile="9x9"))
    assert result.status == Status.FAILED and "not a TinyTapeout tile" in result.reason


def test_synthesize_is_skipped_with_a_reason_when_the_yosys_launcher_cannot_run(
        tmp_path, monkeypatch):
    pytest.importorskip("siliconcompiler", reason="siliconcompiler not installed")
    import tapeflow.flows.stages.synthesize as synthesize
    monkeypatch.setattr(synthesize, "pyosys_available", lambda: False)
    result = Synthesize().run(_context(tmp_path, 0.0))
    assert result.status == Status.SKIPPED and "pip install pyosys" in result.reason


def test_synthesize_is_skipped_when_the_pdk_data_cannot_be_had(tmp_path, monkeypatch):
    pytest.importorskip("siliconcompiler", reason="siliconcompiler not installed")
    import tapeflow.flows.adapters.pdk as pdk

    def offline(library, corner):
        raise FileNotFoundError("Dataroot lambdapdk not found: no network")
    monkeypatch.setattr(pdk, "liberty_file", offline)
    result = Synthesize().run(_context(tmp_path, 0.0))
    assert result.status == Status.SKIPPED and "TAPEFLOW_PDK_ROOT" in result.reason


def test_signoff_skips_with_a_netgen_too_old_for_routed_netlists(monkeypatch):
    """Debian's netgen 1.5.133 misreads escaped instance names: no LVS verdict
    from it, the stage says why and what to install."""
    import tapeflow.flows.stages.signoff as signoff
    from tapeflow.flows.adapters.tools import ToolStatus, tool_named

    old = ToolStatus(tool_named("netgen"), True, "1.5.133", "/usr/bin/netgen-lvs")
    monkeypatch.setattr(signoff, "missing_tool_reason", lambda names: None)
    monkeypatch.setattr(signoff, "unavailable_reason", lambda root: None)
    monkeypatch.setattr(signoff, "probe", lambda tool: old)
    from types import SimpleNamespace
    result = signoff.Signoff().run(SimpleNamespace(settings=SimpleNamespace(pdk_root=None)))
    assert result.status.value == "skipped"
    assert "netgen 1.5.133" in result.reason and ">= 1.5.192" in result.reason
