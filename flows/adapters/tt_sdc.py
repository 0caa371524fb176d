"""The timing constraints TinyTapeout hardens and signs off with.

TinyTapeout's template gives LibreLane no SDC of its own (src/config.json sets
only CLOCK_PERIOD and CLOCK_PORT), so LibreLane's ``scripts/base.sdc`` applies,
with the values LibreLane's ``config/pdk_compat.py`` and open_pdks'
``libs.tech/librelane/sky130_fd_sc_hd/config.tcl`` give sky130hd:

* a clock on ``clk`` at CLOCK_PERIOD (TinyTapeout's default 20 ns, 50 MHz);
* input and output delay CLOCK_PERIOD x IO_DELAY_CONSTRAINT (20 %) on every
  input but the clock and on every output. **rst_n is an ordinary input**:
  base.sdc's lines that would take the reset out of the input delays are
  commented out, so the reset is timed like ui_in, with the same 20 % delay;
* driving cell sky130_fd_sc_hd__inv_2/Y on every input (the clock too: its
  SYNTH_CLK_DRIVING_CELL defaults to SYNTH_DRIVING_CELL), output load
  33.442 fF (inv_16's input pin);
* clock uncertainty 0.25 ns, clock transition 0.15 ns, derate +-5 %,
  max fanout 10.

The values are data here, not code copied from LibreLane: tapeflow writes
the SDC itself. Propagated clocks are set by the stage that has a clock tree
(sta-post; OpenROAD after CTS), not here: pre-layout timing uses an ideal clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: TinyTapeout's LibreLane default (src/config.json CLOCK_PERIOD).
TT_CLOCK_PERIOD_NS = 20.0


@dataclass(frozen=True)
class TtSdc:
    clock_port: str = "clk"
    period_ns: float = TT_CLOCK_PERIOD_NS
    io_delay_fraction: float = 0.20            # IO_DELAY_CONSTRAINT 20 (%)
    driving_cell: str = "sky130_fd_sc_hd__inv_2"
    driving_pin: str = "Y"
    output_load_pf: float = 0.033442           # OUTPUT_CAP_LOAD 33.442 fF
    clock_uncertainty_ns: float = 0.25         # CLOCK_UNCERTAINTY_CONSTRAINT
    clock_transition_ns: float = 0.15          # CLOCK_TRANSITION_CONSTRAINT
    derate: float = 0.05                       # TIME_DERATING_CONSTRAINT 5 (%)
    max_fanout: int = 10                       # MAX_FANOUT_CONSTRAINT

    @property
    def io_delay_ns(self) -> float:
        return round(self.period_ns * self.io_delay_fraction, 4)

    def text(self) -> str:
        clock = f"[get_ports {self.clock_port}]"
        inputs = f"[delete_from_list [all_inputs] {clock}]"
        drive = f"-lib_cell {self.driving_cell} -pin {self.driving_pin}"
        return (
            f"# TinyTapeout's constraints: LibreLane base.sdc with sky130hd's values "
            f"(tapeflow flows/adapters/tt_sdc.py)\n"
            f"create_clock -name {self.clock_port} -period {self.period_ns} {clock}\n"
            f"# rst_n is one of the inputs: base.sdc times the reset like any input\n"
            f"set_input_delay {self.io_delay_ns} -clock {self.clock_port} {inputs}\n"
            f"set_output_delay {self.io_delay_ns} -clock {self.clock_port} [all_outputs]\n"
            f"set_max_fanout {self.max_fanout} [current_design]\n"
            f"set_driving_cell {drive} {inputs}\n"
            f"set_driving_cell {drive} {clock}\n"
            f"set_load {self.output_load_pf} [all_outputs]\n"
            f"set_clock_uncertainty {self.clock_uncertainty_ns} [get_clocks {self.clock_port}]\n"
            f"set_clock_transition {self.clock_transition_ns} [get_clocks {self.clock_port}]\n"
            f"set_timing_derate -early {round(1 - self.derate, 4)}\n"
            f"set_timing_derate -late {round(1 + self.derate, 4)}\n")


def write_sdc(path: Path, sdc: TtSdc) -> Path:
    path.write_text(sdc.text())
    return path
