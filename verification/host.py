"""Host side of the protocol: turns operations into per-cycle pin values,
tiles large matrix products onto the array and reassembles the results."""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

import numpy as np

from tapeflow.designs.systolic.protocol import Opcode
from tapeflow.designs.systolic.spec import MAX_K, MAX_TILES, SystolicSpec

from .arithmetic import bytes_to_tile, check_operands, pack_kstep
from .pins import PinInputs


@dataclass
class ExpectedTile:
    """Where a tile's result bytes appear on uo_out, and what it holds."""

    first_cycle: int
    row: int      # output tile position in the full result, in tiles
    col: int


@dataclass
class Stimulus:
    """Pin values for consecutive cycles, plus where results are expected."""

    spec: SystolicSpec
    cycles: list[PinInputs] = field(default_factory=list)
    tiles: list[ExpectedTile] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.cycles)

    # -- primitive operations ------------------------------------------------
    def reset(self, cycles: int = 3) -> "Stimulus":
        self.cycles += [PinInputs(rst_n=0)] * cycles
        return self

    def idle(self, cycles: int = 1, **pins) -> "Stimulus":
        self.cycles += [PinInputs(**pins)] * cycles
        return self

    def command(self, opcode: Opcode | int, argument: int = 0, **pins) -> "Stimulus":
        value = opcode.value if isinstance(opcode, Opcode) else opcode
        self.cycles.append(PinInputs(ui_in=value, uio_in=argument, **pins))
        return self

    def words(self, words: list[int], **pins) -> "Stimulus":
        self.cycles += [PinInputs(ui_in=w & 0xff, uio_in=w >> 8, **pins) for w in words]
        return self

    def configure(self, k: int, tiles: int) -> "Stimulus":
        if not 1 <= k <= MAX_K:
            raise ValueError(f"K={k} is outside 1..{MAX_K}")
        if not 1 <= tiles <= MAX_TILES:
            raise ValueError(f"{tiles} tiles is outside 1..{MAX_TILES}")
        return self.command(Opcode.SET_K, k - 1).command(Opcode.SET_TILES, tiles - 1)

    def burst(self, tiles: list[tuple[np.ndarray, np.ndarray]],
              positions: list[tuple[int, int]] | None = None) -> "Stimulus":
        """START and stream ``tiles`` [(A rows x K, B K x cols)], all of one K.

        The burst length must already be configured (``configure``).
        """
        spec = self.spec
        k = tiles[0][0].shape[1]
        start = len(self.cycles)
        self.command(Opcode.START)
        for index, (a, b) in enumerate(tiles):
            if a.shape != (spec.tile_rows, k) or b.shape != (k, spec.tile_cols):
                raise ValueError(f"tile {index}: A must be {spec.tile_rows}x{k} and B "
                                 f"{k}x{spec.tile_cols}, got {a.shape} and {b.shape}")
            for step in range(k):
                self.words(pack_kstep(a[:, step], b[step, :], spec))
            row, col = positions[index] if positions else (0, index)
            self.tiles.append(ExpectedTile(spec.result_byte_cycle(start, index, k, 0), row, col))
        return self

    def read(self) -> "Stimulus":
        """READ, then idle while the replay comes out."""
        self.command(Opcode.READ)
        return self.idle(self.spec.result_bytes + 1)

    # -- results -------------------------------------------------------------
    def tile_bytes(self, outputs: list[int | None], tile: ExpectedTile) -> list[int]:
        """Result bytes of ``tile`` from uo_out; ``outputs[n]`` is uo_out
        after the edge that consumed ``cycles[n]``, hence the -1."""
        first = tile.first_cycle - 1
        return outputs[first:first + self.spec.result_bytes]


def matmul_stimulus(a: np.ndarray, b: np.ndarray, spec: SystolicSpec,
                    stim: Stimulus | None = None) -> Stimulus:
    """Tile A (M x K) times B (K x N) onto the array as back-to-back bursts.

    M and N are padded to whole output tiles and K is padded with zero
    k-steps up to the smallest K that streams without readout overrun; a K
    beyond the array's limit is rejected (split it on the host and add).
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(f"cannot multiply shapes {a.shape} and {b.shape}")
    check_operands(a, spec, "A")
    check_operands(b, spec, "B")
    m, k = a.shape
    n = b.shape[1]
    if k > MAX_K:
        raise ValueError(f"K={k} exceeds the array's {MAX_K}; split K on the host")
    row_tiles = ceil(m / spec.tile_rows)
    col_tiles = ceil(n / spec.tile_cols)
    k_padded = max(k, spec.min_streaming_k)
    a_pad = np.zeros((row_tiles * spec.tile_rows, k_padded), dtype=np.int64)
    b_pad = np.zeros((k_padded, col_tiles * spec.tile_cols), dtype=np.int64)
    a_pad[:m, :k] = a
    b_pad[:k, :n] = b

    jobs = []
    for tr in range(row_tiles):
        for tc in range(col_tiles):
            rows = slice(tr * spec.tile_rows, (tr + 1) * spec.tile_rows)
            cols = slice(tc * spec.tile_cols, (tc + 1) * spec.tile_cols)
            jobs.append(((a_pad[rows, :], b_pad[:, cols]), (tr, tc)))

    stim = stim if stim is not None else Stimulus(spec)
    configured = None
    for first in range(0, len(jobs), MAX_TILES):
        chunk = jobs[first:first + MAX_TILES]
        if configured != len(chunk):
            stim.configure(k_padded, len(chunk))
            configured = len(chunk)
        stim.burst([job for job, _ in chunk], [pos for _, pos in chunk])
    return stim


def assemble_matmul(stim: Stimulus, outputs: list[int | None], tiles: list[ExpectedTile],
                    shape: tuple[int, int]) -> np.ndarray:
    """Reassemble C (M x N) from the result bytes ``tiles`` produced."""
    spec = stim.spec
    m, n = shape
    rows = max(t.row for t in tiles) + 1
    cols = max(t.col for t in tiles) + 1
    full = np.zeros((rows * spec.tile_rows, cols * spec.tile_cols), dtype=np.int64)
    for tile in tiles:
        data = stim.tile_bytes(outputs, tile)
        if len(data) != spec.result_bytes or any(v is None for v in data):
            raise ValueError(f"tile ({tile.row}, {tile.col}) has no complete result on uo_out")
        full[tile.row * spec.tile_rows:(tile.row + 1) * spec.tile_rows,
             tile.col * spec.tile_cols:(tile.col + 1) * spec.tile_cols] = bytes_to_tile(data, spec)
    return full[:m, :n]
