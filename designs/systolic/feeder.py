"""Unpacks the 16-bit input words of a k-step into skewed array operands."""

from amaranth.hdl import Cat, Module, Signal
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from .delay import delayed
from .layouts import b_step_layout, operand_shape
from .spec import INPUT_BITS_PER_CYCLE, SystolicSpec


class OperandFeeder(wiring.Component):
    """Collects the ``S`` words of a k-step and issues it to the array.

    Words 0..S-2 of a k-step are buffered; when word S-1 arrives the whole
    k-step (A column first, then B row, ``in_width`` bits each, little-end
    first) issues: A into a holding register that row r reads r cycles later,
    B into one shift register per PE column that emits one operand per cycle
    (phase 0..fold-1), column c delayed by c cycles.
    """

    def __init__(self, spec: SystolicSpec):
        self._spec = spec
        super().__init__({
            "word": In(INPUT_BITS_PER_CYCLE),
            "streaming": In(1),
            "position": In(range(spec.kstep_period)),   # word index within the k-step
            "first_k": In(1),
            "last_k": In(1),
            "a_rows": Out(data.ArrayLayout(operand_shape(spec), spec.rows)),
            "b_cols": Out(data.ArrayLayout(b_step_layout(spec), spec.cols)),
        })

    def elaborate(self, platform):
        spec = self._spec
        m = Module()
        words_before_last = spec.words_per_kstep - 1

        buffered = [Signal(INPUT_BITS_PER_CYCLE, name=f"word{i}", reset_less=True)
                    for i in range(words_before_last)]
        with m.If(self.streaming):
            for i, register in enumerate(buffered):
                with m.If(self.position == i):
                    m.d.sync += register.eq(self.word)
        issue = self.streaming & (self.position == words_before_last)

        kstep = Cat(*buffered, self.word)
        w = spec.in_width
        operands = [kstep[e * w:(e + 1) * w] for e in range(spec.elements_per_kstep)]
        a_operands, b_operands = operands[:spec.rows], operands[spec.rows:]

        a_hold = [Signal(operand_shape(spec), name=f"a_hold{r}", reset_less=True)
                  for r in range(spec.rows)]
        with m.If(issue):
            m.d.sync += [hold.eq(op) for hold, op in zip(a_hold, a_operands)]
        for r, hold in enumerate(a_hold):
            # a_hold keeps a k-step for P cycles; rows further down than that
            # need extra stages to see it exactly r cycles after issue.
            stages = max(0, r - spec.kstep_period + 1)
            m.d.comb += self.a_rows[r].eq(
                delayed(m, hold, stages, name=f"a_row{r}", reset_less=True))

        remaining = Signal(range(spec.fold + 1))
        first = Signal()
        last = Signal()
        b_shift = [[Signal(operand_shape(spec), name=f"b{c}_{f}", reset_less=True)
                    for f in range(spec.fold)] for c in range(spec.cols)]
        with m.If(issue):
            m.d.sync += [remaining.eq(spec.fold), first.eq(self.first_k), last.eq(self.last_k)]
            for c, shift in enumerate(b_shift):
                m.d.sync += [reg.eq(b_operands[c * spec.fold + f]) for f, reg in enumerate(shift)]
        with m.Elif(remaining != 0):
            m.d.sync += remaining.eq(remaining - 1)
            for shift in b_shift:
                m.d.sync += [reg.eq(nxt) for reg, nxt in zip(shift, shift[1:])]

        for c, shift in enumerate(b_shift):
            column = Signal(b_step_layout(spec), name=f"b_col{c}")
            m.d.comb += [
                column.value.eq(shift[0]),
                column.valid.eq(remaining != 0),
                column.phase.eq(spec.fold - remaining),
                column.first.eq(first),
                column.last.eq(last),
            ]
            m.d.comb += self.b_cols[c].eq(
                delayed(m, column.as_value(), c, name=f"b_col{c}", reset_less=False))
        return m
