"""The regression's scenarios as pure stimulus builders.

Each returns a Scenario: the pins for every cycle and the matrix products
whose results it expects. The cocotb testbench plays them on the pins,
compares every cycle of uo_out with the protocol model and the reassembled
products with numpy. Kept free of cocotb so the
same scenarios are unit-tested against the model alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from tapeflow.designs.systolic.protocol import Opcode
from tapeflow.designs.systolic.spec import MAX_K, MAX_TILES, SystolicSpec

from .arithmetic import operand_range
from .host import ExpectedTile, Stimulus, matmul_stimulus


@dataclass
class Product:
    """A matrix product the scenario streams, and where its results are."""

    a: np.ndarray
    b: np.ndarray
    tiles: list[ExpectedTile]
    first_cycle: int     # the cycle of its first command

    @property
    def macs(self) -> int:
        return self.a.shape[0] * self.a.shape[1] * self.b.shape[1]

    def cycles(self, spec: SystolicSpec) -> int:
        """Cycles from its first command to its last result byte, inclusive."""
        last_byte = max(t.first_cycle for t in self.tiles) + spec.result_bytes - 1
        return last_byte - self.first_cycle + 1


@dataclass
class Scenario:
    stim: Stimulus
    products: list[Product]


def _random(rng, shape, spec):
    low, high = operand_range(spec)
    return rng.integers(low, high + 1, size=shape, dtype=np.int64)


def _matmuls(spec: SystolicSpec, pairs, stim: Stimulus | None = None) -> Scenario:
    stim = stim or Stimulus(spec).reset()
    products = []
    for a, b in pairs:
        first_tile, first_cycle = len(stim.tiles), len(stim)
        matmul_stimulus(a, b, spec, stim)
        products.append(Product(a, b, stim.tiles[first_tile:], first_cycle))
    stim.idle(spec.result_bytes + spec.drain_cycles + 4)
    return Scenario(stim, products)


def random_shapes(spec: SystolicSpec, rng) -> Scenario:
    """Random operands, from a 1x1x1 product to ones larger than the array."""
    shapes = [(1, 1, 1), (spec.tile_rows, 3, spec.tile_cols), (5, 7, 3), (3, 40, 5), (6, 17, 9)]
    return _matmuls(spec, [(_random(rng, (m, k), spec), _random(rng, (k, n), spec))
                           for m, k, n in shapes])


def extreme_values(spec: SystolicSpec, rng) -> Scenario:
    """All zeros, all max, and the extreme products until the accumulator wraps."""
    low, high = operand_range(spec)
    r, c = spec.tile_rows, spec.tile_cols
    pairs = [
        (np.full((r, 9), 0), np.full((9, c), 0)),
        (np.full((r, 9), high), np.full((9, c), high)),
        # The largest product, repeated until the accumulator wraps.
        (np.full((r, MAX_K), low), np.full((MAX_K, c), low)),
        (np.full((r, MAX_K), low), np.full((MAX_K, c), high)),
        (np.full((r, MAX_K), high), np.full((MAX_K, c), high)),
    ]
    mixed = _random(rng, (r, 12), spec)
    mixed[:, ::2] = low
    pairs.append((mixed, np.where(_random(rng, (12, c), spec) > 0, high, low)))
    return _matmuls(spec, pairs)


def back_to_back(spec: SystolicSpec, rng) -> Scenario:
    """Bursts with different K and tile counts, each START right after the
    previous burst's last word, readouts overlapping the next burst."""
    stim = Stimulus(spec).reset()
    products = []
    k_min = spec.min_streaming_k
    for k, tiles in ((k_min, 3), (k_min + 5, 2), (max(30, k_min), 4)):
        a = _random(rng, (spec.tile_rows, k), spec)
        bs = [_random(rng, (k, spec.tile_cols), spec) for _ in range(tiles)]
        first_tile, first_cycle = len(stim.tiles), len(stim)
        stim.configure(k, tiles)
        stim.burst([(a, b) for b in bs])
        products.append(Product(a, np.concatenate(bs, axis=1), stim.tiles[first_tile:],
                                first_cycle))
    stim.idle(spec.result_bytes + spec.drain_cycles + 4)
    return Scenario(stim, products)


