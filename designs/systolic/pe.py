"""One processing element: a multiplier, ``fold`` accumulators, a result
register per accumulator, and the systolic hand-off of A (right) and B (down)."""

from amaranth.hdl import Array, Module, Mux, Signal
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from .layouts import acc_shape, b_step_layout, operand_shape
from .spec import SystolicSpec


class ProcessingElement(wiring.Component):
    """Output-stationary MAC cell.

    A is stationary for a k-step: the PE loads ``a_in`` when phase 0 of a
    k-step arrives on ``b_in`` and forwards it on ``a_out`` to its right-hand
    neighbour, which sees that phase one cycle later. B operands stream down,
    one per cycle; phase ``f`` multiplies into accumulator ``f``. On the last
    k-step of a tile the finished sum is copied to ``results[f]``, where it
    stays readable while the next tile accumulates.
    """

    def __init__(self, spec: SystolicSpec):
        self._spec = spec
        super().__init__({
            "a_in": In(operand_shape(spec)),
            "a_out": Out(operand_shape(spec)),
            "b_in": In(b_step_layout(spec)),
            "b_out": Out(b_step_layout(spec)),
            "results": Out(data.ArrayLayout(acc_shape(spec), spec.fold)),
        })

    def elaborate(self, platform):
        spec = self._spec
        m = Module()

        # Datapath registers need no reset: the first k-step of a tile
        # overwrites the accumulator, and readout masks results until a tile
        # has finished. That saves a reset gate per bit.
        a_reg = Signal(operand_shape(spec), reset_less=True)
        accumulators = Array(Signal(acc_shape(spec), reset_less=True, name=f"acc{f}")
                             for f in range(spec.fold))
        captured = Array(Signal(acc_shape(spec), reset_less=True, name=f"result{f}")
                         for f in range(spec.fold))

        step = self.b_in
        load_a = step.valid & (step.phase == 0)
        a_now = Mux(load_a, self.a_in, a_reg)
        m.d.sync += a_reg.eq(a_now)

        base = Mux(step.first, 0, accumulators[step.phase])
        total = Signal(acc_shape(spec))
        # Truncation to acc_width is the documented wrap-around behaviour.
        m.d.comb += total.eq(base + a_now * step.value)

        with m.If(step.valid):
            m.d.sync += accumulators[step.phase].eq(total)
            with m.If(step.last):
                m.d.sync += captured[step.phase].eq(total)

        # B moves on only with a valid step: an idle array does not toggle the
        # B pipeline, and the enable's mux on D gives the feeder-to-PE hop
        # (flop straight into flop) hold margin at ff_n40C_1v95 under
        # TinyTapeout's 0.25 ns clock uncertainty. Invalid steps' values are
        # never used, so results are unchanged.
        b_value = Signal(operand_shape(spec), reset_less=True)
        with m.If(step.valid):
            m.d.sync += b_value.eq(step.value)
        m.d.sync += [
            self.b_out.valid.eq(step.valid),
            self.b_out.phase.eq(step.phase),
            self.b_out.first.eq(step.first),
            self.b_out.last.eq(step.last),
        ]
        m.d.comb += [
            self.b_out.value.eq(b_value),
            self.a_out.eq(a_reg),
        ]
        for f in range(spec.fold):
            m.d.comb += self.results[f].eq(captured[f])
        return m
