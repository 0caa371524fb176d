"""What each TinyTapeout pin does in the host protocol (docs/accelerator.md).

Used for the report's pin map and the info.yaml pinout.
"""

from __future__ import annotations

from .spec import SystolicSpec


def pinout(spec: SystolicSpec) -> dict[str, str]:
    """TT pin key (ui[0]..uio[7]) -> description."""
    pins = {}
    for bit in range(8):
        pins[f"ui[{bit}]"] = (f"opcode bit {bit} when idle; operand word bit {bit} "
                              f"while streaming")
        pins[f"uo[{bit}]"] = f"result byte bit {bit} during a readout, else status bit {bit}"
        pins[f"uio[{bit}]"] = (f"input: command argument bit {bit} when idle; operand word "
                               f"bit {bit + 8} while streaming")
    return pins


OTHER_PINS = {
    "clk": "clock (TinyTapeout default 50 MHz)",
    "rst_n": "synchronous active-low reset",
    "ena": "ignored (TinyTapeout holds it high while the design is powered)",
    "uio_oe": "0: every uio pin is an input",
}
