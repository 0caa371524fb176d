"""Cycle-exact golden model of the host protocol as seen on uo_out.

It models the registers the protocol defines (input register, command
decoder, burst counters, result capture, readout, status flags) and replaces
the datapath by numpy arithmetic. ``step`` takes the pins driven before a
rising edge and returns uo_out after it, so a testbench can compare every
cycle, status bytes included.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tapeflow.designs.systolic.protocol import Opcode, Status
from tapeflow.designs.systolic.spec import SystolicSpec

from .arithmetic import tile_to_bytes, unpack_kstep, wrap
from .coverage import ProtocolCoverage
from .pins import PinInputs

_OPCODES = {op.value for op in Opcode}


@dataclass
class _Capture:
    """A result register update that becomes visible at cycle ``at``."""

    at: int
    row: int
    col: int
    value: int


@dataclass
class ProtocolModel:
    spec: SystolicSpec
    coverage: ProtocolCoverage = None
    cycle: int = 0
    known: bool = False                 # False until the first reset edge
    word: int = 0
    streaming: bool = False
    position: int = 0
    k_index: int = 0
    tile_index: int = 0
    k_minus_1: int = 0
    tiles_minus_1: int = 0
    overrun: bool = False
    bad_command: bool = False
    finished_once: bool = False
    reading: bool = False
    read_index: int = 0
    out: int | None = None
    buffered: list = field(default_factory=list)
    running: np.ndarray | None = None   # the tile being accumulated, unwrapped
    captured: np.ndarray | None = None  # result registers (None = never written)
    captures: list = field(default_factory=list)
    done_at: list = field(default_factory=list)

    def __post_init__(self):
        if self.coverage is None:
            self.coverage = ProtocolCoverage(self.spec)
        self.captured = np.full((self.spec.tile_rows, self.spec.tile_cols), None, dtype=object)

    # -- combinational view of the current cycle ---------------------------
    def _done(self) -> bool:
        return self.cycle in self.done_at

    def _results_valid(self) -> bool:
        return self.finished_once or self._done()

    def _status(self) -> int:
        status = Status.ID
        if self.streaming:
            status |= Status.STREAMING
        if self._results_valid():
            status |= Status.RESULTS_VALID
        if self.overrun:
            status |= Status.OVERRUN
        if self.bad_command:
            status |= Status.BAD_COMMAND
        return int(status)

    def _result_byte(self, index: int) -> int | None:
        if not self._results_valid():
            return 0
        if any(v is None for v in self.captured.reshape(-1)):
            return None
        return tile_to_bytes(self.captured.astype(np.int64), self.spec)[index]

    # -- one clock edge ----------------------------------------------------
    def step(self, pins: PinInputs) -> int | None:
        """Apply ``pins`` at the next rising edge; return uo_out after it."""
        spec = self.spec
        cov = self.coverage
        cov.observe_pins(pins, self)

        opcode, argument = self.word & 0xff, self.word >> 8
        idle = not self.streaming
        read_request = idle and opcode == Opcode.READ.value
        done = self._done()
        trigger = done or read_request
        overrun_pulse = trigger and self.reading

        next_out = self._next_out(trigger)
        next_state = dict(
            finished_once=self.finished_once or done,
            overrun=self.overrun or overrun_pulse,
        )
        if trigger:
            next_state.update(read_index=1, reading=spec.result_bytes > 1)
            cov.readout(done=done, read=read_request, valid=self._results_valid(),
                        overrun=overrun_pulse)
        elif self.reading:
            next_state.update(read_index=self.read_index + 1,
                              reading=self.read_index != spec.result_bytes - 1)

        if idle:
            self._decode(opcode, argument, next_state)
        else:
            self._stream(next_state)

        # Result registers have no reset: an update due at this edge lands
        # even if the edge resets (it was decided by the old state).
        for capture in [c for c in self.captures if c.at == self.cycle + 1]:
            self.captured[capture.row, capture.col] = capture.value
        self.captures = [c for c in self.captures if c.at > self.cycle + 1]

        self.done_at = [t for t in self.done_at if t > self.cycle]
        self.word = pins.word
        if pins.rst_n:
            for name, value in next_state.items():
                setattr(self, name, value)
            self.out = next_out
        else:
            cov.reset(self)
            self._reset()
        self.cycle += 1
        return self.out if self.known else None

    def run(self, cycles) -> list[int | None]:
        """uo_out after each of ``cycles`` (PinInputs), from the current state."""
        return [self.step(pins) for pins in cycles]

    def _next_out(self, trigger: bool) -> int | None:
        if trigger:
            return self._result_byte(0)
        if self.reading:
            return self._result_byte(self.read_index)
        return self._status()

    def _decode(self, opcode: int, argument: int, next_state: dict) -> None:
        self.coverage.command(opcode)
        if opcode == Opcode.SET_K.value:
            next_state["k_minus_1"] = argument
        elif opcode == Opcode.SET_TILES.value:
            next_state["tiles_minus_1"] = argument
        elif opcode == Opcode.START.value:
            next_state.update(position=0, k_index=0, tile_index=0, overrun=False,
                              bad_command=False, streaming=True, buffered=[])
            self.coverage.burst(self.k_minus_1 + 1, self.tiles_minus_1 + 1,
                                draining=bool(self.done_at))
        elif opcode not in _OPCODES:
            next_state["bad_command"] = True

    def _stream(self, next_state: dict) -> None:
        spec = self.spec
        last_word = spec.words_per_kstep - 1
        if self.position < last_word:
            next_state["buffered"] = self.buffered + [self.word]
        elif self.position == last_word:
            self._issue(self.buffered + [self.word])
        if self.position != spec.kstep_period - 1:
            next_state["position"] = self.position + 1
            return
        next_state.update(position=0, buffered=[])
        if self.k_index != self.k_minus_1:
            next_state["k_index"] = self.k_index + 1
            return
        next_state["k_index"] = 0
        if self.tile_index != self.tiles_minus_1:
            next_state["tile_index"] = self.tile_index + 1
        else:
            next_state["streaming"] = False

    def _issue(self, words: list[int]) -> None:
        """The k-step enters the array at the coming edge."""
        spec = self.spec
        a, b = unpack_kstep(words, spec)
        self.coverage.operands(a, b)
        product = np.outer(a, b)
        first = self.k_index == 0
        self.running = product if first else self.running + product
        if self.k_index != self.k_minus_1:
            return
        results = wrap(self.running, spec)
        self.coverage.tile(self.running, results)
        issued = self.cycle + 1   # phase 0 is in column 0 from this cycle on
        for row in range(spec.tile_rows):
            for col in range(spec.tile_cols):
                pe_col, phase = divmod(col, spec.fold)
                self.captures.append(_Capture(issued + row + pe_col + phase + 1,
                                              row, col, int(results[row, col])))
        self.done_at.append(issued + spec.drain_cycles)

    def _reset(self) -> None:
        """Synchronous reset: every register with a reset value returns to it.

        The in-flight pipeline tags are cleared too, so pending captures and
        completions after this edge never happen.
        """
        self.known = True
        self.streaming = False
        self.position = self.k_index = self.tile_index = 0
        self.k_minus_1 = self.tiles_minus_1 = 0
        self.overrun = self.bad_command = self.finished_once = False
        self.reading = False
        self.read_index = 0
        self.out = 0
        self.buffered = []
        self.captures = []
        self.done_at = []
