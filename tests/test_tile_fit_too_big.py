"""A parameter set too big for the largest tile stops at tile-fit, with a
suggestion, before any timing or gate-level work (slow: synthesizes ~1 mm²)."""

import importlib.util
import io

import pytest

from tapeflow.designs.systolic.spec import SystolicSpec
from tapeflow.flows.engine.execute import execute
from tapeflow.flows.adapters.pdk import pdk_root_setting
from tapeflow.flows.engine.progress import Progress
from tapeflow.flows.engine.settings import RunSettings
from tapeflow.flows.stages import Elaborate, StaPre, Synthesize, TileFit
from tapeflow.flows.engine.stage import Status

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(any(importlib.util.find_spec(m) is None
                           for m in ("siliconcompiler", "lambdapdk", "pyosys")),
                       reason="siliconcompiler, lambdapdk or pyosys not installed"),
]


def test_an_8x8_fold_8_array_fits_no_tile_and_the_run_stops(tmp_path):
    spec = SystolicSpec(rows=8, cols=8, fold=8)
    settings = RunSettings(build_root=tmp_path, pdk_root=pdk_root_setting(None))
    _, records = execute("systolic", spec, settings,
                         [Elaborate(), Synthesize(), TileFit(), StaPre()],
                         Progress(io.StringIO()))
    status = {r.stage.name: r.result for r in records}
    assert status["synthesize"].status == Status.PASSED
    fit = status["tile-fit"]
    assert fit.status == Status.FAILED
    assert "fits no TinyTapeout tile" in fit.reason and "8x4" in fit.reason
    assert "shrink to --set rows=" in fit.reason
    assert status["sta-pre"].status == Status.SKIPPED
    assert "tile-fit" in status["sta-pre"].reason
