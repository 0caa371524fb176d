"""The hardening stage's GDS path without OpenROAD: SC's KLayout export task
(write.gds) on the reference tile as a placed DEF, then tapeflow's TT
finishing, then precheck."""

import gzip
from pathlib import Path

import pytest

from tapeflow.flows.adapters.sc_project import ScProjectSettings, build_project
from tapeflow.flows.adapters.tools import which
from tapeflow.tapeout.fixtures import TOP, reference, reference_def, write
from tapeflow.tapeout.precheck import run_precheck
from tapeflow.tapeout.tiles import tile_named
from tapeflow.tapeout.tt_gds import finish_gds

from .conftest import require_tool

pytestmark = [pytest.mark.slow, require_tool("klayout", "apt-get install klayout")]
pytest.importorskip("siliconcompiler", reason="siliconcompiler not installed")


def klayout_stream(def_file: Path, work_dir: Path, pdk_root: Path) -> Path:
    """SC's write.gds task, fed the DEF through SC's import task."""
    from siliconcompiler import Flowgraph
    from siliconcompiler.tools.builtin.importfiles import ImportFilesTask
    from siliconcompiler.tools.klayout.export import ExportTask

    rtl = work_dir / "top.v"
    rtl.write_text(f"module {TOP}(input clk); endmodule\n")
    project = build_project(ScProjectSettings(
        top=TOP, verilog=rtl, work_dir=work_dir / "sc-run", pdk_root=pdk_root,
        tile=tile_named("1x1")), work_dir / "sc.log")
    flow = Flowgraph("gds-only")
    flow.node("import", ImportFilesTask())
    flow.node("write.gds", ExportTask())
    flow.edge("import", "write.gds")
    project.set_flow(flow)
    ImportFilesTask.find_task(project).add_import_file(str(def_file))
    project.run()
    return Path(project.find_result(filename=f"{TOP}.gds.gz", step="write.gds"))


def test_klayout_gds_of_a_tt_tile_passes_precheck_after_finishing(tmp_path, pdk_root,
                                                                  cell_gds):
    import gdstk

    from tapeflow.flows.adapters.pdk import layer_properties, magic_tech

    draft = reference()
    def_file = tmp_path / f"{TOP}.def"
    def_file.write_text(reference_def(draft))
    streamed = klayout_stream(def_file, tmp_path, pdk_root)
    raw = tmp_path / "klayout.gds"
    raw.write_bytes(gzip.decompress(streamed.read_bytes()))

    # as KLayout writes it: cells from LEF geometry (no transistors), pins only on .pin
    inverter = {c.name: c for c in gdstk.read_gds(str(raw)).cells}["sky130_fd_sc_hd__inv_1"]
    assert not {(p.layer, p.datatype) for p in inverter.polygons} & {(65, 20), (66, 20)}

    tile = write(draft, tmp_path / "tile", cell_gds)       # LEF, .v, info.yaml beside it
    finished = finish_gds(raw, tile, TOP, cell_gds)
    assert finished.cells_from_library == 2 and finished.pin_shapes_drawn == 43 + 8
    cells = {c.name: c for c in gdstk.read_gds(str(tile)).cells}
    assert {(65, 20), (66, 20)} <= {(p.layer, p.datatype)
                                    for p in cells["sky130_fd_sc_hd__inv_1"].polygons}
    results = run_precheck(tile, layer_properties(pdk_root), magic_tech(pdk_root),
                           tmp_path / "drc")
    assert [r.name for r in results if r.status == "failed"] == []
    assert [r.name for r in results if r.status == "skipped"] == (
        [] if which("magic") else ["Magic DRC"])
