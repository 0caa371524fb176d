"""The hardening stage without OpenROAD: the SiliconCompiler project it
builds (as SC's own node setup sees it), the Tcl it writes, its LEF clean-up,
and the skip where OpenROAD is missing."""

import re
from pathlib import Path

import pytest

from tapeflow.flows.stages.harden import (REQUIRED_TOOLS, Harden, HardeningInputs,
                                          hardening_project)
from tapeflow.flows.adapters.tools import missing_tool_reason
from tapeflow.flows.adapters.timing_corners import TT_CORNERS, corner_libraries
from tapeflow.flows.adapters.tt_floorplan import (CONNECT_FILESET, GLOBAL_CONNECT_TCL, PDN_FILESET,
                                         PORT_NETS_TCL, pdn_tcl)
from tapeflow.tapeout.lef import for_tinytapeout, parse_macro
from tapeflow.tapeout.precheck import lef_checks
from tapeflow.tapeout.tile_constraints import tile_constraints
from tapeflow.tapeout.tt_data import tt_root

pytest.importorskip("siliconcompiler", reason="siliconcompiler not installed")

TOP = "tt_um_x"


@pytest.fixture(scope="module")
def project(tmp_path_factory, pdk_root):
    folder = tmp_path_factory.mktemp("harden")
    rtl, netlist = folder / "top.v", folder / f"{TOP}.vg"
    rtl.write_text(f"module {TOP}(input clk); endmodule\n")
    netlist.write_text(f"module {TOP}(clk); input clk; endmodule\n")
    inputs = HardeningInputs(top=TOP, verilog=rtl, netlist=netlist,
                             sdc=folder / "harden" / f"{TOP}.sdc", work_dir=folder / "harden",
                             tile="1x2", clock_period_ns=25.0, target_density=0.55,
                             pdk_root=pdk_root)
    project = hardening_project(inputs, corner_libraries("tt", pdk_root), folder / "sc.log")
    return project, folder


def node_task(project, step):
    """The task as SC configures it right before running the step."""
    from siliconcompiler.scheduler import SchedulerNode
    node = SchedulerNode(project, step, "0")
    node.setup()
    return node.task


def test_flow_starts_from_the_netlist_and_ends_with_views_and_gds(project):
    project, folder = project
    steps = {step for step, _ in project.get("flowgraph", project.option.get_flow(),
                                                  field="schema").get_nodes()}
    assert {"import", "cleanup.clean", "floorplan.init", "floorplan.tapcell",
            "floorplan.power_grid", "floorplan.pin_placement", "place.global",
            "place.detailed", "cts.clock_tree_synthesis", "route.global",
            "route.antenna_repair", "route.detailed", "dfm.metal_fill", "write.views",
            "write.gds"} <= steps
    assert not {"elaborate", "synthesis"} & steps       # synthesis is not run twice
    imported = [Path(p).name for p in node_task(project, "import").get("var", "file")]
    assert imported == [f"{TOP}.vg", f"{TOP}.sdc"]


def test_floorplan_is_the_tt_tile_with_template_pins(project):
    project, _ = project
    area = project.constraint.area
    assert area.get_diearea() == [(0, 0), (161.0, 225.76)]
    pins = project.constraint.pin.get_pinconstraint()
    assert len(pins) == 43
    clk = pins["clk"]
    assert clk.get_layer() == "met4" and clk.get_shape() == "rectangle"
    assert clk.get_placement() == (143.98, 225.26)           # centre of the template rect
    assert (clk.get_width(), clk.get_length()) == (0.3, 1.0)
    init = node_task(project, "floorplan.init")
    assert init.get("var", "assert_all_pins_placed") is True


