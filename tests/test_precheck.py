"""tapeflow precheck on the generated reference tile and one broken variant
per check (gdstk; the sky130 cells and layer table come from the PDK)."""

import shutil
import xml.etree.ElementTree as ET

import pytest

from tapeflow.flows.cli import main
from tapeflow.tapeout.fixtures import TOP, VARIANTS, reference, variant, write
from tapeflow.tapeout.precheck import PrecheckError, find_inputs, run_precheck

from .conftest import require_tool

pytest.importorskip("gdstk", reason="gdstk not installed (pip install gdstk)")


@pytest.fixture(scope="module")
def pdk(pdk_root, cell_gds):
    from tapeflow.flows.adapters.pdk import layer_properties, magic_tech
    return cell_gds, layer_properties(pdk_root), magic_tech(pdk_root)


@pytest.fixture(scope="module")
def tiles(pdk, tmp_path_factory):
    cells = pdk[0]
    folder = tmp_path_factory.mktemp("precheck")
    written = {"reference": write(reference(), folder / "reference", cells)}
    for index, name in enumerate(VARIANTS):
        written[name] = write(variant(name), folder / f"variant{index}", cells)
    return written


def test_reference_tile_passes_every_check_but_drc_quickly(tiles, pdk):
    results = run_precheck(tiles["reference"], pdk[1], klayout_decks=False)
    assert [r.name for r in results if r.status == "failed"] == []
    assert {r.tt_check for r in results} == {
        "Magic DRC", "KLayout FEOL", "KLayout BEOL", "KLayout offgrid",
        "KLayout pin label overlapping drawing", "KLayout zero area", "KLayout Checks",
        "Pin check", "Boundary check", "Power pin check", "Layer check", "Cell name check",
        "urpm/nwell check", "Analog pin check", "Verilog syntax check"}   # TinyTapeout's 15


@pytest.mark.slow
def test_reference_tile_passes_every_check(tiles, pdk):
    results = run_precheck(tiles["reference"], pdk[1], pdk[2])
    assert len(results) >= 24
    assert [r.name for r in results if r.status == "failed"] == []
    skipped = [r.name for r in results if r.status == "skipped"]
    without_klayout = ["KLayout FEOL", "KLayout BEOL", "KLayout offgrid"]
    assert skipped == ([] if shutil.which("klayout") else without_klayout) + (
        [] if shutil.which("magic") else ["Magic DRC"])


#: variants that break more than their own check, as TinyTapeout's precheck
#: sees them too: without a boundary there is no project area either
ALSO_FAILS = {"prBoundary.boundary (235/4) present": ["Nothing outside the boundary"],
              "Top cell name": ["Pins drawn on <layer>.pin in the top cell"],
              "Exactly one top cell": ["Top cell name"]}


@pytest.mark.parametrize("check", [name for name in VARIANTS if name != "Magic DRC"])
def test_each_variant_fails_exactly_its_check(check, tiles, pdk):
    # Magic DRC: the slow test below; TinyTapeout's KLayout decks: the
    # differential tests (test_precheck_vs_tinytapeout.py)
    results = run_precheck(tiles[check], pdk[1], klayout_decks=False)
    failed = sorted(r.name for r in results if r.status == "failed")
    assert failed == sorted([check] + ALSO_FAILS.get(check, []))


@pytest.mark.slow
@require_tool("magic", "apt-get install magic")
def test_only_the_drc_variant_fails_magic_drc(tiles, pdk):
    for check, gds in tiles.items():
        results = {r.name: r for r in run_precheck(gds, pdk[1], pdk[2], klayout_decks=False)}
        expected = "failed" if check == "Magic DRC" else "passed"
        assert results["Magic DRC"].status == expected, (check, results["Magic DRC"].message)


@pytest.mark.slow
@require_tool("magic", "apt-get install magic")
def test_magic_drc_catches_a_too_narrow_wire(tiles, pdk):
    results = run_precheck(tiles["Magic DRC"], pdk[1], pdk[2], klayout_decks=False)
    failed = [r for r in results if r.status == "failed"]
    assert [r.name for r in failed] == ["Magic DRC"] and "met1" in failed[0].message.lower()


def test_magic_drc_is_skipped_without_the_tech_file(tiles, pdk):
    results = {r.name: r for r in run_precheck(tiles["reference"], pdk[1], None,
                                               klayout_decks=False)}
    assert results["Magic DRC"].status == "skipped" and "sky130A.tech" in \
        results["Magic DRC"].message


def test_truncated_gds_is_a_failed_check_not_a_crash(tiles, pdk, tmp_path):
    folder = tmp_path / "truncated"
    folder.mkdir()
    for path in tiles["reference"].parent.iterdir():
        if path.is_file():
            data = path.read_bytes()
            (folder / path.name).write_bytes(data[:len(data) // 3] if path.suffix == ".gds"
                                             else data)
    results = {r.name: r for r in run_precheck(folder, pdk[1], klayout_decks=False)}
    assert results["GDS readable"].status == "failed"
    assert results["Top cell name"].status == "skipped"
    assert results["Signal pins match the template"].status == "passed"   # LEF still fine


def test_lef_without_the_macro(tiles, pdk, tmp_path):
    folder = tmp_path / "nolef"
    folder.mkdir()
    for path in tiles["reference"].parent.iterdir():
        if path.is_file():
            (folder / path.name).write_bytes(path.read_bytes())
    (folder / f"{TOP}.lef").write_text("VERSION 5.7 ;\nEND LIBRARY\n")
    results = {r.name: r for r in run_precheck(folder, pdk[1], klayout_decks=False)}
    assert results["LEF readable"].status == "failed" and "no MACRO" in results["LEF readable"].message
    assert results["Power pins"].status == "skipped"


def test_missing_info_yaml_and_wrong_top_name(tmp_path, capsys):
    (tmp_path / "tt_um_x.gds").write_bytes(b"")
    with pytest.raises(PrecheckError, match="no info.yaml"):
        find_inputs(tmp_path / "tt_um_x.gds")
    (tmp_path / "info.yaml").write_text("project:\n  top_module: tt_um_y\n  tiles: 1x1\n")
    with pytest.raises(PrecheckError, match="expects tt_um_y.gds"):
        find_inputs(tmp_path / "tt_um_x.gds")
    assert main(["precheck", str(tmp_path / "tt_um_x.gds")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_cli_reports_and_exit_status(tiles, pdk, capsys):
    broken = tiles["Power pins"].parent
    assert main(["precheck", str(broken)]) == 1
    # the reports go beside the checked folder (tt_submission/ is uploaded as it is)
    reports = broken.with_name(f"{broken.name}.precheck")
    assert not (broken / "reports").exists()
    assert "1 failed, " in capsys.readouterr().out
    suite = ET.parse(reports / "results.xml").getroot().find("testsuite")
    assert suite.get("failures") == "1"
    failed = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert failed == ["Power pins"]
    assert "❌ failed" in (reports / "results.md").read_text()
    assert main(["precheck", str(tiles["reference"].parent)]) == 0


@pytest.mark.parametrize("info", [b"\x89PNG\r\n\x1a\n\x00\xff\xfe", b"- just\n- a list\n",
                                  b"project: 5\n", b"project: [unclosed\n"],
                         ids=["binary", "list", "project 5", "bad yaml"])
def test_bad_info_yaml_is_one_line_exit_2(tmp_path, capsys, info):
    (tmp_path / "info.yaml").write_bytes(info)
    (tmp_path / "tt_um_x.gds").write_bytes(b"")
    assert main(["precheck", str(tmp_path / "tt_um_x.gds")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "info.yaml" in error