def reset_mid_operation(spec: SystolicSpec, rng) -> Scenario:
    """Reset half-way through a burst and again during a readout; the next
    product must come out right."""
    stim = Stimulus(spec).reset()
    k = 20
    a, b = _random(rng, (spec.tile_rows, k), spec), _random(rng, (k, spec.tile_cols), spec)
    stim.configure(k, 1).burst([(a, b)])
    del stim.tiles[-1]                      # reset while streaming: no result
    half_burst = k * spec.kstep_period // 2
    stim.cycles = stim.cycles[:-half_burst]
    stim.reset(2)
    stim.configure(3, 1).burst([(a[:, :3], b[:3, :])])
    stim.idle(spec.drain_cycles + 3)
    del stim.tiles[-1]
    stim.reset(1)                           # reset while the readout runs
    stim.idle(4)
    return _matmuls(spec, [(a, b)], stim)


def ena_low(spec: SystolicSpec, rng) -> Scenario:
    """ena is documented as ignored: everything works with it low."""
    scenario = random_shapes(spec, rng)
    stim = scenario.stim
    stim.cycles = [c if c.rst_n == 0 else replace(c, ena=0) for c in stim.cycles]
    return scenario


def protocol_misuse(spec: SystolicSpec, rng) -> Scenario:
    """READ before results, an unknown opcode, a K too short to stream,
    replays, and a lone K=1 tile: each behaves as docs/accelerator.md says."""
    stim = Stimulus(spec).reset()
    stim.read()                             # before any result: zeros, no RESULTS_VALID
    stim.command(0xEE).idle(2)              # unknown opcode: BAD_COMMAND until START
    k = 2
    a = _random(rng, (spec.tile_rows, k), spec)
    bs = [_random(rng, (k, spec.tile_cols), spec) for _ in range(3)]
    stim.configure(k, 3).burst([(a, b) for b in bs])   # too short to stream: OVERRUN
    del stim.tiles[-3:]
    stim.idle(spec.result_bytes + spec.drain_cycles + 4)
    stim.read().read()                      # replay the last tile twice
    stim.command(Opcode.NOP)
    # K=1 is legal for a lone tile: its readout has nothing to overlap.
    first_tile, first_cycle = len(stim.tiles), len(stim)
    a, b = _random(rng, (spec.tile_rows, 1), spec), _random(rng, (1, spec.tile_cols), spec)
    stim.configure(1, 1).burst([(a, b)]).idle(spec.drain_cycles + spec.result_bytes + 2)
    lone = Product(a, b, stim.tiles[first_tile:], first_cycle)
    scenario = _matmuls(spec, [(_random(rng, (spec.tile_rows, 8), spec),
                                _random(rng, (8, spec.tile_cols), spec))], stim)
    scenario.products.insert(0, lone)
    return scenario


#: Upper bound of the sustained stream's length, so large arrays still simulate quickly.
STREAM_CYCLES = 16384


def sustained_stream(spec: SystolicSpec, rng) -> Scenario:
    """A long matrix product in one burst of up to MAX_TILES tiles back to
    back, to measure the sustained MACs/cycle."""
    k = max(spec.min_streaming_k, 16)
    tiles = min(MAX_TILES, max(4, STREAM_CYCLES // (k * spec.kstep_period)))
    tile_rows = int(tiles ** 0.5)
    m, n = tile_rows * spec.tile_rows, (tiles // tile_rows) * spec.tile_cols
    return _matmuls(spec, [(_random(rng, (m, k), spec), _random(rng, (k, n), spec))])


SCENARIOS = {
    "random_shapes": random_shapes,
    "extreme_values": extreme_values,
    "back_to_back": back_to_back,
    "reset_mid_operation": reset_mid_operation,
    "ena_low": ena_low,
    "protocol_misuse": protocol_misuse,
    "sustained_stream": sustained_stream,
}

