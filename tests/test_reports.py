"""Reports from a manifest written here (no tools run)."""

import base64
import json
import re

import pytest

from tapeflow.designs.systolic.spec import SystolicSpec
from tapeflow.flows.cli import main
from tapeflow.reports.compare import compare_runs
from tapeflow.reports.render import write_report
from tapeflow.reports.run_data import ReportError, load_run

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _metric(name, value, unit, layer, source="tool", file="x/report.txt"):
    return {"name": name, "value": value, "unit": unit, "layer": layer, "source": source,
            "file": file}


def _manifest(tmp_path, name, rows, cell_area, with_synthesis=True):
    spec = SystolicSpec(rows=rows)
    run_dir = tmp_path / name
    (run_dir / "synthesize").mkdir(parents=True)
    (run_dir / "x").mkdir()
    (run_dir / "x" / "report.txt").write_text("numbers")
    areas = run_dir / "synthesize" / "area_by_category.json"
    areas.write_text(json.dumps({"area_um2": {"Flip Flops": cell_area / 2, "NOR": cell_area / 2},
                                 "cells": {"Flip Flops": 10, "NOR": 20}}))
    stages = [
        {"name": "elaborate", "layer": "L5", "status": "passed", "reason": None, "warnings": [],
         "up_to_date": False, "wall_seconds": 0.3, "outputs": [], "tools": {}, "metrics": [
             _metric("pe_count", spec.pes, "PEs", "L5"),
             _metric("peak_macs_per_cycle", spec.pes, "MAC/cycle", "L5"),
             _metric("sustained_macs_per_cycle_protocol", spec.sustained_macs_per_cycle,
                     "MAC/cycle", "L5", "protocol", None),
             _metric("io_input_bytes_per_cycle", spec.input_bytes_per_cycle, "B/cycle", "L5",
                     "protocol", None),
             _metric("storage_bits", 100 * rows, "bits", "L5")]},
        {"name": "synthesize", "layer": "L6", "status": "passed" if with_synthesis else "skipped",
         "reason": None if with_synthesis else "siliconcompiler not installed", "warnings": [],
         "up_to_date": with_synthesis, "wall_seconds": 8.0, "tools": {},
         "outputs": [{"name": "area_by_category", "path": "synthesize/area_by_category.json",
                      "sha256": "0" * 64, "bytes": 10}] if with_synthesis else [],
         "metrics": [_metric("cell_area_um2", cell_area, "um^2", "L7"),
                     _metric("utilization_1x1", cell_area / 165, "%", "L7"),
                     _metric("utilization_1x2", cell_area / 342, "%", "L7")]
         if with_synthesis else []},
    ]
    (run_dir / "manifest.json").write_text(json.dumps({
        "design": "systolic", "parameters": spec.as_dict(), "tag": spec.tag,
        "settings": {"clock_period_ns": 20.0},
        "tapeflow_version": "0.1.0", "status": "passed", "stages": stages}))
    return run_dir


def test_report_files_layers_figures_and_sources(tmp_path):
    run = load_run(_manifest(tmp_path, "a", 2, 18_000.0))
    paths = write_report(run, tmp_path / "out")
    data = json.loads(paths["json"].read_text())
    assert set(data["layers"]) == {"L5", "L6", "L7", "L8"}
    names = {m["name"] for layer in data["layers"].values() for m in layer["metrics"]}
    assert {"pe_count", "cell_area_um2", "peak_gops", "operational_intensity"} <= names
    for layer in data["layers"].values():
        for metric in layer["metrics"]:
            assert metric["source"] and metric["stage"]
    assert data["layers"]["L6"]["notes"]                     # nothing recorded there
    assert [s["status"] for s in data["stages"]] == ["passed", "passed (up to date)"]
    pin_map = next(t for t in data["layers"]["L8"]["tables"] if t["title"] == "Pin map")
    assert len(pin_map["rows"]) == 24 + 4
    html = paths["html"].read_text()
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(images) == 3          # roofline, area breakdown, tile utilization
    assert all(base64.b64decode(i).startswith(PNG_MAGIC) for i in images)
    assert "http://" not in html and "https://" not in html   # works offline
    markdown = paths["markdown"].read_text()
    assert "## L5 Hardware architecture" in markdown and "figures/roofline.png" in markdown
    assert (tmp_path / "out" / "figures" / "roofline.png").read_bytes().startswith(PNG_MAGIC)


