"""The SiliconCompiler project tapeflow builds, inspected without running tools."""

import pytest

from tapeflow.flows.adapters.sc_project import ScProjectSettings, build_project
from tapeflow.tapeout.tiles import tile_named

pytest.importorskip("siliconcompiler", reason="siliconcompiler not installed")


@pytest.fixture
def project(tmp_path):
    verilog = tmp_path / "top.v"
    verilog.write_text("module tt_um_x(input clk); endmodule\n")
    one_by_two = tile_named("1x2")
    settings = ScProjectSettings(top="tt_um_x", verilog=verilog, work_dir=tmp_path / "synth",
                                 clock_period_ns=12.5, yosys_dir=tmp_path / "bin",
                                 tile=one_by_two)
    return build_project(settings, tmp_path / "sc.log"), tmp_path


def test_sky130hd_design_files_clock_and_tile(project):
    project, tmp_path = project
    assert {"skywater130", "sky130hd"} <= set(project.getkeys("library"))
    sdc = (tmp_path / "synth" / "tt_um_x.sdc").read_text()
    assert "create_clock -name clk -period 12.5 [get_ports clk]" in sdc
    assert "set_input_delay 2.5" in sdc and "set_output_delay 2.5" in sdc
    area = project.constraint.area
    assert area.get_diearea() == [(0, 0), (161.0, 225.76)]
    (x0, y0), (x1, y1) = area.get_corearea()
    assert (x0, y0, x1, y1) == pytest.approx((2.76, 2.72, 158.24, 223.04))


def test_yosys_task_looks_in_the_launcher_folder(project):
    from siliconcompiler.tools.yosys.syn_asic import ASICSynthesis
    project, tmp_path = project
    task = ASICSynthesis.find_task(project)
    assert str(tmp_path / "bin") in str(task.get("path"))
