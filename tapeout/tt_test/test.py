# cocotb test of a tapeflow design through its TinyTapeout pins.
#
# Every vectors/*.json holds, per clock cycle, the pins to drive and the
# uo_out byte tapeflow's golden model expects after that rising edge (null
# where the value is not defined). The same vectors run on the RTL and, with
# GATES=yes, on the gate-level netlist. Needs only cocotb.

import json
from pathlib import Path

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge

VECTORS = Path(__file__).parent / "vectors"


async def play(dut, name):
    vectors = json.loads((VECTORS / f"{name}.json").read_text())
    dut._log.info(f"{name}: {len(vectors['pins'])} cycles")
    cocotb.start_soon(Clock(dut.clk, 10, unit="us").start(start_high=False))
    falling = FallingEdge(dut.clk)
    for cycle, ((ui, uio, rst_n, ena), expected) in enumerate(
            zip(vectors["pins"], vectors["uo_out"])):
        dut.ui_in.value = ui
        dut.uio_in.value = uio
        dut.rst_n.value = rst_n
        dut.ena.value = ena
        await falling
        if expected is None:
            continue
        seen = dut.uo_out.value
        assert seen.is_resolvable and seen.to_unsigned() == expected, (
            f"{name}, cycle {cycle}: uo_out={seen} but expected 0x{expected:02x}")


@cocotb.test()
async def test_random_matrices(dut):
    """Random matrix products, tiled onto the array by the host."""
    await play(dut, "random_shapes")


@cocotb.test()
async def test_back_to_back_bursts(dut):
    """Bursts one after another, results read out while the next tile computes."""
    await play(dut, "back_to_back")


@cocotb.test()
async def test_protocol_misuse(dut):
    """READ before results, unknown opcode, overrun, replays, K=1."""
    await play(dut, "protocol_misuse")