def test_skipped_stages_are_shown_with_their_reason(tmp_path):
    run = load_run(_manifest(tmp_path, "a", 2, 0.0, with_synthesis=False))
    data = json.loads(write_report(run, tmp_path / "out")["json"].read_text())
    synth = next(s for s in data["stages"] if s["stage"] == "synthesize")
    assert synth["status"] == "skipped" and "siliconcompiler" in synth["reason / warnings"]


def test_compare_two_array_sizes(tmp_path, capsys):
    a = _manifest(tmp_path, "a", 2, 18_000.0)
    b = _manifest(tmp_path, "b", 4, 33_000.0)
    deltas = {d.name: d for d in compare_runs(load_run(a), load_run(b))}
    assert deltas["cell_area_um2"].delta == 15_000.0
    assert deltas["cell_area_um2"].percent == pytest.approx(83.33, 0.01)
    assert deltas["peak_macs_per_cycle"].delta == 2
    assert main(["report", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "cell_area_um2" in out and "+83.3" in out and "peak_macs_per_cycle" in out
    assert (a / "report" / f"compare-{load_run(b).tag}.json").exists()


def test_bad_report_input_is_one_line(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(ReportError, match="not a valid tapeflow manifest"):
        load_run(tmp_path)


def test_layout_picture_when_the_run_has_a_gds(tmp_path):
    gdstk = pytest.importorskip("gdstk", reason="gdstk not installed (pip install gdstk)")
    run_dir = _manifest(tmp_path, "a", 2, 18_000.0)
    library = gdstk.Library()
    top = library.new_cell("tt_um_tapeflow_systolic")
    top.add(gdstk.rectangle((0, 0), (161.0, 111.52), layer=235, datatype=4))   # boundary
    top.add(gdstk.rectangle((18.28, 2.48), (19.88, 109.04), layer=71, datatype=20))  # met4
    top.add(gdstk.rectangle((10, 10), (50, 12), layer=68, datatype=20))       # met1
    (run_dir / "harden").mkdir()
    library.write_gds(str(run_dir / "harden" / "tt_um_tapeflow_systolic.gds"))
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["stages"].append({
        "name": "harden", "layer": "L7", "status": "passed", "reason": None, "warnings": [],
        "up_to_date": False, "wall_seconds": 1.0, "tools": {}, "metrics": [],
        "outputs": [{"name": "gds", "path": "harden/tt_um_tapeflow_systolic.gds",
                     "sha256": "0" * 64, "bytes": 1}]})
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    data = json.loads(write_report(load_run(run_dir), tmp_path / "out")["json"].read_text())
    assert "figures/layout.png" in data["layers"]["L7"]["figures"]
    assert (tmp_path / "out" / "figures" / "layout.png").read_bytes().startswith(PNG_MAGIC)


def test_hardened_run_reports_routed_timing_signoff_layers_and_layout(tmp_path, cell_gds):
    from tapeflow.reports.sections import build_sections
    from tapeflow.tapeout.fixtures import reference, write

    run_dir = _manifest(tmp_path, "hardened", 2, 18_000.0)
    gds = write(reference(), run_dir / "harden", cell_gds)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["stages"] += [
        {"name": "harden", "layer": "L7", "status": "passed", "reason": None, "warnings": [],
         "up_to_date": False, "wall_seconds": 300.0, "tools": {},
         "outputs": [{"name": "gds", "path": f"harden/{gds.name}", "sha256": "0" * 64,
                      "bytes": gds.stat().st_size}],
         "metrics": [_metric(f"postroute_{n}_{c}_{u}", v, u, "L7")
                     for c in ("tt_025C_1v80", "ss_100C_1v60", "ff_n40C_1v95")
                     for n, u, v in (("setup_slack", "ns", 3.5), ("setup_tns", "ns", 0.0),
                                     ("hold_slack", "ns", 0.2), ("hold_tns", "ns", 0.0),
                                     ("fmax", "mhz", 60.6))]
                    + [_metric("harden_step_route.detailed_s", 100.0, "s", "L7"),
                       _metric("harden_step_cts.clock_tree_synthesis_s", 25.0, "s", "L7")]},
        {"name": "sta-post", "layer": "L7", "status": "passed", "reason": None, "warnings": [],
         "up_to_date": False, "wall_seconds": 2.0, "tools": {}, "outputs": [],
         "metrics": [_metric(f"routed_{n}_{rc}_{c}_{u}", v, u, "L7")
                     for rc in ("min", "nom", "max")
                     for c in ("tt_025C_1v80", "ss_100C_1v60", "ff_n40C_1v95")
                     for n, u, v in (("setup_slack", "ns", 4.5), ("setup_tns", "ns", 0.0),
                                     ("hold_slack", "ns", 0.3), ("hold_tns", "ns", 0.0),
                                     ("fmax", "mhz", 64.5), ("fmax_reg2reg", "mhz", 64.5),
                                     ("setup_slack_reg2reg", "ns", 4.5),
                                     ("fmax_io", "mhz", 300.0), ("drvs", "violations", 0))]
                    + [_metric("routed_min_fmax_mhz", 64.5, "MHz", "L7")]},
        {"name": "signoff", "layer": "L7", "status": "passed", "reason": None, "warnings": [],
         "up_to_date": False, "wall_seconds": 20.0, "tools": {}, "outputs": [],
         "metrics": [_metric("drc_errors", 0, "errors", "L7", "magic"),
                     _metric("lvs_errors", 0, "mismatches", "L7", "netgen")]}]
    (run_dir / "manifest.json").write_text(json.dumps(manifest))

    sections = {s.layer: s for s in build_sections(load_run(run_dir))}
    tables = {t.title: t for s in sections.values() for t in s.tables}
    routed = tables["Routed timing per corner (OpenSTA, 20 ns clock)"]
    assert len(routed.rows) == 9
    assert ["nom_tt_025C_1v80", 4.5, 0.0, 0.3, 0.0, 64.5, 64.5, 300.0, 0] in routed.rows
    openroad = tables["OpenROAD's own routed timing per SiliconCompiler scenario"]
    assert openroad.rows[0] == ["tt_025C_1v80", 3.5, 0.0, 0.2, 0.0, 60.6]
    steps = tables["Hardening steps (SiliconCompiler task times, 125 s in all)"]
    assert steps.rows[0] == ["route.detailed", 100.0, "80 %"]
    assert [row[:2] for row in tables["Signoff"].rows] == [
        ["magic DRC (drc(full))", 0], ["LVS mismatches (netgen)", 0]]
    layers = {row[0]: row[2] for row in tables[f"GDS layers ({gds.name}, whole hierarchy)"].rows}
    assert layers["met4.pin"] > 40 and layers["prBoundary.boundary"] == 1
    assert "layout" in [f.name for f in sections["L7"].figures]
    l5 = {m.name: m for m, _ in sections["L5"].metrics}
    # throughput at the clock TinyTapeout runs (the run's 20 ns), the routed fmax beside it
    assert "the run's clock (20 ns) 50 MHz" in l5["sustained_gmacs_per_second"].source
    assert l5["sustained_gmacs_per_second"].value == round(2.0 * 50 / 1000, 4)
    assert "routed fmax, slowest corner 64.5 MHz" in l5["sustained_gmacs_per_second_at_fmax"].source


def _with_stage(run_dir, name, metrics, status="passed", reason=None):
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["stages"].append({"name": name, "layer": "L7", "status": status, "reason": reason,
                               "warnings": [], "up_to_date": False, "wall_seconds": 1.0,
                               "tools": {}, "outputs": [],
                               "metrics": [_metric(n, v, u, "L7") for n, v, u in metrics]})
    (run_dir / "manifest.json").write_text(json.dumps(manifest))


def test_verdict_panel_answers_from_the_manifest(tmp_path):
    from tapeflow.reports.verdict import PRECHECK_RESULTS, verdicts

    run_dir = _manifest(tmp_path, "a", 2, 18_000.0)
    _with_stage(run_dir, "tile-fit", [("tile", "1x2", "tile"), ("tile_utilization", 53.7, "%")])
    _with_stage(run_dir, "verify-rtl", [("rtl_tests_run", 7, "tests"),
                                        ("rtl_tests_passed", 7, "tests"),
                                        ("functional_coverage_percent", 100.0, "%")])
    _with_stage(run_dir, "sta-pre", [("setup_slack_tt_025C_1v80_ns", 12.8, "ns"),
                                     ("hold_slack_tt_025C_1v80_ns", 0.17, "ns"),
                                     ("fmax_tt_025C_1v80_mhz", 138.0, "MHz")])
    answers = {v.question: v for v in verdicts(load_run(run_dir))}
    assert answers["Does it fit a tile?"].state == "green"
    assert "tile 1x2 at 53.7 %" in answers["Does it fit a tile?"].answer
    assert answers["Timing at 50 MHz?"].state == "amber"          # not routed yet
    assert "tt_025C_1v80 setup +12.80, hold +0.17 ns" in answers["Timing at 50 MHz?"].answer
    assert answers["Do the tests pass?"].state == "amber"         # no gate-level tests yet
    assert answers["DRC, LVS, antenna clean?"].state == "amber"
    assert answers["Ready to submit?"].state == "amber"

    for name, total in (("gl_icarus", 7), ("postroute_gl_icarus", 7)):
        _with_stage(run_dir, f"{name}-stage", [(f"{name}_tests_run", total, "tests"),
                                               (f"{name}_tests_passed", total, "tests")])
    _with_stage(run_dir, "sta-post", [("routed_worst_setup_slack_ns", 5.77, "ns"),
                                      ("routed_worst_hold_slack_ns", 0.1, "ns"),
                                      ("signoff_corners", 9, "corners")])
    _with_stage(run_dir, "signoff", [("drc_errors", 0, "errors"), ("lvs_errors", 0, "errors"),
                                     ("postroute_antenna_nets", 0, "nets")])
    results = run_dir.joinpath(*PRECHECK_RESULTS)
    results.parent.mkdir(parents=True)
    results.write_text('<testsuites><testsuite><testcase name="Magic DRC"/>'
                       '<testcase name="Layers allowed"/></testsuite></testsuites>')
    answers = {v.question: v for v in verdicts(load_run(run_dir))}
    assert {v.state for v in answers.values()} == {"green"}
    assert answers["Timing at 50 MHz?"].answer.startswith("routed, 9 corners: worst setup "
                                                          "slack +5.77 ns")
    assert answers["TinyTapeout precheck?"].answer == "2 passed, 0 failed, 0 skipped"

    _with_stage(run_dir, "signoff-again", [("drc_errors", 3, "errors")])
    answers = {v.question: v for v in verdicts(load_run(run_dir))}
    assert answers["DRC, LVS, antenna clean?"].state == "red"
    assert answers["Ready to submit?"].state == "red"
    assert "DRC, LVS, antenna clean" in answers["Ready to submit?"].answer


def test_verdict_panel_comes_first_and_long_tables_fold(tmp_path):
    run_dir = _manifest(tmp_path, "a", 2, 18_000.0)
    _with_stage(run_dir, "tile-fit", [("tile", "1x2", "tile"), ("tile_utilization", 53.7, "%")])
    page = write_report(load_run(run_dir), tmp_path / "out")["html"].read_text()
    assert page.index('id="verdict"') < page.index('<h2 id="L5"')
    assert "<details><summary>All " in page
    # beside it the chosen tile's floorplan, as there is no layout yet
    assert page.index('alt="tile floorplan"') < page.index('<h2 id="L5"')
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [v["question"] for v in data["verdict"]][-1] == "Ready to submit?"


@pytest.mark.parametrize("state, extra, answer, colour", [
    ("complete", {}, "yes, 2 stages, through synthesize", "green"),
    ("interrupted", {"interrupted": {"stage": "lint", "cause": "interrupted"}},
     "no: interrupted in lint, 2 of 4 stages not run; run it again to finish", "red"),
    ("running", {"pid": 2 ** 22 + 12345, "host": "elsewhere"},
     "no: it ended without finishing (pid 4206649 gone, killed?), 2 stages not run", "red"),
])
def test_the_report_says_first_whether_the_run_finished(tmp_path, state, extra, answer,
                                                        colour):
    run_dir = _manifest(tmp_path, "a", 2, 18_000.0)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    flow = ["elaborate", "synthesize"] if state == "complete" else \
        ["elaborate", "lint", "synthesize", "harden"]
    manifest |= {"state": state, "flow": flow, **extra}
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    first = json.loads(write_report(load_run(run_dir), tmp_path / "out")["json"]
                       .read_text())["verdict"][0]
    assert first["question"] == "Did the run finish?" and first["state"] == colour
    assert first["answer"].startswith(answer)


def test_the_run_summary_has_every_stage_and_the_first_numbers(tmp_path):
    from tapeflow.reports.summary import run_summary
    run_dir = _manifest(tmp_path, "a", 2, 18_000.0)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["state"] = "complete"
    manifest["stages"][1]["metrics"] += [
        _metric("cell_count", 1736, "cells", "L6"), _metric("registers", 309, "FFs", "L6")]
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    lines = run_summary(load_run(run_dir)).splitlines()
    assert lines[0].startswith(f"systolic {SystolicSpec(rows=2).tag}: {run_dir} (complete, 8.3 s)")
    assert lines[2].split() == ["elaborate", "L5", "passed", "0.3", "s"]
    assert lines[3].split() == ["synthesize", "L6", "up", "to", "date", "8.0", "s"]
    assert "  cells      1,736 cells, 18,000 µm², 309 flip-flops" in lines
    assert any(line.startswith("  throughput ") and "MMAC/s at 50 MHz" in line for line in lines)
