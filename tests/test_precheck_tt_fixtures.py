"""TinyTapeout's own precheck tests (tt-support-tools precheck/test_precheck.py)
run for real with its fixtures kept, then tapeflow's matching check on each
fixture file: where TinyTapeout's test says its check passes or fails a file,
tapeflow's check must say the same. (Analog projects are left out: tapeflow
does not check analog pins.)"""

from pathlib import Path

import pytest

from tapeflow.tapeout.precheck import Inputs, run_check
from tapeflow.tapeout.tt_reference import run_reference_tests

from .conftest import tt_precheck_marks

pytestmark = tt_precheck_marks()

#: TinyTapeout test -> (what its check says of the fixture when the test
#: passes, the fixture's name, which is also its top cell, tapeflow's check,
#: uses_3v3)
CASES = {
    "test_magic_drc_pass": ("pass", "TEST_valid", "Magic DRC", False),
    "test_magic_drc_fail": ("fail", "TEST_met1_error", "Magic DRC", False),
    "test_klayout_feol_pass": ("pass", "TEST_valid", "KLayout FEOL", False),
    "test_klayout_feol_fail": ("fail", "TEST_nwell_error", "KLayout FEOL", False),
    "test_klayout_beol_pass": ("pass", "TEST_valid", "KLayout BEOL", False),
    "test_klayout_beol_fail": ("fail", "TEST_met1_error", "KLayout BEOL", False),
    "test_klayout_checks_pass": ("pass", "TEST_valid", "No met5", False),
    "test_klayout_checks_fail_metal5": ("fail", "TEST_met5_error", "No met5", False),
    "test_klayout_checks_fail_pr_boundary": ("fail", "TEST_no_prboundary",
                                             "prBoundary.boundary (235/4) present", False),
    "test_klayout_top_module_name": ("fail", "TEST_invalid_macro_name", "Top cell name", False),
    "test_klayout_zero_area_drc_pass": ("pass", "TEST_valid", "KLayout zero area", False),
    "test_klayout_zero_area_drc_fail": ("fail", "TEST_zero_area", "KLayout zero area", False),
    "test_shapes_outside_area": ("fail", "TEST_shapes_outside_area",
                                 "Nothing outside the boundary", False),
    "test_wrong_power_pins_1": ("fail", "TEST_wrong_power_pins", "Power pin names and USE", False),
    "test_wrong_power_pins_2": ("fail", "TEST_wrong_power_pins", "Power pin names and USE", True),
    "test_missing_use_power": ("fail", "TEST_missing_use_power", "Power pin names and USE", False),
    "test_missing_use_ground": ("fail", "TEST_missing_use_ground",
                                "Power pin names and USE", False),
    "test_invalid_layer": ("fail", "TEST_invalid_layer", "Layers allowed", False),
    "test_invalid_cell_name": ("fail", "TEST_invalid_cell_name", "Cell names", False),
    "test_urpm_nwell_too_close": ("fail", "TEST_urpm_nwell_too_close", "urpm/nwell check", False),
    "test_verilog_syntax_ok": ("pass", "TEST_verilog_syntax_ok", "Verilog parses", False),
    "test_verilog_syntax_error": ("fail", "TEST_verilog_syntax_error", "Verilog parses", False),
}


@pytest.fixture(scope="module")
def tinytapeout(pdk_root, tmp_path_factory):
    """TinyTapeout's test outcomes and the folder its fixtures were written to."""
    from tapeflow.flows.adapters.pdk import layer_properties, magic_tech
    lyp, tech = layer_properties(pdk_root), magic_tech(pdk_root)
    basetemp = tmp_path_factory.mktemp("tt-fixtures") / "base"
    outcomes = run_reference_tests(lyp, tech, basetemp, " or ".join(CASES))
    return outcomes, basetemp, lyp, tech


def fixture_file(basetemp: Path, stem: str, suffix: str) -> Path | None:
    return next(iter(sorted(basetemp.rglob(f"{stem}{suffix}"))), None)


@pytest.mark.parametrize("test", list(CASES))
def test_tapeflow_agrees_with_tinytapeouts_own_test(tinytapeout, tmp_path, test):
    outcomes, basetemp, lyp, tech = tinytapeout
    expected, stem, check, uses_3v3 = CASES[test]
    assert outcomes.get(test) == "passed", f"TinyTapeout's {test}: {outcomes.get(test)}"
    gds, lef, verilog = (fixture_file(basetemp, stem, s) for s in (".gds", ".lef", ".v"))
    inputs = Inputs(tmp_path, stem, "1x1", gds or tmp_path / "none.gds",
                    lef or tmp_path / "none.lef", verilog or tmp_path / "none.v", uses_3v3)
    result = run_check(check, inputs, lyp, tech, tmp_path / "work")
    assert result.status == ("passed" if expected == "pass" else "failed"), result.message
