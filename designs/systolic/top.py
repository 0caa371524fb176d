"""The TinyTapeout top level: exactly TT's eight ports, nothing else."""

from amaranth.hdl import Cat, ClockDomain, Module
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .core import SystolicCore
from .spec import SystolicSpec


class TinyTapeoutTop(wiring.Component):
    """``tt_um_*`` wrapper.

    The sync domain is built here from ``clk`` and ``rst_n`` (synchronous,
    active-low) so Amaranth adds no ``rst`` port. ``ena`` is ignored: TT
    holds it high whenever the design is powered, and gating every register
    with it would turn ~250 flip-flops into enable flip-flops (+50 % area
    each). All uio pins are inputs (``uio_oe`` = 0): they carry the second
    operand byte.
    """

    ui_in: In(8)
    uo_out: Out(8)
    uio_in: In(8)
    uio_out: Out(8)
    uio_oe: Out(8)
    ena: In(1)
    clk: In(1)
    rst_n: In(1)

    def __init__(self, spec: SystolicSpec):
        self._spec = spec
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        m.domains.sync = sync = ClockDomain("sync")
        m.d.comb += [sync.clk.eq(self.clk), sync.rst.eq(~self.rst_n)]

        m.submodules.core = core = SystolicCore(self._spec)
        m.d.comb += [
            core.word.eq(Cat(self.ui_in, self.uio_in)),
            self.uo_out.eq(core.out),
            self.uio_out.eq(0),
            self.uio_oe.eq(0),
        ]
        return m
