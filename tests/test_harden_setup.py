"""The hardening stage without OpenROAD: the SiliconCompiler project it
builds (as SC's own node setup sees it), the Tcl it writes, its LEF clean-up,
and the skip where OpenROAD is missing."""

import re
from pathlib import Path

import pytest

from tapeflow.flows.harden_flow import harden_flow
from tapeflow.flows.sc_project import ScProjectSettings, build_project
from tapeflow.flows.stages.harden import REQUIRED_TOOLS, Harden
from tapeflow.flows.tools import missing_tool_reason
from tapeflow.flows.tt_floorplan import (CONNECT_FILESET, GLOBAL_CONNECT_TCL, PDN_FILESET,
                                         apply_tile_rules, pdn_tcl)
from tapeflow.tapeout.lef import parse_macro, with_decimal_points
from tapeflow.tapeout.precheck import lef_checks
from tapeflow.tapeout.tile_constraints import tile_constraints
from tapeflow.tapeout.tiles import tile_named

pytest.importorskip("siliconcompiler", reason="siliconcompiler not installed")

TOP = "tt_um_x"


@pytest.fixture(scope="module")
def project(tmp_path_factory, pdk_root):
    folder = tmp_path_factory.mktemp("harden")
    rtl, netlist = folder / "top.v", folder / f"{TOP}.vg"
    rtl.write_text(f"module {TOP}(input clk); endmodule\n")
    netlist.write_text(f"module {TOP}(clk); input clk; endmodule\n")
    settings = ScProjectSettings(top=TOP, verilog=rtl, work_dir=folder / "harden",
                                 clock_period_ns=25.0, pdk_root=pdk_root,
                                 tile=tile_named("1x2"))
    project = build_project(settings, folder / "sc.log")
    harden_flow(netlist, folder / "harden" / f"{TOP}.sdc", project)
    apply_tile_rules(project, tile_constraints("1x2"), folder / "tcl", 0.55)
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
    for scenario in project.constraint.timing.get_scenario().values():
        assert {"setup", "hold"} <= set(scenario.get_check())
    sdc = (project.design.find_files("fileset", "sdc", "file", "sdc"))[0]
    assert "-period 25.0" in Path(sdc).read_text()


def test_sc_declares_every_file_the_stage_keeps(project):
    """harden copies these out of SC's node folders (flows/stages/harden.py)."""
    project, _ = project
    views = set(node_task(project, "write.views").get("output", step="write.views", index="0"))
    assert {f"{TOP}.{ext}" for ext in ("vg", "lec.vg", "def.gz", "lef", "typical.spef",
                                       "typical.sdf", "slow.sdf", "fast.sdf")} <= views
    gds = set(node_task(project, "write.gds").get("output", step="write.gds", index="0"))
    assert {f"{TOP}.gds.gz", f"{TOP}.png"} <= gds


def test_no_metal_fill_because_lambdapdk_fills_met5(project):
    from siliconcompiler.scheduler import SchedulerNode
    project, _ = project
    assert SchedulerNode(project, "dfm.metal_fill", "0").setup() is False     # skipped by SC


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
    import tapeflow.flows.tools as tools
    monkeypatch.setattr(tools, "which", lambda name: None if name == "openroad" else "/bin/x")
    reason = missing_tool_reason(REQUIRED_TOOLS)
    assert reason.startswith("openroad not found on PATH")
    assert "sc-install openroad" in reason and "tapeflow doctor" in reason
    assert Harden.needs == ("synthesize", "tile-fit")


def test_lef_numbers_get_decimal_points_and_pass_the_pin_rules():
    one = tile_constraints("1x1")
    lines = ["VERSION 5.8 ;", f"MACRO {TOP}", "  CLASS BLOCK ;", f"  FOREIGN {TOP} 0 0 ;",
             "  ORIGIN 0 0 ;", "  SIZE 161 BY 111.52 ;"]
    for name, pin in one.pins.items():
        x1, y1, x2, y2 = (v / 1000 for v in pin.rect)
        lines += [f"  PIN {name}", f"    DIRECTION {pin.direction} ;", "    PORT",
                  "      LAYER met4 ;", f"        RECT {x1:g} {y1:g} {x2:g} {y2:g} ;",
                  "    END", f"  END {name}"]
    for net, use in (("VPWR", "POWER"), ("VGND", "GROUND")):
        lines += [f"  PIN {net}", "    DIRECTION INOUT ;", f"    USE {use} ;", "    PORT",
                  "      LAYER met4 ;"]
        lines += [f"        RECT {r[0] / 1000:g} {r[1] / 1000:g} {r[2] / 1000:g} "
                  f"{r[3] / 1000:g} ;" for r in one.straps[net]]
        lines += ["    END", f"  END {net}"]
    lines += [f"END {TOP}", "END LIBRARY"]
    raw = "\n".join(lines)

    def failed(text):
        results = lef_checks(parse_macro(text, TOP), one)
        return [r.name for r in results if r.status == "failed"]

    assert failed(raw) == ["LEF origin and size"]          # "161" and "0" lack the point
    fixed = with_decimal_points(raw)
    assert "SIZE 161.000 BY 111.52 ;" in fixed and "ORIGIN 0.000 0.000 ;" in fixed
    assert failed(fixed) == []


def test_routed_timing_verdict():
    from tapeflow.flows.stages.harden import timing_verdict

    def corner(name, setup, hold):
        return {"corner": name, "setup_slack_ns": setup, "hold_slack_ns": hold,
                "fmax_mhz": 50.0}
    assert timing_verdict([corner("typical", 2.0, 0.1), corner("fast", 9.0, None)]) == ([], [])
    errors, warnings = timing_verdict([corner("typical", 1.0, 0.1), corner("slow", -3.0, 0.2),
                                       corner("fast", 5.0, -0.02)])
    assert errors == ["hold violated after routing in the fast corner (slack -0.02 ns)"]
    assert warnings == ["setup violated after routing in the slow corner (slack -3.0 ns, "
                        "fmax 50.0 MHz)"]
    errors, _ = timing_verdict([corner("typical", -0.5, 0.1)])
    assert errors and "typical" in errors[0]
