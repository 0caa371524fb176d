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

        # Results as whole bytes: assignment to the wider signal sign-extends.
        widened = []
        for row in range(spec.tile_rows):
            widened.append([])
            for col in range(spec.tile_cols):
                wide = Signal(spec.acc_bytes * 8, name=f"r{row}_{col}")
                m.d.comb += wide.eq(self.results[row][col])
                widened[row].append(wide)

        # Row, column and byte counters instead of one flat index: the byte
        # select is then a mux per level, which stays small for large arrays
        # (one flat mux over thousands of bytes also overflows Verilator's parser).
        row = Signal(range(spec.tile_rows))
        col = Signal(range(spec.tile_cols))
        byte = Signal(range(spec.acc_bytes))
        reading = Signal()
        grid = Array(Array(line) for line in widened)
        current = grid[row][col].word_select(byte, 8)
        last_byte = byte == spec.acc_bytes - 1
        last_col = col == spec.tile_cols - 1

        # After byte 0 the counters point at byte 1 of the row-major order.
        second_byte = 1 % spec.acc_bytes
        second_col = (1 // spec.acc_bytes) % spec.tile_cols
        second_row = 1 // (spec.acc_bytes * spec.tile_cols)

        m.d.comb += self.overrun.eq(self.trigger & reading)
        with m.If(self.trigger):
            m.d.sync += [
                self.out.eq(Mux(self.results_valid, widened[0][0][:8], 0)),
                reading.eq(spec.result_bytes > 1),
                row.eq(min(second_row, spec.tile_rows - 1)), col.eq(second_col),
                byte.eq(second_byte),
            ]
        with m.Elif(reading):
            m.d.sync += [
                self.out.eq(Mux(self.results_valid, current, 0)),
                reading.eq(~(last_byte & last_col & (row == spec.tile_rows - 1))),
            ]
            with m.If(~last_byte):
                m.d.sync += byte.eq(byte + 1)
            with m.Else():
                m.d.sync += byte.eq(0)
                with m.If(~last_col):
                    m.d.sync += col.eq(col + 1)
                with m.Else():
                    m.d.sync += [col.eq(0), row.eq(row + 1)]
        with m.Else():
            m.d.sync += self.out.eq(self.status)
        return m
