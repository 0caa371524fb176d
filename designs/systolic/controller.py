"""Command decoder and burst sequencer of the host protocol."""

from amaranth.hdl import Const, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .protocol import Opcode, Status
from .spec import INPUT_BITS_PER_CYCLE, MAX_K, MAX_TILES, SystolicSpec


class ProtocolController(wiring.Component):
    """Decodes commands while idle and counts operand words during a burst.

    A burst is T tiles of K k-steps of P words each, sent without gaps; its
    words are data, never commands, so the controller only counts them.
    """

    def __init__(self, spec: SystolicSpec):
        self._spec = spec
        super().__init__({
            "word": In(INPUT_BITS_PER_CYCLE),
            "tile_done": In(1),
            "readout_overrun": In(1),
            "streaming": Out(1),
            "position": Out(range(spec.kstep_period)),
            "first_k": Out(1),
            "last_k": Out(1),
            "read_request": Out(1),
            "results_valid": Out(1),
            "status": Out(8),
        })

    def elaborate(self, platform):
        spec = self._spec
        m = Module()
        opcode = self.word[:8]
        argument = self.word[8:]

        k_minus_1 = Signal(range(MAX_K))
        tiles_minus_1 = Signal(range(MAX_TILES))
        k_index = Signal(range(MAX_K))
        tile_index = Signal(range(MAX_TILES))
        overrun = Signal()
        bad_command = Signal()
        finished_once = Signal()

        m.d.comb += [
            self.first_k.eq(k_index == 0),
            self.last_k.eq(k_index == k_minus_1),
        ]
        with m.If(self.tile_done):
            m.d.sync += finished_once.eq(1)
        # Valid already in the cycle the first tile finishes, so its readout,
        # which starts in that cycle, is not masked.
        m.d.comb += self.results_valid.eq(finished_once | self.tile_done)
        with m.If(self.readout_overrun):
            m.d.sync += overrun.eq(1)

        with m.FSM(name="protocol"):
            with m.State("IDLE"):
                with m.Switch(opcode):
                    with m.Case(Opcode.NOP):
                        pass
                    with m.Case(Opcode.SET_K):
                        m.d.sync += k_minus_1.eq(argument)
                    with m.Case(Opcode.SET_TILES):
                        m.d.sync += tiles_minus_1.eq(argument)
                    with m.Case(Opcode.START):
                        m.d.sync += [
                            self.position.eq(0), k_index.eq(0), tile_index.eq(0),
                            overrun.eq(0), bad_command.eq(0),
                        ]
                        m.next = "STREAM"
                    with m.Case(Opcode.READ):
                        m.d.comb += self.read_request.eq(1)
                    with m.Default():
                        m.d.sync += bad_command.eq(1)
            with m.State("STREAM"):
                m.d.comb += self.streaming.eq(1)
                with m.If(self.position != spec.kstep_period - 1):
                    m.d.sync += self.position.eq(self.position + 1)
                with m.Else():
                    m.d.sync += self.position.eq(0)
                    with m.If(~self.last_k):
                        m.d.sync += k_index.eq(k_index + 1)
                    with m.Else():
                        m.d.sync += k_index.eq(0)
                        with m.If(tile_index != tiles_minus_1):
                            m.d.sync += tile_index.eq(tile_index + 1)
                        with m.Else():
                            m.next = "IDLE"

        flags = {Status.STREAMING: self.streaming, Status.RESULTS_VALID: self.results_valid,
                 Status.OVERRUN: overrun, Status.BAD_COMMAND: bad_command}
        status = Const(int(Status.ID), 8)
        for flag, bit in flags.items():
            status = status | Mux(bit, int(flag), 0)
        m.d.comb += self.status.eq(status)
        return m