def test_power_grid_routing_and_density_follow_tt(project):
    project, _ = project
    grid = node_task(project, "floorplan.power_grid")
    assert grid.get("var", "pdn_fileset") == [(TOP, PDN_FILESET)]
    assert grid.get("var", "global_connect_fileset") == [(TOP, CONNECT_FILESET)]
    assert node_task(project, "place.global").get("var", "place_density") == 0.55
    assert project.get("asic", "maxlayer") == "met4"
    assert project.get("asic", "minlayer") == "met1"
    scenarios = project.constraint.timing.get_scenario()
    assert sorted(scenarios) == sorted(TT_CORNERS)       # TinyTapeout's, not lambdapdk's
    for name, scenario in scenarios.items():
        assert {"setup", "hold"} <= set(scenario.get_check())
        assert scenario.get_libcorner()[0] == name
    assert scenarios["ss_100C_1v60"].get_pexcorner() == "maximum"
    assert scenarios["ff_n40C_1v95"].get_pexcorner() == "minimum"
    library = project.get_library(project.get("asic", "mainlib"))
    liberty = library.find_files("fileset", "models.timing.ss_100C_1v60.nldm", "file",
                                 "liberty")
    assert liberty[0].endswith("sky130_fd_sc_hd__ss_100C_1v60.lib.gz")
    repair = node_task(project, "place.repair_design")
    assert repair.get("var", "rsz_slew_margin") == 20.0
    assert repair.get("var", "rsz_cap_margin") == 20.0
    repair_timing = node_task(project, "cts.repair_timing")
    assert repair_timing.get("var", "rsz_skip_recover_power") is True
    assert repair_timing.get("var", "rsz_hold_slack_margin") == 0.1   # TT's config.json
    assert "sky130_fd_sc_hd__a2111oi_0" in library.get("asic", "cells", "dontuse")
    assert library.get("asic", "cells", "clkbuf") == [
        "sky130_fd_sc_hd__clkbuf_8", "sky130_fd_sc_hd__clkbuf_4", "sky130_fd_sc_hd__clkbuf_2"]
    sdc = Path(project.design.find_files("fileset", "sdc", "file", "sdc")[0]).read_text()
    assert "-period 25.0" in sdc
    # TinyTapeout's SDC (LibreLane base.sdc): 20 % IO delay, rst_n among the inputs
    assert "set_input_delay 5.0 -clock clk [delete_from_list [all_inputs] [get_ports clk]]" in sdc
    assert "set_clock_uncertainty 0.25" in sdc and "set_timing_derate -late 1.05" in sdc
    assert "set_load 0.033442 [all_outputs]" in sdc


def test_lambdapdk_corners_become_the_scenarios(tmp_path, pdk_root):
    from tapeflow.flows.adapters.sc_corners import scenarios

    corners = corner_libraries("lambdapdk", pdk_root)
    assert [c.name for c in corners] == ["tt_025C_1v80", "ss_n40C_1v40", "ff_100C_1v95"]
    assert [(s.corner, s.pex) for s in scenarios(corners)] == [
        ("tt_025C_1v80", "typical"), ("ss_n40C_1v40", "maximum"), ("ff_100C_1v95", "minimum")]


def test_sc_declares_every_file_the_stage_keeps(project):
    """harden copies these out of SC's node folders (flows/stages/harden.py)."""
    project, _ = project
    views = set(node_task(project, "write.views").get("output", step="write.views", index="0"))
    assert {f"{TOP}.{ext}" for ext in ("vg", "lec.vg", "def.gz", "lef", "typical.spef",
                                       "minimum.spef", "maximum.spef")} <= views
    assert {f"{TOP}.{corner}.sdf" for corner in TT_CORNERS} <= views
    gds = set(node_task(project, "write.gds").get("output", step="write.gds", index="0"))
    assert {f"{TOP}.gds.gz", f"{TOP}.png"} <= gds


def test_no_metal_fill_and_port_nets_named_before_the_views(project):
    """lambdapdk's fill deck fills met5, so no fill; the step still runs, to
    name each port's net after its port before write.views and write.gds."""
    project, _ = project
    fill = node_task(project, "dfm.metal_fill")
    assert fill.get("var", "fin_add_fill") is False
    (script,) = fill.get("prescript")
    assert Path(script).read_text() == PORT_NETS_TCL
    assert "$tt_net rename $tt_port" in PORT_NETS_TCL


