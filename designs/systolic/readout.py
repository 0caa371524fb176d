"""Serialises a finished output tile onto uo_out, one byte per cycle."""

from amaranth.hdl import Array, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .layouts import tile_results_layout
from .spec import OUTPUT_BITS_PER_CYCLE, SystolicSpec


class ResultReadout(wiring.Component):
    """On ``trigger`` the tile goes out row-major, each accumulator
    little-endian in ``acc_bytes`` bytes (sign- or zero-extended); otherwise
    ``out`` carries ``status``. Until ``results_valid`` the result bytes read
    as zero, so a premature READ is harmless and recognisable.

    A trigger while a readout runs restarts it and pulses ``overrun``.
    """

    def __init__(self, spec: SystolicSpec):
        self._spec = spec
        super().__init__({
            "results": In(tile_results_layout(spec)),
            "results_valid": In(1),
            "trigger": In(1),
            "status": In(8),
            "out": Out(OUTPUT_BITS_PER_CYCLE),
            "overrun": Out(1),
        })

    def elaborate(self, platform):
        spec = self._spec
        m = Module()

        result_bytes = []
        for row in range(spec.tile_rows):
            for col in range(spec.tile_cols):
                # Assignment to the wider signal sign-extends signed results.
                wide = Signal(spec.acc_bytes * 8, name=f"r{row}_{col}")
                m.d.comb += wide.eq(self.results[row][col])
                result_bytes += [wide[8 * b:8 * (b + 1)] for b in range(spec.acc_bytes)]
        assert len(result_bytes) == spec.result_bytes

        index = Signal(range(spec.result_bytes + 1))
        reading = Signal()
        selected = Mux(self.results_valid, Array(result_bytes)[index], 0)

        m.d.comb += self.overrun.eq(self.trigger & reading)
        with m.If(self.trigger):
            m.d.sync += [
                index.eq(1),
                reading.eq(spec.result_bytes > 1),
                self.out.eq(Mux(self.results_valid, result_bytes[0], 0)),
            ]
        with m.Elif(reading):
            m.d.sync += [
                index.eq(index + 1),
                reading.eq(index != spec.result_bytes - 1),
                self.out.eq(selected),
            ]
        with m.Else():
            m.d.sync += self.out.eq(self.status)
        return m
