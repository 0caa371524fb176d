"""docs/info.md for the TinyTapeout datasheet, written from the design."""

from __future__ import annotations

import numpy as np

from tapeflow.designs.systolic.protocol import Status
from tapeflow.designs.systolic.spec import SystolicSpec
from tapeflow.verification.arithmetic import matmul
from tapeflow.verification.host import Stimulus
from tapeflow.verification.protocol_model import ProtocolModel


def _example(spec: SystolicSpec) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    """A worked example: the pins cycle by cycle, uo_out from the golden model."""
    k = 2
    a = np.arange(1, spec.tile_rows * k + 1).reshape(spec.tile_rows, k)
    b = -np.arange(1, k * spec.tile_cols + 1).reshape(k, spec.tile_cols)
    stim = Stimulus(spec).reset(2)
    labels = ["reset", "reset", f"SET_K, K-1 = {k - 1}", "SET_TILES, T-1 = 0", "START"]
    stim.configure(k, 1).burst([(a, b)])
    labels += [f"k-step {step}, word {word}" for step in range(k)
               for word in range(spec.kstep_period)]
    stim.idle(spec.drain_cycles + spec.result_bytes + 3)
    # uo_out during cycle n is what the edge that ended cycle n-1 set
    during = [None] + ProtocolModel(spec).run(stim.cycles)[:-1]
    first = stim.tiles[0].first_cycle
    lines = ["| cycle | ui_in | uio_in | rst_n | uo_out | |", "|---|---|---|---|---|---|"]
    for cycle, (pins, out) in enumerate(zip(stim.cycles, during)):
        note = labels[cycle] if cycle < len(labels) else ""
        if first <= cycle < first + spec.result_bytes:
            entry, byte = divmod(cycle - first, spec.acc_bytes)
            row, col = divmod(entry, spec.tile_cols)
            note = f"C[{row}][{col}] byte {byte}"
        shown = "—" if out is None else f"0x{out:02x}"
        lines.append(f"| {cycle} | 0x{pins.ui_in:02x} | 0x{pins.uio_in:02x} | {pins.rst_n} "
                     f"| {shown} | {note} |")
    return "\n".join(lines), a, b, matmul(a, b, spec)


def write_info_md(spec: SystolicSpec, clock_hz: int, tile: str) -> str:
    table, a, b, c = _example(spec)
    kind = "int" if spec.signed else "uint"
    return f"""## How it works

A systolic array of multiply-accumulate processing elements, generated from
Amaranth by tapeflow: {spec.rows} x {spec.cols} PEs, each
with one {spec.in_width}-bit multiplier and {spec.fold} {spec.acc_width}-bit accumulators, so
one output tile is {spec.tile_rows} x {spec.tile_cols}. It is output-stationary: for each
k-step the host sends a column of A ({spec.tile_rows} values) and a row of B
({spec.tile_cols} values) on ui_in and uio_in together, {spec.elements_per_word} operands per cycle;
A stays in a PE for the k-step while B moves down the columns, one value per
cycle. The finished tile is copied into result registers and read out on
uo_out while the next tile accumulates, so a long stream of matrix products
runs at {spec.sustained_macs_per_cycle:g} MACs per cycle ({spec.peak_macs_per_cycle} multipliers, all busy).
Operands are {kind}{spec.in_width}; sums wrap around at {spec.acc_width} bits. Tile: {tile};
clock {clock_hz / 1e6:g} MHz.

## How to test

All inputs are sampled on the rising edge of clk. uio is all inputs.

1. Reset: hold rst_n low for two cycles. uo_out then shows the status byte
   0x{int(Status.ID):02x} (bit 0 streaming, bit 1 results valid, bit 2 overrun, bit 3 bad command).
2. Configure, one command per cycle, opcode on ui_in and argument on uio_in:
   SET_K (0x01) with K-1, the number of k-steps per output tile (1..256), and
   SET_TILES (0x02) with T-1, the tiles in the next burst (1..256).
3. START (0x03). From the next cycle on, send T*K*{spec.kstep_period} operand words with no
   gaps: each k-step is {spec.kstep_period} words of {{uio_in, ui_in}}, the A column then the B row,
   {spec.in_width} bits per operand from bit 0 upwards.
4. Read: the {spec.result_bytes} result bytes of a tile (row-major, each accumulator
   little-endian in {spec.acc_bytes} bytes) appear on uo_out, one per cycle, starting
   {spec.words_per_kstep - spec.kstep_period + spec.drain_cycles + 3} cycles after the cycle of the tile's last operand word;
   between results uo_out shows the status byte. READ (0x04) replays the last tile. Back-to-back
   tiles need K >= {spec.min_streaming_k} (pad with zero k-steps); otherwise OVERRUN is set.

Worked example: A = {a.tolist()}, B = {b.tolist()}, so C = A·B = {c.tolist()}.

{table}

## External hardware

None. The demo board's microcontroller (or any host that can drive 16
inputs and read 8 outputs per clock) runs the protocol above.
"""
