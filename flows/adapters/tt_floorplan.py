"""TinyTapeout's tile rules (tapeout/tile_constraints.py) applied to a
SiliconCompiler ASIC project through SC's own schema: pin constraints, the
openroad tasks' power-grid and global-connect filesets, routing layers and
placement density. The only Tcl is the two small OpenROAD files below; SC's
maintained scripts source them.
"""

from __future__ import annotations

from pathlib import Path

from tapeflow.tapeout.tile_constraints import (RAIL_LAYER, RAIL_WIDTH, STRAP_GAP, STRAP_LAYER,
                                               STRAP_OFFSET, STRAP_PITCH, STRAP_WIDTH,
                                               TileConstraints, um)

from .sc_project import project_tasks

PDN_FILESET = "tt.powergrid"
CONNECT_FILESET = "tt.globalconnect"
PORT_NETS_SCRIPT = "tt_port_nets.tcl"


def pdn_tcl(constraints: TileConstraints) -> str:
    """TT's power grid: met1 follow-pin rails, met4 straps VPWR first, pins on
    the met4 straps, no rings, no met5 (TINYTAPEOUT.md 1.5, 5.4)."""
    return f"""\
# TinyTapeout {constraints.tile} tile power grid, written by tapeflow.
# OpenROAD pdn commands: https://openroad.readthedocs.io/en/latest/main/src/pdn/README.html
# The strap offset is measured from the core's left edge to the first strap's
# centre, the value TT's flow passes for the same straps.
set_voltage_domain -name CORE -power VPWR -ground VGND
define_pdn_grid -name tt_tile -voltage_domains CORE -starts_with POWER -pins {STRAP_LAYER}
add_pdn_stripe -grid tt_tile -layer {RAIL_LAYER} -width {um(RAIL_WIDTH)} -followpins
add_pdn_stripe -grid tt_tile -layer {STRAP_LAYER} -width {um(STRAP_WIDTH)} \\
    -spacing {um(STRAP_GAP)} -pitch {um(STRAP_PITCH)} -offset {um(STRAP_OFFSET)} \\
    -starts_with POWER
add_pdn_connect -grid tt_tile -layers {{{RAIL_LAYER} {STRAP_LAYER}}}
"""


#: sky130hd cells have VPWR/VGND supplies and VPB/VNB wells; TT names its nets
#: VPWR and VGND, so the wells join them (lambdapdk's file uses VDD/VSS).
GLOBAL_CONNECT_TCL = """\
# TinyTapeout supply nets, written by tapeflow.
# OpenROAD add_global_connection:
# https://openroad.readthedocs.io/en/latest/main/README.html#global-connections
add_global_connection -net VPWR -pin_pattern {^VPWR$} -power
add_global_connection -net VPWR -pin_pattern {^VPB$}
add_global_connection -net VGND -pin_pattern {^VGND$} -ground
add_global_connection -net VGND -pin_pattern {^VNB$}
"""


#: OpenROAD's tie-cell repair gives every constant output port a tie cell of
#: its own on a new net ("net628"), and KLayout labels each DEF pin with its
#: net's name, so uio_out/uio_oe came out of the GDS labelled net614..net628
#: and LVS by port name could not match them. Named after its port, such a
#: net carries the port's label into the DEF, the GDS and the netlist, as in
#: TinyTapeout's own flow. Run on the routed design, before the views are written.
PORT_NETS_TCL = """\
# Each top-level port's net named after the port, written by tapeflow.
set tt_block [ord::get_db_block]
foreach tt_bterm [$tt_block getBTerms] {
    set tt_net [$tt_bterm getNet]
    set tt_port [$tt_bterm getName]
    if { $tt_net == "NULL" || [$tt_net getName] == $tt_port } {
        continue
    }
    if { [llength [$tt_net getBTerms]] != 1 || [$tt_block findNet $tt_port] != "NULL" } {
        puts "tapeflow: port $tt_port stays on net [$tt_net getName] (shared or name taken)"
        continue
    }
    puts "tapeflow: net [$tt_net getName] renamed to its port $tt_port"
    $tt_net rename $tt_port
}
"""


def apply_tile_rules(project, constraints: TileConstraints, folder: Path,
                     target_density: float) -> None:
    """Make the project's asic flow build exactly the TT tile. Needs the
    flow set on the project (the openroad tasks are found through it)."""
    from siliconcompiler.tools.openroad._apr import APRTask
    from siliconcompiler.tools.openroad.fillmetal_insertion import FillMetalTask
    from siliconcompiler.tools.openroad.init_floorplan import InitFloorplanTask
    from siliconcompiler.tools.openroad.power_grid import PowerGridTask

    design = project.design
    folder.mkdir(parents=True, exist_ok=True)
    for fileset, name, text in ((PDN_FILESET, "tt_pdn.tcl", pdn_tcl(constraints)),
                                (CONNECT_FILESET, "tt_global_connect.tcl",
                                 GLOBAL_CONNECT_TCL)):
        (folder / name).write_text(text)
        with design.active_fileset(fileset):
            design.add_file(str(folder / name), filetype="tcl")

    for name in constraints.pins:
        (x, y), (width, height) = constraints.pin_placement_um(name)
        pin = project.constraint.pin.make_pinconstraint(name)
        pin.set_layer(constraints.pins[name].layer)
        pin.set_placement(x, y)
        pin.set_shape("rectangle")
        pin.set_width(width)
        pin.set_length(height)

    project.set_asic_routinglayers(min=constraints.routing_layers[0],
                                   max=constraints.routing_layers[-1])
    for scenario in project.constraint.timing.get_scenario().values():
        scenario.add_check(sorted({"setup", "hold", *scenario.get_check()}), clobber=True)

    project_tasks(InitFloorplanTask, project)[0].set_openroad_assertallpinsplaced(True)
    # lambdapdk's sky130 fill deck fills met1..met5; met5 is TT's chip-level
    # grid and TT's tile flow adds no metal fill, so the dfm step is skipped.
    fill = project_tasks(FillMetalTask, project)[0]
    fill.set_openroad_addfill(False)
    # The last OpenROAD step before write.views and write.gds: the port nets
    # are named there (a script also makes SC run the otherwise skipped step).
    (folder / PORT_NETS_SCRIPT).write_text(PORT_NETS_TCL)
    fill.add_prescript(str(folder / PORT_NETS_SCRIPT), clobber=True)
    project_tasks(PowerGridTask, project)[0].add_openroad_powergridfileset(
        design.name, PDN_FILESET, clobber=True)
    for task in project_tasks(APRTask, project):
        task.add_openroad_globalconnectfileset(design.name, CONNECT_FILESET, clobber=True)
        if hasattr(task, "set_openroad_placedensity"):
            task.set_openroad_placedensity(target_density)
