"""What a testbench drives on the TT pins in one cycle."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PinInputs:
    """Inputs applied before one rising edge of clk."""

    ui_in: int = 0
    uio_in: int = 0
    rst_n: int = 1
    ena: int = 1

    @property
    def word(self) -> int:
        return self.ui_in | (self.uio_in << 8)
