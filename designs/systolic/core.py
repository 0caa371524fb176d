"""The accelerator behind the pins: input register, protocol, feeder, array, readout."""

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .array import SystolicArray
from .controller import ProtocolController
from .feeder import OperandFeeder
from .readout import ResultReadout
from .spec import INPUT_BITS_PER_CYCLE, OUTPUT_BITS_PER_CYCLE, SystolicSpec


class SystolicCore(wiring.Component):
    """``word`` is {uio_in, ui_in}; ``out`` drives uo_out."""

    def __init__(self, spec: SystolicSpec):
        self._spec = spec
        super().__init__({
            "word": In(INPUT_BITS_PER_CYCLE),
            "out": Out(OUTPUT_BITS_PER_CYCLE),
        })

    def elaborate(self, platform):
        spec = self._spec
        m = Module()
        m.submodules.controller = controller = ProtocolController(spec)
        m.submodules.feeder = feeder = OperandFeeder(spec)
        m.submodules.array = array = SystolicArray(spec)
        m.submodules.readout = readout = ResultReadout(spec)

        # Register the pins first: TT's input path through the mux is long.
        word = Signal(INPUT_BITS_PER_CYCLE, reset_less=True)
        m.d.sync += word.eq(self.word)

        m.d.comb += [
            controller.word.eq(word),
            controller.tile_done.eq(array.done),
            controller.readout_overrun.eq(readout.overrun),

            feeder.word.eq(word),
            feeder.streaming.eq(controller.streaming),
            feeder.position.eq(controller.position),
            feeder.first_k.eq(controller.first_k),
            feeder.last_k.eq(controller.last_k),

            array.a_rows.eq(feeder.a_rows),
            array.b_cols.eq(feeder.b_cols),

            readout.results.eq(array.results),
            readout.results_valid.eq(controller.results_valid),
            readout.trigger.eq(array.done | controller.read_request),
            readout.status.eq(controller.status),
            self.out.eq(readout.out),
        ]
        return m
