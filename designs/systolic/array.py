"""The rows x cols grid of processing elements."""

from amaranth.hdl import Module
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from .layouts import b_step_layout, operand_shape, tile_results_layout
from .pe import ProcessingElement
from .spec import SystolicSpec


class SystolicArray(wiring.Component):
    """PE(r, c) gets A from PE(r, c-1) and B from PE(r-1, c).

    The inputs must already be skewed: row r's A operand is expected at
    PE(r, 0) r cycles after the k-step enters, column c's B stream enters
    c cycles late. ``done`` pulses the cycle after the bottom-right PE has
    captured the last result of a tile, i.e. when the whole tile is readable.
    """

    def __init__(self, spec: SystolicSpec):
        self._spec = spec
        super().__init__({
            "a_rows": In(data.ArrayLayout(operand_shape(spec), spec.rows)),
            "b_cols": In(data.ArrayLayout(b_step_layout(spec), spec.cols)),
            "results": Out(tile_results_layout(spec)),
            "done": Out(1),
        })

    def elaborate(self, platform):
        spec = self._spec
        m = Module()
        grid = [[ProcessingElement(spec) for _ in range(spec.cols)] for _ in range(spec.rows)]
        for r, row in enumerate(grid):
            for c, pe in enumerate(row):
                m.submodules[f"pe_{r}_{c}"] = pe
                m.d.comb += pe.a_in.eq(self.a_rows[r] if c == 0 else row[c - 1].a_out)
                m.d.comb += pe.b_in.eq(self.b_cols[c] if r == 0 else grid[r - 1][c].b_out)
                for f in range(spec.fold):
                    m.d.comb += self.results[r][c * spec.fold + f].eq(pe.results[f])

        corner = grid[-1][-1].b_out
        m.d.comb += self.done.eq(corner.valid & corner.last & (corner.phase == spec.fold - 1))
        return m
