"""Drives a Stimulus through the pin-level player (hdl/tapeflow_tb.v)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge, Timer

from .host import Stimulus

HARNESS = Path(__file__).parent / "hdl" / "tapeflow_tb.v"
HARNESS_TOP = "tapeflow_tb"
HARNESS_DEPTH = 65536
CLOCK_PERIOD_NS = 10


async def _pulse(signal) -> None:
    signal.value = 1
    await Timer(1, unit="ns")
    signal.value = 0
    await Timer(1, unit="ns")


def _encode(stim: Stimulus) -> str:
    return "".join(f"{(p.ena << 17) | (p.rst_n << 16) | (p.uio_in << 8) | p.ui_in:05x}\n"
                   for p in stim.cycles)


def _decode(text: str) -> list[int | None]:
    """uo_out per cycle; None where the simulator saw X or Z. Icarus adds
    ``// 0x<address>`` comment lines; addresses are consecutive from 0."""
    values = []
    for line in text.split("\n"):
        line = line.split("//", 1)[0].strip()
        if not line:
            continue
        try:
            values.append(int(line, 16))
        except ValueError:
            values.append(None)
    return values


@dataclass
class Playback:
    outputs: list[int | None]    # uo_out after each rising edge
    seconds: float               # wall time of the simulated cycles alone


async def play(tb, stim: Stimulus) -> Playback:
    """Play ``stim`` on the pins and collect uo_out.

    The clock runs for this test only (cocotb ends a test's tasks with it).
    """
    if not 0 < len(stim) <= HARNESS_DEPTH:
        raise ValueError(f"stimulus of {len(stim)} cycles does not fit the harness "
                         f"(1..{HARNESS_DEPTH})")
    clock = Clock(tb.clk, CLOCK_PERIOD_NS, unit="ns")
    clock.start(start_high=False)
    try:
        Path("stimulus.hex").write_text(_encode(stim))
        tb.length.value = len(stim)
        await _pulse(tb.load)
        started = time.perf_counter()
        tb.start.value = 1
        await RisingEdge(tb.playing)
        tb.start.value = 0
        await FallingEdge(tb.playing)
        seconds = time.perf_counter() - started
        await _pulse(tb.dump)
    finally:
        clock.stop()
    outputs = _decode(Path("outputs.hex").read_text())
    if len(outputs) != len(stim):
        raise RuntimeError(f"harness returned {len(outputs)} outputs for {len(stim)} cycles")
    return Playback(outputs, seconds)
