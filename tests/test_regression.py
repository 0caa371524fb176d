"""Full cocotb regressions on the simulators (slow: each builds a model)."""

import pytest

from tapeflow.designs.export import export_verilog
from tapeflow.designs.systolic import SystolicSpec, TinyTapeoutTop
from tapeflow.verification.simulate import SimulationSettings, run_regression
from tapeflow.verification.scenarios import SCENARIOS

from .conftest import needs_iverilog, needs_verilator, require_tool

pytestmark = pytest.mark.slow


def _regress(spec, tmp_path, **settings):
    verilog = export_verilog(TinyTapeoutTop(spec), spec.top_name, tmp_path / "rtl").verilog
    return run_regression(spec, [verilog], tmp_path / "sim", SimulationSettings(**settings))


@needs_verilator
def test_default_design_full_regression_on_verilator(tmp_path):
    result = _regress(SystolicSpec(), tmp_path, code_coverage=True)
    assert result.failures == [] and result.tests == len(SCENARIOS)
    assert result.functional_coverage["percent"] == 100.0
    assert result.code_coverage["line"]["percent"] > 80
    # the throughput target: at least 2 MACs/cycle, within the stream's own overhead
    assert result.metrics["sustained_macs_per_cycle"] >= 1.99
    assert result.cycles > 10_000


@needs_iverilog
def test_icarus_smoke(tmp_path):
    result = _regress(SystolicSpec(), tmp_path, simulator="icarus",
                      testcases=("test_random_shapes", "test_protocol_misuse",
                                 "test_reset_mid_operation"))
    assert result.failures == [] and result.tests == 3


@needs_verilator
@pytest.mark.parametrize("spec", [
    SystolicSpec(in_width=4, rows=2, cols=2, fold=1, acc_width=16, top_name="tt_um_int4"),
    SystolicSpec(rows=3, cols=2, fold=3, signed=False, acc_width=24, top_name="tt_um_u8_3x2"),
], ids=lambda spec: spec.tag)
def test_other_parameter_sets_on_verilator(spec, tmp_path):
    result = _regress(spec, tmp_path)
    assert result.failures == [] and result.tests == len(SCENARIOS)
    assert result.metrics["sustained_macs_per_cycle"] >= 0.98 * spec.sustained_macs_per_cycle


@needs_verilator
@require_tool("ccache", "apt-get install ccache")
def test_the_compiler_cache_changes_nothing_but_time(tmp_path, monkeypatch):
    """The same regression without the cache, with an empty one, and with the
    one it filled (every object a hit): the same pins cycle by cycle."""
    import subprocess
    spec = SystolicSpec()
    verilog = export_verilog(TinyTapeoutTop(spec), spec.top_name, tmp_path / "rtl").verilog
    settings = SimulationSettings(testcases=("test_random_shapes", "test_extreme_values"))
    outputs = {}
    for label, cache in (("off", "off"), ("empty", tmp_path / "cache"),
                         ("filled", tmp_path / "cache")):
        monkeypatch.setenv("TAPEFLOW_CACHE", str(cache))
        result = run_regression(spec, [verilog], tmp_path / label, settings)
        assert result.failures == [] and result.tests == 2
        outputs[label] = (tmp_path / label / "outputs.hex").read_bytes()
    assert outputs["off"] == outputs["empty"] == outputs["filled"]
    stats = subprocess.run(["ccache", "--print-stats"], capture_output=True, text=True,
                           env={"CCACHE_DIR": str(tmp_path / "cache" / "ccache"),
                                "PATH": "/usr/bin:/bin"}).stdout
    counts = dict(line.split("\t") for line in stats.splitlines() if "\t" in line)
    assert int(counts["direct_cache_hit"]) >= int(counts["cache_miss"]) > 0
