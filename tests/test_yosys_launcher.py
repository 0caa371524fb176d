import subprocess
import sys

import pytest

from tapeflow.flows.adapters.yosys_launcher import pyosys_available, write_shim

pytestmark = pytest.mark.skipif(not pyosys_available(), reason="pyosys not installed "
                                "(pip install pyosys==0.70)")


def _launch(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "tapeflow.flows.adapters.yosys_launcher", *args],
                          capture_output=True, text=True, cwd=cwd)


def test_version_reads_like_yosys_and_is_new_enough_for_siliconcompiler():
    run = _launch("--version")
    assert run.returncode == 0
    words = run.stdout.split()
    assert words[0] == "Yosys"            # SC parses stdout.split()[1]
    major, minor = (int(p) for p in words[1].split("+")[0].split(".")[:2])
    assert (major, minor) >= (0, 48)


def test_tcl_script_runs_passes_and_the_rtlil_attribute_helpers(tmp_path):
    (tmp_path / "adder.v").write_text(
        "module adder(input [3:0] a, b, output [4:0] y); assign y = a + b; endmodule\n")
    (tmp_path / "run.tcl").write_text(
        "yosys read_verilog adder.v\n"
        "set modules [yosys tee -q -s result.string ls]\n"
        "puts \"MODULES:[string trim $modules]\"\n"
        "puts \"HAS:[rtlil::has_attr -mod adder gate_cost_equivalent]\"\n"
        "rtlil::set_attr -mod -uint adder gate_cost_equivalent 7\n"
        "puts \"GET:[rtlil::get_attr -mod adder gate_cost_equivalent]\"\n"
        "rtlil::set_attr -mod -string adder note {two words}\n"
        "puts \"STR:[rtlil::get_attr -string -mod adder note]\"\n"
        "puts \"ARGV:$argv\"\n")
    run = _launch("-c", "run.tcl", "x", "y", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    assert "MODULES:" in out and "adder" in out.split("MODULES:")[1]
    assert "HAS:0" in out and "GET:7" in out and "STR:two words" in out and "ARGV:x y" in out


def test_a_failing_pass_exits_non_zero_with_yosys_error_line(tmp_path):
    (tmp_path / "bad.tcl").write_text("yosys no_such_pass\n")
    run = _launch("-c", "bad.tcl", cwd=tmp_path)
    assert run.returncode != 0
    assert "ERROR" in run.stdout + run.stderr


def test_shim_is_an_executable_named_yosys(tmp_path):
    shim = write_shim(tmp_path / "bin")
    assert shim.name == "yosys"
    run = subprocess.run([str(shim), "-V"], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.startswith("Yosys ")