def test_pdn_script_draws_tt_straps():
    script = pdn_tcl(tile_constraints("1x1"))
    assert "-power VPWR -ground VGND" in script and "met5" not in script
    stripe = re.search(r"add_pdn_stripe -grid tt_tile -layer met4 (.*?)-starts_with POWER",
                       script, re.S).group(1)
    assert re.findall(r"-(\w+) ([\d.]+)", stripe) == [
        ("width", "1.6"), ("spacing", "1.7"), ("pitch", "38.87"), ("offset", "16.32")]
    assert "-layer met1 -width 0.48 -followpins" in script
    assert "-pins met4" in script and "-layers {met1 met4}" in script
    # core left + offset is the centre of TT's first VPWR strap
    one = tile_constraints("1x1")
    first = one.straps["VPWR"][0]
    assert one.core[0] + 16320 == (first[0] + first[2]) // 2
    for pattern in ("^VPWR$", "^VPB$", "^VGND$", "^VNB$"):
        assert f"-pin_pattern {{{pattern}}}" in GLOBAL_CONNECT_TCL


def test_missing_openroad_skips_with_install_hint(monkeypatch):
    import tapeflow.flows.adapters.tools as tools
    monkeypatch.setattr(tools, "which", lambda name: None if name == "openroad" else "/bin/x")
    reason = missing_tool_reason(REQUIRED_TOOLS)
    assert reason.startswith("openroad not found on PATH")
    assert "sc-install openroad" in reason and "tapeflow doctor" in reason
    assert Harden.needs == ("elaborate", "synthesize", "tile-fit")


def _openroad_style(lef: str) -> str:
    """A LEF as OpenROAD's write_abstract_lef writes it: no ORIGIN, whole and
    two-decimal microns as they come, two spaces after RECT."""
    lef = re.sub(r"^\s*ORIGIN .*\n", "", lef, flags=re.M)
    lef = re.sub(r"(?<=[\s])(-?\d+\.\d+)(?=[\s;])", lambda m: f"{float(m.group(1)):g}", lef)
    return lef.replace("RECT ", "RECT  ")


def test_tinytapeout_pin_check_reads_the_lef_only_after_the_rewrite(tmp_path, cell_gds,
                                                                      monkeypatch):
    """TT's own pin_check.py (read from TAPEFLOW_TT_ROOT) rejects OpenROAD's
    LEF as written and accepts it after for_tinytapeout; tapeflow's LEF checks
    give the same verdicts."""
    from tapeflow.tapeout.fixtures import TOP as FIXTURE, reference, write

    precheck_dir = tt_root() / "tt-support-tools" / "precheck"
    if not (precheck_dir / "pin_check.py").is_file():
        pytest.skip(f"TinyTapeout's pin_check.py not in {precheck_dir}")
    monkeypatch.syspath_prepend(str(precheck_dir))
    from pin_check import pin_check
    from precheck_failure import PrecheckFailure

    gds = write(reference("1x2"), tmp_path, cell_gds)
    raw = _openroad_style(gds.with_suffix(".lef").read_text())
    template = tt_root() / "tt-support-tools/tech/sky130A/def/tt_block_1x2_pg.def"
    two = tile_constraints("1x2")

    def theirs(text):
        gds.with_suffix(".lef").write_text(text)
        try:
            pin_check(str(gds), str(gds.with_suffix(".lef")), str(template), FIXTURE, False,
                      "sky130A")
        except (PrecheckFailure, ValueError) as error:
            return str(error)
        return None

    def ours(text):
        return [r.name for r in lef_checks(parse_macro(text, FIXTURE), two)
                if r.status == "failed"]

    assert "SIZE 161 BY 225.76" in raw and "RECT  " in raw
    assert theirs(raw) is not None and ours(raw) == ["LEF origin and size"]
    fixed = for_tinytapeout(raw)
    assert "SIZE 161.000 BY 225.760 ;" in fixed and "RECT  " not in fixed
    assert theirs(fixed) is None and ours(fixed) == []
