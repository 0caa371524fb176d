"""cocotb tests of the TT top level, through its pins only.

The simulated top is the pin player (hdl/tapeflow_tb.v) around the TT top
module, so the same tests run on the RTL and on gate-level netlists. It reads the
design's parameters from TAPEFLOW_SPEC (JSON) and appends one JSON line per
test (cycles, coverage, metrics) to TAPEFLOW_SIM_STATS.
"""

from __future__ import annotations

import json
import os

import cocotb
import numpy as np

from tapeflow.designs.systolic.spec import SystolicSpec

from .arithmetic import matmul
from .harness import play
from .host import Stimulus, assemble_matmul
from .protocol_model import ProtocolModel
from .scenarios import SCENARIOS, Scenario


def _spec() -> SystolicSpec:
    return SystolicSpec(**json.loads(os.environ["TAPEFLOW_SPEC"]))


def _check_cycles(stim: Stimulus, outputs: list[int | None], spec: SystolicSpec,
                  model: ProtocolModel) -> None:
    for cycle, (pins, seen) in enumerate(zip(stim.cycles, outputs)):
        expected = model.step(pins)
        if expected is not None and seen != expected:
            raise AssertionError(
                f"cycle {cycle}: uo_out=0x{seen:02x} but the protocol model expects "
                f"0x{expected:02x} (inputs ui_in=0x{pins.ui_in:02x} uio_in=0x{pins.uio_in:02x} "
                f"rst_n={pins.rst_n})" if seen is not None else
                f"cycle {cycle}: uo_out is X/Z but the model expects 0x{expected:02x}")


def _record(name: str, cycles: int, sim_seconds: float, model: ProtocolModel,
            metrics: dict) -> None:
    path = os.environ.get("TAPEFLOW_SIM_STATS")
    if not path:
        return
    with open(path, "a") as stats:
        stats.write(json.dumps({"test": name, "cycles": cycles, "sim_seconds": sim_seconds,
                                "coverage": model.coverage.as_dict(),
                                "metrics": metrics}) + "\n")


async def run_scenario(tb, name: str) -> None:
    spec = _spec()
    rng = np.random.default_rng(cocotb.RANDOM_SEED)
    scenario: Scenario = SCENARIOS[name](spec, rng)
    playback = await play(tb, scenario.stim)
    outputs = playback.outputs
    model = ProtocolModel(spec)
    _check_cycles(scenario.stim, outputs, spec, model)

    metrics = {}
    for product in scenario.products:
        shape = (product.a.shape[0], product.b.shape[1])
        got = assemble_matmul(scenario.stim, outputs, product.tiles, shape)
        expected = matmul(product.a, product.b, spec)
        assert np.array_equal(got, expected), \
            f"{shape[0]}x{product.a.shape[1]}x{shape[1]} product differs from numpy"
        if name == "sustained_stream":
            metrics["sustained_macs_per_cycle"] = product.macs / product.cycles(spec)
            metrics["stream_macs"] = product.macs
    _record(name, len(scenario.stim), playback.seconds, model, metrics)


def _register(name: str):
    async def test(tb):
        await run_scenario(tb, name)
    test.__name__ = test.__qualname__ = f"test_{name}"
    test.__doc__ = SCENARIOS[name].__doc__
    return cocotb.test()(test)


for _name in SCENARIOS:
    globals()[f"test_{_name}"] = _register(_name)
