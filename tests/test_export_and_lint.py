import pytest

from tapeflow.designs.export import export_verilog
from tapeflow.designs.systolic import SystolicSpec, TinyTapeoutTop
from tapeflow.designs.tt_ports import TT_PORTS
from tapeflow.verification.lint import parse_lint_output

from .conftest import needs_verilator


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    spec = SystolicSpec()
    return export_verilog(TinyTapeoutTop(spec), spec.top_name, tmp_path_factory.mktemp("rtl"))


def test_top_has_exactly_the_tinytapeout_ports(exported):
    assert exported.top_ports == TT_PORTS


def test_verilog_has_no_combinational_always_blocks(exported):
    text = exported.verilog.read_text()
    assert "module tt_um_tapeflow_systolic(" in text.replace(" (", "(")
    assert "always @*" not in text


def test_netlist_counts_match_the_architecture(exported):
    spec = SystolicSpec()
    pe_modules = [m for m in exported.cell_types if ".pe_" in m]
    assert len(pe_modules) == spec.pes
    assert all(exported.cell_types[m]["$mul"] == 1 for m in pe_modules)
    # accumulators and result registers alone: 2 x fold x acc_width per PE
    assert exported.flipflop_bits > spec.pes * 2 * spec.fold * spec.acc_width


def test_parse_lint_output():
    text = ("%Warning-UNUSEDSIGNAL: top.v:9:9: Signal is not used: 'ena'\n"
            "                      : ... note\n"
            "%Warning-WIDTHEXPAND: top.v:5:3: Operator ADD expects 21 bits\n"
            "%Error: top.v:7:1: syntax error, unexpected endmodule\n"
            "%Error: Exiting due to 1 error(s)\n")
    findings = parse_lint_output(text)
    assert [(f.severity, f.code) for f in findings] == [
        ("Warning", "UNUSEDSIGNAL"), ("Warning", "WIDTHEXPAND"), ("Error", "ERROR")]
    assert findings[0].location == "top.v:9:9"


@needs_verilator
def test_lint_of_generated_verilog_has_no_errors(exported, tmp_path):
    from tapeflow.verification.lint import lint_verilog
    result = lint_verilog([exported.verilog], "tt_um_tapeflow_systolic", tmp_path / "lint.log")
    assert result.errors == [] and result.returncode == 0
    assert result.warnings     # Amaranth's output is not -Wall clean; the count is reported
