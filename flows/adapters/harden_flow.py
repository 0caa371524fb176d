"""SiliconCompiler's place-and-route flow started from tapeflow's synthesized
netlist: import -> SC's synthesis clean-up -> SC's PNRFlow (floorplan, tap
cells, power grid, pins, placement, CTS, repair, routing, antenna repair,
fill, write.views, write.gds). Only the entry differs from SC's asicflow, so
synthesis is not run twice.
"""

from __future__ import annotations

from pathlib import Path

IMPORT_STEP = "import"
VIEWS_STEP = "write.views"
GDS_STEP = "write.gds"


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
