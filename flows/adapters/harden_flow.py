"""SiliconCompiler's place-and-route flow started from tapeflow's synthesized
netlist: import -> SC's synthesis clean-up -> SC's PNRFlow (floorplan, tap
cells, power grid, pins, placement, CTS, repair, routing, antenna repair,
fill, write.views, write.gds). Only the entry differs from SC's asicflow, so
synthesis is not run twice.
"""

from __future__ import annotations

from pathlib import Path

from .sc_project import project_tasks

IMPORT_STEP = "import"
VIEWS_STEP = "write.views"
GDS_STEP = "write.gds"

#: Slew and capacitance repair margins, LibreLane's defaults
#: (DESIGN_REPAIR_MAX_SLEW_PCT, DESIGN_REPAIR_MAX_CAP_PCT): without them the
#: routed wires pushed 25 pins past sky130hd's 1.5 ns max transition.
REPAIR_MARGIN_PCT = 20.0
#: TinyTapeout's hold repair margins (the template's src/config.json:
#: PL_RESIZER_HOLD_SLACK_MARGIN after CTS, GRT_RESIZER_HOLD_SLACK_MARGIN after
#: global routing). SC's default of 0 left 1 ps of hold slack at ff_n40C_1v95
#: once TinyTapeout's 0.25 ns clock uncertainty was in the SDC.
HOLD_MARGIN_POST_CTS_NS = 0.1
HOLD_MARGIN_POST_GRT_NS = 0.05
#: LibreLane's sky130hd clock buffers (open_pdks CTS_CLK_BUFFERS). SC offers all
#: five clkbuf sizes; characterising them made CTS take 37 s of a 309-flop
#: tree, these three 4.6 s instead of 16.7 s when measured on their own.
CLOCK_BUFFERS = ("sky130_fd_sc_hd__clkbuf_8", "sky130_fd_sc_hd__clkbuf_4",
                 "sky130_fd_sc_hd__clkbuf_2")


def harden_flow(netlist: Path, sdc: Path, project):
    """Build the flow and register it on ``project`` (the import task's files
    are task settings, so the flow has to be on the project first)."""
    from siliconcompiler import Flowgraph
    from siliconcompiler.flows.asicflow import CleanupSynthFlow, PNRFlow
    from siliconcompiler.tools.builtin.importfiles import ImportFilesTask

    flow = Flowgraph("tapeflow-harden")
    flow.node(IMPORT_STEP, ImportFilesTask())
    cleanup = CleanupSynthFlow()
    flow.graph(cleanup, name="cleanup")
    for step, index in cleanup.get_entry_nodes():
        flow.edge(IMPORT_STEP, f"cleanup.{step}", head_index=index)
    (clean_step, _), = cleanup.get_exit_nodes()
    pnr = PNRFlow()
    flow.graph(pnr)
    for step, index in pnr.get_entry_nodes():
        flow.edge(f"cleanup.{clean_step}", step, head_index=index)

    project.set_flow(flow)
    task = ImportFilesTask.find_task(project)
    task.add_import_file([str(netlist), str(sdc)], clobber=True)
    return flow


def repair_as_librelane(project) -> None:
    """Repair settings as LibreLane's (TinyTapeout's flow) where SC's defaults
    measured worse: slew and capacitance margins, hold margins, no power
    recovery, three clock buffers."""
    from siliconcompiler.tools.openroad._apr import OpenROADRSZDRVParameter
    from siliconcompiler.tools.openroad.repair_timing import (PostRouteRepairTimingTask,
                                                               RepairTimingTask)

    for task in project_tasks(OpenROADRSZDRVParameter, project):
        task.set_openroad_rszslewmargin(REPAIR_MARGIN_PCT)
        task.set_openroad_rszcapmargin(REPAIR_MARGIN_PCT)
    # No power recovery after CTS: it downsizes every cell with slack to
    # spare, which at TinyTapeout's corners (more slack than lambdapdk's
    # 1.40 V one) turned a buf_4 driving 38 loads into a buf_1 with a 2.6 ns
    # slew, 95 slew violations at tt and 3 ns less setup slack at ss.
    # LibreLane recovers no power either.
    for task in project_tasks(RepairTimingTask, project):
        task.set_openroad_skiprecoverpower(True)
        task.set_openroad_rszholdslackmargin(
            HOLD_MARGIN_POST_GRT_NS if isinstance(task, PostRouteRepairTimingTask)
            else HOLD_MARGIN_POST_CTS_NS)
    library = project.get_library(project.get("asic", "mainlib"))
    library.set("asic", "cells", "clkbuf", list(CLOCK_BUFFERS), clobber=True)
